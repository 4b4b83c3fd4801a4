package io.zerocopy.bench;

import io.zerocopy.benchsupport.Unmapper;
import java.io.IOException;
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
 * The JDK's mapped files, the baseline for MappedRegion (issue 4) and for MemorySegment: a
 * 1 GiB file in the page cache. {@code mapLoadUnmap} does the same work as MappedRegion's
 * map + load + close: it unmaps at once through {@link Unmapper}. {@code mapLoad} is the JDK as
 * most callers use it: no unmap, so it pays no munmap while the mappings pile up until a
 * garbage collection: not the same work, kept for reference.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MappedByteBufferBench {
    static final long SIZE = RandomPages.REGION_SIZE;

    private FileChannel file;
    private FileChannel forceFile;
    private MappedByteBuffer loaded;
    private MappedByteBuffer writable;
    private final RandomPages pages = new RandomPages();

    @Setup
    public void open() throws IOException {
        file = FileChannel.open(BenchFiles.source(SIZE), StandardOpenOption.READ);
        loaded = file.map(FileChannel.MapMode.READ_ONLY, 0, SIZE);
        loaded.load();
        forceFile = FileChannel.open(BenchFiles.data("force", SIZE), StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        writable = forceFile.map(FileChannel.MapMode.READ_WRITE, 0, SIZE);
        writable.force(); // the file was just written: make every page clean before measuring
        BenchFiles.flushDirtyPages();
    }

    @TearDown
    public void close() throws IOException {
        file.close();
        forceFile.close();
    }

    @Benchmark
    public MappedByteBuffer mapLoad() throws IOException {
        MappedByteBuffer buffer = file.map(FileChannel.MapMode.READ_ONLY, 0, SIZE);
        buffer.load();
        BytesMoved.exactly(SIZE, SIZE);
        return buffer;
    }

    @Benchmark
    public void mapLoadUnmap() throws IOException {
        MappedByteBuffer buffer = file.map(FileChannel.MapMode.READ_ONLY, 0, SIZE);
        buffer.load();
        Unmapper.unmap(buffer);
        BytesMoved.exactly(SIZE, SIZE);
    }

    @Benchmark
    public boolean isLoaded() {
        return loaded.isLoaded();
    }

    /** msync of a 1 GiB mapping with one dirty page: writes that page to the disk. */
    @Benchmark
    public MappedByteBuffer forceOnePage() {
        int page = (int) pages.next();
        writable.putLong(page, writable.getLong(page) + 1);
        return writable.force();
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long randomGetLong() {
        return loaded.getLong((int) pages.next());
    }
}
