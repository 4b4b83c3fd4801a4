package io.zerocopy;

import io.zerocopy.internal.Events;
import io.zerocopy.internal.MappedMemory;
import io.zerocopy.internal.NativeLibrary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.Objects;

/**
 * A memory-mapped region of a file: what {@link java.nio.MappedByteBuffer} should have been.
 * Any position, any size (also above 2 GiB), exact residency queries, {@code madvise},
 * {@code mlock}, and a {@link #close()} that releases the file at once and can never crash
 * the JVM.
 *
 * <pre>{@code
 * try (FileChannel ch = FileChannel.open(path, READ, WRITE);
 *      MappedRegion region = MappedRegion.map(ch, FileChannel.MapMode.READ_WRITE, 100, 8L << 30)) {
 *     region.putLong(5L << 30, 42L);
 *     region.force();
 * }
 * }</pre>
 *
 * <p><b>Access.</b> {@code get}/{@code put} read and write the bytes; {@code getLong} and
 * {@code putLong} use the native byte order. {@link #slice} and {@link #asByteBuffer} return
 * direct buffers over the region that, like every new ByteBuffer, are big-endian; those of a
 * READ_ONLY region are read-only. Indexes outside the region throw
 * {@link IndexOutOfBoundsException}; writes to a READ_ONLY region throw
 * {@link ReadOnlyBufferException}.
 *
 * <p><b>Close.</b> {@link #close()} releases the file mapping and its memory now, not at
 * garbage collection; afterwards every method but {@link #isOpen()} and {@link #close()}
 * throws {@link IllegalStateException}. A thread that does not synchronize with the closing one
 * (a loop running while another thread closes) may go on with the region's buffers as stale
 * buffers do, reading the placeholder below; it is never stopped by a fault. Buffers obtained from
 * {@link #slice} or {@link #asByteBuffer} before close stay usable without harm: the file
 * mapping is replaced, in one step, by zero-filled memory at the same addresses (the
 * placeholder), so they read zeros, or what stale writes put there since; never the file, and
 * their writes never reach it.
 *
 * <p><b>When the address range is given back.</b> A region on which only {@link #load},
 * {@link #isLoaded}, {@link #residentBytes}, {@link #advise}, {@link #force}, {@link #lock}
 * and {@link #unlock} were called is unmapped completely by {@link #close()}, or, if another
 * thread is inside one of those calls, when the last of them returns. {@code get}, {@code put},
 * {@code getInt}, {@code putInt}, {@code getLong}, {@code putLong}, {@link #slice} and {@link #asByteBuffer} make direct
 * buffers over the region; once any was made, the placeholder stays until they are garbage
 * collected, and its addresses are given back by the next map in the process. A close that
 * leaves more than 1 TiB of such placeholders in the process (system property
 * {@code io.zerocopy.mappedRegion.gcThreshold}, in bytes), or more than 16,384 of them, with as
 * many closed since its last request, calls {@link System#gc()} (as the JDK does when direct
 * memory runs out; a no-op under {@code -XX:+DisableExplicitGC}), so that address space does not run out on a
 * quiet heap. A region that is never closed is unmapped when it and all its buffers are
 * unreachable.
 *
 * <p><b>Truncation.</b> If another process truncates the file below the region, reads and
 * writes of the missing pages, through this class or its buffers, throw the JVM's own
 * {@link InternalError} (as with MappedByteBuffer); {@link #load}, {@link #isLoaded},
 * {@link #residentBytes}, {@link #force} and {@link #close} return or throw, and the JVM lives
 * on. No native code of this library ever reads or writes mapped memory.
 *
 * <p><b>Differences from MappedByteBuffer.</b> The position need not be page-aligned and the
 * size may exceed {@code Integer.MAX_VALUE}; {@code close()} unmaps deterministically;
 * {@link #load()} reads one byte per 64 KiB instead of one per page and has the kernel populate
 * the rest; {@link #isLoaded(long, long)} and {@link #residentBytes} work on any
 * range; {@link #advise}, {@link #lock()} and {@link #unlock()} exist. A region has no
 * position or limit: all access is absolute. Failures of the native calls are
 * {@link UncheckedIOException}s around a {@link NativeIOException} with errno and the system
 * call's name.
 *
 * <p><b>MemorySegment (JDK 22 and later).</b> The jar is a multi-release jar: on JDK 22+ this
 * class also has {@code public MemorySegment asSegment()}, the whole region as one segment
 * (64-bit offsets, any thread, read-only for a READ_ONLY region) whose lifetime follows the
 * region's rules above: close releases the file at once without a handshake of the threads
 * that use it, and the segment then reads the placeholder and never faults. It calls the
 * restricted {@code MemorySegment.reinterpret}, so the JDK warns once unless native access is
 * enabled for the library ({@code --enable-native-access=io.zerocopy}, or {@code ALL-UNNAMED}
 * on the class path), as JDK 24+ asks for loading the library anyway.
 *
 * <p>All methods may be called from any thread.
 */
public final class MappedRegion implements AutoCloseable {
    /** Advice for {@code madvise(2)}. */
    public enum Advice {
        /** {@code MADV_NORMAL}: the default read-ahead. */
        NORMAL,
        /** {@code MADV_SEQUENTIAL}: aggressive read-ahead; pages may be freed soon after use. */
        SEQUENTIAL,
        /** {@code MADV_RANDOM}: no read-ahead. */
        RANDOM,
        /** {@code MADV_WILLNEED}: start reading the pages in, without waiting. */
        WILL_NEED,
        /**
         * {@code MADV_DONTNEED}: drop the pages from this mapping; later accesses read the file
         * again. On a PRIVATE region this discards the private changes of those pages.
         */
        DONT_NEED,
        /** {@code MADV_HUGEPAGE}: use transparent huge pages where the kernel can. */
        HUGE_PAGE
    }

    /** Regions above Integer.MAX_VALUE bytes are cut into buffers of 1 GiB... */
    private static final int CHUNK_SHIFT = 30;
    /** ...that each reach 7 bytes into the next, so that a getLong never spans two buffers. */
    private static final int OVERLAP = Long.BYTES - 1;

    private final MappedMemory memory;
    private final FileChannel.MapMode mode;
    private final long size;
    private final boolean readOnly;
    /** log2 of the bytes per chunk: 31 (one chunk) when the region fits in one buffer. */
    private final int shift;
    private final long mask;
    private final Cleaner.Cleanable cleanable;
    private final Object lock = new Object();
    /**
     * The buffers over the region, made at the first access; null before it and after close.
     * A plain field, so that the JIT hoists its read (and the buffer's fields) out of a loop of
     * accesses: an opaque read here made a sequential scan and random reads 1.5x slower. A loop
     * that races with close may so go on with the old buffers, which then read the placeholder;
     * nothing can fault. {@link Chunks} has only final fields, so a thread that sees one sees
     * it whole.
     */
    private Chunks chunks;
    /** Guarded by lock. */
    private boolean closed;

    /**
     * Native-order buffers over the region: {@code first} alone when the region fits in one
     * buffer; an empty buffer for an empty region, whose checks then refuse every index.
     */
    private static final class Chunks {
        private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0);

        final ByteBuffer first;
        final ByteBuffer[] all;

        Chunks(ByteBuffer[] all) {
            this.all = all;
            this.first = all.length == 0 ? EMPTY : all[0];
        }
    }

    /** The buffer that holds byte {@code index}; read it at {@code (int) (index & mask)}. */
    private ByteBuffer chunk(Chunks c, long index) {
        return shift == 31 ? c.first : c.all[(int) (index >>> shift)];
    }

    /**
     * The chunk of a region of several chunks that holds the {@code bytes} bytes from
     * {@code index}, after checking them against the region's size.
     */
    private ByteBuffer checkedChunk(Chunks c, long index, int bytes) {
        Objects.checkIndex(index, size - (bytes - 1));
        return c.all[(int) (index >>> shift)];
    }

    /**
     * {@code index} as the index into the single buffer of a region below 2 GiB, which checks
     * it against the region's size itself. The one cast is what lets the JIT treat the
     * buffer's index as the caller's loop variable: a loop of {@code get(i)} then compiles as
     * MappedByteBuffer's does (vectorized where the JDK vectorizes that), where a long range
     * check of our own on top made a byte scan 2 to 8 times slower.
     */
    private static int inSingleChunk(long index) {
        int i = (int) index;
        if (i != index) {
            throw new IndexOutOfBoundsException("Index " + index + " out of bounds");
        }
        return i;
    }

    private MappedRegion(MappedMemory memory, FileChannel.MapMode mode, long size) {
        this.memory = memory;
        this.mode = mode;
        this.size = size;
        this.readOnly = mode == FileChannel.MapMode.READ_ONLY;
        this.shift = size <= Integer.MAX_VALUE ? 31 : CHUNK_SHIFT;
        this.mask = (1L << shift) - 1;
        this.cleanable = memory.registerOwner(this);
    }

    /**
     * Maps {@code size} bytes of the channel's file from {@code position} on, with the checks
     * and exceptions of {@link FileChannel#map(FileChannel.MapMode, long, long)} in JDK 17, in
     * its order: a null mode, a closed channel, a negative position or size, an overflowing
     * sum, a mode other than READ_ONLY on a channel not open for writing (also PRIVATE),
     * a channel not open for reading. A file shorter than {@code position + size} is extended
     * if the channel is writable (whatever the mode), else it is an {@link IOException}.
     * Size 0 is allowed. Unlike the JDK, {@code position} need not be page-aligned and
     * {@code size} may exceed {@code Integer.MAX_VALUE}. The channel may be closed afterwards.
     *
     * @param channel a FileChannel of the JDK (from {@code FileChannel.open},
     *     RandomAccessFile, FileInputStream or FileOutputStream); others are an
     *     {@link IllegalArgumentException}
     * @param mode READ_ONLY, READ_WRITE or PRIVATE; other modes are an
     *     {@link UnsupportedOperationException}
     * @param position position in the file, in bytes
     * @param size size of the region, in bytes
     * @return the new region, open until {@link #close()}
     * @throws NativeIOException if a system call fails (errno and name inside)
     * @throws UnsupportedOperationException if the native library is not available here
     */
    public static MappedRegion map(FileChannel channel, FileChannel.MapMode mode, long position, long size)
            throws IOException {
        Objects.requireNonNull(mode, "Mode is null");
        Objects.requireNonNull(channel, "channel");
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
        if (position < 0L) {
            throw new IllegalArgumentException("Negative position");
        }
        if (size < 0L) {
            throw new IllegalArgumentException("Negative size");
        }
        if (position + size < 0) {
            throw new IllegalArgumentException("Position + size overflow");
        }
        int nativeMode;
        if (mode == FileChannel.MapMode.READ_ONLY) {
            nativeMode = MappedMemory.READ_ONLY;
        } else if (mode == FileChannel.MapMode.READ_WRITE) {
            nativeMode = MappedMemory.READ_WRITE;
        } else if (mode == FileChannel.MapMode.PRIVATE) {
            nativeMode = MappedMemory.PRIVATE;
        } else {
            throw new UnsupportedOperationException("MappedRegion does not support map mode " + mode);
        }
        if (NativeLibrary.fallsBack()) {
            throw new UnsupportedOperationException("MappedRegion needs the zerocopy-jni native library, which "
                    + "is not available here (use FileChannel.map): " + NativeLibrary.failure().getMessage(),
                    NativeLibrary.failure());
        }
        Object event = Events.beginMapping();
        MappedRegion region = new MappedRegion(MappedMemory.map(channel, nativeMode, position, size), mode, size);
        Events.mapping(event, "map", mode.toString(), position, size);
        return region;
    }

    /** {@return the region's size in bytes} */
    public long size() {
        checkOpen();
        return size;
    }

    /** {@return the mode it was mapped with} */
    public FileChannel.MapMode mode() {
        checkOpen();
        return mode;
    }

    /** {@return false once {@link #close()} has begun} */
    public boolean isOpen() {
        return memory.isOpen();
    }

    /**
     * The byte at {@code index}.
     *
     * @param index offset in the region, in bytes
     * @return that byte
     */
    public byte get(long index) {
        Chunks c = chunks();
        if (shift == 31) {
            return c.first.get(inSingleChunk(index));
        }
        return checkedChunk(c, index, Byte.BYTES).get((int) (index & mask));
    }

    /**
     * Writes {@code value} at {@code index}.
     *
     * @param index offset in the region, in bytes
     * @param value the value to write
     */
    public void put(long index, byte value) {
        Chunks c = writableChunks();
        if (shift == 31) {
            c.first.put(inSingleChunk(index), value);
            return;
        }
        checkedChunk(c, index, Byte.BYTES).put((int) (index & mask), value);
    }

    /**
     * Copies {@code length} bytes from {@code index} into {@code dst} at {@code offset}.
     * @param index offset in the region, in bytes
     * @param dst the array to copy into
     * @param offset offset in the array
     * @param length number of bytes
     */
    public void get(long index, byte[] dst, int offset, int length) {
        Chunks c = chunks();
        Objects.checkFromIndexSize(index, length, size);
        Objects.checkFromIndexSize(offset, length, dst.length);
        while (length > 0) {
            int at = (int) (index & mask);
            int n = (int) Math.min(length, (1L << shift) - at);
            chunk(c, index).get(at, dst, offset, n);
            index += n;
            offset += n;
            length -= n;
        }
    }

    /**
     * Copies {@code length} bytes of {@code src} from {@code offset} into the region at {@code index}.
     * @param index offset in the region, in bytes
     * @param src the array to copy from
     * @param offset offset in the array
     * @param length number of bytes
     */
    public void put(long index, byte[] src, int offset, int length) {
        Chunks c = writableChunks();
        Objects.checkFromIndexSize(index, length, size);
        Objects.checkFromIndexSize(offset, length, src.length);
        while (length > 0) {
            int at = (int) (index & mask);
            int n = (int) Math.min(length, (1L << shift) - at);
            chunk(c, index).put(at, src, offset, n);
            index += n;
            offset += n;
            length -= n;
        }
    }

    /**
     * The 8 bytes at {@code index} in the native byte order.
     * @param index offset in the region, in bytes
     * @return the 8 bytes at {@code index} in the native byte order
     */
    public long getLong(long index) {
        Chunks c = chunks();
        if (shift == 31) {
            return c.first.getLong(inSingleChunk(index));
        }
        return checkedChunk(c, index, Long.BYTES).getLong((int) (index & mask));
    }

    /**
     * Writes {@code value} at {@code index} in the native byte order.
     * @param index offset in the region, in bytes
     * @param value the value to write
     */
    public void putLong(long index, long value) {
        Chunks c = writableChunks();
        if (shift == 31) {
            c.first.putLong(inSingleChunk(index), value);
            return;
        }
        checkedChunk(c, index, Long.BYTES).putLong((int) (index & mask), value);
    }

    /**
     * The 4 bytes at {@code index} in the native byte order.
     * @param index offset in the region, in bytes
     * @return the 4 bytes at {@code index} in the native byte order
     */
    public int getInt(long index) {
        Chunks c = chunks();
        if (shift == 31) {
            return c.first.getInt(inSingleChunk(index));
        }
        return checkedChunk(c, index, Integer.BYTES).getInt((int) (index & mask));
    }

    /**
     * Writes {@code value} at {@code index} in the native byte order.
     * @param index offset in the region, in bytes
     * @param value the value to write
     */
    public void putInt(long index, int value) {
        Chunks c = writableChunks();
        if (shift == 31) {
            c.first.putInt(inSingleChunk(index), value);
            return;
        }
        checkedChunk(c, index, Integer.BYTES).putInt((int) (index & mask), value);
    }

    /**
     * A direct buffer over {@code length} bytes from {@code index}: big-endian, position 0,
     * capacity {@code length}, read-only for a READ_ONLY region. It reads and writes the file
     * until {@link #close()}; after close it reads zeros, or what stale writes put there, and
     * its writes never reach the file. Its region's address range stays mapped until it is
     * garbage collected.
     * @param index offset in the region, in bytes
     * @param length number of bytes
     * @return a direct buffer over those bytes
     */
    public ByteBuffer slice(long index, int length) {
        try {
            Chunks c = chunks();
            Objects.checkFromIndexSize(index, length, size);
            if (length == 0) {
                return emptyBuffer();
            }
            ByteBuffer holder = chunk(c, index);
            int at = (int) (index & mask);
            if ((long) at + length <= holder.capacity()) {
                return holder.slice(at, length);
            }
            // Spans two chunks: a buffer of its own.
            ByteBuffer root = memory.newBuffer(index, length);
            return readOnly ? root.asReadOnlyBuffer() : root;
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * The whole region as one direct buffer, as {@link #slice}{@code (0, size())} would give it.
     *
     * @throws UnsupportedOperationException if the region is larger than {@code Integer.MAX_VALUE}
     *     bytes; use {@link #slice} for parts of it
     * @return the whole region as one direct buffer
     */
    public ByteBuffer asByteBuffer() {
        Chunks c = chunks();
        if (size > Integer.MAX_VALUE) {
            throw new UnsupportedOperationException("a region of " + size
                    + " bytes does not fit in one ByteBuffer; use slice(index, length)");
        }
        return size == 0 ? emptyBuffer() : c.first.duplicate();
    }

    /**
     * Writes all changes to the file and waits ({@code msync(MS_SYNC)}); see {@link #force(long, long)}.
     *
     * @return this region
     */
    public MappedRegion force() {
        return force(0, size);
    }

    /**
     * Writes the changes of {@code length} bytes from {@code index} to the file and waits
     * ({@code msync(MS_SYNC)} on the pages that hold them). No effect for READ_ONLY and
     * PRIVATE regions, whose changes never reach the file.
     * @param index offset in the region, in bytes
     * @param length number of bytes
     * @return this region
     */
    public MappedRegion force(long index, long length) {
        checkOpen();
        Objects.checkFromIndexSize(index, length, size);
        if (mode == FileChannel.MapMode.READ_WRITE && length > 0) {
            memory.force(index, length);
            Reference.reachabilityFence(this);
        }
        return this;
    }

    /**
     * Brings every page of the region into memory and maps it, so that later accesses neither
     * wait for the disk nor fault. In three steps: {@code madvise(MADV_WILLNEED)} over the
     * region (the kernel reads what is not cached, in large requests); one read per 64 KiB
     * from Java, each of whose page faults maps a whole fault-around window or large folio of
     * cached pages; then {@code mincore}, and {@code madvise(MADV_POPULATE_READ)} for any page
     * still missing (on kernels before 5.14, a populated remap of those pages instead, which
     * drops the {@link #advise advice} given on them). The reads go through views that live
     * only inside this call, so load leaves nothing for the garbage collector.
     *
     * <p>Why not {@code MADV_POPULATE_READ} alone: it walks the page tables page by page, and
     * on Linux 6.18 with ext4's large folios it took 37 ms for a warm GiB where the reads took
     * 9 ms (the JDK's {@code load()} touches every page and took 10 ms). It never uses
     * {@code MADV_POPULATE_WRITE}: on a READ_WRITE region that would mark every page dirty, and
     * the whole region would be written back to the file. If the file was truncated under the
     * region, this throws an {@link UncheckedIOException} (EFAULT) rather than fault.
     * @return this region
     */
    public MappedRegion load() {
        return load(0, size);
    }

    /**
     * {@link #load()} for the pages that hold a byte of the range: warms what a reader is about
     * to use (a fetch from a 1 GiB log segment) without loading the rest.
     * @param index offset in the region, in bytes
     * @param length number of bytes
     * @return this region
     */
    public MappedRegion load(long index, long length) {
        checkOpen();
        Objects.checkFromIndexSize(index, length, size);
        if (length == 0) {
            return this;
        }
        memory.load(index, length);
        Reference.reachabilityFence(this);
        return this;
    }

    /** {@return whether every page of the region is resident in memory ({@code mincore}); exact} */
    public boolean isLoaded() {
        return isLoaded(0, size);
    }

    /**
     * True if every page that holds a byte of the range is resident in memory.
     * @param index offset in the region, in bytes
     * @param length number of bytes
     * @return whether every page that holds a byte of the range is resident in memory
     */
    public boolean isLoaded(long index, long length) {
        checkOpen();
        Objects.checkFromIndexSize(index, length, size);
        try {
            return length == 0 || memory.isLoaded(index, length);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * How many bytes of the range lie on pages that are resident in memory.
     * @param index offset in the region, in bytes
     * @param length number of bytes
     * @return how many bytes of the range lie on pages that are resident in memory
     */
    public long residentBytes(long index, long length) {
        checkOpen();
        Objects.checkFromIndexSize(index, length, size);
        try {
            return length == 0 ? 0 : memory.residentBytes(index, length);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * {@code madvise} on the whole region; see {@link Advice}.
     * @param advice what the kernel is told about the range
     * @return this region
     */
    public MappedRegion advise(Advice advice) {
        return advise(advice, 0, size);
    }

    /**
     * {@code madvise} on the pages that hold a byte of the range; see {@link Advice}.
     * @param advice what the kernel is told about the range
     * @param index offset in the region, in bytes
     * @param length number of bytes
     * @return this region
     */
    public MappedRegion advise(Advice advice, long index, long length) {
        checkOpen();
        Objects.requireNonNull(advice, "advice");
        Objects.checkFromIndexSize(index, length, size);
        if (length > 0) {
            memory.advise(advice.ordinal(), index, length);
            Reference.reachabilityFence(this);
        }
        return this;
    }

    /**
     * Loads the region and locks it in memory ({@code mlock}). A process without
     * CAP_IPC_LOCK cannot lock more than its RLIMIT_MEMLOCK (often 8 MiB); beyond it this
     * throws an {@link UncheckedIOException} whose message names the limit and its value.
     * Pages past the end of a truncated file cannot be locked either (ENOMEM, and the message
     * says so). After a failure no page of the region is locked. On a PRIVATE region, locking
     * makes a private copy of every page.
     * @return this region
     */
    public MappedRegion lock() {
        checkOpen();
        memory.lock();
        Reference.reachabilityFence(this);
        return this;
    }

    /**
     * Undoes {@link #lock()} ({@code munlock}).
     *
     * @return this region
     */
    public MappedRegion unlock() {
        checkOpen();
        memory.unlock();
        Reference.reachabilityFence(this);
        return this;
    }

    /**
     * Unmaps the region now and releases the file. Idempotent and thread-safe: a second caller
     * returns when the first is done. Buffers from {@link #slice} and {@link #asByteBuffer}
     * then read zeros, or what stale writes put there, and never reach the file; when the
     * address range itself is given back is said in the class description. Native calls
     * already running in other threads ({@link #load}, {@link #lock}, ...) finish first; close
     * waits for them.
     *
     * @throws UncheckedIOException around a {@link NativeIOException} if the kernel refuses
     *     both placeholders (private memory, then a memfd); the region then stays open, still
     *     mapping the file (other threads may have found it closed meanwhile)
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            Object event = Events.beginMapping();
            chunks = null; // the buffers are the collector's now
            try {
                memory.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            closed = true;
            cleanable.clean(); // the region's own hold: frees now if nothing else holds it
            Events.mapping(event, "close", mode.toString(), -1, size);
        }
    }

    @Override
    public String toString() {
        return "MappedRegion[" + mode + ", " + size + " bytes" + (isOpen() ? "" : ", closed") + "]";
    }

    private void checkOpen() {
        if (!memory.isOpen()) {
            throw closedException();
        }
    }

    private static IllegalStateException closedException() {
        return new IllegalStateException("MappedRegion is closed");
    }

    private ByteBuffer emptyBuffer() {
        ByteBuffer empty = ByteBuffer.allocateDirect(0);
        return readOnly ? empty.asReadOnlyBuffer() : empty;
    }

    private Chunks writableChunks() {
        if (readOnly) {
            checkOpen();
            throw new ReadOnlyBufferException();
        }
        return chunks();
    }

    private Chunks chunks() {
        Chunks c = chunks;
        return c != null ? c : createChunks();
    }

    private Chunks createChunks() {
        synchronized (lock) {
            try {
                if (closed || !memory.isOpen()) {
                    throw closedException();
                }
                if (chunks != null) {
                    return chunks;
                }
                int count = size == 0 ? 0 : (int) ((size - 1) >>> shift) + 1;
                ByteBuffer[] c = new ByteBuffer[count];
                for (int i = 0; i < count; i++) {
                    long start = (long) i << shift;
                    int length = (int) Math.min(size - start, (1L << shift) + OVERLAP);
                    ByteBuffer root = memory.newBuffer(start, length).order(ByteOrder.nativeOrder());
                    // A read-only region's memory faults on writes: never hand out a writable view.
                    c[i] = readOnly ? root.asReadOnlyBuffer().order(ByteOrder.nativeOrder()) : root;
                }
                Chunks made = new Chunks(c);
                chunks = made;
                return made;
            } finally {
                Reference.reachabilityFence(this);
            }
        }
    }
}
