package io.zerocopy.bench;

import io.zerocopy.ZeroCopy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
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
 * A file (in the page cache) to a loopback socket: what a web server or a broker does. Each
 * operation sends {@code size} bytes from the start of the file; the "WithHeader" variants
 * send a 200-byte header first, as an HTTP reply would.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FileToSocket {
    static final int HEADER_SIZE = 200;

    @Param({"4096", "16384", "1048576", "67108864", "1073741824"})
    public long size;

    private FileChannel file;
    private MappedByteBuffer mapped;
    private Loopback socket;
    private final ByteBuffer header = header();
    private final ByteBuffer heap8k = ByteBuffer.allocate(8 * 1024);
    private final ByteBuffer direct64k = ByteBuffer.allocateDirect(64 * 1024);

    /** An HTTP response header padded to 200 bytes, in a heap buffer as a server builds it. */
    static ByteBuffer header() {
        byte[] bytes = new byte[HEADER_SIZE];
        Arrays.fill(bytes, (byte) ' ');
        byte[] start = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nX-Padding: "
                .getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(start, 0, bytes, 0, start.length);
        bytes[HEADER_SIZE - 4] = '\r';
        bytes[HEADER_SIZE - 3] = '\n';
        bytes[HEADER_SIZE - 2] = '\r';
        bytes[HEADER_SIZE - 1] = '\n';
        return ByteBuffer.wrap(bytes);
    }

    @Setup
    public void open() throws IOException {
        file = FileChannel.open(BenchFiles.source(size), StandardOpenOption.READ);
        // Mapped once, as a broker keeps its segments mapped; the map call is not measured.
        mapped = file.map(FileChannel.MapMode.READ_ONLY, 0, size);
        mapped.load();
        socket = Loopback.drained();
        BenchFiles.flushDirtyPages();
    }

    @TearDown
    public void close() throws IOException {
        socket.close();
        file.close();
    }

    @Benchmark
    public long zeroCopy() throws IOException {
        return BytesMoved.exactly(size, ZeroCopy.transferTo(file, 0, size, socket.channel));
    }

    @Benchmark
    public long zeroCopyWithHeader() throws IOException {
        header.clear();
        return BytesMoved.exactly(HEADER_SIZE + size, ZeroCopy.transferTo(header, file, 0, size, socket.channel));
    }

    @Benchmark
    public long fileChannel() throws IOException {
        return BytesMoved.exactly(size, Copy.transferTo(file, size, socket.channel));
    }

    @Benchmark
    public long fileChannelWithHeader() throws IOException {
        header.clear();
        long sent = Copy.writeAll(header, socket.channel);
        return BytesMoved.exactly(HEADER_SIZE + size, sent + Copy.transferTo(file, size, socket.channel));
    }

    @Benchmark
    public long readWriteHeap8k() throws IOException {
        return BytesMoved.exactly(size, Copy.readWrite(file, size, heap8k, socket.channel));
    }

    @Benchmark
    public long readWriteDirect64k() throws IOException {
        return BytesMoved.exactly(size, Copy.readWrite(file, size, direct64k, socket.channel));
    }

    @Benchmark
    public long mmapWrite() throws IOException {
        mapped.clear();
        return BytesMoved.exactly(size, Copy.writeAll(mapped, socket.channel));
    }
}
