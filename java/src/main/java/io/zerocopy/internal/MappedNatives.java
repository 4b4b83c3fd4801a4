package io.zerocopy.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Native methods of mapped regions (rust/jni/mmap.rs). Only {@link MappedMemory} calls them,
 * because a region handle must not be used after {@link #free}; the test hook is public.
 */
public final class MappedNatives {
    private MappedNatives() {}

    /** Maps the file; returns a region handle. Modes as in {@link MappedMemory}. */
    static native long map(FileChannel channel, int mode, long position, long size) throws IOException;

    /**
     * A new direct buffer (big-endian) over {@code length} bytes of the region from {@code index};
     * it holds nothing: the caller keeps the region until the buffer is unreachable.
     */
    static native ByteBuffer buffer(long region, long index, int length);

    /**
     * Replaces the file mapping with zero-filled memory at the same addresses; returns its
     * bytes. If that fails, the region stays open and this throws.
     */
    static native long close(long region) throws IOException;

    /** Unmaps the addresses and frees the handle. Exactly once, when nothing can reach them. */
    static native void free(long region);

    static native void force(long region, long index, long length) throws IOException;

    /**
     * {@code MADV_POPULATE_READ} on the range; false, with nothing done, where the kernel has
     * no such advice (before 5.14).
     */
    static native boolean populate(long region, long index, long length) throws IOException;

    /** Loads the pages of the range that {@code mincore} finds not resident. */
    static native void loadMissing(long region, long index, long length) throws IOException;

    static native boolean isLoaded(long region, long index, long length) throws IOException;

    static native long residentBytes(long region, long index, long length) throws IOException;

    /** {@code advice} is the ordinal of {@code MappedRegion.Advice}. */
    static native void advise(long region, int advice, long index, long length) throws IOException;

    static native void lock(long region) throws IOException;

    static native void unlock(long region) throws IOException;

    /**
     * Test hook: {@code fdatasync}, then {@code posix_fadvise(POSIX_FADV_DONTNEED)} on the whole
     * file, so that its clean pages leave the page cache (pages mapped elsewhere may stay).
     * Callers must have loaded the library.
     */
    public static native void evictPageCache(FileChannel channel) throws IOException;
}
