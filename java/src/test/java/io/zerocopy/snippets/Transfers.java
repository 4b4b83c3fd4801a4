package io.zerocopy.snippets;

import io.zerocopy.ZeroCopy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The Transfers section of the README: an upload saved to a file, then sent back with a header. */
public class Transfers {
    /** Saves what {@code socket} sends until it shuts down its output; answers with the file. */
    static void serve(SocketChannel socket, Path path) throws IOException {
        // [transfers]
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            long got = ZeroCopy.transferFrom(socket, file, 0, Long.MAX_VALUE);  // splice: no user-space copy
            ByteBuffer header = ByteBuffer.wrap(("HTTP/1.1 200 OK\r\nContent-Length: " + got + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            long sent = ZeroCopy.transferTo(header, file, 0, got, socket);      // header + body: one packet
            System.out.println(got + " bytes saved, " + sent + " sent");
            System.out.println(ZeroCopy.statistics());  // SPLICE 1 call 1048576 bytes, SENDFILE 1 call 1048576 bytes
        }
        // [/transfers]
    }

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        byte[] upload = new byte[1 << 20];
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                SocketChannel client = SocketChannel.open(server.getLocalAddress());
                SocketChannel socket = server.accept()) {
            Thread uploader = new Thread(() -> {
                try {
                    client.write(ByteBuffer.wrap(upload));
                    client.shutdownOutput();
                    ByteBuffer reply = ByteBuffer.allocate(2 << 20);
                    while (client.read(reply) > 0) {
                        // until the server closes
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            uploader.start();
            serve(socket, path);
            socket.shutdownOutput(); // the uploader reads the reply until here
            uploader.join();
        }
    }
}
