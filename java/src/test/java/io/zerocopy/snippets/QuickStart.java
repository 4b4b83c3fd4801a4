package io.zerocopy.snippets;

import io.zerocopy.ZeroCopy;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

public class QuickStart {
    public static void main(String[] args) throws Exception {
        Path file = Files.writeString(Files.createTempFile("hello", ".txt"), "Hello, zero-copy!\n");
        Path copy = Files.createTempFile("copy", ".txt");
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             SocketChannel client = SocketChannel.open(server.getLocalAddress());
             SocketChannel accepted = server.accept();
             FileChannel source = FileChannel.open(file);
             FileChannel target = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            long sent = ZeroCopy.transferTo(source, 0, source.size(), client);         // sendfile(2)
            client.shutdownOutput();                                                   // end of stream
            long received = ZeroCopy.transferFrom(accepted, target, 0, Long.MAX_VALUE); // splice(2)
            System.out.print(sent + " bytes sent, " + received + " received: " + Files.readString(copy));
        }
        System.out.println(ZeroCopy.statistics()); // SENDFILE 1 call 18 bytes, SPLICE 1 call 18 bytes
    }
}
