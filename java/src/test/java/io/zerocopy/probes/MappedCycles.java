package io.zerocopy.probes;

import io.zerocopy.MappedRegion;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Map/use/close cycles; prints the lines of /proc/self/maps, the entries of /proc/self/fd, VmRSS
 * and the mappings of the file, after a warm-up and after the cycles.
 * Usage: MappedCycles <file> <cycles> <plain|views>
 *
 * <p>"plain" maps 256 KiB, loads it, asks isLoaded and closes: no ByteBuffer is made, so every
 * close unmaps at once and nothing depends on the garbage collector. "views" also reads and
 * writes through get/put and a slice: then close leaves the address range to the buffers'
 * Cleaners, so the probe runs System.gc() and waits for them before it measures.
 */
public final class MappedCycles {
    private static final long SIZE = 256L << 10;

    public static void main(String[] args) throws Exception {
        Path path = Paths.get(args[0]);
        int cycles = Integer.parseInt(args[1]);
        boolean views = args[2].equals("views");
        Files.write(path, new byte[(int) SIZE]);
        String real = path.toRealPath().toString();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            run(ch, 20_000, views); // warm-up: the JIT's own memory is not ours to count
            settle(views, real);
            print("before", real);
            long start = System.nanoTime();
            run(ch, cycles, views);
            long elapsed = System.nanoTime() - start;
            System.out.println("cycles " + cycles + " took " + elapsed / 1_000_000 + " ms ("
                    + elapsed / cycles + " ns each)");
            settle(views, real);
            print("after", real);
        }
        System.out.println("done");
    }

    private static void run(FileChannel ch, int cycles, boolean views) throws IOException {
        long sink = 0;
        for (int i = 0; i < cycles; i++) {
            try (MappedRegion region = MappedRegion.map(ch, FileChannel.MapMode.READ_WRITE, i % 4096, SIZE)) {
                region.load();
                sink += region.isLoaded() ? 1 : 0;
                if (views) {
                    region.put(i % SIZE, (byte) i);
                    sink += region.get(SIZE - 1);
                    ByteBuffer slice = region.slice(SIZE / 2, 4096);
                    sink += slice.getLong(8);
                }
            }
        }
        if (sink == 42) {
            System.out.print("");
        }
    }

    /**
     * For the view cycles: collects garbage until the buffers' Cleaners have unmapped every
     * address range, that is until /proc/self/maps stops shrinking (10 s at most).
     */
    private static void settle(boolean views, String file) throws Exception {
        if (!views) {
            return;
        }
        int last = -1;
        int stable = 0;
        for (int i = 0; i < 200 && stable < 5; i++) {
            System.gc();
            Thread.sleep(50);
            int now = Files.readAllLines(Paths.get("/proc/self/maps")).size();
            stable = now == last && fileMappings(file) == 0 ? stable + 1 : 0;
            last = now;
        }
    }

    private static long fileMappings(String file) throws IOException {
        return Files.readAllLines(Paths.get("/proc/self/maps")).stream().filter(l -> l.endsWith(file)).count();
    }

    private static void print(String when, String file) throws IOException {
        List<String> maps = Files.readAllLines(Paths.get("/proc/self/maps"));
        String[] fds = new File("/proc/self/fd").list();
        long rssKb = Files.readAllLines(Paths.get("/proc/self/status")).stream()
                .filter(l -> l.startsWith("VmRSS:")).map(l -> Long.parseLong(l.replaceAll("\\D", "")))
                .findFirst().orElse(-1L);
        System.out.println(when + ": maps " + maps.size() + " fds " + fds.length + " rssKb " + rssKb
                + " fileMappings " + fileMappings(file));
    }
}
