package io.zerocopy.internal;

import io.zerocopy.IncompleteTransferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Transfers through a direct buffer, for channels without a descriptor of the JDK's own
 * classes (a Channels.newChannel wrapper, a TLS layer, a user's own channel). Loops as the JDK's
 * transferToArbitraryChannel and transferFromArbitraryChannel do, with a bigger buffer.
 */
public final class BufferedTransfer {
    private BufferedTransfer() {}

    private static final int BUFFER_SIZE = 64 * 1024;
    private static final int POOLED_BUFFERS = 16;
    /** Direct buffers are dear to allocate and freed only by GC: keep a few for reuse. */
    private static final ConcurrentLinkedQueue<ByteBuffer> POOL = new ConcurrentLinkedQueue<>();

    private static ByteBuffer take() {
        ByteBuffer buffer = POOL.poll();
        return buffer != null ? buffer.clear() : ByteBuffer.allocateDirect(BUFFER_SIZE);
    }

    private static void give(ByteBuffer buffer) {
        if (POOL.size() < POOLED_BUFFERS) {
            POOL.offer(buffer);
        }
    }

    /** Whether a channel blocks: only selectable channels can be put in non-blocking mode. */
    public static boolean isBlocking(Channel channel) {
        return !(channel instanceof SelectableChannel) || ((SelectableChannel) channel).isBlocking();
    }

    /** FileChannel.transferTo through a buffer. */
    public static long transferTo(FileChannel source, long position, long count, WritableByteChannel target)
            throws IOException {
        long size = source.size();
        if (position > size) {
            return 0;
        }
        count = Math.min(count, size - position);
        ByteBuffer buffer = take();
        long moved = 0;
        try {
            while (moved < count) {
                buffer.clear().limit((int) Math.min(count - moved, BUFFER_SIZE));
                int read = source.read(buffer, position + moved);
                if (read <= 0) {
                    break;
                }
                buffer.flip();
                int written = target.write(buffer);
                moved += written;
                if (written != read) {
                    break; // a non-blocking target is full; the rest is read again next time
                }
            }
            return moved;
        } catch (IOException e) {
            if (moved > 0) {
                return moved;
            }
            throw e;
        } finally {
            give(buffer);
        }
    }

    /**
     * FileChannel.transferFrom through a buffer. Bytes read are always written, or it throws.
     * Past the end of the target, JDK 17 moves nothing and JDK 21+ writes there.
     */
    public static long transferFrom(ReadableByteChannel source, FileChannel target, long position, long count)
            throws IOException {
        if (TransferNatives.JDK < 21 && position > target.size()) {
            return 0;
        }
        return copy(source, count, (buffer, done) -> {
            int end = buffer.limit();
            int piece = buffer.remaining();
            while (buffer.position() < end) {
                buffer.limit(Math.min(end, buffer.position() + piece));
                try {
                    target.write(buffer, position + done + buffer.position());
                } catch (IOException e) {
                    if (!mayFitSmaller(e, buffer.remaining())) {
                        throw e;
                    }
                    piece = buffer.remaining() / 2;
                } finally {
                    buffer.limit(end);
                }
            }
        });
    }

    /**
     * Whether a write of {@code length} bytes that failed with {@code e} should be tried again
     * with half as many: a nearly full file system (ext4) refuses a whole write that it could
     * partly take, so a full one is halved down to one page before it fails.
     */
    private static boolean mayFitSmaller(IOException e, int length) {
        String message = String.valueOf(e.getMessage());
        return length >= 2 * 4096 && !(e instanceof ClosedChannelException)
                && (message.contains("No space left on device") || message.contains("Disk quota exceeded"));
    }

    /** ZeroCopy.relay through a buffer. Bytes read are always delivered, or it throws. */
    public static long relay(ReadableByteChannel source, WritableByteChannel target, long count) throws IOException {
        return copy(source, count, (buffer, done) -> writeFully(buffer, target));
    }

    /** Writes all of a buffer of bytes read, {@code done} bytes into the transfer. */
    private interface Delivery {
        void deliver(ByteBuffer buffer, long done) throws IOException;
    }

    /**
     * Reads {@code source} until {@code count} bytes or end of stream (or nothing more from a
     * non-blocking source), delivering each buffer. A read error after progress ends the call
     * with what was delivered. A delivery error gives bytes read but not written back to a
     * source with a position (the call then returns what was written, or throws if nothing
     * was); from a stream they are lost, and an {@link IncompleteTransferException} counts them.
     */
    private static long copy(ReadableByteChannel source, long count, Delivery delivery) throws IOException {
        ByteBuffer buffer = take();
        long moved = 0;
        try {
            while (moved < count) {
                buffer.clear().limit((int) Math.min(count - moved, BUFFER_SIZE));
                int read;
                try {
                    read = source.read(buffer);
                } catch (IOException e) {
                    if (moved > 0) {
                        return moved; // nothing lost: the error comes back at the next call
                    }
                    throw e;
                }
                if (read <= 0) {
                    break;
                }
                buffer.flip();
                try {
                    delivery.deliver(buffer, moved);
                } catch (ClosedChannelException e) {
                    throw e; // closed or interrupted: the JDK's exception, as its own I/O throws
                } catch (IOException e) {
                    long written = moved + buffer.position();
                    long unwritten = buffer.remaining();
                    if (source instanceof SeekableByteChannel) {
                        SeekableByteChannel file = (SeekableByteChannel) source;
                        file.position(file.position() - unwritten);
                        if (written > 0) {
                            return written; // the error comes back at the next call
                        }
                        throw e;
                    }
                    throw new IncompleteTransferException(written, unwritten, e);
                }
                moved += read;
            }
            return moved;
        } finally {
            give(buffer);
        }
    }

    /**
     * Writes all of {@code header}, unless a non-blocking target fills up; returns the bytes
     * written.
     */
    public static int writeHeader(ByteBuffer header, WritableByteChannel target) throws IOException {
        int start = header.position();
        while (header.hasRemaining()) {
            if (target.write(header) == 0 && !isBlocking(target)) {
                break;
            }
        }
        return header.position() - start;
    }

    /** Writes all of {@code buffer}; waits for a non-blocking target that is full. */
    private static void writeFully(ByteBuffer buffer, WritableByteChannel target) throws IOException {
        while (buffer.hasRemaining()) {
            if (target.write(buffer) == 0) {
                awaitWritable(target);
            }
        }
    }

    private static void awaitWritable(WritableByteChannel target) throws IOException {
        if (!(target instanceof SelectableChannel) || ((SelectableChannel) target).isBlocking()) {
            Thread.onSpinWait();
            return;
        }
        try (Selector selector = Selector.open()) {
            SelectionKey key = ((SelectableChannel) target).register(selector, SelectionKey.OP_WRITE);
            selector.select();
            key.cancel();
        }
    }
}
