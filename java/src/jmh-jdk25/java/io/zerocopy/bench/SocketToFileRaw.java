package io.zerocopy.bench;

import io.zerocopy.ZeroCopy;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
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
 * Socket -> file (issue 12's splice target) in one harness: {@code ZeroCopy.transferFrom} against
 * the raw loop of criterion's {@code raw_splice} (socket -> pipe of 1 MiB -> file, SPLICE_F_MOVE,
 * one pipe's worth at a time) called through the FFM API on the same channels' descriptors, with
 * the same endless loopback feeder as {@link SocketToFile}. JDK 25 only: FFM is Java 22.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SocketToFileRaw {
    private static final int PIPE_SIZE = 1 << 20;
    private static final int F_SETPIPE_SZ = 1031;
    private static final int O_CLOEXEC = 02000000;
    private static final int SPLICE_F_MOVE = 1;

    private static final Linker LINKER = Linker.nativeLinker();
    @SuppressWarnings("restricted") // the benchmark JVM runs with --enable-native-access
    private static final MethodHandle PIPE2 = LINKER.downcallHandle(LINKER.defaultLookup().find("pipe2").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    @SuppressWarnings("restricted")
    private static final MethodHandle FCNTL = LINKER.downcallHandle(LINKER.defaultLookup().find("fcntl").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    @SuppressWarnings("restricted")
    private static final MethodHandle SPLICE = LINKER.downcallHandle(LINKER.defaultLookup().find("splice").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    @Param({"16384", "1073741824"})
    public long size;

    private Loopback socket;
    private FileChannel target;
    private int socketFd;
    private int targetFd;
    private int pipeRead;
    private int pipeWrite;
    private MemorySegment offset;

    @Setup
    public void open() throws Throwable {
        socket = Loopback.fed();
        target = FileChannel.open(BenchFiles.target("socket-to-file-raw.bin"), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        socketFd = FileToSocketRaw.descriptor(socket.channel);
        targetFd = FileToSocketRaw.descriptor(target);
        Arena arena = Arena.ofAuto();
        MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
        check((int) PIPE2.invokeExact(fds, O_CLOEXEC), "pipe2");
        pipeRead = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
        pipeWrite = fds.getAtIndex(ValueLayout.JAVA_INT, 1);
        if ((int) FCNTL.invokeExact(pipeWrite, F_SETPIPE_SZ, PIPE_SIZE) < PIPE_SIZE) {
            throw new IOException("F_SETPIPE_SZ failed");
        }
        offset = arena.allocate(ValueLayout.JAVA_LONG);
        BenchFiles.flushDirtyPages();
    }

    @TearDown
    public void close() throws IOException {
        socket.close();
        target.close();
        // the pipe's descriptors go with the fork
    }

    /** What a C program does: socket -> pipe, pipe -> file at the offset, until {@code size} bytes moved. */
    @Benchmark
    public long rawSplice() throws Throwable {
        offset.set(ValueLayout.JAVA_LONG, 0, 0L);
        long moved = 0;
        while (moved < size) {
            long taken = (long) SPLICE.invokeExact(socketFd, MemorySegment.NULL, pipeWrite, MemorySegment.NULL,
                    Math.min(size - moved, PIPE_SIZE), SPLICE_F_MOVE);
            if (taken <= 0) {
                throw new IOException("splice from the socket returned " + taken);
            }
            for (long left = taken; left > 0; ) {
                long n = (long) SPLICE.invokeExact(pipeRead, MemorySegment.NULL, targetFd, offset, left, SPLICE_F_MOVE);
                if (n <= 0) {
                    throw new IOException("splice to the file returned " + n);
                }
                left -= n;
            }
            moved += taken;
        }
        return BytesMoved.exactly(size, moved);
    }

    @Benchmark
    public long zeroCopy() throws IOException {
        return BytesMoved.exactly(size, ZeroCopy.transferFrom(socket.channel, target, 0, size));
    }

    private static void check(int result, String call) throws IOException {
        if (result != 0) {
            throw new IOException(call + " failed");
        }
    }
}
