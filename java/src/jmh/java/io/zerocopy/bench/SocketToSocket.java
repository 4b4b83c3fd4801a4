package io.zerocopy.bench;

import io.zerocopy.ZeroCopy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** A proxy's inner loop: from one loopback socket (fed by a thread) to another (drained by one). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SocketToSocket {
    @Param({"1073741824"})
    public long size;

    private Loopback source;
    private Loopback target;
    private final ByteBuffer direct64k = ByteBuffer.allocateDirect(64 * 1024);

    @Setup
    public void open() throws IOException {
        source = Loopback.fed();
        target = Loopback.drained();
        BenchFiles.flushDirtyPages();
    }

    @TearDown
    public void close() throws IOException {
        source.close();
        target.close();
    }

    @Benchmark
    public long zeroCopyRelay() throws IOException {
        return BytesMoved.exactly(size, ZeroCopy.relay(source.channel, target.channel, size));
    }

    @Benchmark
    public long readWriteDirect64k() throws IOException {
        return BytesMoved.exactly(size, Copy.readWrite(source.channel, size, direct64k, target.channel));
    }
}
