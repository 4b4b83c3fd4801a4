package io.zerocopy.internal;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Native transfer calls. Each checks its arguments as the JDK does and throws the JDK's
 * exceptions; it returns {@link #NOT_DIRECT} when a channel has no descriptor (the caller then
 * copies through a buffer), else the bytes moved and the path taken, packed: see
 * {@link #bytes(long)} and {@link #path(long)}.
 */
public final class TransferNatives {
    private TransferNatives() {}

    /** Returned when some channel is not backed by a descriptor of the JDK's own classes. */
    public static final long NOT_DIRECT = -1;

    /** Bytes moved, from a packed result. */
    public static long bytes(long packed) {
        return packed >>> 2;
    }

    /** The ordinal of the {@code TransferPath} taken, from a packed result. */
    public static int path(long packed) {
        return (int) (packed & 3);
    }

    public static native long transferTo(Object source, long position, long count, Object target,
            boolean targetBlocking) throws IOException;

    /** One of {@code directHeader} and {@code heapHeader} is null; offset and length index the other. */
    public static native long transferToWithHeader(ByteBuffer directHeader, byte[] heapHeader, int headerOffset,
            int headerLength, Object source, long position, long count, Object target, boolean targetBlocking)
            throws IOException;

    public static native long transferFrom(Object source, boolean sourceBlocking, Object target, long position,
            long count) throws IOException;

    public static native long relay(Object source, boolean sourceBlocking, Object target, boolean targetBlocking,
            long count) throws IOException;

    /** Closes the calling thread's transfer pipe. */
    public static native void releaseThreadPipe();

    /** Test hook: TCP_INFO's count of data segments that a socket channel has sent. */
    public static native long tcpDataSegmentsOut(Object socketChannel) throws IOException;
}
