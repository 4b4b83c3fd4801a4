package io.zerocopy.bench;

import io.zerocopy.ZeroCopy;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
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

/**
 * A loopback socket, fed without end by a thread at its other end, to a file: an upload, a
 * replica. Each operation receives {@code size} bytes into the file from offset 0 (overwriting,
 * so the file's pages stay cached and the disk is left alone).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SocketToFile {
    @Param({"1048576", "1073741824"})
    public long size;

    private Loopback socket;
    private FileChannel target;

    @Setup
    public void open() throws IOException {
        socket = Loopback.fed();
        target = FileChannel.open(BenchFiles.target("socket-to-file.bin"), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        BenchFiles.flushDirtyPages();
    }

    @TearDown
    public void close() throws IOException {
        socket.close();
        target.close();
    }

    @Benchmark
    public long zeroCopy() throws IOException {
        return BytesMoved.exactly(size, ZeroCopy.transferFrom(socket.channel, target, 0, size));
    }

    @Benchmark
    public long fileChannel() throws IOException {
        return BytesMoved.exactly(size, Copy.transferFrom(socket.channel, target, size));
    }
}
