import io.zerocopy.MappedRegion;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MappedRegion.asSegment() on JDK 22+, run by MappedSegmentTest in source-file mode (so that
 * this JDK compiles it) against the multi-release jar. Prints what it checked; throws on a
 * mismatch. Modes: access, large, close (each with a work directory).
 */
public class SegmentProbe {
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        switch (args[0]) {
            case "access" -> access(dir);
            case "large" -> large(dir);
            case "close" -> close(dir);
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.println("done");
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    static Path file(Path dir, String name, byte[] content) throws Exception {
        Path path = dir.resolve(name);
        Files.write(path, content);
        return path;
    }

    /** The same bytes as MappedByteBuffer, writes both ways, read-only, bounds, another thread. */
    static void access(Path dir) throws Exception {
        byte[] content = new byte[3 * 1024 * 1024 + 123];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31 + i / 4096);
        }
        Path path = file(dir, "access.bin", content);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
                MappedRegion region = MappedRegion.map(ch, MapMode.READ_WRITE, 5, content.length - 5)) {
            MappedByteBuffer jdk = ch.map(MapMode.READ_WRITE, 5, content.length - 5);
            jdk.order(ByteOrder.nativeOrder());
            MemorySegment segment = region.asSegment();
            check(segment.byteSize() == region.size(), "byteSize " + segment.byteSize());
            check(!segment.isReadOnly() && segment.isNative(), "a writable native segment");
            for (int i = 0; i + 8 <= jdk.capacity(); i += 997) {
                check(segment.get(ValueLayout.JAVA_BYTE, i) == jdk.get(i), "byte at " + i);
                check(segment.get(INT, i) == jdk.getInt(i), "int at " + i);
                check(segment.get(LONG, i) == jdk.getLong(i), "long at " + i);
            }
            byte[] bulk = new byte[10_000];
            MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, 4090, bulk, 0, bulk.length);
            check(Arrays.equals(bulk, Arrays.copyOfRange(content, 4095, 4095 + bulk.length)), "bulk copy");
            segment.set(LONG, 4093, 0x1122334455667788L); // spans a page boundary
            check(region.getLong(4093) == 0x1122334455667788L, "a segment write seen by the region");
            region.putInt(100_003, 0x55AA55AA);
            check(segment.get(INT, 100_003) == 0x55AA55AA, "a region write seen by the segment");
            long[] fromOtherThread = new long[1];
            Thread reader = new Thread(() -> fromOtherThread[0] = segment.get(LONG, 4093));
            reader.start();
            reader.join();
            check(fromOtherThread[0] == 0x1122334455667788L, "read from another thread");
            expect(IndexOutOfBoundsException.class, () -> segment.get(ValueLayout.JAVA_BYTE, region.size()));
            expect(IndexOutOfBoundsException.class, () -> segment.get(LONG, region.size() - 7));
            region.force();
            ByteBuffer back = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            ch.read(back, 5 + 4093);
            check(back.getLong(0) == 0x1122334455667788L, "the write is in the file after force");
            System.out.println("access: same bytes as MappedByteBuffer, writes both ways, bounds, threads ok");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
                MappedRegion region = MappedRegion.map(ch, MapMode.READ_ONLY, 0, 4096)) {
            MemorySegment segment = region.asSegment();
            check(segment.isReadOnly(), "read-only region, read-only segment");
            // The same refusal as the JDK's own read-only mapped segment.
            MemorySegment jdk = ch.map(MapMode.READ_ONLY, 0, 4096, java.lang.foreign.Arena.ofAuto());
            Throwable theirs = expect(RuntimeException.class, () -> jdk.set(LONG, 0, 1L));
            Throwable refused = expect(theirs.getClass(), () -> segment.set(LONG, 0, 1L));
            System.out.println("read-only: " + refused);
            check(segment.get(ValueLayout.JAVA_BYTE, 7) == content[7], "read-only read");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
                MappedRegion region = MappedRegion.map(ch, MapMode.READ_ONLY, 10, 0)) {
            check(region.asSegment().byteSize() == 0, "an empty region, an empty segment");
        }
        System.out.println("access ok");
    }

    /** 64-bit offsets: a 6 GiB sparse file, written and read across 2 and 4 GiB and at 5 GiB. */
    static void large(Path dir) throws Exception {
        long size = 6L << 30;
        Path path = dir.resolve("large.bin");
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(new byte[] {1}), size - 1);
            try (MappedRegion region = MappedRegion.map(ch, MapMode.READ_WRITE, 0, size)) {
                MemorySegment segment = region.asSegment();
                check(segment.byteSize() == size, "byteSize " + segment.byteSize());
                for (long at : new long[] {(1L << 31) - 4, (1L << 32) - 3, (5L << 30) + 3, size - 8}) {
                    segment.set(LONG, at, at * 3);
                    check(region.getLong(at) == at * 3, "segment -> region at " + at);
                    region.putLong(at, ~at);
                    check(segment.get(LONG, at) == ~at, "region -> segment at " + at);
                }
                region.force();
            }
            ByteBuffer back = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            ch.read(back, (5L << 30) + 3);
            check(back.getLong(0) == ~((5L << 30) + 3), "in the file at 5 GiB");
        }
        Files.delete(path);
        System.out.println("large ok");
    }

    /**
     * Close while 4 threads read through the segment: nothing faults, the readers see the file
     * and then zeros, never the bytes of a file mapped after the close; the stale segment's
     * writes never reach the file; asSegment after close throws.
     */
    static void close(Path dir) throws Exception {
        int size = 8 << 20;
        byte[] a = new byte[size];
        Arrays.fill(a, (byte) 0xAA);
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) 0xBB);
        Path fileA = file(dir, "a.bin", a);
        Path fileB = file(dir, "b.bin", b);
        long aa = 0xAAAAAAAAAAAAAAAAL;
        try (FileChannel chA = FileChannel.open(fileA, StandardOpenOption.READ, StandardOpenOption.WRITE);
                FileChannel chB = FileChannel.open(fileB, StandardOpenOption.READ)) {
            MappedRegion region = MappedRegion.map(chA, MapMode.READ_WRITE, 0, size);
            MemorySegment segment = region.asSegment();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong file = new AtomicLong();
            AtomicLong zeros = new AtomicLong();
            AtomicLong other = new AtomicLong();
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread reader = new Thread(() -> {
                    while (!stop.get()) {
                        for (long at = 0; at < size; at += 4096) {
                            long value = segment.get(ValueLayout.JAVA_LONG, at);
                            (value == aa ? file : value == 0 ? zeros : other).incrementAndGet();
                        }
                    }
                });
                reader.start();
                readers.add(reader);
            }
            Thread.sleep(200);
            long start = System.nanoTime();
            region.close();
            long closeMicros = (System.nanoTime() - start) / 1000;
            // New mappings of another file while the stale segment is read: none may show through.
            List<MappedRegion> others = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                others.add(MappedRegion.map(chB, MapMode.READ_ONLY, 0, size).load());
            }
            Thread.sleep(200);
            stop.set(true);
            for (Thread reader : readers) {
                reader.join();
            }
            System.out.printf("close: %d us with 4 readers; reads of the file %d, zeros %d, other %d%n",
                    closeMicros, file.get(), zeros.get(), other.get());
            check(other.get() == 0, "a stale segment showed bytes that were not its file's");
            check(zeros.get() > 0 && file.get() > 0, "the readers ran before and after the close");
            check(segment.get(ValueLayout.JAVA_LONG, 0) == 0, "the stale segment reads zeros");
            segment.set(ValueLayout.JAVA_LONG, 8, 42L);
            ByteBuffer back = ByteBuffer.allocate(8);
            chA.read(back, 8);
            check(back.getLong(0) == aa, "a stale write never reaches the file");
            expect(IllegalStateException.class, region::asSegment);
            for (MappedRegion o : others) {
                check(o.getLong(0) == 0xBBBBBBBBBBBBBBBBL, "the other file reads its own bytes");
                o.close();
            }
        }
        System.out.println("close ok");
    }

    interface Call {
        void run() throws Exception;
    }

    static Throwable expect(Class<? extends Throwable> type, Call call) {
        try {
            call.run();
        } catch (Throwable t) {
            check(type.isInstance(t), "expected " + type.getName() + ", got " + t);
            return t;
        }
        throw new AssertionError("expected " + type.getName() + ", nothing thrown");
    }
}
