package io.zerocopy.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** Real mounts for tests that need a file system with given options; they need root. */
public final class Mounts {
    private Mounts() {}

    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0"); // effective uid
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** Runs a command; returns its exit code and output. */
    public static String[] exec(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new String[] {String.valueOf(p.waitFor()), out};
    }

    /** A mounted file system; unmounts on close. */
    public static final class Mount implements AutoCloseable {
        public final Path dir;

        Mount(Path dir) {
            this.dir = dir;
        }

        @Override
        public void close() throws IOException {
            try {
                exec("umount", "-l", dir.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while unmounting " + dir, e);
            }
        }
    }

    /**
     * Makes an XFS image with reflink (sparse, {@code gib} GiB) under {@code parent} and mounts it
     * through a loop device, or skips the test with the reason.
     */
    public static Mount xfsWithReflink(Path parent, int gib) throws IOException, InterruptedException {
        Assumptions.assumeTrue(isRoot(), "skipped: mounting an XFS image needs root");
        Path image = parent.resolve("xfs.img");
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(image.toFile(), "rw")) {
            file.setLength((long) gib << 30);
        }
        String[] mkfs = exec("mkfs.xfs", "-q", "-f", "-m", "reflink=1", image.toString());
        Assumptions.assumeTrue(mkfs[0].equals("0"), "skipped: mkfs.xfs -m reflink=1 failed (install xfsprogs): "
                + mkfs[1]);
        Path dir = Files.createDirectory(parent.resolve("xfs"));
        String[] mount = exec("mount", "-o", "loop", image.toString(), dir.toString());
        Assumptions.assumeTrue(mount[0].equals("0"), "skipped: mounting an XFS image on a loop device failed: "
                + mount[1]);
        return new Mount(dir);
    }

    /**
     * Mounts a small tmpfs with the given options (such as "ro" or "noexec") on a new directory
     * under {@code parent}, or skips the test with the reason if this machine does not allow it.
     */
    public static Mount tmpfs(Path parent, String options) throws IOException, InterruptedException {
        return tmpfs(parent, options, 16 << 20);
    }

    /** A tmpfs of {@code bytes} (rounded up to pages), as {@link #tmpfs(Path, String)}. */
    public static Mount tmpfs(Path parent, String options, long bytes) throws IOException, InterruptedException {
        Assumptions.assumeTrue(isRoot(), "skipped: mounting a tmpfs (" + options + ") needs root");
        Path dir = Files.createTempDirectory(parent, "mnt-");
        List<String> command = Arrays.asList("mount", "-t", "tmpfs", "-o", options + ",size=" + bytes, "tmpfs",
                dir.toString());
        String[] result = exec(command.toArray(new String[0]));
        Assumptions.assumeTrue(result[0].equals("0"), "skipped: " + String.join(" ", command) + " failed: " + result[1]);
        return new Mount(dir);
    }

    /**
     * Makes an ext4 image of {@code bytes} under {@code parent} (no blocks reserved for root)
     * and mounts it through a loop device, or skips the test with the reason.
     */
    public static Mount ext4(Path parent, long bytes) throws IOException, InterruptedException {
        Assumptions.assumeTrue(isRoot(), "skipped: mounting an ext4 image needs root");
        Path image = Files.createTempFile(parent, "ext4-", ".img");
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(bytes);
        }
        String[] mkfs = exec("mkfs.ext4", "-q", "-F", "-m", "0", image.toString());
        Assumptions.assumeTrue(mkfs[0].equals("0"), "skipped: mkfs.ext4 failed: " + mkfs[1]);
        Path dir = Files.createTempDirectory(parent, "ext4-");
        String[] mount = exec("mount", "-o", "loop", image.toString(), dir.toString());
        Assumptions.assumeTrue(mount[0].equals("0"), "skipped: mounting an ext4 image on a loop device failed: "
                + mount[1]);
        return new Mount(dir);
    }
}
