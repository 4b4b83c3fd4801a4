package io.zerocopy.internal;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.nio.channels.Channel;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
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
 *       closed;
 *   <li>the target socket or pipe is locked for writing (the source for reading), so other
 *       writes do not interleave with a transfer.
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

    /** Runs a native transfer, given whether the source and the target block. */
    @FunctionalInterface
    public interface Transfer {
        long run(boolean sourceBlocking, boolean targetBlocking) throws IOException;
    }

    /** A native call on one file channel. */
    @FunctionalInterface
    public interface FileCall {
        long run() throws IOException;
    }

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

    /** The JDK classes whose hooks were all found; null for the others. */
    private static final Class<?> FILE = owner(0, 5);
    private static final Class<?> SOCKET = owner(5, 11);
    private static final Class<?> SINK = owner(11, 14);
    private static final Class<?> SOURCE = owner(14, 17);

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
     * Runs {@code transfer} with {@code source} registered for reading and {@code target} for
     * writing, as the JDK registers its own I/O. If either is not {@linkplain #isDirect direct},
     * runs it unregistered, told that neither blocks: the natives then only check their
     * arguments and answer "not direct", touching no descriptor.
     */
    public static long run(Channel source, Channel target, Transfer transfer) throws IOException {
        if (!isDirect(source) || !isDirect(target)) {
            return transfer.run(false, false);
        }
        boolean completed = false;
        try {
            int from = begin(source, false);
            try {
                int to = begin(target, true);
                try {
                    long result = transfer.run(blocks(source, from), blocks(target, to));
                    completed = true;
                    return result;
                } finally {
                    end(target, true, to, completed);
                }
            } finally {
                end(source, false, from, completed);
            }
        } catch (ClosedByInterruptException e) {
            // As FileChannel.transferTo specifies: an interrupt closes both channels.
            closeQuietly(source, e);
            closeQuietly(target, e);
            throw e;
        }
    }

    /**
     * Runs {@code call} with {@code file} (a {@linkplain #isDirect direct} file channel)
     * registered, as the JDK registers its own {@code FileChannel.map}.
     */
    public static long runOnFile(Channel file, FileCall call) throws IOException {
        boolean completed = false;
        int token = beginFile(file);
        try {
            long result = call.run();
            completed = true;
            return result;
        } finally {
            end(file, false, token, completed);
        }
    }

    /**
     * Registers this thread with the channel. Returns the token for {@link #end}: for a file its
     * index in the channel's thread set, for a socket or pipe 1 if it blocks, else 0.
     */
    private static int begin(Channel channel, boolean write) throws IOException {
        if (is(FILE, channel)) {
            return beginFile(channel);
        }
        ReentrantLock lock = lock(channel, write);
        lock.lock();
        boolean blocking = ((SelectableChannel) channel).isBlocking(); // changes only under both locks
        boolean begun = false;
        try {
            invoke(beginHook(channel, write), channel, blocking);
            begun = true;
            return blocking ? 1 : 0;
        } finally {
            if (!begun) {
                try {
                    invoke(endHook(channel, write), channel, blocking, false); // as the JDK's finally does
                } finally {
                    lock.unlock();
                }
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
        try {
            invoke(endHook(channel, write), channel, token != 0, completed);
        } finally {
            lock(channel, write).unlock();
        }
    }

    private static boolean blocks(Channel channel, int token) {
        return is(FILE, channel) || token != 0;
    }

    private static ReentrantLock lock(Channel channel, boolean write) throws IOException {
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
