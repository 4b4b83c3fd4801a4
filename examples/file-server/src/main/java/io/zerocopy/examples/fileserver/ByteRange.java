package io.zerocopy.examples.fileserver;

import java.util.Optional;

/** One range of a file's bytes, from {@code first}, {@code length} bytes long. */
record ByteRange(long first, long length) {
    long last() {
        return first + length - 1;
    }

    /**
     * The range a {@code Range} header asks of a file of {@code size} bytes (RFC 9110 14.2):
     * {@code bytes=a-b}, {@code bytes=a-} or {@code bytes=-n}. Empty, meaning the whole file
     * with 200, when there is no header, another unit, a syntax error or several ranges (all
     * of which a server may ignore), and for an empty file.
     *
     * @throws HttpError 416 when the range lies wholly past the end of the file
     */
    static Optional<ByteRange> parse(String header, long size) throws HttpError {
        if (header == null || size == 0 || !header.regionMatches(true, 0, "bytes=", 0, 6)) {
            return Optional.empty();
        }
        String spec = header.substring(6).strip();
        int dash = spec.indexOf('-');
        if (spec.contains(",") || dash < 0) {
            return Optional.empty();
        }
        long first = number(spec.substring(0, dash).strip());
        long last = number(spec.substring(dash + 1).strip());
        if (first == -1 && last >= 0) { // bytes=-n: the last n bytes
            if (last == 0) {
                throw unsatisfiable(size);
            }
            long length = Math.min(last, size);
            return Optional.of(new ByteRange(size - length, length));
        }
        if (first < 0 || last < -1 || (last >= 0 && last < first)) {
            return Optional.empty();
        }
        if (first >= size) {
            throw unsatisfiable(size);
        }
        long end = last == -1 ? size - 1 : Math.min(last, size - 1);
        return Optional.of(new ByteRange(first, end - first + 1));
    }

    /** Digits as a number (Long.MAX_VALUE when too large to matter), -1 for none, -2 for anything else. */
    private static long number(String digits) {
        if (digits.isEmpty()) {
            return -1;
        }
        if (!digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -2;
        }
        return digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
    }

    private static HttpError unsatisfiable(long size) {
        return new HttpError(416, "range outside a file of " + size + " bytes");
    }
}
