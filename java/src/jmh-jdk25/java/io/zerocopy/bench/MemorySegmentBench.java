package io.zerocopy.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * Java 22's mapped segments (FileChannel.map with an Arena), which unmap when their arena
 * closes: the JDK's answer to what MappedRegion does. Same 1 GiB file as
 * {@link MappedByteBufferBench}. Compiled with --release 22 and run on JDK 25 only.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MemorySegmentBench {
    static final long SIZE = RandomPages.REGION_SIZE;

    private FileChannel file;
    private Arena arena;
    private MemorySegment loaded;
    private final RandomPages pages = new RandomPages();

    @Setup
    public void open() throws IOException {
        file = FileChannel.open(BenchFiles.source(SIZE), StandardOpenOption.READ);
        arena = Arena.ofShared();
        loaded = file.map(FileChannel.MapMode.READ_ONLY, 0, SIZE, arena);
        loaded.load();
        BenchFiles.flushDirtyPages();
    }

    @TearDown
    public void close() throws IOException {
        arena.close();
        file.close();
    }

    @Benchmark
    public void mapLoadCloseConfined() throws IOException {
        try (Arena confined = Arena.ofConfined()) {
            file.map(FileChannel.MapMode.READ_ONLY, 0, SIZE, confined).load();
        }
        BytesMoved.exactly(SIZE, SIZE);
    }

    /** Closing a shared arena waits for a handshake with every thread of the JVM. */
    @Benchmark
    public void mapLoadCloseShared() throws IOException {
        try (Arena shared = Arena.ofShared()) {
            file.map(FileChannel.MapMode.READ_ONLY, 0, SIZE, shared).load();
        }
        BytesMoved.exactly(SIZE, SIZE);
    }

    @Benchmark
    public boolean isLoaded() {
        return loaded.isLoaded();
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long randomGetLong() {
        return loaded.get(ValueLayout.JAVA_LONG, pages.next());
    }
}
