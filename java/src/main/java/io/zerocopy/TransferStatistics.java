package io.zerocopy;

import java.util.Arrays;

/**
 * A snapshot of how many transfer calls took each {@link TransferPath}, and how many bytes they
 * moved, since the library was loaded. Shows whether zero-copy really happened: a channel
 * wrapped by a TLS or counting layer silently lands on {@link TransferPath#BUFFERED}.
 *
 * <p>A call is counted under the path that moved its bytes (after any fallback), and every
 * call is counted, also those that moved nothing.
 */
public final class TransferStatistics {
    private final long[] calls;
    private final long[] bytes;

    TransferStatistics(long[] calls, long[] bytes) {
        this.calls = calls;
        this.bytes = bytes;
    }

    /**
     * Calls that took {@code path}.
     * @param path a transfer path
     * @return calls that took {@code path}
     */
    public long calls(TransferPath path) {
        return calls[path.ordinal()];
    }

    /**
     * Bytes moved by calls that took {@code path}. A header sent before a file (the header form
     * of {@code transferTo}) went through {@code send(2)}, not the path: only the file's bytes
     * count here.
     * @param path a transfer path
     * @return bytes moved by calls that took {@code path}
     */
    public long bytes(TransferPath path) {
        return bytes[path.ordinal()];
    }

    /** {@return calls on all paths} */
    public long totalCalls() {
        return Arrays.stream(calls).sum();
    }

    /** {@return bytes on all paths} */
    public long totalBytes() {
        return Arrays.stream(bytes).sum();
    }

    /**
     * What happened between {@code earlier} and this snapshot.
     * @param earlier a snapshot taken before this one
     * @return what happened between {@code earlier} and this snapshot
     */
    public TransferStatistics since(TransferStatistics earlier) {
        long[] c = new long[calls.length];
        long[] b = new long[bytes.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = calls[i] - earlier.calls[i];
            b[i] = bytes[i] - earlier.bytes[i];
        }
        return new TransferStatistics(c, b);
    }

    /** Such as {@code SENDFILE 12 calls 1048576 bytes, BUFFERED 1 call 10 bytes}; paths never taken are left out. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (TransferPath path : TransferPath.values()) {
            long n = calls(path);
            if (n == 0) {
                continue;
            }
            if (s.length() > 0) {
                s.append(", ");
            }
            s.append(path).append(' ').append(n).append(n == 1 ? " call " : " calls ").append(bytes(path))
                    .append(" bytes");
        }
        return s.length() == 0 ? "no transfers" : s.toString();
    }
}
