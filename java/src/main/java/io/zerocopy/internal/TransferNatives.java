package io.zerocopy.internal;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Native transfer calls. Each checks its arguments as the running JDK's {@code FileChannel}
 * does (in that JDK's order; {@code jdk} is its feature version) and throws the JDK's
 * exceptions; it returns {@link #NOT_DIRECT} when a channel has no descriptor (the caller then
 * copies through a buffer), else the bytes moved, the end that would block and the path taken,
 * packed: see {@link #bytes(long)}, {@link #blockedOn(long)} and {@link #path(long)}.
 */
public final class TransferNatives {
    private TransferNatives() {}

    /** Returned when some channel is not backed by a descriptor of the JDK's own classes. */
    public static final long NOT_DIRECT = -1;

    /** The running JDK's feature version: where JDKs differ, the natives do as this one does. */
    public static final int JDK = Runtime.version().feature();

    /** {@link #blockedOn(long)}: count, end of file or end of stream was reached. */
    public static final int BLOCKED_ON_NOTHING = 0;
    /** {@link #blockedOn(long)}: a non-blocking source had nothing more (wait for POLLIN). */
    public static final int BLOCKED_ON_SOURCE = 1;
    /** {@link #blockedOn(long)}: a non-blocking target took nothing more (wait for POLLOUT). */
    public static final int BLOCKED_ON_TARGET = 2;

    /** Bytes moved, from a packed result. */
    public static long bytes(long packed) {
        return packed >>> 4;
    }

    /** Which non-blocking end stopped the transfer short, from a packed result. */
    public static int blockedOn(long packed) {
        return (int) (packed >>> 2) & 3;
    }

    /** The ordinal of the {@code TransferPath} taken, from a packed result. */
    public static int path(long packed) {
        return (int) (packed & 3);
    }

    /** A packed result of {@code bytes} by the path of ordinal {@code path}, blocked on nothing. */
    public static long pack(long bytes, int path) {
        return (bytes << 4) | path;
    }

    public static native long transferTo(Object source, long position, long count, Object target,
            boolean targetBlocking, int jdk) throws IOException;

    /** One of {@code directHeader} and {@code heapHeader} is null; offset and length index the other. */
    public static native long transferToWithHeader(ByteBuffer directHeader, byte[] heapHeader, int headerOffset,
            int headerLength, Object source, long position, long count, Object target, boolean targetBlocking,
            int jdk) throws IOException;

    public static native long transferFrom(Object source, boolean sourceBlocking, Object target, long position,
            long count, int jdk) throws IOException;

    public static native long relay(Object source, boolean sourceBlocking, Object target, boolean targetBlocking,
            long count) throws IOException;

    /**
     * Sends the parts {@code from} (at {@code offset} into it) to {@code to} of a gather to a
     * socket or pipe: kinds 0 a direct ByteBuffer, 1 a byte[], 2 a FileChannel, each with a
     * position and a length. Returns the bytes sent, or {@link #NOT_DIRECT}; {@code result}
     * receives the next part, the offset in it, whether the target was full (1), the file ranges
     * cut short by the end of their file, the file bytes sent, and the path (0 sendfile, 1 splice).
     */
    public static native long gather(byte[] kinds, Object[] objects, long[] positions, long[] lengths, int from,
            int to, long offset, Object target, boolean targetBlocking, long[] result) throws IOException;

    /** Closes the calling thread's transfer pipe. */
    public static native void releaseThreadPipe();

    /** Test hook: TCP_INFO's count of data segments that a socket channel has sent. */
    public static native long tcpDataSegmentsOut(Object socketChannel) throws IOException;
}
