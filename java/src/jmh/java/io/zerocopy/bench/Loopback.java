package io.zerocopy.bench;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A connected pair of loopback sockets, created once per trial: {@link #channel} for the
 * benchmark, and a thread at the other end that keeps up with it, so that the other end is
 * never what is measured.
 */
final class Loopback implements Closeable {
    /** The benchmark's end. */
    final SocketChannel channel;
    private final SocketChannel peer;
    private final Thread peerThread;

    private Loopback(boolean peerSends) throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            channel = SocketChannel.open(server.getLocalAddress());
            peer = server.accept();
        }
        peerThread = new Thread(peerSends ? this::feed : this::drain, peerSends ? "feeder" : "drainer");
        peerThread.setDaemon(true);
        peerThread.start();
    }

    /** A socket to write to; the other end reads everything into a large direct buffer. */
    static Loopback drained() throws IOException {
        return new Loopback(false);
    }

    /** A socket to read from; the other end writes without end from a direct buffer. */
    static Loopback fed() throws IOException {
        return new Loopback(true);
    }

    private void drain() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(4 << 20);
        try {
            while (peer.read(buffer) >= 0) {
                buffer.clear();
            }
        } catch (IOException closed) {
            // the trial is over
        }
    }

    private void feed() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        try {
            while (true) {
                buffer.clear();
                Copy.writeAll(buffer, peer);
            }
        } catch (IOException closed) {
            // the trial is over
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
        peer.close(); // also ends a feeder blocked in write
        try {
            peerThread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
