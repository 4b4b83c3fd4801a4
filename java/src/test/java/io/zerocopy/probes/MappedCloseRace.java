package io.zerocopy.probes;

import io.zerocopy.MappedRegion;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * Four threads read and write a region through its methods, through views kept from before,
 * and through new slices, while the main thread closes it (a READ_ONLY region: they only
 * read). Prints one line per round: the file's checksum before mapping, right after close and
 * at the end, and how many accesses through views ran after close.
 * Usage: MappedCloseRace <file> <rounds> <READ_ONLY|READ_WRITE|PRIVATE>
 */
public final class MappedCloseRace {
    private static final int THREADS = 4;
    private static final long WINDOW = 4L << 20;

    public static void main(String[] args) throws Exception {
        Path path = Paths.get(args[0]);
        int rounds = Integer.parseInt(args[1]);
        FileChannel.MapMode mode = mode(args[2]);
        boolean writable = mode != FileChannel.MapMode.READ_ONLY;
        for (int round = 0; round < rounds; round++) {
            // Odd rounds: a sparse 3 GiB region, cut into chunks, whose slices across the 2 GiB
            // boundary are buffers of their own.
            long size = round % 2 == 0 ? 16L << 20 : 3L << 30;
            long[] windows = size > Integer.MAX_VALUE ? new long[] {0, (2L << 30) - WINDOW / 2} : new long[] {0};
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 17 + size); // sparse: a READ_ONLY map needs the length
                long before = checksum(ch, windows);
                MappedRegion region = MappedRegion.map(ch, mode, 17, size);
                AtomicBoolean closed = new AtomicBoolean();
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong staleAccesses = new AtomicLong();
                AtomicLong refused = new AtomicLong();
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    // Views made before close, each thread its own: in a chunk, and across chunks.
                    List<ByteBuffer> views = new ArrayList<>();
                    for (long w : windows) {
                        views.add(region.slice(w, (int) WINDOW));
                    }
                    views.add(size <= Integer.MAX_VALUE ? region.asByteBuffer() : region.slice(0, 1 << 20));
                    Thread thread = new Thread(
                            () -> hammer(region, writable, windows, views, closed, stop, staleAccesses, refused));
                    threads.add(thread);
                    thread.start();
                }
                Thread.sleep(150);
                region.close();
                closed.set(true);
                long afterClose = checksum(ch, windows);
                Thread.sleep(200);
                stop.set(true);
                for (Thread thread : threads) {
                    thread.join();
                }
                long atEnd = checksum(ch, windows);
                System.out.println("round " + round + " " + mode + " size " + size + ": checksum before " + before
                        + ", after close " + afterClose + ", at end " + atEnd + ", stale accesses "
                        + staleAccesses.get() + ", refused calls " + refused.get()
                        + (afterClose == atEnd ? " STABLE" : " CHANGED"));
            }
        }
        System.out.println("done");
    }

    static FileChannel.MapMode mode(String name) {
        switch (name) {
            case "READ_ONLY": return FileChannel.MapMode.READ_ONLY;
            case "READ_WRITE": return FileChannel.MapMode.READ_WRITE;
            case "PRIVATE": return FileChannel.MapMode.PRIVATE;
            default: throw new IllegalArgumentException(name);
        }
    }

    private static void hammer(MappedRegion region, boolean writable, long[] windows, List<ByteBuffer> views,
            AtomicBoolean closed, AtomicBoolean stop, AtomicLong staleAccesses, AtomicLong refused) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        byte[] bytes = new byte[256];
        long sink = 0;
        while (!stop.get()) {
            boolean wasClosed = closed.get();
            long base = windows[random.nextInt(windows.length)];
            int at = random.nextInt((int) WINDOW - 512);
            byte value = (byte) (random.nextInt(255) + 1);
            // Views from before close: never an exception, never a crash.
            for (ByteBuffer view : views) {
                int i = random.nextInt(view.capacity() - 8);
                if (writable) {
                    view.put(i, value);
                    view.putLong(i, random.nextLong());
                }
                sink += view.get(i) + view.getLong(i + 1);
            }
            if (wasClosed) {
                staleAccesses.addAndGet(views.size());
            }
            // The region's own methods: until close they work, after it they refuse.
            try {
                sink += region.get(base + at) + region.getLong(base + at + 8);
                region.get(base + at, bytes, 0, bytes.length);
                ByteBuffer slice = region.slice(base + at, 64);
                sink += slice.get(3);
                if (writable) {
                    region.put(base + at, value);
                    region.putLong(base + at + 8, random.nextLong());
                    random.nextBytes(bytes);
                    region.put(base + at, bytes, 0, bytes.length);
                    slice.put(3, value);
                }
                switch (random.nextInt(50)) {
                    case 0: region.force(base + at, 64); break;
                    case 1: sink += region.residentBytes(base, WINDOW); break;
                    case 2: sink += region.isLoaded(base + at, 64) ? 1 : 0; break;
                    case 3: region.advise(MappedRegion.Advice.WILL_NEED, base + at, 4096); break;
                    default: break;
                }
            } catch (IllegalStateException e) {
                refused.incrementAndGet();
            }
        }
        if (sink == 42) {
            System.out.print("");
        }
    }

    private static long checksum(FileChannel ch, long[] windows) throws java.io.IOException {
        CRC32 crc = new CRC32();
        ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
        for (long w : windows) {
            for (long at = w; at < w + WINDOW + 64; at += buffer.capacity()) {
                buffer.clear();
                ch.read(buffer, at);
                buffer.flip();
                crc.update(buffer);
            }
        }
        return crc.getValue();
    }
}
