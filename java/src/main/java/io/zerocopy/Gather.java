package io.zerocopy;

import io.zerocopy.internal.Events;
import io.zerocopy.internal.JdkChannels;
import io.zerocopy.internal.NativeLibrary;
import io.zerocopy.internal.TransferNatives;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
import java.util.Objects;

/**
 * Many buffers and file ranges, from any number of files, sent in order to one socket or pipe
 * in one call: a Kafka-style fetch response (a header per partition, then a range of its log
 * segment) or a {@code multipart/byteranges} HTTP response, in as few packets as the data
 * allows.
 *
 * <pre>{@code
 * Gather fetch = new Gather();                   // reusable: clear() and add again
 * for (Partition p : partitions) {
 *     fetch.addBuffer(p.header()).addFileRange(p.segment(), p.position(), p.length());
 * }
 * while (fetch.hasRemaining()) {
 *     fetch.transferTo(socket);                  // non-blocking: on each OP_WRITE
 * }
 * }</pre>
 *
 * <p>To a socket or pipe of the JDK's own classes a call crosses into native code once: a TCP
 * socket is corked for the call (TCP_CORK) and uncorked after its last byte, so small headers
 * leave in full segments with the file data after them; consecutive buffers go in one
 * {@code writev}, file ranges with {@code sendfile} (or {@code splice} into a pipe). A blocking
 * target gets everything before the call returns. A non-blocking one gets what the kernel takes
 * now, and the gather remembers exactly where it stopped (inside a buffer or a file range), so
 * the next call resumes there: no byte is sent twice or skipped. Other targets (a TLS layer, a
 * user's channel) are written through their own methods, with {@code FileChannel.transferTo}
 * for the ranges, counted as {@link TransferPath#BUFFERED} (a gather of buffers only is written
 * so too, and not counted as a transfer). The statistics count a gather's file bytes under the path
 * that sent them.
 *
 * <p>File positions never change; a buffer's position advances as its bytes are sent, as in a
 * gathering write (do not change a buffer between adding it and the end of the gather). A file
 * range that reaches past the end of its file sends what exists, as {@code transferTo} does,
 * and counts in {@link #shortRanges()}. An error after some bytes were sent returns those bytes
 * and comes back at the next call; close and interrupt behave as with the single transfers. A
 * gather is not for concurrent use; it allocates nothing once its arrays have grown to the
 * number of parts (heap buffers that are read-only are copied).
 */
public final class Gather {
    private static final byte DIRECT = 0;
    private static final byte HEAP = 1;
    private static final byte FILE = 2;

    private byte[] kinds = new byte[8];
    private Object[] objects = new Object[8];
    private ByteBuffer[] buffers = new ByteBuffer[8];
    private long[] positions = new long[8];
    private long[] lengths = new long[8];
    private int[] bufferStarts = new int[8];
    private int size;
    private int part;
    private long offset;
    private int shortRanges;
    private final long[] result = new long[6];

    /** An empty gather. */
    public Gather() {}

    /**
     * Adds the remaining bytes of {@code buffer} (heap or direct); its position advances as
     * they are sent.
     *
     * @param buffer the bytes from its position to its limit
     * @return this gather
     */
    public Gather addBuffer(ByteBuffer buffer) {
        Objects.requireNonNull(buffer, "buffer");
        int i = grow();
        buffers[i] = buffer;
        bufferStarts[i] = buffer.position();
        lengths[i] = buffer.remaining();
        if (buffer.isDirect()) {
            kinds[i] = DIRECT;
            objects[i] = buffer;
            positions[i] = buffer.position();
        } else if (buffer.hasArray()) {
            kinds[i] = HEAP;
            objects[i] = buffer.array();
            positions[i] = buffer.arrayOffset() + buffer.position();
        } else { // a read-only heap buffer hides its array
            byte[] copy = new byte[buffer.remaining()];
            buffer.duplicate().get(copy);
            kinds[i] = HEAP;
            objects[i] = copy;
            positions[i] = 0;
        }
        return this;
    }

    /**
     * Adds {@code count} bytes of {@code file} from {@code position}; the file's own position
     * does not change.
     *
     * @param file a file channel open for reading
     * @param position where the range starts in the file
     * @param count bytes in the range
     * @return this gather
     * @throws IllegalArgumentException if {@code position} or {@code count} is negative
     */
    public Gather addFileRange(FileChannel file, long position, long count) {
        Objects.requireNonNull(file, "file");
        if (position < 0 || count < 0) {
            throw new IllegalArgumentException("negative position or count: " + position + ", " + count);
        }
        int i = grow();
        kinds[i] = FILE;
        objects[i] = file;
        buffers[i] = null;
        positions[i] = position;
        lengths[i] = count;
        return this;
    }

    /** {@return the bytes not sent yet (file ranges counted in full until their file is found to end)} */
    public long remaining() {
        long left = -offset;
        for (int i = part; i < size; i++) {
            left += lengths[i];
        }
        return left;
    }

    /** {@return whether bytes remain to be sent} */
    public boolean hasRemaining() {
        return remaining() > 0;
    }

    /** {@return the file ranges, since the last {@link #clear()}, that ended early with their file} */
    public int shortRanges() {
        return shortRanges;
    }

    /**
     * Empties the gather for reuse, keeping its arrays.
     *
     * @return this gather
     */
    public Gather clear() {
        Arrays.fill(objects, 0, size, null);
        Arrays.fill(buffers, 0, size, null);
        size = 0;
        part = 0;
        offset = 0;
        shortRanges = 0;
        return this;
    }

    /**
     * Sends what remains, in order, to {@code target}: all of it to a blocking target, what
     * the kernel takes now to a non-blocking one.
     *
     * @param target a socket or pipe (others are written through their own methods)
     * @return the bytes sent by this call, possibly 0
     * @throws ClosedChannelException if the target or a file is closed
     * @throws java.nio.channels.NonReadableChannelException if a file is not open for reading
     * @throws java.nio.channels.AsynchronousCloseException if another thread closes the target
     *     before any byte was sent
     * @throws java.nio.channels.ClosedByInterruptException if this thread is interrupted; the
     *     target and the first file still to send are then closed, as transferTo closes both
     * @throws IOException if sending fails before any byte was sent this call
     */
    public long transferTo(WritableByteChannel target) throws IOException {
        Objects.requireNonNull(target, "target");
        if (!target.isOpen()) {
            throw new ClosedChannelException();
        }
        skipEmptyParts();
        if (part == size) {
            return 0;
        }
        Object event = Events.beginTransfer();
        FileChannel file = firstFile();
        boolean withoutNative = NativeLibrary.fallsBack();
        if (file != null && !withoutNative) {
            if (!file.isOpen()) {
                throw new ClosedChannelException();
            }
            long[] fileBytes = {0};
            // Registered with the first file and the target as the single transfers are (close,
            // interrupt, virtual threads); "buffered" means the target has no descriptor.
            long packed = JdkChannels.transfer(file, target, remaining(),
                    (sourceBlocking, targetBlocking, done) -> sendNative(target, targetBlocking, fileBytes),
                    () -> 0);
            if (TransferNatives.path(packed) != TransferPath.BUFFERED.ordinal()) {
                long bytes = TransferNatives.bytes(packed);
                ZeroCopy.record(TransferPath.values()[TransferNatives.path(packed)], fileBytes[0], event, "gather",
                        file, target);
                return bytes;
            }
        }
        long bytes = sendBuffered(target);
        if (file != null) { // buffers alone are a write, not a transfer path
            ZeroCopy.record(withoutNative ? TransferPath.JDK : TransferPath.BUFFERED, bytes, event, "gather", file,
                    target);
        }
        return bytes;
    }

    /** One native call from the cursor on; moves the cursor and the buffers' positions. */
    private long sendNative(WritableByteChannel target, boolean targetBlocking, long[] fileBytes)
            throws IOException {
        if (part == size) {
            return TransferNatives.pack(0, 0);
        }
        long bytes = TransferNatives.gather(kinds, objects, positions, lengths, part, size, offset, target,
                targetBlocking, result);
        if (bytes == TransferNatives.NOT_DIRECT) {
            return bytes;
        }
        moveTo((int) result[0], result[1]);
        shortRanges += (int) result[3];
        fileBytes[0] += result[4];
        int blocked = result[2] != 0 ? TransferNatives.BLOCKED_ON_TARGET : TransferNatives.BLOCKED_ON_NOTHING;
        return (bytes << 4) | ((long) blocked << 2) | (result[5] == 1 ? 1 : 0);
    }

    /** Through the target's own write and FileChannel.transferTo, for targets without a descriptor. */
    private long sendBuffered(WritableByteChannel target) throws IOException {
        boolean blocking = !(target instanceof SelectableChannel) || ((SelectableChannel) target).isBlocking();
        long sent = 0;
        try {
            while (part < size) {
                long left = lengths[part] - offset;
                long n;
                if (kinds[part] == FILE) {
                    FileChannel file = (FileChannel) objects[part];
                    n = file.transferTo(positions[part] + offset, left, target);
                    if (n == 0 && left > 0 && positions[part] + offset >= file.size()) {
                        shortRanges++; // the file ends before the range
                        moveTo(part + 1, 0);
                        continue;
                    }
                } else {
                    ByteBuffer view = kinds[part] == DIRECT ? ((ByteBuffer) objects[part]).duplicate()
                            : ByteBuffer.wrap((byte[]) objects[part]);
                    int start = (int) (positions[part] + offset);
                    view.limit(start + (int) left).position(start);
                    n = target.write(view);
                }
                sent += n;
                moveTo(offset + n == lengths[part] ? part + 1 : part, offset + n == lengths[part] ? 0 : offset + n);
                if (n == 0 && left > 0 && !blocking) {
                    break; // full: the next call resumes here
                }
            }
        } catch (ClosedChannelException e) {
            throw e;
        } catch (IOException e) {
            if (sent == 0) {
                throw e;
            }
        }
        return sent;
    }

    /** Moves the cursor to {@code newOffset} bytes into part {@code newPart}, advancing buffers. */
    private void moveTo(int newPart, long newOffset) {
        for (int i = part; i <= Math.min(newPart, size - 1); i++) {
            if (buffers[i] != null) {
                long done = i < newPart ? lengths[i] : newOffset;
                buffers[i].position(bufferStarts[i] + (int) done);
            }
        }
        part = newPart;
        offset = newOffset;
        skipEmptyParts();
    }

    private void skipEmptyParts() {
        while (part < size && offset >= lengths[part]) {
            part++;
            offset = 0;
        }
    }

    private FileChannel firstFile() {
        for (int i = part; i < size; i++) {
            if (kinds[i] == FILE) {
                return (FileChannel) objects[i];
            }
        }
        return null;
    }

    private int grow() {
        if (size == kinds.length) {
            int n = size * 2;
            kinds = Arrays.copyOf(kinds, n);
            objects = Arrays.copyOf(objects, n);
            buffers = Arrays.copyOf(buffers, n);
            positions = Arrays.copyOf(positions, n);
            lengths = Arrays.copyOf(lengths, n);
            bufferStarts = Arrays.copyOf(bufferStarts, n);
        }
        return size++;
    }
}
