package io.zerocopy.examples.fileserver;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** One range of a file's bytes, from {@code first}, {@code length} bytes long. */
record ByteRange(long first, long length) {
    long last() {
        return first + length - 1;
    }

    /** More ranges than this in one request are served as the whole file (RFC 9110 allows it). */
    static final int MAX_RANGES = 64;

    /**
     * The ranges a {@code Range} header asks of a file of {@code size} bytes (RFC 9110 14.2),
     * each {@code a-b}, {@code a-} or {@code -n}, in the order asked, those wholly past the end
     * left out. Empty, meaning the whole file with 200, when there is no header, another unit, a
     * syntax error or more than {@link #MAX_RANGES} ranges (all of which a server may ignore),
     * and for an empty file.
     *
     * @throws HttpError 416 when every range lies wholly past the end of the file
     */
    static List<ByteRange> parse(String header, long size) throws HttpError {
        if (header == null || size == 0 || !header.regionMatches(true, 0, "bytes=", 0, 6)) {
            return List.of();
        }
        String[] specs = header.substring(6).split(",", -1);
        if (specs.length > MAX_RANGES) {
            return List.of();
        }
        List<ByteRange> ranges = new ArrayList<>();
        for (String spec : specs) {
            Optional<ByteRange> range = one(spec.strip(), size);
            if (range == null) {
                return List.of(); // a syntax error: the whole file
            }
            range.ifPresent(ranges::add);
        }
        if (ranges.isEmpty()) {
            throw new HttpError(416, "range outside a file of " + size + " bytes");
        }
        return ranges;
    }

    /** One range spec: the range, empty when it lies past the end, null for a syntax error. */
    private static Optional<ByteRange> one(String spec, long size) {
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        long first = number(spec.substring(0, dash).strip());
        long last = number(spec.substring(dash + 1).strip());
        if (first == -1 && last >= 0) { // -n: the last n bytes
            long length = Math.min(last, size);
            return length == 0 ? Optional.empty() : Optional.of(new ByteRange(size - length, length));
        }
        if (first < 0 || last < -1 || (last >= 0 && last < first)) {
            return null;
        }
        if (first >= size) {
            return Optional.empty();
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
}
