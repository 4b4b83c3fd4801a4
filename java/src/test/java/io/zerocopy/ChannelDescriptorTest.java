package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.internal.Native;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge reads descriptors and access modes out of the JDK's own channel classes, with
 * no --add-opens; each descriptor is checked against /proc/self/fd.
 */
class ChannelDescriptorTest {
    private static final Pattern FD = Pattern.compile("fd: (-?\\d+)");

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        ZeroCopy.capabilities();
    }

    /** The descriptor the bridge saw, after checking that it names {@code target} in /proc/self/fd. */
    private static int fdOf(String description, String expectedLink) throws Exception {
        Matcher m = FD.matcher(description);
        assertTrue(m.find(), description);
        int fd = Integer.parseInt(m.group(1));
        String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        assertTrue(link.startsWith(expectedLink), description + " -> " + link);
        return fd;
    }

    @Test
    void fileChannelsOfEveryOrigin() throws Exception {
        Path file = Files.write(tmp.resolve("f"), new byte[] {1, 2, 3});
        String real = file.toRealPath().toString();
        try (FileChannel rw = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                FileChannel append = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r");
                FileInputStream in = new FileInputStream(file.toFile());
                FileOutputStream out = new FileOutputStream(file.toFile(), true)) {
            String d = Native.describeChannel(rw);
            assertTrue(d.matches("File \\{ fd: \\d+, readable: true, writable: true, append: false }"), d);
            fdOf(d, real);
            d = Native.describeChannel(append);
            assertTrue(d.matches("File \\{ fd: \\d+, readable: false, writable: true, append: true }"), d);
            d = Native.describeChannel(raf.getChannel());
            assertTrue(d.matches("File \\{ fd: \\d+, readable: true, writable: false, append: false }"), d);
            fdOf(d, real);
            d = Native.describeChannel(in.getChannel());
            assertTrue(d.matches("File \\{ fd: \\d+, readable: true, writable: false, append: false }"), d);
            d = Native.describeChannel(out.getChannel());
            assertTrue(d.matches("File \\{ fd: \\d+, readable: false, writable: true, append: true }"), d);
        }
    }

    @Test
    void aClosedChannelShowsNoDescriptor() throws Exception {
        FileChannel ch = FileChannel.open(Files.write(tmp.resolve("f"), new byte[1]));
        ch.close();
        assertTrue(Native.describeChannel(ch).startsWith("File { fd: -1,"), Native.describeChannel(ch));
    }

    @Test
    void socketsAndPipes() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()
                        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                SocketChannel client = SocketChannel.open(server.getLocalAddress());
                SocketChannel accepted = server.accept()) {
            fdOf(Native.describeChannel(client), "socket:");
            fdOf(Native.describeChannel(accepted), "socket:");
            assertTrue(Native.describeChannel(client).startsWith("Socket"));
        }
        Pipe pipe = Pipe.open();
        try (Pipe.SinkChannel sink = pipe.sink(); Pipe.SourceChannel source = pipe.source()) {
            assertTrue(Native.describeChannel(sink).startsWith("Pipe"));
            fdOf(Native.describeChannel(sink), "pipe:");
            fdOf(Native.describeChannel(source), "pipe:");
        }
    }

    @Test
    void channelsWithoutADescriptorAreOther() throws Exception {
        assertEquals("Other", Native.describeChannel(Channels.newChannel(new java.io.ByteArrayOutputStream())));
        assertEquals("Other", Native.describeChannel(new Object()));
        assertThrows(NullPointerException.class, () -> Native.describeChannel(null));
    }
}
