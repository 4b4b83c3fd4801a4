package io.zerocopy.examples.log;

import io.zerocopy.ZeroCopy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Serves a {@link Log} to consumers over TCP, as a broker's network thread does: one thread,
 * one {@link Selector}, non-blocking sockets.
 *
 * <p>Protocol, big-endian. Request: {@code [long offset][int maxBytes]}. Response:
 * {@code [long firstOffset][int recordCount][int byteLength]} and then the records exactly as
 * they lie in the segment file, sent from the file with
 * {@code ZeroCopy.transferTo(header, file, position, length, socket)}. A fetch at the
 * committed offset gets no records; an offset outside the log closes the connection.
 *
 * <p>Kafka's KAFKA-7504: {@code sendfile} of pages that are not in memory blocks the network
 * thread on disk reads, and every other consumer waits. So before sending, this server asks
 * the segment's mapping whether the range is resident ({@code isLoaded}); if not, a warm-up
 * thread loads that range ({@code MappedRegion.load(index, length)}) while the network thread
 * goes on with other connections, and the fetch is sent once the pages are in.
 */
public final class LogServer implements AutoCloseable {
    private final Log log;
    private final Consumer<String> events;
    private final ServerSocketChannel listener;
    private final Selector selector;
    private final Thread network;
    private final ExecutorService warmer = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "log-warmer");
        thread.setDaemon(true);
        return thread;
    });
    /** Connections whose segment is now warm, handed back to the network thread. */
    private final Queue<Connection> warmed = new ConcurrentLinkedQueue<>();
    private final AtomicLong warmUps = new AtomicLong();
    private volatile boolean running = true;

    private LogServer(Log log, Consumer<String> events, ServerSocketChannel listener, Selector selector) {
        this.log = log;
        this.events = events;
        this.listener = listener;
        this.selector = selector;
        this.network = new Thread(this::run, "log-network");
    }

    /** Serves {@code log} on 127.0.0.1:{@code port} (0: any free port), reporting warm-ups to {@code events}. */
    public static LogServer start(Log log, int port, Consumer<String> events) throws IOException {
        Selector selector = Selector.open();
        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        listener.configureBlocking(false);
        listener.register(selector, SelectionKey.OP_ACCEPT);
        LogServer server = new LogServer(log, events, listener, selector);
        server.network.start();
        return server;
    }

    public int port() {
        return listener.socket().getLocalPort();
    }

    /** How many fetches found their range cold and waited for a warm-up. */
    public long warmUps() {
        return warmUps.get();
    }

    /** Stops the network thread, closes every connection, waits for a running warm-up. */
    @Override
    public void close() throws IOException {
        running = false;
        selector.wakeup();
        try {
            network.join();
            warmer.shutdown();
            warmer.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try (selector; listener) {
            while (running) {
                selector.select();
                for (Connection connection; (connection = warmed.poll()) != null;) {
                    connection.handle(connection::send);
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key.isValid() && key.isAcceptable()) {
                        accept();
                    } else if (key.isValid() && key.attachment() instanceof Connection connection) {
                        connection.handle(key.isReadable() ? connection::read : connection::send);
                    }
                }
                selector.selectedKeys().clear();
            }
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
        } catch (IOException e) {
            events.accept("network thread: " + e);
        }
    }

    private void accept() throws IOException {
        SocketChannel socket = listener.accept();
        if (socket != null) {
            socket.configureBlocking(false);
            new Connection(socket, socket.register(selector, SelectionKey.OP_READ));
        }
    }

    /** One consumer's connection: it reads a request, then sends the response, then reads again. */
    private final class Connection {
        private final SocketChannel socket;
        private final SelectionKey key;
        private final ByteBuffer request = ByteBuffer.allocate(12);
        private final ByteBuffer header = ByteBuffer.allocate(16);
        private Log.Fetch fetch;
        /** The file range still to send. */
        private long position;
        private long remaining;

        Connection(SocketChannel socket, SelectionKey key) {
            this.socket = socket;
            this.key = key;
            key.attach(this);
        }

        interface Step {
            void run() throws IOException;
        }

        /** Runs a step; a failure ends this connection only. */
        void handle(Step step) {
            if (!key.isValid()) {
                return; // closed while its segment was warming
            }
            try {
                step.run();
            } catch (IOException | RuntimeException e) {
                events.accept("consumer " + socket.socket().getRemoteSocketAddress() + ": " + e);
                close();
            }
        }

        void read() throws IOException {
            if (socket.read(request) < 0) {
                close();
                return;
            }
            if (request.hasRemaining()) {
                return;
            }
            long offset = request.getLong(0);
            int maxBytes = request.getInt(8);
            request.clear();
            if (maxBytes <= 0) {
                throw new IllegalArgumentException("maxBytes " + maxBytes);
            }
            fetch = log.read(offset, maxBytes);
            header.clear();
            header.putLong(fetch.firstOffset()).putInt(fetch.count()).putInt(fetch.length()).flip();
            position = fetch.position();
            remaining = fetch.length();
            key.interestOps(0); // no new request until this response is out
            if (remaining > 0 && !fetch.segment().region.isLoaded(position, remaining)) {
                warm();
            } else {
                send();
            }
        }

        /** Loads the fetch's range on the warm-up thread, then hands the connection back. */
        private void warm() {
            Segment segment = fetch.segment();
            long resident = segment.region.residentBytes(position, remaining);
            events.accept(String.format(Locale.ROOT,
                    "fetch at offset %d: %d of %d bytes of %s are in memory; warming them on another thread first",
                    fetch.firstOffset(), resident, remaining, segment));
            warmUps.incrementAndGet();
            warmer.execute(() -> {
                long start = System.nanoTime();
                try {
                    segment.region.load(position, remaining);
                    events.accept(String.format(Locale.ROOT, "warmed %d bytes of %s in %.1f ms", remaining, segment,
                            (System.nanoTime() - start) / 1e6));
                } catch (RuntimeException e) {
                    events.accept("warming " + segment + " failed, sending anyway: " + e);
                }
                warmed.add(this);
                selector.wakeup();
            });
        }

        /** Sends what the socket takes now; waits for OP_WRITE if it is full. */
        void send() throws IOException {
            int headerBefore = header.remaining();
            long sent = remaining == 0 ? socket.write(header)
                    : ZeroCopy.transferTo(header, fetch.segment().channel, position, remaining, socket);
            long fileBytes = sent - (headerBefore - header.remaining());
            position += fileBytes;
            remaining -= fileBytes;
            key.interestOps(header.hasRemaining() || remaining > 0 ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        void close() {
            key.cancel();
            try {
                socket.close();
            } catch (IOException e) {
                events.accept("close: " + e);
            }
        }
    }
}
