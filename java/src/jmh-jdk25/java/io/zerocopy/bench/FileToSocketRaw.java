package io.zerocopy.bench;

import io.zerocopy.ZeroCopy;
import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.channels.Channel;
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
 * The raw system call in the same harness as the Java calls: a loop of libc's {@code sendfile}
 * called through the FFM API, next to {@code ZeroCopy.transferTo} and
 * {@code FileChannel.transferTo}, on the same data file and the same {@link Loopback} drainer
 * as {@link FileToSocket}, in the same JMH run. The raw loop sends on the descriptors of the
 * very channels the Java calls use, read from the JDK's fields (which needs
 * {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED}). JDK 25 only: FFM is Java 22.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FileToSocketRaw {
    /** {@code ssize_t sendfile(int out_fd, int in_fd, off_t *offset, size_t count)}. */
    @SuppressWarnings("restricted") // the benchmark JVM runs with --enable-native-access
    private static final MethodHandle SENDFILE = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("sendfile").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

    @Param({"16384", "1073741824"})
    public long size;

    private FileChannel file;
    private Loopback socket;
    private int fileFd;
    private int socketFd;
    private MemorySegment offset;

    @Setup
    public void open() throws IOException, ReflectiveOperationException {
        file = FileChannel.open(BenchFiles.source(size), StandardOpenOption.READ);
        socket = Loopback.drained();
        fileFd = descriptor(file);
        socketFd = descriptor(socket.channel);
        offset = Arena.ofAuto().allocate(ValueLayout.JAVA_LONG);
        BenchFiles.flushDirtyPages();
    }

    @TearDown
    public void close() throws IOException {
        socket.close();
        file.close();
    }

    /** What a C program does: sendfile from offset 0 until {@code size} bytes are sent. */
    @Benchmark
    public long rawSendfile() throws Throwable {
        offset.set(ValueLayout.JAVA_LONG, 0, 0L);
        long moved = 0;
        while (moved < size) {
            long n = (long) SENDFILE.invokeExact(socketFd, fileFd, offset, size - moved);
            if (n <= 0) {
                throw new IllegalStateException("sendfile returned " + n + " at " + moved);
            }
            moved += n;
        }
        return BytesMoved.exactly(size, moved);
    }

    @Benchmark
    public long zeroCopy() throws IOException {
        return BytesMoved.exactly(size, ZeroCopy.transferTo(file, 0, size, socket.channel));
    }

    @Benchmark
    public long fileChannel() throws IOException {
        return BytesMoved.exactly(size, Copy.transferTo(file, size, socket.channel));
    }

    /** The descriptor of a JDK FileChannel or SocketChannel: its {@code fd} field, through IOUtil.fdVal. */
    static int descriptor(Channel channel) throws ReflectiveOperationException {
        Field fd = channel.getClass().getDeclaredField("fd");
        fd.setAccessible(true);
        Method fdVal = Class.forName("sun.nio.ch.IOUtil").getDeclaredMethod("fdVal", FileDescriptor.class);
        fdVal.setAccessible(true);
        return (int) fdVal.invoke(null, fd.get(channel));
    }
}
