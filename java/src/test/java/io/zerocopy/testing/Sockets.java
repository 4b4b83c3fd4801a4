package io.zerocopy.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loopback TCP connections over IPv4, and what the kernel has queued on them. */
public final class Sockets {
    private Sockets() {}

    /** A connected pair: {@code client} connected to {@code server}. */
    public static final class Pair implements AutoCloseable {
        public final SocketChannel client;
        public final SocketChannel server;

        Pair(SocketChannel client, SocketChannel server) {
            this.client = client;
            this.server = server;
        }

        @Override
        public void close() throws IOException {
            client.close();
            server.close();
        }
    }

    public static Pair pair() throws IOException {
        return pair(0);
    }

    /** A pair whose server side receives into a buffer of {@code receiveBuffer} bytes (0: default). */
    public static Pair pair(int receiveBuffer) throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            if (receiveBuffer > 0) {
                listener.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer);
            }
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            SocketChannel client = SocketChannel.open(listener.getLocalAddress());
            return new Pair(client, listener.accept());
        }
    }

    /** Bytes received by {@code socket} and not yet read, from /proc/net/tcp. */
    public static long queuedForReading(SocketChannel socket) throws IOException {
        int local = ((InetSocketAddress) socket.getLocalAddress()).getPort();
        int remote = ((InetSocketAddress) socket.getRemoteAddress()).getPort();
        String key = String.format(":%04X", local);
        String peer = String.format(":%04X", remote);
        // Java's sockets are IPv6 sockets where IPv6 exists, even for 127.0.0.1.
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 4 && f[1].endsWith(key) && f[2].endsWith(peer)) {
                    return Long.parseLong(f[4].split(":")[1], 16);
                }
            }
        }
        throw new IOException("socket not in /proc/net/tcp: " + socket);
    }

    /** Waits until {@code socket} has {@code bytes} queued for reading (at most 10 s). */
    public static void awaitQueued(SocketChannel socket, long bytes) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (queuedForReading(socket) < bytes) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + queuedForReading(socket) + " of " + bytes + " bytes arrived");
            }
            Thread.sleep(1);
        }
    }
}
