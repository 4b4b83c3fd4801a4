package io.zerocopy.bench;

import io.zerocopy.MappedRegion;
import java.io.IOException;
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

/** MappedRegion against {@link MappedByteBufferBench}: the same operations on the same 1 GiB files. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MappedRegionBench {
    static final long SIZE = RandomPages.REGION_SIZE;

    private FileChannel file;
    private FileChannel forceFile;
    private MappedRegion loaded;
    private MappedRegion writable;
    private final RandomPages pages = new RandomPages();

    @Setup
    public void open() throws IOException {
        file = FileChannel.open(BenchFiles.source(SIZE), StandardOpenOption.READ);
        loaded = MappedRegion.map(file, FileChannel.MapMode.READ_ONLY, 0, SIZE).load();
        forceFile = FileChannel.open(BenchFiles.data("force", SIZE), StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        writable = MappedRegion.map(forceFile, FileChannel.MapMode.READ_WRITE, 0, SIZE);
        writable.force(); // the file was just written: make every page clean before measuring
        BenchFiles.flushDirtyPages();
    }

    @TearDown
    public void close() throws IOException {
        loaded.close();
        writable.close();
        file.close();
        forceFile.close();
    }

    @Benchmark
    public void mapLoadClose() throws IOException {
        try (MappedRegion region = MappedRegion.map(file, FileChannel.MapMode.READ_ONLY, 0, SIZE)) {
            region.load();
        }
        BytesMoved.exactly(SIZE, SIZE);
    }

    @Benchmark
    public boolean isLoaded() {
        return loaded.isLoaded();
    }

    /** msync of a 1 GiB mapping with one dirty page: writes that page to the disk. */
    @Benchmark
    public MappedRegion forceOnePage() {
        long page = pages.next();
        writable.putLong(page, writable.getLong(page) + 1);
        return writable.force();
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long randomGetLong() {
        return loaded.getLong(pages.next());
    }
}
