package io.zerocopy.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * The files that benchmarks read and write, in one directory ({@code -Dzerocopy.bench.dir})
 * kept between runs: writing a 1 GiB file for every fork would cost more than the benchmark.
 */
final class BenchFiles {
    static final long KiB = 1024;
    static final long MiB = 1024 * KiB;
    static final long GiB = 1024 * MiB;

    private static final Path DIR = Paths.get(System.getProperty("zerocopy.bench.dir", "build/bench-data"));

    /**
     * How a file's pages enter the page cache before each trial ({@code -Dzerocopy.bench.pageCache}).
     * It matters: mapping a 1 GiB file costs several times more when the cache holds it in 4 KiB
     * folios than in the large folios that readahead makes, so a cache left as an earlier run
     * happened to leave it gives results that differ from run to run.
     * {@code readahead} (default): evicted and read back sequentially, as a file first read
     * from disk; {@code written}: written anew, as a log segment just appended.
     */
    static final String PAGE_CACHE = System.getProperty("zerocopy.bench.pageCache", "readahead");

    private BenchFiles() {}

    /** {@code source-<size>.bin}: see {@link #data(String, long)}. */
    static Path source(long size) throws IOException {
        return data("source", size);
    }

    /**
     * A file of exactly {@code size} pseudo-random bytes, created if missing, with all its pages
     * in the page cache as {@link #PAGE_CACHE} says: every benchmark here runs on a warm cache.
     */
    static Path data(String name, long size) throws IOException {
        Path file = DIR.resolve(name + "-" + size + ".bin");
        boolean exists = Files.exists(file) && Files.size(file) == size;
        switch (PAGE_CACHE) {
            case "readahead":
                if (!exists) {
                    create(file, size);
                }
                flushDirtyPages(); // eviction skips dirty pages
                run("dd", "if=" + file, "iflag=nocache", "count=0", "status=none"); // POSIX_FADV_DONTNEED
                readThrough(file, size);
                break;
            case "written":
                create(file, size);
                break;
            default:
                throw new IllegalArgumentException("zerocopy.bench.pageCache=" + PAGE_CACHE
                        + ": expected readahead or written");
        }
        return file;
    }

    /**
     * Writes every dirty page of the machine back to disk ({@code sync}), at the start of a
     * trial: the 1 GiB files that an earlier benchmark wrote would otherwise be written back
     * during this one's measurement, slowing whichever benchmark happens to run next.
     */
    static void flushDirtyPages() throws IOException {
        run("sync");
    }

    private static void run(String... command) throws IOException {
        try {
            int status = new ProcessBuilder(command).inheritIO().start().waitFor();
            if (status != 0) {
                throw new IOException(String.join(" ", command) + " exited with " + status);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + command[0], e);
        }
    }

    /** A path in the directory for a file that a benchmark writes. */
    static Path target(String name) throws IOException {
        Files.createDirectories(DIR);
        return DIR.resolve(name);
    }

    private static void create(Path file, long size) throws IOException {
        Files.createDirectories(DIR);
        Path partial = Files.createTempFile(DIR, file.getFileName().toString(), ".partial");
        ByteBuffer block = ByteBuffer.allocateDirect((int) MiB);
        SplittableRandom random = new SplittableRandom(size);
        try (FileChannel out = FileChannel.open(partial, StandardOpenOption.WRITE)) {
            for (long written = 0; written < size; ) {
                block.clear();
                while (block.remaining() >= Long.BYTES) {
                    block.putLong(random.nextLong());
                }
                block.flip().limit((int) Math.min(block.limit(), size - written));
                written += Copy.writeAll(block, out);
            }
        }
        // Whole or not at all, should a run be stopped while writing.
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void readThrough(Path file, long size) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect((int) MiB);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            for (long position = 0; position < size; ) {
                buffer.clear();
                int n = in.read(buffer, position);
                if (n < 0) {
                    break;
                }
                position += n;
            }
        }
    }
}
