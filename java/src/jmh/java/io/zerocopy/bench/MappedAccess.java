package io.zerocopy.bench;

import io.zerocopy.MappedRegion;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Access to a loaded 1 GiB file, MappedRegion against MappedByteBuffer in the same run: loops
 * as a user writes them (the region's with a long index, the buffer's with an int one; for
 * bytes also the other way round, which shows what the loop's index type costs), a
 * sequential scan of 64 MiB by byte, int, long and 4 KiB arrays, a sequential write by long, and
 * one read of a long on a random page. Both read in the native byte order.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MappedAccess {
    static final long SIZE = RandomPages.REGION_SIZE;
    static final int SCAN = 64 << 20;

    private FileChannel file;
    private FileChannel writableFile;
    private MappedByteBuffer buffer;
    private MappedByteBuffer writableBuffer;
    private MappedRegion region;
    private MappedRegion writableRegion;
    private final RandomPages pages = new RandomPages();
    private final byte[] array = new byte[4096];

    @Setup
    public void open() throws IOException {
        file = FileChannel.open(BenchFiles.source(SIZE), StandardOpenOption.READ);
        buffer = file.map(FileChannel.MapMode.READ_ONLY, 0, SIZE);
        buffer.order(ByteOrder.nativeOrder());
        buffer.load();
        region = MappedRegion.map(file, FileChannel.MapMode.READ_ONLY, 0, SIZE).load();
        writableFile = FileChannel.open(BenchFiles.data("access", SCAN), StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        writableBuffer = writableFile.map(FileChannel.MapMode.READ_WRITE, 0, SCAN);
        writableBuffer.order(ByteOrder.nativeOrder());
        writableBuffer.load();
        writableRegion = MappedRegion.map(writableFile, FileChannel.MapMode.READ_WRITE, 0, SCAN).load();
    }

    @TearDown
    public void close() throws IOException {
        region.close();
        writableRegion.close();
        file.close();
        writableFile.close();
    }

    @Benchmark
    public long scanByteBuffer() {
        long sum = 0;
        for (int i = 0; i < SCAN; i++) {
            sum += buffer.get(i);
        }
        return sum;
    }

    @Benchmark
    public long scanByteRegion() {
        long sum = 0;
        for (long i = 0; i < SCAN; i++) {
            sum += region.get(i);
        }
        return sum;
    }

    /** The region's byte scan with an int index, as MappedByteBuffer's loop has. */
    @Benchmark
    public long scanByteRegionIntLoop() {
        long sum = 0;
        for (int i = 0; i < SCAN; i++) {
            sum += region.get(i);
        }
        return sum;
    }

    /** MappedByteBuffer's byte scan with a long index, as the region's loop has. */
    @Benchmark
    public long scanByteBufferLongLoop() {
        long sum = 0;
        for (long i = 0; i < SCAN; i++) {
            sum += buffer.get((int) i);
        }
        return sum;
    }

    @Benchmark
    public long scanIntBuffer() {
        long sum = 0;
        for (int i = 0; i < SCAN; i += Integer.BYTES) {
            sum += buffer.getInt(i);
        }
        return sum;
    }

    @Benchmark
    public long scanIntRegion() {
        long sum = 0;
        for (long i = 0; i < SCAN; i += Integer.BYTES) {
            sum += region.getInt(i);
        }
        return sum;
    }

    @Benchmark
    public long scanLongBuffer() {
        long sum = 0;
        for (int i = 0; i < SCAN; i += Long.BYTES) {
            sum += buffer.getLong(i);
        }
        return sum;
    }

    @Benchmark
    public long scanLongRegion() {
        long sum = 0;
        for (long i = 0; i < SCAN; i += Long.BYTES) {
            sum += region.getLong(i);
        }
        return sum;
    }

    @Benchmark
    public long scanArrayBuffer() {
        long sum = 0;
        for (int i = 0; i < SCAN; i += array.length) {
            buffer.get(i, array, 0, array.length);
            sum += array[i & (array.length - 1)];
        }
        return sum;
    }

    @Benchmark
    public long scanArrayRegion() {
        long sum = 0;
        for (long i = 0; i < SCAN; i += array.length) {
            region.get(i, array, 0, array.length);
            sum += array[(int) i & (array.length - 1)];
        }
        return sum;
    }

    @Benchmark
    public void writeLongBuffer() {
        for (int i = 0; i < SCAN; i += Long.BYTES) {
            writableBuffer.putLong(i, i);
        }
    }

    @Benchmark
    public void writeLongRegion() {
        for (long i = 0; i < SCAN; i += Long.BYTES) {
            writableRegion.putLong(i, i);
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long randomLongBuffer() {
        return buffer.getLong((int) pages.next());
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long randomLongRegion() {
        return region.getLong(pages.next());
    }
}
