package io.zerocopy.examples.fileserver;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The head of one HTTP/1.x request: method, request target, version and header fields (names
 * in lower case). The server never reads request bodies.
 */
record HttpRequest(String method, String target, String version, Map<String, String> headers) {
    static final int MAX_LINE = 8192;
    static final int MAX_HEADERS = 100;

    /** The value of a header field, or null. {@code name} in lower case. */
    String header(String name) {
        return headers.get(name);
    }

    /**
     * Whether the connection stays open after the response: HTTP/1.1 unless the client says
     * {@code Connection: close}; HTTP/1.0 only if it says {@code Connection: keep-alive}.
     */
    boolean keepAlive() {
        String connection = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
        boolean close = Arrays.stream(connection.split(",")).anyMatch(t -> t.trim().equals("close"));
        boolean keepAlive = Arrays.stream(connection.split(",")).anyMatch(t -> t.trim().equals("keep-alive"));
        return version.equals("HTTP/1.1") ? !close : keepAlive;
    }

    /** Whether a body follows the head (which this server does not read). */
    boolean hasBody() {
        String length = headers.get("content-length");
        return headers.containsKey("transfer-encoding") || (length != null && !length.equals("0"));
    }

    /**
     * Reads the next request head.
     *
     * @return null if the stream ends before the request's first byte (the client closed)
     * @throws HttpError 400 for a malformed request, 505 for an HTTP version other than 1.0 and 1.1
     */
    static HttpRequest read(InputStream in) throws IOException, HttpError {
        String requestLine = readLine(in);
        if (requestLine != null && requestLine.isEmpty()) {
            requestLine = readLine(in); // RFC 9112 2.2: ignore one empty line before a request
        }
        if (requestLine == null) {
            return null;
        }
        String[] parts = requestLine.split(" ", -1);
        if (parts.length != 3 || !isToken(parts[0]) || !isVisibleAscii(parts[1])
                || !parts[2].matches("HTTP/[0-9]\\.[0-9]")) {
            throw new HttpError(400, "malformed request line");
        }
        if (!parts[2].equals("HTTP/1.1") && !parts[2].equals("HTTP/1.0")) {
            throw new HttpError(505, "unsupported version " + parts[2]);
        }
        Map<String, String> headers = new TreeMap<>();
        for (int count = 0;; count++) {
            String line = readLine(in);
            if (line == null) {
                throw new HttpError(400, "end of stream inside the request head");
            }
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (count == MAX_HEADERS || colon <= 0 || !isToken(line.substring(0, colon))) {
                throw new HttpError(400, "malformed header field");
            }
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            if (name.equals("host") && headers.containsKey("host")) {
                throw new HttpError(400, "two Host fields");
            }
            headers.merge(name, value, (a, b) -> a + ", " + b); // repeated fields are one list
        }
        if (parts[2].equals("HTTP/1.1") && !headers.containsKey("host")) {
            throw new HttpError(400, "HTTP/1.1 request without Host");
        }
        return new HttpRequest(parts[0], parts[1], parts[2], headers);
    }

    /** A line up to LF, without the CR before it; null at end of stream before any byte. */
    private static String readLine(InputStream in) throws IOException, HttpError {
        StringBuilder line = new StringBuilder();
        for (int b; (b = in.read()) != '\n';) {
            if (b < 0) {
                if (line.length() == 0) {
                    return null;
                }
                throw new HttpError(400, "end of stream inside a line");
            }
            if (line.length() == MAX_LINE) {
                throw new HttpError(400, "line longer than " + MAX_LINE + " bytes");
            }
            line.append((char) b); // ISO-8859-1, as HTTP/1.1 reads header bytes
        }
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
    }

    /** RFC 9110's token: method names and header names. */
    private static boolean isToken(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0);
    }

    /** A request target may contain printable ASCII only; anything else must be percent-encoded. */
    private static boolean isVisibleAscii(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }
}
