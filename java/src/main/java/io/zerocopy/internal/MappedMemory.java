package io.zerocopy.internal;

import io.zerocopy.NativeIOException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The native side of one {@code MappedRegion}, and a count of who can still reach it.
 *
 * <p>Holders are: the region's owner (released by {@code close()}, or by a Cleaner if the
 * owner becomes unreachable first); each root ByteBuffer made by JNI (released by a Cleaner
 * when the buffer is unreachable; slices, duplicates and read-only views of a root keep it
 * reachable through their attachment); and each native call while it runs. When the count
 * drops to zero, the native region is unmapped and freed, exactly once. After {@link #close()}
 * nothing can become a holder, so the count only falls.
 *
 * <p>Closing while anything but the owner holds the region replaces the file mapping with
 * zero-filled private memory at the same addresses: buffers that still point there read
 * zeros and write nowhere, and the file is released now; the addresses are given back when
 * the last buffer is collected. Closing while only the owner holds it unmaps at once.
 */
public final class MappedMemory {
    public static final int READ_ONLY = 0;
    public static final int READ_WRITE = 1;
    public static final int PRIVATE = 2;

    private static final long CLOSED = 1L << 62;
    private static final long COUNT = CLOSED - 1;
    private static final int ENOMEM = 12;

    /** One thread for all regions and buffers; its actions only count down. */
    private static final Cleaner CLEANER = Cleaner.create();

    private final long handle;
    /** CLOSED bit | number of holders; starts with the owner's hold. */
    private final AtomicLong state = new AtomicLong(1);
    /** The owner's hold is released once, however often its Cleanable runs or is registered. */
    private final AtomicBoolean ownerReleased = new AtomicBoolean();

    private MappedMemory(long handle) {
        this.handle = handle;
    }

    /**
     * Maps like {@code FileChannel.map} after its argument checks (the native side makes the
     * channel checks). On ENOMEM, as the JDK does, collects garbage (unreachable views may
     * hold address space), waits 100 ms and tries once more.
     */
    public static MappedMemory map(FileChannel channel, int mode, long position, long size) throws IOException {
        long handle;
        try {
            handle = MappedNatives.map(channel, mode, position, size);
        } catch (NativeIOException e) {
            if (e.errno() != ENOMEM) {
                throw e;
            }
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
            }
            handle = MappedNatives.map(channel, mode, position, size);
        }
        return new MappedMemory(handle);
    }

    /**
     * Registers the owner: when it becomes unreachable without {@link #close()}, its hold is
     * released. {@code clean()} on the result releases it explicitly, once.
     */
    public Cleaner.Cleanable registerOwner(Object owner) {
        return CLEANER.register(owner, this::releaseOwner);
    }

    public boolean isOpen() {
        return (state.get() & CLOSED) == 0;
    }

    /**
     * Closes: from now on nothing new can hold the region. If buffers or running calls hold
     * it, the file mapping is replaced now. The owner's hold stays until its Cleanable runs.
     * Idempotent.
     */
    public void close() throws IOException {
        if (markClosed() > 1) {
            MappedNatives.close(handle);
        }
    }

    /** Sets CLOSED; returns the number of holders at that moment, or -1 if it was set. */
    private long markClosed() {
        for (;;) {
            long s = state.get();
            if ((s & CLOSED) != 0) {
                return -1;
            }
            if (state.compareAndSet(s, s | CLOSED)) {
                return s & COUNT;
            }
        }
    }

    private void releaseOwner() {
        if (ownerReleased.compareAndSet(false, true)) {
            markClosed();
            release();
        }
    }

    private void acquire() {
        for (;;) {
            long s = state.get();
            if ((s & CLOSED) != 0) {
                throw new IllegalStateException("MappedRegion is closed");
            }
            if (state.compareAndSet(s, s + 1)) {
                return;
            }
        }
    }

    private void release() {
        if ((state.decrementAndGet() & COUNT) == 0) {
            MappedNatives.free(handle);
        }
    }

    /** A new root buffer (big-endian) over the region's bytes; it holds the region until collected. */
    public ByteBuffer newBuffer(long index, int length) {
        acquire();
        try {
            ByteBuffer root = MappedNatives.buffer(handle, index, length);
            CLEANER.register(root, this::release);
            return root;
        } catch (RuntimeException | Error e) {
            release();
            throw e;
        }
    }

    /** A native call on the region; its IOException becomes an UncheckedIOException, as for MappedByteBuffer. */
    private interface NativeCall<T> {
        T call() throws IOException;
    }

    /** Runs {@code call} holding the region, so that a concurrent close cannot free it meanwhile. */
    private <T> T holding(NativeCall<T> call) {
        acquire();
        try {
            return call.call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            release();
        }
    }

    public void force(long index, long length) {
        holding(() -> {
            MappedNatives.force(handle, index, length);
            return null;
        });
    }

    public void loadMissing(long index, long length) {
        holding(() -> {
            MappedNatives.loadMissing(handle, index, length);
            return null;
        });
    }

    public boolean isLoaded(long index, long length) {
        return holding(() -> MappedNatives.isLoaded(handle, index, length));
    }

    public long residentBytes(long index, long length) {
        return holding(() -> MappedNatives.residentBytes(handle, index, length));
    }

    public void advise(int advice, long index, long length) {
        holding(() -> {
            MappedNatives.advise(handle, advice, index, length);
            return null;
        });
    }

    public void lock() {
        holding(() -> {
            MappedNatives.lock(handle);
            return null;
        });
    }

    public void unlock() {
        holding(() -> {
            MappedNatives.unlock(handle);
            return null;
        });
    }
}
