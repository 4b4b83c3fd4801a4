package io.zerocopy;

import io.zerocopy.internal.BufferedTransfer;
import io.zerocopy.internal.Events;
import io.zerocopy.internal.JdkChannels;
import io.zerocopy.internal.JdkFallback;
import io.zerocopy.internal.NativeLibrary;
import io.zerocopy.internal.TransferNatives;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * Zero-copy transfers between files, sockets and pipes: drop-in replacements for
 * {@link FileChannel#transferTo} and {@link FileChannel#transferFrom}, and more.
 *
 * <p>{@link #transferTo(FileChannel, long, long, WritableByteChannel)} and
 * {@link #transferFrom(ReadableByteChannel, FileChannel, long, long)} keep the contract of
 * the running JDK's {@code FileChannel} methods (positions, return values, exceptions, from
 * JDK 17 on), and improve on them where the JDK is weakest:
 * <ul>
 *   <li>a blocking target (or source) is served until {@code count} bytes or end of file in one
 *       call: no cap of 2 GiB (0x7ffff000 bytes) per call;
 *   <li>a source file truncated during a transfer ends the call with the bytes moved so far;
 *   <li>socket or pipe data reaches a file through {@code splice(2)}, never through a buffer in
 *       user space (the JDK copies it through an 8 KiB heap buffer);
 *   <li>file to file uses {@code copy_file_range(2)}, which reflinks on XFS and btrfs;
 *   <li>{@link #statistics()} tells which path each call took.
 * </ul>
 * Channels without a descriptor of the JDK's own classes (a {@code Channels.newChannel}
 * wrapper, a TLS layer, a user's channel) are served through a reused direct buffer and
 * counted as {@link TransferPath#BUFFERED}; nothing is "unsupported".
 *
 * <p>Where JDKs differ, this follows the one it runs on: {@code transferFrom} at a position
 * past the end of the file transfers nothing on JDK 17 and grows the file on JDK 21 and later;
 * a source file that reports size 0 ({@code /proc}, devices) gives nothing on JDK 17 and is
 * read on JDK 21 and later.
 *
 * <p>Each call is a JFR event, {@code io.zerocopy.Transfer} (operation, path, bytes, kinds of
 * source and target), recorded for calls of at least 20 ms unless a recording sets another
 * threshold; mapping and closing a {@link MappedRegion} are {@code io.zerocopy.Mapping} events.
 *
 * <p>Between the JDK's own channel classes a transfer runs inside their hooks for blocking I/O,
 * as the JDK's own reads, writes and (since JDK 22) transfers do: a {@code close()} in another
 * thread wakes a blocked transfer, an interrupt ends it with
 * {@link java.nio.channels.ClosedByInterruptException}, and a closed channel's descriptor
 * number is not reused by another file until the transfer has returned. The target socket or
 * pipe is locked for writing meanwhile (the source for reading), so concurrent writes do not
 * interleave with it.
 *
 * <p>Writing into a socket or pipe whose reader is gone raises no SIGPIPE: a thread that
 * transfers into a stream has SIGPIPE blocked from then on, and a broken pipe is an
 * {@code IOException("Broken pipe")}.
 */
public final class ZeroCopy {
    private ZeroCopy() {}

    private static final class ProbedOnce {
        static final Capabilities CAPABILITIES = Capabilities.probe();
    }

    private static final TransferPath[] PATHS = TransferPath.values();
    private static final LongAdder[] CALLS = adders();
    private static final LongAdder[] BYTES = adders();

    private static LongAdder[] adders() {
        LongAdder[] adders = new LongAdder[PATHS.length];
        for (int i = 0; i < adders.length; i++) {
            adders[i] = new LongAdder();
        }
        return adders;
    }

    /**
     * Whether the native library is loaded (loading it at the first call). Where it cannot load
     * (another OS or architecture, a work dir where nothing may be executed), the transfers
     * fall back to the JDK's own {@code FileChannel} methods, with the same contract, counted as
     * {@link TransferPath#JDK}; {@link MappedRegion} and {@link #capabilities()} throw. With
     * {@code -Dzerocopy.requireNative=true} every call throws the load failure instead.
     * @return whether the native library is loaded (loading it at the first call)
     */
    public static boolean isAvailable() {
        return NativeLibrary.tryLoad();
    }

    /** {@return why the native library could not load, or null if it is available} */
    public static Throwable unavailabilityCause() {
        return NativeLibrary.tryLoad() ? null : NativeLibrary.failure();
    }

    /**
     * What this kernel offers, probed once when the native library loads.
     *
     * @throws UnsatisfiedLinkError if the native library cannot be loaded; the message says
     *     what was tried and why each attempt failed
     * @return what this kernel offers, probed once when the native library loads
     */
    public static Capabilities capabilities() {
        NativeLibrary.ensureLoaded();
        return ProbedOnce.CAPABILITIES;
    }

    /**
     * Transfers up to {@code count} bytes of {@code source}'s file from {@code position} to
     * {@code target}, as {@link FileChannel#transferTo(long, long, WritableByteChannel)} does:
     * {@code source}'s position is unchanged; a {@code FileChannel} target is written at its
     * position, which advances. A non-blocking target takes what fits, possibly nothing.
     *
     * <p>Paths: {@code sendfile} to sockets, {@code splice} to pipes, {@code copy_file_range} to
     * files (then {@code sendfile}, then a buffer, where the kernel refuses). Files opened in
     * append mode take the buffered path: the kernel accepts only {@code write(2)} for them.
     *
     * @return the number of bytes transferred, possibly zero
     * @throws IllegalArgumentException if {@code position} or {@code count} is negative
     * @throws java.nio.channels.NonReadableChannelException if {@code source} is not open for reading
     * @throws java.nio.channels.NonWritableChannelException if a file target is not open for writing
     * @throws ClosedChannelException if either channel is closed
     * @throws java.nio.channels.AsynchronousCloseException if another thread closes a channel
     *     before any byte moved (after some bytes moved, the call returns them, as the JDK's does)
     * @throws java.nio.channels.ClosedByInterruptException if this thread is interrupted; both
     *     channels are then closed and the interrupt status stays set
     * @throws IOException if the transfer fails; {@link NativeIOException} names the system call
     * @param source the channel to read from
     * @param position position in the file, in bytes
     * @param count the most bytes to transfer
     * @param target the channel to write to
     */
    public static long transferTo(FileChannel source, long position, long count, WritableByteChannel target)
            throws IOException {
        if (NativeLibrary.fallsBack()) {
            return count(TransferPath.JDK, JdkFallback.transferTo(source, position, count, target));
        }
        ensureOpen(source, target);
        Object event = Events.beginTransfer();
        return count(JdkChannels.transfer(source, target, count,
                (sourceBlocking, targetBlocking, done) -> TransferNatives.transferTo(source, position + done,
                        count - done, target, targetBlocking, TransferNatives.JDK),
                () -> BufferedTransfer.transferTo(source, position, count, target)), event, "transferTo", source, target);
    }

    /**
     * Sends the remaining bytes of {@code header} and then up to {@code count} bytes of
     * {@code source}'s file from {@code position} to {@code target}, as one response (an HTTP
     * reply, a broker's fetch response). On a TCP socket the header is sent with
     * {@code MSG_MORE}, so it leaves in the same packets as the start of the file instead of
     * alone.
     *
     * <p>The header's position advances by the header bytes sent. No file byte is sent before
     * the whole header: a non-blocking target that fills up during the header gets part of it
     * and none of the file. Otherwise as
     * {@link #transferTo(FileChannel, long, long, WritableByteChannel)}. With a non-blocking
     * target, continue where it stopped:
     *
     * <pre>{@code
     * long fileSent = 0;
     * while (header.hasRemaining() || fileSent < length) {   // on each OP_WRITE
     *     int before = header.remaining();
     *     long n = ZeroCopy.transferTo(header, file, position + fileSent, length - fileSent, socket);
     *     fileSent += n - (before - header.remaining());     // what was not header was file
     *     if (n == 0) break;                                  // full: wait for OP_WRITE
     * }
     * }</pre>
     *
     * @param header bytes to send before the file: from its position to its limit
     * @param source the file to send
     * @param position position in the file, in bytes
     * @param count the most file bytes to send
     * @param target the channel to write to
     * @return header bytes plus file bytes transferred
     * @throws IOException as {@link #transferTo(FileChannel, long, long, WritableByteChannel)}
     */
    public static long transferTo(ByteBuffer header, FileChannel source, long position, long count,
            WritableByteChannel target) throws IOException {
        Objects.requireNonNull(header, "header");
        if (NativeLibrary.fallsBack()) {
            return count(TransferPath.JDK, JdkFallback.transferTo(header, source, position, count, target));
        }
        ensureOpen(source, target);
        int offset = header.position();
        int length = header.remaining();
        ByteBuffer direct = header.isDirect() ? header : null;
        byte[] heap = direct != null ? null : header.hasArray() ? header.array() : copy(header);
        int headerOffset = heap == null ? offset : header.hasArray() ? header.arrayOffset() + offset : 0;
        long total = count > Long.MAX_VALUE - length ? Long.MAX_VALUE : count + length;
        Object event = Events.beginTransfer();
        long result = JdkChannels.transfer(source, target, total, (sourceBlocking, targetBlocking, done) -> done < length
                ? TransferNatives.transferToWithHeader(direct, heap, headerOffset + (int) done, length - (int) done,
                        source, position, count, target, targetBlocking, TransferNatives.JDK)
                : TransferNatives.transferTo(source, position + (done - length), count - (done - length), target,
                        targetBlocking, TransferNatives.JDK),
                () -> {
                    int sent = BufferedTransfer.writeHeader(header, target);
                    return sent + (sent < length ? 0 : BufferedTransfer.transferTo(source, position, count, target));
                });
        long moved = TransferNatives.bytes(result);
        int headerSent = (int) Math.min(moved, length);
        header.position(offset + headerSent);
        // The path's statistics count file bytes: the header went through send(2), not the path.
        record(PATHS[TransferNatives.path(result)], moved - headerSent, event, "transferTo with header", source,
                target);
        return moved;
    }

    /**
     * Transfers up to {@code count} bytes from {@code source} into {@code target}'s file at
     * {@code position}, as {@link FileChannel#transferFrom(ReadableByteChannel, long, long)} of
     * the running JDK does: {@code target}'s position is unchanged; a {@code FileChannel} source
     * is read from its position, which advances; a position past the end of the file transfers
     * nothing on JDK 17, and writes there, growing the file, on JDK 21 and later. A blocking
     * source is read until {@code count} bytes or end of stream; a non-blocking one until it has
     * nothing more.
     *
     * <p>Paths: sockets and pipes through {@code splice} (sockets via a pipe kept per thread,
     * see {@link #releaseThreadResources()}), files through {@code copy_file_range}. Bytes read
     * from a stream are never dropped silently: if they cannot be written (a full disk), the
     * call throws an {@link IncompleteTransferException} that counts the bytes written and lost,
     * even after earlier bytes succeeded. A file source is never advanced past what was written.
     *
     * @return the number of bytes transferred, possibly zero
     * @throws IllegalArgumentException if {@code position} or {@code count} is negative
     * @throws java.nio.channels.NonReadableChannelException if a file source is not open for reading
     * @throws java.nio.channels.NonWritableChannelException if {@code target} is not open for writing
     * @throws ClosedChannelException if either channel is closed
     * @throws java.nio.channels.AsynchronousCloseException if another thread closes a channel
     *     before any byte moved (after some bytes moved, the call returns them, as the JDK's does)
     * @throws java.nio.channels.ClosedByInterruptException if this thread is interrupted; both
     *     channels are then closed and the interrupt status stays set
     * @throws IOException if the transfer fails; {@link NativeIOException} names the system call
     * @param source the channel to read from
     * @param target the channel to write to
     * @param position position in the file, in bytes
     * @param count the most bytes to transfer
     */
    public static long transferFrom(ReadableByteChannel source, FileChannel target, long position, long count)
            throws IOException {
        if (NativeLibrary.fallsBack()) {
            return count(TransferPath.JDK, JdkFallback.transferFrom(source, target, position, count));
        }
        ensureOpen(target, source);
        Object event = Events.beginTransfer();
        return count(JdkChannels.transfer(source, target, count,
                (sourceBlocking, targetBlocking, done) -> TransferNatives.transferFrom(source, sourceBlocking, target,
                        position + done, count - done, TransferNatives.JDK),
                () -> BufferedTransfer.transferFrom(source, target, position, count)), event, "transferFrom", source,
                target);
    }

    /**
     * Moves up to {@code count} bytes from a socket or pipe to a socket or pipe, inside the
     * kernel with {@code splice}: the inner loop of a proxy.
     *
     * <p>A blocking source is read until {@code count} bytes or end of stream; a non-blocking
     * source until it has nothing more. Bytes taken from the source are always delivered before
     * the call returns: between two sockets they pass through a pipe kept per thread, and a
     * non-blocking target that fills up is waited for until that pipe is empty again (at most
     * one pipe's worth, 1 MiB by default). Closing the source ends the call once they are
     * delivered; closing the target loses them, which throws. Other channels are copied
     * through a buffer, counted as {@link TransferPath#BUFFERED}.
     *
     * @return the number of bytes moved; 0 at end of stream
     * @throws IllegalArgumentException if {@code count} is negative
     * @throws ClosedChannelException if either channel is closed
     * @throws java.nio.channels.AsynchronousCloseException if another thread closes a channel
     *     before any byte moved (after some bytes moved, the call returns them, as the JDK's does)
     * @throws java.nio.channels.ClosedByInterruptException if this thread is interrupted; both
     *     channels are then closed and the interrupt status stays set
     * @param source the channel to read from
     * @param target the channel to write to
     * @param count the most bytes to transfer
     */
    public static long relay(ReadableByteChannel source, WritableByteChannel target, long count) throws IOException {
        if (NativeLibrary.fallsBack()) {
            return count(TransferPath.JDK, JdkFallback.relay(source, target, count));
        }
        ensureOpen(source, target);
        Object event = Events.beginTransfer();
        return count(JdkChannels.transfer(source, target, count,
                (sourceBlocking, targetBlocking, done) -> TransferNatives.relay(source, sourceBlocking, target,
                        targetBlocking, count - done),
                () -> BufferedTransfer.relay(source, target, count)), event, "relay", source, target);
    }

    /**
     * Calls and bytes per path since the library was loaded. A call is counted when it returns,
     * so a peer may have the bytes a moment before the counters show them.
     * @return calls and bytes per path since the library was loaded
     */
    public static TransferStatistics statistics() {
        long[] calls = new long[PATHS.length];
        long[] bytes = new long[PATHS.length];
        for (int i = 0; i < PATHS.length; i++) {
            calls[i] = CALLS[i].sum();
            bytes[i] = BYTES[i].sum();
        }
        return new TransferStatistics(calls, bytes);
    }

    /**
     * Closes the pipe that the calling thread keeps for socket transfers ({@code transferFrom}
     * from a socket, {@code relay} between sockets). Pipes close by themselves when their
     * thread ends; call this in pooled threads that will not transfer again, to give back the
     * two descriptors and the pipe's memory at once.
     */
    public static void releaseThreadResources() {
        if (NativeLibrary.tryLoad()) {
            TransferNatives.releaseThreadPipe();
        }
    }

    private static byte[] copy(ByteBuffer header) {
        byte[] bytes = new byte[header.remaining()];
        header.duplicate().get(bytes);
        return bytes;
    }

    private static void ensureOpen(Channel first, Channel second) throws ClosedChannelException {
        if (!first.isOpen() || !second.isOpen()) {
            throw new ClosedChannelException();
        }
    }

    /** Counts a finished call in the statistics and, if a recording asks, as a JFR event. */
    private static long count(long packed, Object event, String operation, Channel source, Channel target) {
        long bytes = TransferNatives.bytes(packed);
        record(PATHS[TransferNatives.path(packed)], bytes, event, operation, source, target);
        return bytes;
    }

    static void record(TransferPath path, long bytes, Object event, String operation, Channel source,
            Channel target) {
        count(path, bytes);
        Events.transfer(event, operation, path.name(), bytes, source, target);
    }

    static long count(TransferPath path, long bytes) {
        CALLS[path.ordinal()].increment();
        BYTES[path.ordinal()].add(bytes);
        return bytes;
    }
}
