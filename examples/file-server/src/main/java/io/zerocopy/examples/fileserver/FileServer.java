package io.zerocopy.examples.fileserver;

import io.zerocopy.Gather;
import io.zerocopy.TransferStatistics;
import io.zerocopy.ZeroCopy;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * A small HTTP/1.1 static file server: GET and HEAD, byte ranges (several as
 * {@code multipart/byteranges}), keep-alive. One
 * blocking thread per connection on plain {@link ServerSocketChannel}s.
 *
 * <p>Every file response (the header and the file's bytes) goes out with one call of
 * {@link ZeroCopy#transferTo(ByteBuffer, FileChannel, long, long, java.nio.channels.WritableByteChannel)}:
 * the header with {@code MSG_MORE}, the body with {@code sendfile}. In {@link Mode#JDK} it is
 * {@code socket.write(header)} and then {@link FileChannel#transferTo}, for comparison.
 *
 * <p>A target that tries to leave the served directory gets 404, the same as a missing file,
 * so that a client cannot probe what exists outside it (see {@link ServedRoot}).
 */
public final class FileServer implements AutoCloseable {
    /** How file responses are sent. */
    public enum Mode {
        /** {@code ZeroCopy.transferTo(header, file, ...)}: one call, one response. */
        ZERO_COPY,
        /** {@code socket.write(header)}, then {@code FileChannel.transferTo}. */
        JDK
    }

    /** How long a kept-alive connection may stay idle between requests. */
    static final int IDLE_TIMEOUT_MILLIS = 30_000;

    private static final Map<Integer, String> REASONS = Map.of(200, "OK", 206, "Partial Content", 400,
            "Bad Request", 404, "Not Found", 405, "Method Not Allowed", 416, "Range Not Satisfiable", 505,
            "HTTP Version Not Supported");
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);

    private final ServedRoot root;
    private final Mode mode;
    private final Consumer<String> log;
    private final ServerSocketChannel listener;
    private final Thread acceptor;
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong connectionsAccepted = new AtomicLong();
    private final TransferStatistics statisticsAtStart = ZeroCopy.statistics();
    // The bytes that ZeroCopy.statistics() does not see: socket.write (error responses, HEAD
    // and, in JDK mode, every header) and FileChannel.transferTo (JDK mode).
    private final LongAdder writeCalls = new LongAdder();
    private final LongAdder writeBytes = new LongAdder();
    private final LongAdder jdkTransferCalls = new LongAdder();
    private final LongAdder jdkTransferBytes = new LongAdder();

    private FileServer(ServedRoot root, Mode mode, Consumer<String> log, ServerSocketChannel listener) {
        this.root = root;
        this.mode = mode;
        this.log = log;
        this.listener = listener;
        this.acceptor = new Thread(this::acceptLoop, "http-acceptor");
    }

    /**
     * Serves the files under {@code directory} on 127.0.0.1:{@code port} (0: any free port),
     * logging one line per request to {@code log}.
     */
    public static FileServer start(Path directory, int port, Mode mode, Consumer<String> log) throws IOException {
        ServedRoot root = new ServedRoot(directory);
        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        FileServer server = new FileServer(root, mode, log, listener);
        server.acceptor.start();
        return server;
    }

    public int port() {
        return listener.socket().getLocalPort();
    }

    /** Connections accepted since the start. */
    public long connectionsAccepted() {
        return connectionsAccepted.get();
    }

    /** How many bytes went out by each path since the start. */
    public String bytesByPath() {
        String writes = "socket.write " + calls(writeCalls.sum()) + writeBytes.sum() + " bytes";
        if (mode == Mode.ZERO_COPY) {
            return "ZeroCopy.transferTo: " + ZeroCopy.statistics().since(statisticsAtStart) + "; " + writes
                    + " (HEAD and error responses)";
        }
        return "FileChannel.transferTo " + calls(jdkTransferCalls.sum()) + jdkTransferBytes.sum() + " bytes; "
                + writes + " (headers and error responses)";
    }

    private static String calls(long n) {
        return n + (n == 1 ? " call " : " calls ");
    }

    /** Stops accepting, closes every connection and waits for the acceptor to end. */
    @Override
    public void close() throws IOException {
        listener.close();
        for (SocketChannel connection : connections) {
            connection.close();
        }
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (listener.isOpen()) {
            try {
                SocketChannel connection = listener.accept();
                connections.add(connection);
                if (!listener.isOpen()) { // close() has run meanwhile and missed it
                    connection.close();
                    return;
                }
                Thread thread = new Thread(() -> serve(connection), "http-" + connectionsAccepted.incrementAndGet());
                thread.setDaemon(true);
                thread.start();
            } catch (ClosedChannelException e) {
                return; // close()
            } catch (IOException e) {
                log.accept("accept failed: " + e);
            }
        }
    }

    /** Answers the requests of one connection, one after another, until it closes. */
    private void serve(SocketChannel socket) {
        try (socket) {
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            // Read through the socket's stream: unlike the channel, it honours a read timeout.
            socket.socket().setSoTimeout(IDLE_TIMEOUT_MILLIS);
            InputStream in = new BufferedInputStream(socket.socket().getInputStream());
            boolean open = true;
            while (open) {
                long start = System.nanoTime();
                HttpRequest request;
                try {
                    request = HttpRequest.read(in);
                } catch (HttpError e) {
                    sendError(socket, null, e.status(), "", start);
                    return;
                }
                if (request == null) {
                    return; // the client closed
                }
                open = respond(socket, request, start);
            }
        } catch (SocketTimeoutException e) {
            // idle for too long
        } catch (IOException e) {
            if (listener.isOpen()) { // else close() ended it
                log.accept(Thread.currentThread().getName() + ": " + e);
            }
        } finally {
            connections.remove(socket);
        }
    }

    /** Sends the response to one request; returns whether the connection stays open. */
    private boolean respond(SocketChannel socket, HttpRequest request, long start) throws IOException {
        boolean head = request.method().equals("HEAD");
        if (!head && !request.method().equals("GET")) {
            return sendError(socket, request, 405, "Allow: GET, HEAD\r\n", start);
        }
        Optional<Path> file;
        try {
            file = root.find(request.target());
        } catch (HttpError e) {
            return sendError(socket, request, e.status(), "", start);
        }
        if (file.isEmpty()) {
            return sendError(socket, request, 404, "", start);
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(file.get(), StandardOpenOption.READ);
        } catch (NoSuchFileException | AccessDeniedException e) { // deleted since, or not readable
            return sendError(socket, request, 404, "", start);
        }
        try (channel) {
            long size = channel.size();
            List<ByteRange> ranges;
            try {
                // Ranges apply to GET only; If-Range compares with validators this server does
                // not send, so it always asks for the whole file.
                boolean ranged = !head && request.header("if-range") == null;
                ranges = ranged ? ByteRange.parse(request.header("range"), size) : List.of();
            } catch (HttpError e) {
                return sendError(socket, request, 416, "Content-Range: bytes */" + size + "\r\n", start);
            }
            boolean keepAlive = keepAlive(request);
            String type = ContentTypes.of(file.get());
            if (ranges.size() > 1) {
                long sent = sendParts(socket, channel, size, type, ranges, keepAlive);
                logRequest(request, 206, sent, start);
                return keepAlive && sent >= 0;
            }
            ByteRange part = ranges.isEmpty() ? new ByteRange(0, size) : ranges.get(0);
            String fields = "Content-Type: " + type + "\r\n"
                    + "Content-Length: " + part.length() + "\r\n"
                    + "Accept-Ranges: bytes\r\n"
                    + (ranges.isEmpty() ? "" : "Content-Range: bytes " + part.first() + "-" + part.last() + "/" + size
                            + "\r\n");
            int status = ranges.isEmpty() ? 200 : 206;
            ByteBuffer header = head(status, fields, keepAlive);
            long sent = 0;
            if (head) {
                write(socket, header);
            } else {
                sent = sendFile(socket, header, channel, part);
            }
            logRequest(request, status, sent, start);
            // A file that shrank while it was sent leaves the response short: only closing tells the client.
            return keepAlive && (head || sent == part.length());
        }
    }

    /**
     * A {@code multipart/byteranges} response (RFC 9110 14.6): each range after a part header
     * naming it, then the closing delimiter. In the default mode the whole response is one
     * {@link Gather}: the headers and the file ranges leave in full packets, in one call. In
     * {@link Mode#JDK} it is a write per header and a {@code FileChannel.transferTo} per range.
     * Returns the bytes of the body sent, or -1 if the file shrank meanwhile (the response is
     * short: the connection must close).
     */
    private long sendParts(SocketChannel socket, FileChannel file, long size, String type, List<ByteRange> ranges,
            boolean keepAlive) throws IOException {
        String boundary = "zerocopy-" + Long.toHexString(System.nanoTime());
        List<ByteBuffer> partHeaders = new ArrayList<>();
        long length = 0;
        for (int i = 0; i < ranges.size(); i++) {
            ByteRange r = ranges.get(i);
            String partHeader = (i == 0 ? "" : "\r\n") + "--" + boundary + "\r\nContent-Type: " + type
                    + "\r\nContent-Range: bytes " + r.first() + "-" + r.last() + "/" + size + "\r\n\r\n";
            partHeaders.add(ByteBuffer.wrap(partHeader.getBytes(StandardCharsets.ISO_8859_1)));
            length += partHeader.length() + r.length();
        }
        ByteBuffer end = ByteBuffer.wrap(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1));
        length += end.remaining();
        ByteBuffer header = head(206, "Content-Type: multipart/byteranges; boundary=" + boundary + "\r\n"
                + "Content-Length: " + length + "\r\nAccept-Ranges: bytes\r\n", keepAlive);
        if (mode == Mode.ZERO_COPY) {
            Gather response = new Gather().addBuffer(header);
            for (int i = 0; i < ranges.size(); i++) {
                response.addBuffer(partHeaders.get(i)).addFileRange(file, ranges.get(i).first(), ranges.get(i).length());
            }
            response.addBuffer(end);
            int headerBytes = header.remaining();
            long sent = response.transferTo(socket); // blocking: all of it, unless the file shrank
            return response.shortRanges() > 0 ? -1 : sent - headerBytes;
        }
        write(socket, header);
        long sent = 0;
        for (int i = 0; i < ranges.size(); i++) {
            sent += partHeaders.get(i).remaining();
            write(socket, partHeaders.get(i));
            ByteRange r = ranges.get(i);
            for (long done = 0; done < r.length();) {
                long n = file.transferTo(r.first() + done, r.length() - done, socket);
                jdkTransferCalls.increment();
                jdkTransferBytes.add(n);
                if (n <= 0) {
                    return -1; // the file shrank
                }
                done += n;
            }
            sent += r.length();
        }
        sent += end.remaining();
        write(socket, end);
        return sent;
    }

    /** Sends the header and the file range; returns the file bytes sent. */
    private long sendFile(SocketChannel socket, ByteBuffer header, FileChannel file, ByteRange range)
            throws IOException {
        if (mode == Mode.ZERO_COPY) {
            // On a blocking socket one call sends everything (or stops early if the file shrank).
            int headerBytes = header.remaining();
            return ZeroCopy.transferTo(header, file, range.first(), range.length(), socket) - headerBytes;
        }
        write(socket, header);
        long sent = 0;
        while (sent < range.length()) { // the JDK may send less per call (at most 0x7ffff000 bytes)
            long n = file.transferTo(range.first() + sent, range.length() - sent, socket);
            jdkTransferCalls.increment();
            jdkTransferBytes.add(n);
            if (n <= 0) {
                break; // the file shrank
            }
            sent += n;
        }
        return sent;
    }

    /** An error response with a short text body (none for HEAD); returns whether the connection stays open. */
    private boolean sendError(SocketChannel socket, HttpRequest request, int status, String fields, long start)
            throws IOException {
        byte[] body = (status + " " + REASONS.get(status) + "\n").getBytes(StandardCharsets.UTF_8);
        // After 400, 405 and 505 the rest of the stream (a body, a garbled head) cannot be trusted.
        boolean keepAlive = request != null && status != 400 && status != 405 && status != 505 && keepAlive(request);
        ByteBuffer header = head(status, fields + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length + "\r\n", keepAlive);
        boolean head = request != null && request.method().equals("HEAD");
        ByteBuffer response = ByteBuffer.allocate(header.remaining() + body.length).put(header);
        if (!head) {
            response.put(body);
        }
        write(socket, response.flip());
        logRequest(request, status, head ? 0 : body.length, start);
        return keepAlive;
    }

    /** Whether the connection stays open after answering {@code request}. */
    private static boolean keepAlive(HttpRequest request) {
        return request.keepAlive() && !request.hasBody(); // bodies are not read, so they cannot be skipped
    }

    /** Status line and header fields, ending with the empty line. */
    private static ByteBuffer head(int status, String fields, boolean keepAlive) {
        String head = "HTTP/1.1 " + status + " " + REASONS.get(status) + "\r\n"
                + "Date: " + HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC)) + "\r\n"
                + "Server: zerocopy-jni file-server example\r\n"
                + fields
                + (keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n")
                + "\r\n";
        return ByteBuffer.wrap(head.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Writes all of {@code buffer} with {@code socket.write}. */
    private void write(SocketChannel socket, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            writeBytes.add(socket.write(buffer));
            writeCalls.increment();
        }
    }

    private void logRequest(HttpRequest request, int status, long bodyBytes, long start) {
        log.accept(String.format(Locale.ROOT, "%s %s %d %d B %.1f ms", request == null ? "-" : request.method(),
                request == null ? "-" : request.target(), status, bodyBytes, (System.nanoTime() - start) / 1e6));
    }

    static final String USAGE = "usage: FileServer <root dir> [--port N] [--jdk]\n"
            + "  <root dir>  the directory to serve\n"
            + "  --port N    the port to listen on (default 8080; 0 picks a free one)\n"
            + "  --jdk       socket.write(header) + FileChannel.transferTo instead of ZeroCopy\n"
            + "  --help      this text";

    public static void main(String[] args) throws IOException {
        Path directory = null;
        int port = 8080;
        Mode mode = Mode.ZERO_COPY;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--help", "-h" -> {
                        System.out.println(USAGE);
                        return;
                    }
                    case "--port" -> port = port(i + 1 < args.length ? args[++i] : "");
                    case "--jdk" -> mode = Mode.JDK;
                    default -> {
                        if (args[i].startsWith("-")) {
                            throw new IllegalArgumentException("unknown option " + args[i]);
                        }
                        if (directory != null) {
                            throw new IllegalArgumentException("one root directory only: " + directory + ", " + args[i]);
                        }
                        directory = Path.of(args[i]).toAbsolutePath();
                        if (!Files.isDirectory(directory)) {
                            throw new IllegalArgumentException("no such directory: " + directory);
                        }
                    }
                }
            }
            if (directory == null) {
                throw new IllegalArgumentException("no root directory given");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage() + "\n(--help lists the options)");
            System.exit(2);
            return;
        }
        // Under `gradle run` (which sets this): a killed Gradle leaves no server listening. The
        // parent is taken before anything else, while it is still the one that started us.
        if (Boolean.getBoolean("example.exitWithParent")) {
            ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> System.exit(0)));
        }
        FileServer server = start(directory, port, mode, System.out::println);
        System.out.printf("Serving %s on http://127.0.0.1:%d/ with %s%n", server.root.path(), server.port(),
                mode == Mode.ZERO_COPY ? "ZeroCopy.transferTo(header, file, ...)"
                        : "socket.write(header) + FileChannel.transferTo (--jdk)");
        System.out.println("Enter or Ctrl-C stops it.");
        // Ctrl-C runs the shutdown hook. Under `gradle run` the build's daemon kills the server
        // without showing what it prints then, so Enter (stdin is forwarded) stops it too.
        AtomicBoolean stopped = new AtomicBoolean();
        Runnable stop = () -> {
            if (stopped.compareAndSet(false, true)) {
                try {
                    server.close();
                } catch (IOException e) {
                    System.out.println("close: " + e);
                }
                System.out.println("Connections: " + server.connectionsAccepted() + ". Bytes sent by path: "
                        + server.bytesByPath());
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop));

        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (stdin.readLine() != null) {
            stop.run();
        } // else stdin is closed (a background job): serve until killed
    }

    private static int port(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new IllegalArgumentException("--port: not a port (0 to 65535): " + value);
    }
}
