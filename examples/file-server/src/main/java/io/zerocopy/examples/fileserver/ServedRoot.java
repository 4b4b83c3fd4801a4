package io.zerocopy.examples.fileserver;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The directory a server serves, and the only way from a request target to a file in it.
 * Nothing outside it can be reached: targets with {@code .}, {@code ..} or empty segments
 * (also percent-encoded, as {@code %2e%2e}) are refused before any file system access, and
 * the file found is resolved with {@link Path#toRealPath} (following every symlink) and must
 * still lie under the root's real path.
 */
final class ServedRoot {
    private final Path root;

    ServedRoot(Path directory) throws IOException {
        this.root = directory.toRealPath();
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException(directory + " is not a directory");
        }
    }

    Path path() {
        return root;
    }

    /**
     * The regular file that {@code target} names under the root: its real path, or
     * {@code index.html} for a directory. Empty when there is none or the target tries to
     * leave the root.
     *
     * @throws HttpError 400 for a target that is not an absolute path or is badly percent-encoded
     */
    Optional<Path> find(String target) throws HttpError {
        int end = target.indexOf('?');
        String path = decode(end < 0 ? target : target.substring(0, end));
        if (!path.startsWith("/")) {
            throw new HttpError(400, "request target is not an absolute path");
        }
        String[] segments = path.substring(1).split("/", -1);
        Path candidate = root;
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            if (segment.isEmpty() && i == segments.length - 1) {
                break; // a trailing slash
            }
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || segment.indexOf('\0') >= 0) {
                return Optional.empty();
            }
            candidate = candidate.resolve(segment);
        }
        Optional<Path> found = insideRoot(candidate);
        if (found.isPresent() && Files.isDirectory(found.get())) {
            found = insideRoot(found.get().resolve("index.html"));
        }
        return found.filter(Files::isRegularFile);
    }

    /** The real path of {@code path} (all symlinks followed) if it exists and lies under the root. */
    private Optional<Path> insideRoot(Path path) {
        try {
            Path real = path.toRealPath();
            return real.startsWith(root) ? Optional.of(real) : Optional.empty();
        } catch (IOException | InvalidPathException e) {
            return Optional.empty();
        }
    }

    /** Percent-decodes a path as UTF-8 (RFC 3986); {@code +} stays a plus. */
    private static String decode(String encoded) throws HttpError {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%') {
                int high = i + 2 < encoded.length() ? Character.digit(encoded.charAt(i + 1), 16) : -1;
                int low = high >= 0 ? Character.digit(encoded.charAt(i + 2), 16) : -1;
                if (low < 0) {
                    throw new HttpError(400, "bad percent-encoding");
                }
                bytes.write(high << 4 | low);
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new HttpError(400, "path is not UTF-8");
        }
    }
}
