package io.zerocopy.bench;

import io.zerocopy.Gather;
import io.zerocopy.ZeroCopy;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
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
 * A Kafka-style fetch response over loopback with TCP_NODELAY: {@code parts} times a 64-byte
 * header and {@code partSize} bytes of a file range, spread over 8 files in the page cache. The
 * gather (one call) against the JDK's loop (Kafka's MultiRecordsSend: write(header) +
 * FileChannel.transferTo per part) and a loop of ZeroCopy.transferTo(header, file, ...). The
 * profilers add CPU time per GiB and TCP segments sent per fetch.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class GatherFetch {
    static final int HEADER = 64;
    static final int FILES = 8;

    @Param({"16", "256"})
    public int parts;

    @Param({"1024", "16384"})
    public int partSize;

    private final FileChannel[] files = new FileChannel[FILES];
    private ByteBuffer[] headers;
    private Loopback socket;
    private final Gather gather = new Gather();

    @Setup
    public void open() throws IOException {
        long fileSize = (long) (parts / FILES) * partSize;
        for (int i = 0; i < FILES; i++) {
            files[i] = FileChannel.open(BenchFiles.data("gather-" + i, fileSize), StandardOpenOption.READ);
        }
        headers = new ByteBuffer[parts];
        for (int i = 0; i < parts; i++) {
            headers[i] = ByteBuffer.allocate(HEADER);
        }
        socket = Loopback.drained();
        socket.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
    }

    @TearDown
    public void close() throws IOException {
        socket.close();
        for (FileChannel f : files) {
            f.close();
        }
    }

    private long position(int part) {
        return (long) (part / FILES) * partSize;
    }

    private long fetchBytes() {
        return (long) parts * (HEADER + partSize);
    }

    @Benchmark
    public long gather() throws IOException {
        gather.clear();
        for (int i = 0; i < parts; i++) {
            gather.addBuffer(headers[i].clear()).addFileRange(files[i % FILES], position(i), partSize);
        }
        return BytesMoved.exactly(fetchBytes(), gather.transferTo(socket.channel));
    }

    @Benchmark
    public long jdkLoop() throws IOException {
        long sent = 0;
        for (int i = 0; i < parts; i++) {
            sent += Copy.writeAll(headers[i].clear(), socket.channel);
            for (long done = 0; done < partSize;) {
                done += files[i % FILES].transferTo(position(i) + done, partSize - done, socket.channel);
            }
            sent += partSize;
        }
        return BytesMoved.exactly(fetchBytes(), sent);
    }

    @Benchmark
    public long zeroCopyLoop() throws IOException {
        long sent = 0;
        for (int i = 0; i < parts; i++) {
            sent += ZeroCopy.transferTo(headers[i].clear(), files[i % FILES], position(i), partSize, socket.channel);
        }
        return BytesMoved.exactly(fetchBytes(), sent);
    }
}
