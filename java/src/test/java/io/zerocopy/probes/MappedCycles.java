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
 * Map/use/close cycles of 256 KiB; prints the lines of /proc/self/maps, the entries of
 * /proc/self/fd, VmSize, VmRSS and the mappings of the file after a warm-up and after the
 * cycles, and the largest VmSize seen during them (sampled every 1,000 cycles). It never calls
 * System.gc() itself.
 * Usage: MappedCycles <file> <cycles> <load|views>
 *
 * <p>"load" calls load and isLoaded, and in turn residentBytes, advise, lock and unlock, or
 * force: none of them leaves a buffer behind, so every close unmaps at once. "views" also
 * reads and writes through get/put and a slice, whose buffers keep the address range until
 * they are collected: only the collections that close() asks for keep VmSize down there.
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
            print("before", real);
            long start = System.nanoTime();
            long peak = run(ch, cycles, views);
            long elapsed = System.nanoTime() - start;
            System.out.println("cycles " + cycles + " took " + elapsed / 1_000_000 + " ms ("
                    + elapsed / cycles + " ns each)");
            System.out.println("peak: vmSizeKb " + peak);
            print("after", real);
        }
        System.out.println("done");
    }

    /** Runs the cycles; returns the largest VmSize seen, in kB. */
    private static long run(FileChannel ch, int cycles, boolean views) throws IOException {
        long sink = 0;
        long peak = 0;
        for (int i = 0; i < cycles; i++) {
            try (MappedRegion region = MappedRegion.map(ch, FileChannel.MapMode.READ_WRITE, i % 4096, SIZE)) {
                region.load();
                sink += region.isLoaded() ? 1 : 0;
                switch (i % 4) { // the other calls that make no buffer, in turn
                    case 0: sink += region.residentBytes(0, SIZE); break;
                    case 1: region.advise(MappedRegion.Advice.SEQUENTIAL); break;
                    case 2: region.lock().unlock(); break;
                    default:
                        if (!views) {
                            region.force(); // after the puts of "views", a write to the disk each time
                        }
                        break;
                }
                if (views) {
                    region.put(i % SIZE, (byte) i);
                    sink += region.get(SIZE - 1);
                    ByteBuffer slice = region.slice(SIZE / 2, 4096);
                    sink += slice.getLong(8);
                }
            }
            if (i % 1000 == 0) {
                peak = Math.max(peak, status("VmSize:"));
            }
        }
        if (sink == 42) {
            System.out.print("");
        }
        return peak;
    }

    private static long fileMappings(String file) throws IOException {
        return Files.readAllLines(Paths.get("/proc/self/maps")).stream().filter(l -> l.endsWith(file)).count();
    }

    /** A "kB" line of /proc/self/status, such as VmSize. */
    private static long status(String key) throws IOException {
        return Files.readAllLines(Paths.get("/proc/self/status")).stream().filter(l -> l.startsWith(key))
                .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(-1L);
    }

    private static void print(String when, String file) throws IOException {
        List<String> maps = Files.readAllLines(Paths.get("/proc/self/maps"));
        String[] fds = new File("/proc/self/fd").list();
        System.out.println(when + ": maps " + maps.size() + " fds " + fds.length + " vmSizeKb "
                + status("VmSize:") + " rssKb " + status("VmRSS:") + " fileMappings " + fileMappings(file));
    }
}
