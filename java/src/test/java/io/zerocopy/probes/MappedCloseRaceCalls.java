package io.zerocopy.probes;

import io.zerocopy.MappedRegion;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;

/**
 * Closes a region while four threads make calls on it, many times over:
 * <ul>
 * <li>"first-access": each thread's call is the region's first access (get, putLong, slice,
 * put[]), so the buffers inside are made while close runs;
 * <li>"load-lock": the threads call load(), load(index, length), lock() and unlock(), and
 * isLoaded, residentBytes, advise and force, in loops: calls that make no buffer, so close
 * unmaps when the last of them returns.
 * </ul>
 * Every call must either work or throw IllegalStateException; the file must not change after
 * close returned. Prints "calls done D, refused R, changes after close C", then "done".
 * Usage: MappedCloseRaceCalls <file> <first-access|load-lock> <iterations>
 */
public final class MappedCloseRaceCalls {
    private static final int THREADS = 4;

    public static void main(String[] args) throws Exception {
        Path path = Paths.get(args[0]);
        boolean firstAccess = args[1].equals("first-access");
        int iterations = Integer.parseInt(args[2]);
        long size = firstAccess ? 64 << 10 : 4 << 20;
        AtomicLong done = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        AtomicReference<MappedRegion> current = new AtomicReference<>();
        CyclicBarrier start = new CyclicBarrier(THREADS + 1);
        CyclicBarrier end = new CyclicBarrier(THREADS + 1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int kind = t;
            Thread thread = new Thread(() -> {
                try {
                    for (int i = 0; i < iterations; i++) {
                        start.await();
                        MappedRegion region = current.get();
                        try {
                            do {
                                call(region, kind, firstAccess, size);
                                done.incrementAndGet();
                            } while (!firstAccess);
                        } catch (IllegalStateException e) {
                            refused.incrementAndGet();
                        } catch (Throwable e) {
                            unexpected.compareAndSet(null, e);
                        }
                        end.await();
                    }
                } catch (Exception e) {
                    unexpected.compareAndSet(null, e);
                }
            });
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        int changes = 0;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int i = 0; i < iterations && unexpected.get() == null; i++) {
                MappedRegion region = MappedRegion.map(ch, FileChannel.MapMode.READ_WRITE, 5, size);
                current.set(region);
                start.await();
                // Close at a random moment: before, during or after the threads' first calls.
                long until = System.nanoTime() + ThreadLocalRandom.current().nextLong(firstAccess ? 50_000 : 2_000_000);
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                region.close();
                long afterClose = checksum(ch, size);
                end.await();
                if (checksum(ch, size) != afterClose) {
                    changes++;
                }
            }
        }
        if (unexpected.get() != null) {
            unexpected.get().printStackTrace(System.out);
        }
        System.out.println("calls done " + done.get() + ", refused " + refused.get() + ", changes after close "
                + changes + ", unexpected " + unexpected.get());
        System.out.println("done");
    }

    private static void call(MappedRegion region, int kind, boolean firstAccess, long size) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long at = random.nextLong(size - 300);
        if (firstAccess) {
            switch (kind) {
                case 0: region.get(at); break;
                case 1: region.putLong(at, random.nextLong()); break;
                case 2: region.slice(at, 100).put(7, (byte) 1); break;
                default: region.put(at, new byte[256], 0, 256); break;
            }
            return;
        }
        switch (kind) {
            case 0: region.load(); break;
            case 1: region.load(at, Math.min(size - at, 1 << 20)); break;
            case 2: region.lock().unlock(); break;
            default:
                region.isLoaded(at, 300);
                region.residentBytes(0, size);
                region.advise(MappedRegion.Advice.WILL_NEED, at, 300);
                region.force(at, 8);
                break;
        }
    }

    private static long checksum(FileChannel ch, long size) throws IOException {
        CRC32 crc = new CRC32();
        ByteBuffer buffer = ByteBuffer.allocate((int) size + 5);
        while (buffer.hasRemaining() && ch.read(buffer, buffer.position()) > 0) {
            // read all
        }
        buffer.flip();
        crc.update(buffer);
        return crc.getValue();
    }
}
