package io.zerocopy.internal;

import io.zerocopy.IncompleteTransferException;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channel;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The JDK's own begin and end of a blocking operation on its channel classes, as their read and
 * write methods (and, since JDK 22, {@code FileChannel.transferTo}) call them. A native transfer
 * between these channels runs inside them, so that it behaves as the JDK's own I/O does:
 * <ul>
 *   <li>a {@code close()} in another thread signals the transferring thread, which ends the
 *       transfer with {@code AsynchronousCloseException}, and the descriptor's number is not
 *       given to another file until the transfer has returned, so no byte can reach a file or
 *       socket opened meanwhile;
 *   <li>{@code Thread.interrupt()} ends it with {@code ClosedByInterruptException}, both channels
 *       closed (also when one of them is not the JDK's and the transfer went through a buffer);
 *   <li>the target socket or pipe is locked for writing (the source for reading), so other
 *       writes do not interleave with a transfer;
 *   <li>a virtual thread (JDK 21+) never waits inside native code: its sockets and pipes are
 *       made non-blocking as the JDK makes them for its own I/O, each native call moves what the
 *       kernel takes at once, and between calls the thread parks on the JDK's poller, where a
 *       close, an interrupt or a shutdown wakes it, and where it does not hold its carrier.
 * </ul>
 * These are private methods of {@code java.base}, which the native library reaches through
 * method handles made once at load (a call from native code into Java costs far more than a
 * call from Java). A channel class whose hooks this JDK lacks is not direct: transfers through
 * it are buffered, through its public methods.
 *
 * <p>Callers must have called {@link NativeLibrary#ensureLoaded()} first.
 */
public final class JdkChannels {
    private JdkChannels() {}

    /**
     * One native call of a transfer: told whether the source and the target are to be waited
     * for inside the call, and how many bytes the transfer moved before it. Returns the natives'
     * packed result ({@link TransferNatives}).
     */
    @FunctionalInterface
    public interface Attempt {
        long run(boolean sourceBlocking, boolean targetBlocking, long done) throws IOException;
    }

    /** The copy through a buffer, with the channels' own methods; returns the bytes moved. */
    @FunctionalInterface
    public interface Fallback {
        long run() throws IOException;
    }

    /** A native call on one file channel. */
    @FunctionalInterface
    public interface FileCall {
        long run() throws IOException;
    }

    // poll(2)'s events, which SelChImpl.park takes (sun.nio.ch.Net.POLLIN and POLLOUT on Linux).
    private static final int POLLIN = 0x1;
    private static final int POLLOUT = 0x4;

    // The order of the natives' table in rust/jni/channels.rs (HOOKS).
    private static final MethodHandle[] HOOKS = hooks();

    private static final MethodHandle FILE_BEGIN = hook(0, void.class, Object.class);
    private static final MethodHandle FILE_END = hook(1, void.class, Object.class, boolean.class);
    private static final MethodHandle FILE_THREADS = hook(2, Object.class, Object.class);
    private static final MethodHandle THREADS_ADD = hook(3, int.class, Object.class);
    private static final MethodHandle THREADS_REMOVE = hook(4, void.class, Object.class, int.class);
    private static final MethodHandle SOCKET_READ_LOCK = hook(5, ReentrantLock.class, Object.class);
    private static final MethodHandle SOCKET_BEGIN_READ = hook(6, void.class, Object.class, boolean.class);
    private static final MethodHandle SOCKET_END_READ = hook(7, void.class, Object.class, boolean.class, boolean.class);
    private static final MethodHandle SOCKET_WRITE_LOCK = hook(8, ReentrantLock.class, Object.class);
    private static final MethodHandle SOCKET_BEGIN_WRITE = hook(9, void.class, Object.class, boolean.class);
    private static final MethodHandle SOCKET_END_WRITE = hook(10, void.class, Object.class, boolean.class, boolean.class);
    private static final MethodHandle SINK_WRITE_LOCK = hook(11, ReentrantLock.class, Object.class);
    private static final MethodHandle SINK_BEGIN_WRITE = hook(12, void.class, Object.class, boolean.class);
    private static final MethodHandle SINK_END_WRITE = hook(13, void.class, Object.class, boolean.class, boolean.class);
    private static final MethodHandle SOURCE_READ_LOCK = hook(14, ReentrantLock.class, Object.class);
    private static final MethodHandle SOURCE_BEGIN_READ = hook(15, void.class, Object.class, boolean.class);
    private static final MethodHandle SOURCE_END_READ = hook(16, void.class, Object.class, boolean.class, boolean.class);
    private static final MethodHandle PARK = hook(17, void.class, Object.class, int.class, long.class);
    private static final MethodHandle SOCKET_NON_BLOCKING = hook(18, void.class, Object.class);
    private static final MethodHandle SINK_NON_BLOCKING = hook(19, void.class, Object.class);
    private static final MethodHandle SOURCE_NON_BLOCKING = hook(20, void.class, Object.class);

    /** The JDK classes whose hooks were all found; null for the others. */
    private static final Class<?> FILE = owner(0, 5);
    private static final Class<?> SOCKET = owner(5, 11);
    private static final Class<?> SINK = owner(11, 14);
    private static final Class<?> SOURCE = owner(14, 17);

    /** Whether virtual threads can wait on the JDK's poller here (JDK 21+). */
    private static final boolean CAN_PARK = owner(17, 21) != null;
    /** {@code Thread.isVirtual()}, or null before JDK 21. */
    private static final MethodHandle IS_VIRTUAL = isVirtualHandle();

    /** The hooks, in the order above; null where this JDK lacks one. */
    private static native MethodHandle[] hooks();

    private static MethodHandle hook(int index, Class<?> returns, Class<?>... parameters) {
        MethodHandle handle = HOOKS[index];
        return handle == null ? null : handle.asType(MethodType.methodType(returns, parameters));
    }

    /** The class of hooks [from, to) if all of them exist (the first one's receiver), else null. */
    private static Class<?> owner(int from, int to) {
        for (int i = from; i < to; i++) {
            if (HOOKS[i] == null) {
                return null;
            }
        }
        return HOOKS[from].type().parameterType(0);
    }

    private static MethodHandle isVirtualHandle() {
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual",
                    MethodType.methodType(boolean.class));
        } catch (ReflectiveOperationException e) {
            return null; // JDK 17 to 20: no virtual threads
        }
    }

    /** Whether the calling thread is a virtual thread. */
    public static boolean onVirtualThread() {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(Thread.currentThread());
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static boolean is(Class<?> type, Object channel) {
        return type != null && type.isInstance(channel);
    }

    /** Whether a native transfer can use this channel: one of the JDK's classes, with its hooks. */
    public static boolean isDirect(Channel channel) {
        return is(FILE, channel) || isStream(channel);
    }

    /** Whether this is a direct socket or pipe end. */
    private static boolean isStream(Channel channel) {
        return is(SOCKET, channel) || is(SINK, channel) || is(SOURCE, channel);
    }

    /**
     * Runs a transfer of up to {@code count} bytes from {@code source} to {@code target}, with
     * {@code source} registered for reading and {@code target} for writing as the JDK registers
     * its own I/O. On a virtual thread that may wait for a socket or pipe, runs {@code attempt}
     * as often as it takes, parking between calls. If a channel is not direct, runs
     * {@code attempt} unregistered and told that nothing blocks, so that the natives only check
     * the arguments (and answer "not direct", touching no descriptor), then {@code fallback}.
     *
     * <p>An interrupt closes both channels, whichever way the bytes went.
     *
     * @return the packed result: bytes moved and path
     */
    public static long transfer(Channel source, Channel target, long count, Attempt attempt, Fallback fallback)
            throws IOException {
        try {
            long result = TransferNatives.NOT_DIRECT;
            if (!isDirect(source) || !isDirect(target)) {
                result = attempt.run(false, false, 0);
            } else if (!onVirtualThread() || !(isStream(source) || isStream(target))) {
                result = registered(source, target, attempt);
            } else if (CAN_PARK) {
                result = parking(source, target, count, attempt);
            }
            if (result == TransferNatives.NOT_DIRECT) {
                logBufferedOnce(source, target);
                return TransferNatives.pack(fallback.run(), BUFFERED);
            }
            return result;
        } catch (ClosedByInterruptException e) {
            // As FileChannel.transferTo specifies: an interrupt closes both channels.
            closeQuietly(source, e);
            closeQuietly(target, e);
            throw e;
        }
    }

    private static final System.Logger LOGGER = System.getLogger("io.zerocopy");
    /** The pairs of channel classes logged as buffered already: a few per application. */
    private static final Set<String> BUFFERED_PAIRS = ConcurrentHashMap.newKeySet();

    /** Says at DEBUG, once per pair of channel classes, why a transfer was not zero-copy. */
    private static void logBufferedOnce(Channel source, Channel target) {
        if (LOGGER.isLoggable(System.Logger.Level.DEBUG)) {
            String pair = source.getClass().getName() + " -> " + target.getClass().getName();
            if (BUFFERED_PAIRS.add(pair)) {
                LOGGER.log(System.Logger.Level.DEBUG, "zerocopy-jni: {0} is copied through a buffer: the kernel "
                        + "paths need descriptors of the JDK''s own channel classes, not a wrapper", pair);
            }
        }
    }

    /** The ordinal of TransferPath.BUFFERED. */
    private static final int BUFFERED = 3;

    /** One native call, inside the hooks, which may wait in the kernel (platform threads). */
    private static long registered(Channel source, Channel target, Attempt attempt) throws IOException {
        lock(source, false);
        try {
            lock(target, true);
            try {
                boolean sourceBlocking = blocks(source);
                boolean targetBlocking = blocks(target);
                return inHooks(source, sourceBlocking, target, targetBlocking,
                        () -> attempt.run(sourceBlocking, targetBlocking, 0));
            } finally {
                unlock(target, true);
            }
        } finally {
            unlock(source, false);
        }
    }

    /**
     * A virtual thread's transfer: native calls that never wait, and between them a park on the
     * JDK's poller for the end that would block, inside that channel's hooks, as the JDK's own
     * read and write do. The locks are held throughout, so nothing interleaves.
     */
    private static long parking(Channel source, Channel target, long count, Attempt attempt) throws IOException {
        long done = 0;
        int path = BUFFERED;
        lock(source, false);
        try {
            lock(target, true);
            try {
                // Registered as the channels are configured (so that a close is deferred until the
                // call has left, as for the JDK's own I/O), but no native call waits for a stream.
                boolean sourceWaits = blocks(source);
                boolean targetWaits = blocks(target);
                makeNonBlocking(source);
                makeNonBlocking(target);
                boolean sourceBlocking = !isStream(source);
                boolean targetBlocking = !isStream(target);
                while (true) {
                    long before = done;
                    long result;
                    try {
                        result = inHooks(source, sourceWaits, target, targetWaits,
                                () -> attempt.run(sourceBlocking, targetBlocking, before));
                    } catch (IncompleteTransferException e) {
                        throw before == 0 ? e : new IncompleteTransferException(before + e.bytesTransferred(),
                                e.bytesLost(), e.getCause());
                    } catch (ClosedChannelException e) {
                        throw e;
                    } catch (IOException e) {
                        if (before > 0) {
                            return TransferNatives.pack(before, path); // the error comes back next call
                        }
                        throw e;
                    }
                    if (result == TransferNatives.NOT_DIRECT) {
                        return result;
                    }
                    done += TransferNatives.bytes(result);
                    path = TransferNatives.path(result);
                    int blockedOn = TransferNatives.blockedOn(result);
                    boolean onSource = blockedOn == TransferNatives.BLOCKED_ON_SOURCE;
                    if (blockedOn == TransferNatives.BLOCKED_ON_NOTHING || done >= count
                            || !(onSource ? sourceWaits : targetWaits)) {
                        return TransferNatives.pack(done, path);
                    }
                    park(onSource ? source : target, !onSource, done > 0);
                    if (!source.isOpen() || !target.isOpen()) {
                        throw new AsynchronousCloseException(); // the other channel, closed meanwhile
                    }
                }
            } finally {
                unlock(target, true);
            }
        } catch (ClosedChannelException e) {
            // A channel closed while this thread parked or between calls: as with a blocked
            // JDK operation, the bytes moved, or else AsynchronousCloseException.
            if (e instanceof ClosedByInterruptException) {
                throw e;
            }
            if (done > 0) {
                return TransferNatives.pack(done, path);
            }
            if (e instanceof AsynchronousCloseException) {
                throw e;
            }
            AsynchronousCloseException closed = new AsynchronousCloseException();
            closed.initCause(e);
            throw closed;
        } finally {
            unlock(source, false);
        }
    }

    /**
     * Runs {@code call} on a file channel registered as the JDK registers its own
     * {@code FileChannel.map}: with the channel's thread set and its blocking hooks.
     */
    public static long runOnFile(Channel file, FileCall call) throws IOException {
        boolean completed = false;
        int token = begin(file, false, true);
        try {
            long result = call.run();
            completed = true;
            return result;
        } finally {
            end(file, false, token, completed);
        }
    }

    /** Runs {@code call} with both channels registered (their stream locks already held). */
    private static long inHooks(Channel source, boolean sourceBlocking, Channel target, boolean targetBlocking,
            FileCall call) throws IOException {
        boolean completed = false;
        int from = begin(source, false, sourceBlocking);
        try {
            int to = begin(target, true, targetBlocking);
            try {
                long result = call.run();
                // As the JDK's own I/O: a call that moved nothing while a channel was closed under
                // it (the JDK may turn a closed socket into one at end of stream) did not complete.
                completed = result == TransferNatives.NOT_DIRECT || TransferNatives.bytes(result) > 0
                        || (source.isOpen() && target.isOpen());
                return result;
            } finally {
                end(target, true, to, completed);
            }
        } finally {
            end(source, false, from, completed);
        }
    }

    /**
     * How long one park lasts before the transfer looks again: a close of the other channel (a
     * file, which has no poller registration to wake this thread) is seen within this time.
     */
    private static final long PARK_SLICE_NANOS = 50_000_000L;

    /**
     * Parks this (virtual) thread until {@code channel} is ready to read or write, or for
     * {@link #PARK_SLICE_NANOS} at most, inside its hooks as a blocking operation, so that a
     * close, a shutdown or an interrupt wakes it. {@code completed}: whether the transfer moved
     * bytes already (then a close is no error).
     */
    private static void park(Channel channel, boolean write, boolean completed) throws IOException {
        boolean parked = false;
        int token = begin(channel, write, true);
        try {
            if (channel.isOpen()) {
                PARK.invokeExact((Object) channel, write ? POLLOUT : POLLIN, PARK_SLICE_NANOS);
            }
            parked = true;
        } catch (Throwable t) {
            throw rethrown(t);
        } finally {
            end(channel, write, token, completed || parked);
        }
    }

    /** For a virtual thread: the JDK's own switch of a socket or pipe to non-blocking. */
    private static void makeNonBlocking(Channel channel) throws IOException {
        MethodHandle hook = is(SOCKET, channel) ? SOCKET_NON_BLOCKING
                : is(SINK, channel) ? SINK_NON_BLOCKING : is(SOURCE, channel) ? SOURCE_NON_BLOCKING : null;
        if (hook != null) {
            invoke(hook, channel);
        }
    }

    /** Whether a channel is in blocking mode (files always are); read under its stream lock. */
    private static boolean blocks(Channel channel) {
        return !isStream(channel) || ((SelectableChannel) channel).isBlocking();
    }

    /** Takes a socket's or pipe's lock for reading or writing; nothing for a file. */
    private static void lock(Channel channel, boolean write) throws IOException {
        if (isStream(channel)) {
            lockOf(channel, write).lock();
        }
    }

    private static void unlock(Channel channel, boolean write) throws IOException {
        if (isStream(channel)) {
            lockOf(channel, write).unlock();
        }
    }

    /**
     * Registers this thread with the channel. Returns the token for {@link #end}: for a file its
     * index in the channel's thread set, for a socket or pipe 1 if it blocks, else 0.
     */
    private static int begin(Channel channel, boolean write, boolean blocking) throws IOException {
        if (is(FILE, channel)) {
            return beginFile(channel);
        }
        boolean begun = false;
        try {
            invoke(beginHook(channel, write), channel, blocking);
            begun = true;
            return blocking ? 1 : 0;
        } finally {
            if (!begun) {
                invoke(endHook(channel, write), channel, blocking, false); // as the JDK's finally does
            }
        }
    }

    private static int beginFile(Channel channel) throws IOException {
        invoke(FILE_BEGIN, channel);
        boolean registered = false;
        try {
            Object threads = call(FILE_THREADS, channel);
            int index = addThread(threads);
            if (channel.isOpen()) {
                registered = true;
                return index;
            }
            removeThread(threads, index);
            throw new ClosedChannelException();
        } finally {
            if (!registered) {
                invoke(FILE_END, channel, false); // ClosedByInterruptException when that is why
            }
        }
    }

    private static void end(Channel channel, boolean write, int token, boolean completed) throws IOException {
        if (is(FILE, channel)) {
            try {
                removeThread(call(FILE_THREADS, channel), token);
            } finally {
                invoke(FILE_END, channel, completed);
            }
            return;
        }
        invoke(endHook(channel, write), channel, token != 0, completed);
    }

    private static ReentrantLock lockOf(Channel channel, boolean write) throws IOException {
        MethodHandle getter = is(SOCKET, channel) ? (write ? SOCKET_WRITE_LOCK : SOCKET_READ_LOCK)
                : write ? SINK_WRITE_LOCK : SOURCE_READ_LOCK;
        try {
            return (ReentrantLock) getter.invokeExact((Object) channel);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    private static MethodHandle beginHook(Channel channel, boolean write) {
        return is(SOCKET, channel) ? (write ? SOCKET_BEGIN_WRITE : SOCKET_BEGIN_READ)
                : write ? SINK_BEGIN_WRITE : SOURCE_BEGIN_READ;
    }

    private static MethodHandle endHook(Channel channel, boolean write) {
        return is(SOCKET, channel) ? (write ? SOCKET_END_WRITE : SOCKET_END_READ)
                : write ? SINK_END_WRITE : SOURCE_END_READ;
    }

    private static void invoke(MethodHandle hook, Object channel) throws IOException {
        try {
            hook.invokeExact(channel);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    private static void invoke(MethodHandle hook, Object channel, boolean flag) throws IOException {
        try {
            hook.invokeExact(channel, flag);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    private static void invoke(MethodHandle hook, Object channel, boolean first, boolean second)
            throws IOException {
        try {
            hook.invokeExact(channel, first, second);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    private static Object call(MethodHandle getter, Object channel) throws IOException {
        try {
            return (Object) getter.invokeExact(channel);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    private static int addThread(Object threads) throws IOException {
        try {
            return (int) THREADS_ADD.invokeExact(threads);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    private static void removeThread(Object threads, int index) throws IOException {
        try {
            THREADS_REMOVE.invokeExact(threads, index);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    /** The hooks throw only IOExceptions (the channel exceptions) and unchecked ones. */
    private static IOException rethrown(Throwable t) {
        if (t instanceof IOException) {
            return (IOException) t;
        }
        if (t instanceof RuntimeException) {
            throw (RuntimeException) t;
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        throw new IllegalStateException("a JDK channel hook failed", t);
    }

    private static void closeQuietly(Channel channel, IOException cause) {
        try {
            channel.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
