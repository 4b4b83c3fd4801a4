package io.zerocopy;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.internal.MappedNatives;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** load, isLoaded and residentBytes on a 256 MiB file, side by side with MappedByteBuffer. */
class MappedRegionResidencyTest {
    private static final int SIZE = 256 << 20;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        ZeroCopy.capabilities();
    }

    @Test
    void residencyOfAnEvictedFileGrowsWithLoad() throws Exception {
        try (FileChannel ch = FileChannel.open(tmp.resolve("256.bin"), CREATE_NEW, READ, WRITE)) {
            ByteBuffer block = ByteBuffer.wrap(MappedRegionTest.pattern(1 << 20));
            for (long at = 0; at < SIZE; at += block.capacity()) {
                block.clear();
                while (block.hasRemaining()) {
                    ch.write(block, at + block.position());
                }
            }
            // Clean pages can be dropped: the hook syncs, then posix_fadvise(DONTNEED).
            MappedNatives.evictPageCache(ch);
            try (MappedRegion region = MappedRegion.map(ch, MapMode.READ_ONLY, 0, SIZE)) {
                MappedByteBuffer jdk = ch.map(MapMode.READ_ONLY, 0, SIZE);
                long before = region.residentBytes(0, SIZE);
                assertTrue(before < SIZE / 8, before + " bytes resident right after eviction");
                assertFalse(region.isLoaded());
                assertFalse(jdk.isLoaded(), "the JDK agrees");
                long start = System.nanoTime();
                assertTrue(region.load() == region);
                long loadNanos = System.nanoTime() - start;
                assertTrue(region.isLoaded());
                assertTrue(jdk.isLoaded(), "the JDK agrees");
                assertEquals(SIZE, region.residentBytes(0, SIZE));
                assertTrue(region.isLoaded(12345, 1 << 20));
                assertEquals(1000, region.residentBytes(SIZE - 1000, 1000));
                System.out.println("256 MiB after eviction: " + before + " bytes resident; load took "
                        + loadNanos / 1_000_000 + " ms (from disk)");
                start = System.nanoTime();
                region.isLoaded();
                System.out.println("isLoaded() of 256 MiB: " + (System.nanoTime() - start) / 1000 + " us");
            }
        }
    }

    @Test
    void aRangedLoadLoadsItsRangeAndLeavesTheRest() throws Exception {
        try (FileChannel ch = FileChannel.open(tmp.resolve("64.bin"), CREATE_NEW, READ, WRITE)) {
            ByteBuffer block = ByteBuffer.wrap(MappedRegionTest.pattern(1 << 20));
            for (long at = 0; at < 64 << 20; at += block.capacity()) {
                block.clear();
                while (block.hasRemaining()) {
                    ch.write(block, at + block.position());
                }
            }
            MappedNatives.evictPageCache(ch);
            try (MappedRegion region = MappedRegion.map(ch, MapMode.READ_ONLY, 0, 64 << 20)) {
                long from = (32 << 20) + 12345;
                int length = 3 << 20;
                assertFalse(region.isLoaded(from, length));
                region.load(from, length);
                assertTrue(region.isLoaded(from, length));
                assertEquals(length, region.residentBytes(from, length));
                long all = region.residentBytes(0, 64 << 20);
                assertTrue(all < 32 << 20, all + " bytes resident: the rest is not loaded (read-ahead aside)");
                assertEquals(region, region.load(7, 0), "an empty range is nothing to do");
            }
        }
    }
}
