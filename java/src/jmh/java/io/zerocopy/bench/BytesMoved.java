package io.zerocopy.bench;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes moved by benchmark operations in this JVM, read by {@link CpuTimeProfiler} to turn CPU
 * time into CPU time per GiB. One uncontended atomic add per operation: a few nanoseconds,
 * against microseconds for the smallest transfer.
 */
public final class BytesMoved {
    private static final AtomicLong TOTAL = new AtomicLong();

    private BytesMoved() {}

    /** Counts {@code moved} bytes, after checking that they are what the operation had to move. */
    static long exactly(long expected, long moved) {
        if (moved != expected) {
            throw new IllegalStateException("moved " + moved + " bytes, expected " + expected);
        }
        TOTAL.addAndGet(moved);
        return moved;
    }

    static long total() {
        return TOTAL.get();
    }
}
