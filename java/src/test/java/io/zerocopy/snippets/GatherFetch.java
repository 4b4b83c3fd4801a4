package io.zerocopy.snippets;

import io.zerocopy.Gather;
import io.zerocopy.ZeroCopy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** docs/gather.md: a Kafka-style fetch response (a header and a segment range per partition) as one gather. */
public class GatherFetch {
    record Partition(int id, FileChannel segment, long position, int length) {}

    // [fetch]
    private final Gather response = new Gather();        // one per connection, reused
    private final ByteBuffer headers = ByteBuffer.allocate(64 * 16);

    /** Builds the response to one fetch: per partition, a 16-byte header and its records. */
    void prepare(List<Partition> partitions) {
        response.clear();
        headers.clear();
        for (Partition p : partitions) {
            ByteBuffer header = headers.slice(headers.position(), 16)
                    .putInt(p.id()).putLong(p.position()).putInt(p.length()).flip();
            headers.position(headers.position() + 16);
            response.addBuffer(header).addFileRange(p.segment(), p.position(), p.length());
        }
    }

    /** On OP_WRITE: sends what the socket takes; true when the response is out. */
    boolean send(SocketChannel socket) throws IOException {
        response.transferTo(socket);   // one JNI call, full packets, resumes where it stopped
        return !response.hasRemaining();
    }
    // [/fetch]

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        List<Partition> partitions = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Path file = Files.write(dir.resolve("segment-" + i), new byte[20_000]);
            partitions.add(new Partition(i, FileChannel.open(file), 1000, 10_000));
        }
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             SocketChannel client = SocketChannel.open(server.getLocalAddress());
             SocketChannel socket = server.accept();
             Selector selector = Selector.open()) {
            socket.configureBlocking(false);
            socket.register(selector, SelectionKey.OP_WRITE);
            Thread reader = new Thread(() -> {
                ByteBuffer in = ByteBuffer.allocate(1 << 20);
                try {
                    while (client.read(in) >= 0) {
                        // the consumer
                    }
                    System.out.println("received " + in.position() + " bytes");
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            reader.start();
            GatherFetch fetch = new GatherFetch();
            fetch.prepare(partitions);
            while (!fetch.send(socket)) {
                selector.select();
                selector.selectedKeys().clear();
            }
            socket.shutdownOutput();
            reader.join();
        }
        for (Partition p : partitions) {
            p.segment().close();
        }
        System.out.println(ZeroCopy.statistics()); // SENDFILE 1 call 80000 bytes
    }
}
