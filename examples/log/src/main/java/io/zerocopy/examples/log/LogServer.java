package io.zerocopy.examples.log;

import io.zerocopy.Gather;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
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
 * they lie in the segment files: a fetch spans as many segments as its records do. The whole
 * response, header and file ranges, is one {@link Gather}: one call per response (again on
 * each OP_WRITE where the socket fills up), in full packets. With {@link Mode#JDK} it is Kafka's
 * loop instead: {@code socket.write(header)} and a {@code FileChannel.transferTo} per segment.
 * A fetch at the committed offset gets no records; an offset outside the log closes the
 * connection.
 *
 * <p>Kafka's KAFKA-7504: {@code sendfile} of pages that are not in memory blocks the network
 * thread on disk reads, and every other consumer waits. So before sending, this server asks
 * the segment's mapping whether the range is resident ({@code isLoaded}); if not, a warm-up
 * thread loads that range ({@code MappedRegion.load(index, length)}) while the network thread
 * goes on with other connections, and the fetch is sent once the pages are in.
 */
public final class LogServer implements AutoCloseable {
    /** How responses are sent. */
    public enum Mode {
        /** One {@link Gather} of the header and the segment ranges per response. */
        GATHER,
        /** Kafka's loop: {@code socket.write(header)}, then {@code FileChannel.transferTo} per segment. */
        JDK
    }

    private final Log log;
    private final Mode mode;
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

    private LogServer(Log log, Mode mode, Consumer<String> events, ServerSocketChannel listener, Selector selector) {
        this.log = log;
        this.mode = mode;
        this.events = events;
        this.listener = listener;
        this.selector = selector;
        this.network = new Thread(this::run, "log-network");
    }

    /** Serves {@code log} on 127.0.0.1:{@code port} (0: any free port), reporting warm-ups to {@code events}. */
    public static LogServer start(Log log, int port, Consumer<String> events) throws IOException {
        return start(log, port, Mode.GATHER, events);
    }

    public static LogServer start(Log log, int port, Mode mode, Consumer<String> events) throws IOException {
        Selector selector = Selector.open();
        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        listener.configureBlocking(false);
        listener.register(selector, SelectionKey.OP_ACCEPT);
        LogServer server = new LogServer(log, mode, events, listener, selector);
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
        /** The response, in {@link Mode#GATHER}: reused for every fetch of this connection. */
        private final Gather response = new Gather();
        /** In {@link Mode#JDK}: the piece being sent, and its bytes sent. */
        private int piece;
        private long pieceSent;

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
            response.clear().addBuffer(header);
            for (Log.Piece p : fetch.pieces()) {
                response.addFileRange(p.segment().channel, p.position(), p.length());
            }
            piece = 0;
            pieceSent = 0;
            key.interestOps(0); // no new request until this response is out
            if (fetch.pieces().stream().anyMatch(p -> !p.segment().region.isLoaded(p.position(), p.length()))) {
                warm();
            } else {
                send();
            }
        }

        /** Loads the fetch's ranges on the warm-up thread, then hands the connection back. */
        private void warm() {
            long resident = fetch.pieces().stream()
                    .mapToLong(p -> p.segment().region.residentBytes(p.position(), p.length())).sum();
            String names = fetch.pieces().stream().map(p -> p.segment().toString())
                    .collect(java.util.stream.Collectors.joining(", "));
            events.accept(String.format(Locale.ROOT,
                    "fetch at offset %d: %d of %d bytes of %s are in memory; warming them on another thread first",
                    fetch.firstOffset(), resident, fetch.length(), names));
            warmUps.incrementAndGet();
            List<Log.Piece> pieces = fetch.pieces();
            warmer.execute(() -> {
                long start = System.nanoTime();
                for (Log.Piece p : pieces) {
                    try {
                        p.segment().region.load(p.position(), p.length());
                    } catch (RuntimeException e) {
                        events.accept("warming " + p.segment() + " failed, sending anyway: " + e);
                    }
                }
                events.accept(String.format(Locale.ROOT, "warmed %d bytes of %s in %.1f ms", fetch.length(), names,
                        (System.nanoTime() - start) / 1e6));
                warmed.add(this);
                selector.wakeup();
            });
        }

        /** Sends what the socket takes now; waits for OP_WRITE if it is full. */
        void send() throws IOException {
            boolean more = mode == Mode.GATHER ? sendGather() : sendLoop();
            key.interestOps(more ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        /** One call for the whole response (or what of it the socket takes now). */
        private boolean sendGather() throws IOException {
            response.transferTo(socket);
            if (response.shortRanges() > 0) {
                throw new IOException("a segment file shrank under a fetch"); // the response would be short
            }
            return response.hasRemaining();
        }

        /** Kafka's way: the header, then FileChannel.transferTo per segment range. */
        private boolean sendLoop() throws IOException {
            socket.write(header);
            if (header.hasRemaining()) {
                return true; // full: wait for OP_WRITE
            }
            List<Log.Piece> pieces = fetch.pieces();
            while (piece < pieces.size()) {
                Log.Piece p = pieces.get(piece);
                long n = p.segment().channel.transferTo(p.position() + pieceSent, p.length() - pieceSent, socket);
                pieceSent += n;
                if (pieceSent == p.length()) {
                    piece++;
                    pieceSent = 0;
                } else if (n == 0) {
                    return true; // full: wait for OP_WRITE
                }
            }
            return false;
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
