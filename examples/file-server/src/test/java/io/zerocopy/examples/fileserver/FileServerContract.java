package io.zerocopy.examples.fileserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the file server must do in either mode, over real sockets: a server on a temp dir,
 * fetched with java.net.http.HttpClient, curl, and a raw socket for what clients never send.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FileServerContract {
    static final int BIG_SIZE = 8 * 1024 * 1024 + 123;

    Path dir;
    Path root;
    byte[] big;
    FileServer server;
    final List<String> log = new CopyOnWriteArrayList<>(); // written by the server's threads
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    abstract FileServer.Mode mode();

    @BeforeAll
    void startServer() throws IOException {
        dir = Files.createTempDirectory("file-server");
        root = Files.createDirectory(dir.resolve("root"));
        big = new byte[BIG_SIZE];
        new Random(42).nextBytes(big);
        Files.write(root.resolve("big.bin"), big);
        Files.writeString(root.resolve("small.txt"), "hello\n");
        Files.writeString(root.resolve("index.html"), "<h1>index</h1>\n");
        Files.write(root.resolve("empty.dat"), new byte[0]);
        Files.write(root.resolve("logo.PNG"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        Files.createDirectory(root.resolve("sub"));
        Files.writeString(root.resolve("sub/data.json"), "{\"a\": 1}\n");
        Files.writeString(dir.resolve("secret.txt"), "TOP SECRET\n");
        Files.createSymbolicLink(root.resolve("inner-link.txt"), Path.of("small.txt"));
        Files.createSymbolicLink(root.resolve("secret-link.txt"), dir.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("etc"), Path.of("/etc"));
        server = FileServer.start(root, 0, mode(), log::add);
    }

    @AfterAll
    void stopServer() throws IOException {
        server.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Waits up to 5 s for {@code condition}: the server counts and logs a response after its
     * last byte went out, so possibly after the client has read it.
     */
    static void eventually(BooleanSupplier condition, Supplier<String> message) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, message);
            Thread.sleep(10);
        }
    }

    static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    @Test
    void bigFileWithHttpClient() throws Exception {
        HttpResponse<byte[]> response = get("/big.bin");
        assertEquals(200, response.statusCode());
        assertEquals(String.valueOf(BIG_SIZE), header(response, "Content-Length"));
        assertEquals("application/octet-stream", header(response, "Content-Type"));
        assertEquals("bytes", header(response, "Accept-Ranges"));
        assertEquals(sha256(big), sha256(response.body()));
    }

    @Test
    void smallFilesAndContentTypes() throws Exception {
        String[][] cases = {
            // path, Content-Type, body
            {"/small.txt", "text/plain; charset=utf-8", "hello\n"},
            {"/index.html", "text/html; charset=utf-8", "<h1>index</h1>\n"},
            {"/", "text/html; charset=utf-8", "<h1>index</h1>\n"},
            {"/sub/data.json", "application/json", "{\"a\": 1}\n"},
            {"/sub/data.json?version=2", "application/json", "{\"a\": 1}\n"},
            {"/empty.dat", "application/octet-stream", ""},
            {"/inner-link.txt", "text/plain; charset=utf-8", "hello\n"}, // a symlink inside the root
            {"/%73mall.txt", "text/plain; charset=utf-8", "hello\n"},
        };
        for (String[] c : cases) {
            HttpResponse<byte[]> response = get(c[0]);
            assertEquals(200, response.statusCode(), c[0]);
            assertEquals(c[1], header(response, "Content-Type"), c[0]);
            assertEquals(String.valueOf(c[2].length()), header(response, "Content-Length"), c[0]);
            assertEquals(c[2], new String(response.body(), StandardCharsets.UTF_8), c[0]);
        }
        HttpResponse<byte[]> png = get("/logo.PNG");
        assertEquals("image/png", header(png, "Content-Type"));
        assertArrayEquals(Files.readAllBytes(root.resolve("logo.PNG")), png.body());
    }

    @Test
    void curlFetchesTheSameBytes() throws Exception {
        assumeCurl();
        Path out = dir.resolve("curl-" + mode() + ".out");
        curl("-sS", "-o", out.toString(), uri("/big.bin").toString());
        assertEquals(sha256(big), sha256(Files.readAllBytes(out)));
        curl("-sS", "-o", out.toString(), uri("/small.txt").toString());
        assertEquals("hello\n", Files.readString(out));
        curl("-sS", "-r", "1000-1999", "-o", out.toString(), uri("/big.bin").toString());
        assertArrayEquals(Arrays.copyOfRange(big, 1000, 2000), Files.readAllBytes(out));
    }

    @Test
    void curlKeepsOneConnectionForSeveralFiles() throws Exception {
        assumeCurl();
        long before = server.connectionsAccepted();
        curl("-sS", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null", uri("/small.txt").toString(),
                uri("/big.bin").toString(), uri("/index.html").toString());
        assertEquals(1, server.connectionsAccepted() - before);
    }

    static void assumeCurl() {
        boolean found = Stream.of(System.getenv("PATH").split(File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, "curl")));
        Assumptions.assumeTrue(found, "curl is not installed: skipping the curl test");
    }

    static void curl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("curl"));
        command.addAll(List.of(args));
        Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, curl.waitFor(), "curl " + command + ": " + output);
    }

    @Test
    void head() throws Exception {
        HttpResponse<byte[]> response = client.send(
                HttpRequest.newBuilder(uri("/big.bin")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        assertEquals(String.valueOf(BIG_SIZE), header(response, "Content-Length"));
        assertEquals(0, response.body().length);
        // No body follows the head: the next response on the connection starts right after it.
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send(RawHttp.request("HEAD", "/small.txt", "Range: bytes=0-1\r\n")); // Range is for GET only
            RawHttp.Response headResponse = raw.read(true);
            assertEquals(200, headResponse.status());
            assertEquals("6", headResponse.header("Content-Length"));
            raw.send(RawHttp.request("HEAD", "/missing"));
            assertEquals(404, raw.read(true).status());
            raw.send(RawHttp.request("GET", "/small.txt"));
            assertEquals("hello\n", raw.read().text());
        }
    }

    @Test
    void ranges() throws Exception {
        long size = BIG_SIZE;
        Object[][] cases = {
            // Range, first byte, last byte
            {"bytes=0-99", 0L, 99L},
            {"bytes=1000-", 1000L, size - 1},
            {"bytes=-500", size - 500, size - 1},
            {"bytes=4194304-4194304", 4194304L, 4194304L},
            {"bytes=" + (size - 10) + "-" + (size + 100), size - 10, size - 1}, // cut to the file
            {"bytes=-" + (size * 2), 0L, size - 1},
            {"bytes=" + (size - 1) + "-", size - 1, size - 1},
        };
        for (Object[] c : cases) {
            long first = (Long) c[1];
            long last = (Long) c[2];
            HttpResponse<byte[]> response = get("/big.bin", "Range", (String) c[0]);
            assertEquals(206, response.statusCode(), (String) c[0]);
            assertEquals("bytes " + first + "-" + last + "/" + size, header(response, "Content-Range"));
            assertEquals(String.valueOf(last - first + 1), header(response, "Content-Length"));
            assertArrayEquals(Arrays.copyOfRange(big, (int) first, (int) last + 1), response.body(), (String) c[0]);
        }
        // Served whole, as RFC 9110 allows: too many ranges, other units, syntax errors, If-Range.
        String tooMany = "bytes=" + String.join(",", java.util.Collections.nCopies(65, "0-1"));
        String[] whole = {tooMany, "items=0-5", "bytes=5-2", "bytes=x-", "bytes=0-1,x", "bytes=0-1"};
        for (String range : whole) {
            HttpResponse<byte[]> response = range.equals("bytes=0-1")
                    ? get("/small.txt", "Range", range, "If-Range", "\"some-etag\"")
                    : get("/small.txt", "Range", range);
            assertEquals(200, response.statusCode(), range);
            assertEquals(null, header(response, "Content-Range"), range);
            assertEquals("hello\n", new String(response.body(), StandardCharsets.UTF_8), range);
        }
    }

    /** The multipart/byteranges body (RFC 9110 14.6) of the given ranges of {@code data}. */
    static byte[] multipart(String boundary, String type, byte[] data, long[][] ranges) {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < ranges.length; i++) {
            long first = ranges[i][0];
            long last = ranges[i][1];
            body.writeBytes(((i == 0 ? "" : "\r\n") + "--" + boundary + "\r\nContent-Type: " + type
                    + "\r\nContent-Range: bytes " + first + "-" + last + "/" + data.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            body.write(data, (int) first, (int) (last - first + 1));
        }
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1));
        return body.toByteArray();
    }

    static String boundaryOf(String contentType) {
        assertTrue(contentType.startsWith("multipart/byteranges; boundary="), contentType);
        return contentType.substring(contentType.indexOf('=') + 1);
    }

    /** Several ranges: one multipart/byteranges response, byte for byte; ranges past the end left out. */
    @Test
    void severalRangesAreAMultipartResponse() throws Exception {
        long size = BIG_SIZE;
        String range = "bytes=0-99, 1000-1099,-500," + (size + 5) + "-," + (size - 10) + "-" + (size + 100);
        long[][] expected = {{0, 99}, {1000, 1099}, {size - 500, size - 1}, {size - 10, size - 1}};
        HttpResponse<byte[]> response = get("/big.bin", "Range", range);
        assertEquals(206, response.statusCode());
        String boundary = boundaryOf(header(response, "Content-Type"));
        byte[] body = multipart(boundary, "application/octet-stream", big, expected);
        assertEquals(String.valueOf(body.length), header(response, "Content-Length"));
        assertArrayEquals(body, response.body());
        // Many small ranges spread over the file, and the connection stays usable after them.
        StringBuilder many = new StringBuilder("bytes=");
        long[][] manyRanges = new long[40][];
        for (int i = 0; i < 40; i++) {
            long first = i * 100_003L;
            manyRanges[i] = new long[] {first, first + 10 + i};
            many.append(i == 0 ? "" : ",").append(first).append('-').append(first + 10 + i);
        }
        response = get("/big.bin", "Range", many.toString());
        assertArrayEquals(multipart(boundaryOf(header(response, "Content-Type")), "application/octet-stream", big,
                manyRanges), response.body());
        assertEquals("hello\n", new String(get("/small.txt").body(), StandardCharsets.UTF_8));
    }

    @Test
    void curlGetsTheSameMultipartResponse() throws Exception {
        assumeCurl();
        Path out = dir.resolve("curl-multi-" + mode() + ".out");
        Path headers = dir.resolve("curl-multi-" + mode() + ".headers");
        curl("-sS", "-r", "10-19,2000-2999,-7", "-D", headers.toString(), "-o", out.toString(), uri("/big.bin").toString());
        String contentType = Files.readAllLines(headers).stream().filter(l -> l.regionMatches(true, 0, "Content-Type:", 0, 13))
                .findFirst().orElseThrow().substring(13).strip();
        assertArrayEquals(multipart(boundaryOf(contentType), "application/octet-stream", big,
                new long[][] {{10, 19}, {2000, 2999}, {BIG_SIZE - 7, BIG_SIZE - 1}}), Files.readAllBytes(out));
    }

    @Test
    void unsatisfiableRange() throws Exception {
        for (String range : new String[] {"bytes=" + BIG_SIZE + "-", "bytes=" + BIG_SIZE + "-" + (BIG_SIZE + 5),
            "bytes=-0", "bytes=-0," + BIG_SIZE + "-"}) {
            HttpResponse<byte[]> response = get("/big.bin", "Range", range);
            assertEquals(416, response.statusCode(), range);
            assertEquals("bytes */" + BIG_SIZE, header(response, "Content-Range"), range);
        }
        try (RawHttp raw = new RawHttp(server.port())) { // and the connection stays usable
            raw.send(RawHttp.request("GET", "/small.txt", "Range: bytes=6-\r\n"));
            RawHttp.Response response = raw.read();
            assertEquals(416, response.status());
            assertEquals("bytes */6", response.header("Content-Range"));
            raw.send(RawHttp.request("GET", "/small.txt", "Range: bytes=1-2\r\n"));
            assertEquals("el", raw.read().text());
        }
    }

    @Test
    void missingFiles() throws Exception {
        // A directory without index.html (/sub) is not found either: there are no listings.
        for (String path : new String[] {"/missing.txt", "/sub/missing/", "/small.txt/x", "/sub"}) {
            HttpResponse<byte[]> response = get(path);
            assertEquals(404, response.statusCode(), path);
            assertEquals("404 Not Found\n", new String(response.body(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void noEscapeFromTheRoot() throws Exception {
        String[] targets = {
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E%2Fsecret.txt",
            "/sub/../../secret.txt",
            "/sub/%2e%2e/%2e%2e/secret.txt",
            "/./small.txt",
            "//etc/passwd",
            "/%2Fetc/passwd",
            "/etc/passwd", // a symlink in the root that leads to /etc
            "/secret-link.txt", // a symlink in the root that leads to a file outside it
            "/../../../../../../etc/passwd",
        };
        for (String target : targets) {
            try (RawHttp raw = new RawHttp(server.port())) {
                RawHttp.Response response = raw.send(RawHttp.request("GET", target)).read();
                assertEquals(404, response.status(), target);
                assertFalse(response.text().contains("SECRET") || response.text().contains("root:"), target);
            }
        }
        for (String target : new String[] {"etc/passwd", "http://localhost/etc/passwd", "/%zz", "/%c0%ae%c0%ae/"}) {
            try (RawHttp raw = new RawHttp(server.port())) { // not an absolute path, or not UTF-8
                assertEquals(400, raw.send(RawHttp.request("GET", target)).read().status(), target);
            }
        }
    }

    @Test
    void keepAlive() throws Exception {
        long before = server.connectionsAccepted();
        try (RawHttp raw = new RawHttp(server.port())) {
            for (int i = 0; i < 3; i++) {
                raw.send(RawHttp.request("GET", "/small.txt"));
                RawHttp.Response response = raw.read();
                assertEquals("hello\n", response.text());
                assertEquals("keep-alive", response.header("Connection"));
            }
            // Pipelined: two requests in one write, two responses in order.
            raw.send(RawHttp.request("GET", "/index.html") + RawHttp.request("GET", "/big.bin", "Range: bytes=0-9\r\n"));
            assertEquals("<h1>index</h1>\n", raw.read().text());
            assertArrayEquals(Arrays.copyOf(big, 10), raw.read().body());
            assertFalse(raw.closedWithin(500));
        }
        assertEquals(1, server.connectionsAccepted() - before);
    }

    @Test
    void connectionClose() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            RawHttp.Response response = raw.send(RawHttp.request("GET", "/small.txt", "Connection: close\r\n")).read();
            assertEquals("hello\n", response.text());
            assertEquals("close", response.header("Connection"));
            assertTrue(raw.closedWithin(5_000));
        }
        try (RawHttp raw = new RawHttp(server.port())) { // HTTP/1.0 closes by default...
            RawHttp.Response response = raw.send("GET /small.txt HTTP/1.0\r\n\r\n").read();
            assertEquals("hello\n", response.text());
            assertEquals("close", response.header("Connection"));
            assertTrue(raw.closedWithin(5_000));
        }
        try (RawHttp raw = new RawHttp(server.port())) { // ...unless asked to keep it
            raw.send("GET /small.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            assertEquals("keep-alive", raw.read().header("Connection"));
            raw.send("GET /index.html HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
            assertEquals("<h1>index</h1>\n", raw.read().text());
            assertFalse(raw.closedWithin(500));
        }
    }

    @Test
    void malformedRequests() throws Exception {
        String[] requests = {
            "GARBAGE\r\n\r\n",
            "GET /small.txt HTTP/1.1\r\n\r\n", // no Host
            "GET  /small.txt HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /small.txt HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
            "GET /small.txt HTTP/1.1\r\nHost: x\r\n folded: header\r\n\r\n",
            "GET /small.txt HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            "GET /small.txt XYZ/1.1\r\nHost: x\r\n\r\n",
            "GET /" + "a".repeat(io.zerocopy.examples.fileserver.HttpRequest.MAX_LINE) + " HTTP/1.1\r\nHost: x\r\n\r\n",
        };
        for (String request : requests) {
            try (RawHttp raw = new RawHttp(server.port())) {
                RawHttp.Response response = raw.send(request).read();
                assertEquals(400, response.status(), request);
                assertTrue(raw.closedWithin(5_000), request);
            }
        }
        try (RawHttp raw = new RawHttp(server.port())) {
            assertEquals(505, raw.send("GET / HTTP/2.0\r\nHost: x\r\n\r\n").read().status());
        }
    }

    @Test
    void otherMethods() throws Exception {
        for (String method : new String[] {"POST", "PUT", "DELETE", "OPTIONS", "BREW"}) {
            try (RawHttp raw = new RawHttp(server.port())) {
                RawHttp.Response response =
                        raw.send(RawHttp.request(method, "/small.txt", "Content-Length: 3\r\n") + "abc").read();
                assertEquals(405, response.status(), method);
                assertEquals("GET, HEAD", response.header("Allow"));
                assertTrue(raw.closedWithin(5_000), method); // the body was not read: the connection ends
            }
        }
    }

    @Test
    void logsOneLinePerRequest() throws Exception {
        get("/small.txt?log");
        get("/missing.txt?log");
        eventually(() -> log.stream().anyMatch(line -> line.matches("GET /small\\.txt\\?log 200 6 B [0-9.]+ ms")),
                log::toString);
        eventually(() -> log.stream().anyMatch(line -> line.matches("GET /missing\\.txt\\?log 404 14 B [0-9.]+ ms")),
                log::toString);
    }
}
