package io.zerocopy.internal;

import io.zerocopy.MappedRegion;
import io.zerocopy.NativeIOException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 * zero-filled memory at the same addresses (the placeholder): buffers that still point there
 * read back only what stale writes put there, never the file, and the file is released now;
 * the addresses are given back after the last holder lets go (a running call when it returns,
 * a buffer when it is collected), by the next map in the process: the Cleaner thread only
 * queues them, as an munmap there contends with the application's maps for the mmap lock.
 * Closing while only the owner holds it unmaps at once.
 *
 * <p>Placeholders that wait for the collector cost address space only (and, under
 * {@code vm.overcommit_memory=2}, commit charge) and an entry of /proc/self/maps each where they
 * do not merge, which a quiet heap might never give back. So, as {@code Bits.reserveMemory}
 * does for direct memory, a close that leaves more than {@link #GC_THRESHOLD} bytes or
 * {@link #GC_COUNT} placeholders in the process, with as many placed since the last request,
 * calls {@link System#gc()}.
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

    /**
     * Bytes of placeholders beyond which a close asks for a collection: the system property
     * {@code io.zerocopy.mappedRegion.gcThreshold}, 1 TiB by default. Address space, not memory
     * (x86-64 gives a process 128 TiB): low enough that it cannot run out, high enough that
     * closing regions of 1 GiB does not collect at every close.
     */
    private static final long GC_THRESHOLD = Long.getLong("io.zerocopy.mappedRegion.gcThreshold", 1L << 40);
    /** Placeholders beyond which a close asks for a collection: a quarter of the default vm.max_map_count. */
    private static final int GC_COUNT = 16_384;
    /** Bytes and number of the placeholders in place in this process. */
    private static final AtomicLong PLACEHOLDER_BYTES = new AtomicLong();
    private static final AtomicInteger PLACEHOLDERS = new AtomicInteger();
    /** Bytes and number of the placeholders put in place since the last System.gc() that close asked for. */
    private static final AtomicLong PLACED_SINCE_GC = new AtomicLong();
    private static final AtomicInteger COUNTED_SINCE_GC = new AtomicInteger();

    /** Bytes per temporary view of {@link #load}. */
    private static final int LOAD_VIEW = 1 << 30;
    /** Pages that one fault maps when they are cached: the kernel's default fault_around_bytes. */
    private static final int FAULT_AROUND = 64 * 1024;
    /** Bytes of a large range that {@link #load} maps each way before it loads the rest the faster one. */
    private static final long PROBE = 16 << 20;
    /** Where the reads of {@link #load} go, so that the JIT keeps them. */
    private static volatile int touched;

    private final long handle;
    /** CLOSED bit | number of holders; starts with the owner's hold. */
    private final AtomicLong state = new AtomicLong(1);
    /** The owner's hold is released once, however often its Cleanable runs or is registered. */
    private final AtomicBoolean ownerReleased = new AtomicBoolean();
    /** Bytes of this region's placeholder, from its close until it is unmapped; else 0. */
    private volatile long placeholderBytes;

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
            handle = mapOnce(channel, mode, position, size);
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
            handle = mapOnce(channel, mode, position, size);
        }
        return new MappedMemory(handle);
    }

    /**
     * One native map, registered with the channel as the JDK's map is: a concurrent close waits
     * for it (the descriptor cannot become another file's meanwhile), an interrupt gives
     * ClosedByInterruptException. A channel of another class gets the native's exception.
     */
    private static long mapOnce(FileChannel channel, int mode, long position, long size) throws IOException {
        if (!JdkChannels.isDirect(channel)) {
            return MappedNatives.map(channel, mode, position, size);
        }
        return JdkChannels.runOnFile(channel, () -> MappedNatives.map(channel, mode, position, size));
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
     * it, the file mapping is replaced by a placeholder now. The owner's hold stays until its
     * Cleanable runs. Idempotent. If no placeholder can be mapped, the region is open again
     * (other threads may have found it closed meanwhile) and this throws.
     */
    public void close() throws IOException {
        if (markClosed() <= 1) {
            return;
        }
        long bytes;
        try {
            bytes = MappedNatives.close(handle);
        } catch (IOException | RuntimeException | Error e) {
            state.getAndUpdate(s -> s & ~CLOSED);
            throw e;
        }
        if (bytes == 0) {
            return;
        }
        placeholderBytes = bytes;
        long bytesSinceGc = PLACED_SINCE_GC.addAndGet(bytes);
        int countSinceGc = COUNTED_SINCE_GC.incrementAndGet();
        boolean tooMuch = PLACEHOLDER_BYTES.addAndGet(bytes) > GC_THRESHOLD && bytesSinceGc > GC_THRESHOLD;
        boolean tooMany = PLACEHOLDERS.incrementAndGet() > GC_COUNT && countSinceGc > GC_COUNT;
        if ((tooMuch || tooMany) && PLACED_SINCE_GC.compareAndSet(bytesSinceGc, 0)) {
            COUNTED_SINCE_GC.set(0);
            System.gc(); // the buffers' Cleaners then unmap the placeholders that nothing reaches
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
            if (placeholderBytes > 0) {
                PLACEHOLDER_BYTES.addAndGet(-placeholderBytes);
                PLACEHOLDERS.decrementAndGet();
            }
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

    /**
     * A hold for a view whose end the caller learns of (a MemorySegment's arena): run the
     * result once when the view is gone.
     *
     * @throws IllegalStateException if the region is closed
     */
    public Runnable newHold() {
        acquire();
        return this::release;
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

    /**
     * {@code MappedRegion.load(index, length)} under one hold: {@code MADV_WILLNEED}, then the
     * pages are mapped the faster of two ways. One read per 64 KiB, each fault mapping the
     * cached pages around it, then {@code mincore} and {@code MADV_POPULATE_READ} (or the remap)
     * for any page still missing; or the kernel's populate alone, which walks the range a page
     * table entry at a time: faster where the cache holds the file in large folios that map
     * whole (as readahead leaves it), several times slower where it holds small ones (a file
     * just written). Nothing cheap tells which, so a range of over twice {@link #PROBE} bytes
     * loads {@link #PROBE} bytes each way, from its middle, and the rest the faster one.
     */
    public void load(long index, long length) {
        holding(() -> {
            MappedNatives.advise(handle, MappedRegion.Advice.WILL_NEED.ordinal(), index, length);
            if (length <= 2 * PROBE) {
                readAndFill(index, length);
                return null;
            }
            // From the middle: readahead starts a file with small folios and grows them.
            long probe = index + length / 2 - PROBE;
            long start = System.nanoTime();
            if (!MappedNatives.populate(handle, probe, PROBE)) { // a kernel before 5.14
                readAndFill(index, length);
                return null;
            }
            long populated = System.nanoTime();
            readAndFill(probe + PROBE, PROBE);
            boolean populateIsFaster = populated - start < System.nanoTime() - populated;
            loadEitherWay(populateIsFaster, index, probe - index);
            loadEitherWay(populateIsFaster, probe + 2 * PROBE, index + length - (probe + 2 * PROBE));
            return null;
        });
    }

    private void loadEitherWay(boolean populate, long index, long length) throws IOException {
        if (populate) {
            MappedNatives.populate(handle, index, length);
        } else {
            readAndFill(index, length);
        }
    }

    /**
     * One read per 64 KiB of the range, then {@code MADV_POPULATE_READ} (or the remap) for what
     * {@code mincore} finds still missing. The reads go through views that only this call knows
     * and that hold nothing: the caller's hold keeps the addresses mapped while they read, so
     * they leave nothing for the collector.
     */
    private void readAndFill(long index, long length) throws IOException {
        try {
            touchEveryWindow(index, length);
        } catch (InternalError e) {
            // A page past the end of a truncated file: the kernel's populate says so with EFAULT.
            MappedNatives.loadMissing(handle, index, length);
            throw e;
        }
        MappedNatives.loadMissing(handle, index, length);
    }

    /** Reads one byte per fault-around window of the range, mapping the cached pages around each. */
    private void touchEveryWindow(long index, long length) {
        int sum = 0;
        for (long start = index; start < index + length; start += LOAD_VIEW) {
            int n = (int) Math.min(LOAD_VIEW, index + length - start);
            ByteBuffer view = MappedNatives.buffer(handle, start, n); // no Cleaner: see readAndFill
            for (int at = 0; at < n; at += FAULT_AROUND) {
                sum += view.get(at);
            }
        }
        touched = sum;
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
