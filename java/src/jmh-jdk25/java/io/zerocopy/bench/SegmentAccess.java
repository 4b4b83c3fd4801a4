package io.zerocopy.bench;

import io.zerocopy.MappedRegion;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@code MappedRegion.asSegment()} against a segment of {@code FileChannel.map(..., Arena.ofShared())}
 * and against MappedByteBuffer (issue 12): reads of a long on random pages and a scan of 64 MiB by
 * long, of a loaded 1 GiB file; and map + one read + close of 256 KiB while 0, 1, 4 or 16 other
 * threads run Java code, where a shared arena's close makes every one of them pass a handshake
 * (what Lucene's MMapDirectory users hit) and a region's close does not.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SegmentAccess {
    static final long SIZE = RandomPages.REGION_SIZE;
    static final long SCAN = 64 << 20;
    static final long CYCLE_SIZE = 256 << 10;

    private FileChannel file;
    private MappedRegion region;
    private MemorySegment regionSegment;
    private Arena arena;
    private MemorySegment arenaSegment;
    private MappedByteBuffer buffer;
    private final RandomPages pages = new RandomPages();

    @Setup
    public void open() throws IOException {
        file = FileChannel.open(BenchFiles.source(SIZE), StandardOpenOption.READ);
        region = MappedRegion.map(file, FileChannel.MapMode.READ_ONLY, 0, SIZE).load();
        regionSegment = region.asSegment();
        arena = Arena.ofShared();
        arenaSegment = file.map(FileChannel.MapMode.READ_ONLY, 0, SIZE, arena);
        arenaSegment.load();
        buffer = file.map(FileChannel.MapMode.READ_ONLY, 0, SIZE);
        buffer.order(ByteOrder.nativeOrder());
        buffer.load();
    }

    @TearDown
    public void close() throws IOException {
        region.close();
        arena.close();
        file.close();
    }

    @Benchmark
    public long randomGetLongRegionSegment() {
        return regionSegment.get(ValueLayout.JAVA_LONG, pages.next());
    }

    @Benchmark
    public long randomGetLongSharedArena() {
        return arenaSegment.get(ValueLayout.JAVA_LONG, pages.next());
    }

    @Benchmark
    public long randomGetLongMappedByteBuffer() {
        return buffer.getLong((int) pages.next());
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long scanLongRegionSegment() {
        return scan(regionSegment);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long scanLongSharedArena() {
        return scan(arenaSegment);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long scanLongMappedByteBuffer() {
        long sum = 0;
        for (int i = 0; i < SCAN; i += Long.BYTES) {
            sum += buffer.getLong(i);
        }
        return sum;
    }

    private static long scan(MemorySegment segment) {
        long sum = 0;
        for (long i = 0; i < SCAN; i += Long.BYTES) {
            sum += segment.get(ValueLayout.JAVA_LONG, i);
        }
        return sum;
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long cycleRegionSegment(BusyThreads busy) throws IOException {
        try (MappedRegion cycle = MappedRegion.map(file, FileChannel.MapMode.READ_ONLY, 0, CYCLE_SIZE)) {
            return cycle.asSegment().get(ValueLayout.JAVA_LONG, 0);
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long cycleSharedArena(BusyThreads busy) throws IOException {
        try (Arena cycle = Arena.ofShared()) {
            return file.map(FileChannel.MapMode.READ_ONLY, 0, CYCLE_SIZE, cycle).get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /** Other threads running Java code for the whole trial: see {@link BusyLoops}. */
    @State(Scope.Benchmark)
    public static class BusyThreads {
        @Param({"0", "1", "4", "16"})
        public int busyThreads;

        private BusyLoops loops;

        @Setup(Level.Trial)
        public void start() {
            loops = BusyLoops.start(busyThreads);
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            loops.stop();
        }
    }
}
