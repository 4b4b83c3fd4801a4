package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.probes.Probe;
import io.zerocopy.testing.ChildJvm;
import io.zerocopy.testing.Mounts;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader extracts the jar's library safely in a shared work dir: into a new owner-only
 * directory, the file created exclusively and owner-only whatever the umask, nothing followed
 * or replaced, and a work dir that others could tamper with is refused with the reason.
 */
class LoaderSafetyTest {
    @TempDir
    Path tmp;

    private static List<String> command(Path workdir) {
        return new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xcheck:jni", "-Dzerocopy.workdir=" + workdir, "-Djava.library.path=" + workdir, "-cp",
                String.join(File.pathSeparator, ChildJvm.jar(), ChildJvm.testClasses()), Probe.class.getName()));
    }

    private static String run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), out);
        return process.exitValue() + "\n" + out;
    }

    private static long entries(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    /**
     * Under umask 000 the loader asks the kernel (seen with strace) for a 0700 directory and a
     * file created with O_EXCL (which never follows a symbolic link) and mode 0600; it never creates anything else there,
     * so nothing is ever readable or writable by others.
     */
    @Test
    void underUmask000EverythingIsCreatedOwnerOnlyAndExclusively() throws Exception {
        Assumptions.assumeTrue(new File("/usr/bin/strace").canExecute(), "skipped: strace is not installed");
        Path workdir = Files.createDirectory(tmp.resolve("work"));
        Path trace = tmp.resolve("trace.log");
        List<String> java = command(workdir);
        String shell = "umask 000; exec /usr/bin/strace -f -qq -e trace=openat,mkdir,mkdirat,rename,renameat,"
                + "renameat2,symlink,symlinkat,chmod,fchmod,fchmodat -o " + trace + " "
                + java.stream().map(a -> "'" + a + "'").collect(Collectors.joining(" "));
        String result = run(List.of("sh", "-c", shell));
        assertTrue(result.startsWith("0\n") && result.contains("loaded from: jar resource"), result);
        List<String> ours = Files.readAllLines(trace).stream().filter(l -> l.contains(workdir.toString()))
                .collect(Collectors.toList());
        List<String> mkdirs = ours.stream().filter(l -> l.contains("mkdir")).collect(Collectors.toList());
        List<String> creates = ours.stream().filter(l -> l.contains("O_CREAT")).collect(Collectors.toList());
        assertEquals(1, mkdirs.size(), ours::toString);
        assertTrue(mkdirs.get(0).contains("zerocopy-jni-") && mkdirs.get(0).contains(", 0700)"), mkdirs::toString);
        assertEquals(1, creates.size(), ours::toString);
        String create = creates.get(0);
        assertTrue(create.contains("O_EXCL") && create.contains(", 0600)"), create);
        assertTrue(ours.stream().noneMatch(l -> l.matches(".*(rename|symlink|chmod).*")), ours::toString);
        assertEquals(0, entries(workdir), "nothing is left behind");
    }

    /** Others could rename the extraction directory away in a world-writable dir without the sticky bit. */
    @Test
    void aWorkDirOthersMayWriteWithoutTheStickyBitIsRefused() throws Exception {
        Path workdir = Files.createDirectory(tmp.resolve("open"));
        assertEquals(0, new ProcessBuilder("chmod", "0777", workdir.toString()).start().waitFor());
        String refused = run(command(workdir));
        assertFalse(refused.startsWith("0\n"), refused);
        assertTrue(refused.contains("the work dir is writable by other users (mode 777) and has no sticky bit"),
                refused);
        assertTrue(refused.contains("set -Dzerocopy.workdir to a directory that only you can write"), refused);

        assertEquals(0, new ProcessBuilder("chmod", "1777", workdir.toString()).start().waitFor());
        String loaded = run(command(workdir));
        assertTrue(loaded.startsWith("0\n") && loaded.contains("loaded from: jar resource"), loaded);
    }

    /**
     * Another user of a sticky shared dir (as /tmp) plants symbolic links wherever it can while
     * JVMs load the library: it never gets one into an extraction directory, and every load
     * succeeds. Needs root to run the planter as nobody.
     */
    @Test
    void anotherUserCannotPlantAnythingWhereTheLibraryIsExtracted() throws Exception {
        Assumptions.assumeTrue(Mounts.isRoot() && new File("/usr/bin/setpriv").canExecute(),
                "skipped: running a planter as another user needs root and setpriv (util-linux)");
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        assertEquals(0, new ProcessBuilder("chmod", "1777", shared.toString()).start().waitFor());
        // The test's own temp dirs are root's 0700: let nobody reach the shared one.
        for (Path p = shared.getParent(); p != null; p = p.getParent()) {
            new ProcessBuilder("chmod", "o+x", p.toString()).start().waitFor();
        }
        Path planted = tmp.resolve("planted.log");
        Process planter = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "sh", "-c", "while :; do for d in " + shared + "/*; do ln -s /etc/passwd \"$d/libzerocopy_jni.so\" "
                        + "2>/dev/null && echo \"planted in $d\"; touch \"$d/x\" 2>/dev/null && echo \"wrote in $d\"; "
                        + "done; done")
                .redirectErrorStream(true).redirectOutput(planted.toFile()).start();
        try {
            for (int i = 0; i < 5; i++) {
                String loaded = run(command(shared));
                assertTrue(loaded.startsWith("0\n") && loaded.contains("loaded from: jar resource"), loaded);
            }
        } finally {
            planter.destroyForcibly().waitFor();
        }
        assertEquals("", Files.readString(planted), "the planter got in");
        assertEquals(0, entries(shared));
    }

    @Test
    void aNonexistentWorkDirIsNamed() throws Exception {
        String failed = run(command(tmp.resolve("missing")));
        assertNotEquals('0', failed.charAt(0), failed);
        assertTrue(failed.contains(tmp.resolve("missing").toString()), failed);
        assertTrue(failed.contains("the work dir does not exist or is not a directory; set -Dzerocopy.workdir"),
                failed);
    }
}
