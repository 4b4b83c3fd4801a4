package io.zerocopy.bench;

import io.zerocopy.MappedRegion;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
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
 * Map + close cycles (issue 4's target): MappedRegion against JDK 22's {@code FileChannel.map}
 * into an Arena and {@code Arena.close()}, with no access and with one read of the first page.
 * Closing a shared arena makes every other thread pass a safepoint handshake, so the shared
 * variant runs while one other thread is busy in Java code; MappedRegion is measured under
 * the same busy thread too, to show whether its close waits for other threads.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MapCloseCycles {
    @Param({"262144", "1073741824"})
    public long size;

    private FileChannel file;

    @Setup
    public void open() throws IOException {
        file = FileChannel.open(BenchFiles.source(size), StandardOpenOption.READ);
        BenchFiles.flushDirtyPages();
    }

    @TearDown
    public void close() throws IOException {
        file.close();
    }

    @Benchmark
    public void mappedRegion() throws IOException {
        MappedRegion.map(file, FileChannel.MapMode.READ_ONLY, 0, size).close();
    }

    @Benchmark
    public long mappedRegionOneRead() throws IOException {
        try (MappedRegion region = MappedRegion.map(file, FileChannel.MapMode.READ_ONLY, 0, size)) {
            return region.getLong(0);
        }
    }

    @Benchmark
    public void confinedArena() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            file.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        }
    }

    @Benchmark
    public long confinedArenaOneRead() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            return file.map(FileChannel.MapMode.READ_ONLY, 0, size, arena).get(ValueLayout.JAVA_LONG, 0);
        }
    }

    @Benchmark
    public void sharedArenaBusyThread(BusyThread busy) throws IOException {
        try (Arena arena = Arena.ofShared()) {
            file.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        }
    }

    @Benchmark
    public void mappedRegionBusyThread(BusyThread busy) throws IOException {
        MappedRegion.map(file, FileChannel.MapMode.READ_ONLY, 0, size).close();
    }

    /** One other thread running Java code for the whole trial: see {@link BusyLoops}. */
    @State(Scope.Benchmark)
    public static class BusyThread {
        private BusyLoops loops;

        @Setup(Level.Trial)
        public void start() {
            loops = BusyLoops.start(1);
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            loops.stop();
        }
    }
}
