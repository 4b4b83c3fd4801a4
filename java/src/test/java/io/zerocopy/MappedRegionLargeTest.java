package io.zerocopy;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A region of 6 GiB over a sparse file: writes at 5 GiB and across every 1 GiB boundary of
 * the buffers inside, forced, and read back through FileChannel and the JDK's own mapping.
 */
class MappedRegionLargeTest {
    private static final long GIB = 1L << 30;

    @TempDir
    Path tmp;

    private static byte[] readFile(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining() && ch.read(buf, position + buf.position()) > 0) {
            // read all
        }
        return buf.array();
    }

    private static byte[] longBytes(long value) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, value).array();
    }

    @Test
    void writesAt5GiBOfASparse6GiBFileReachTheFile() throws Exception {
        long position = 1000; // unaligned on purpose
        long size = 6 * GIB;
        byte[] text = "written at 5 GiB through MappedRegion".getBytes(StandardCharsets.US_ASCII);
        byte[] bulk = MappedRegionTest.pattern(10_000);
        try (FileChannel ch = FileChannel.open(tmp.resolve("six.bin"), CREATE_NEW, READ, WRITE);
                MappedRegion region = MappedRegion.map(ch, MapMode.READ_WRITE, position, size)) {
            assertEquals(position + size, ch.size(), "extended, as FileChannel.map extends");
            assertEquals(size, region.size());
            assertThrows(UnsupportedOperationException.class, region::asByteBuffer);
            assertTrue(region.residentBytes(0, size) < 64L << 20, "a sparse file stays unloaded");

            long at = 5 * GIB + 65536; // at 5 GiB, clear of the boundary writes below
            region.put(at, (byte) 0x5A);
            assertEquals(0x5A, region.get(at));
            region.put(at + 100, text, 0, text.length);
            region.putLong(at + 200, 0x0123456789ABCDEFL);

            for (long k = 1; k < 6; k++) {
                long boundary = k * GIB;
                // Every getLong/putLong that touches the boundary, each read back at once.
                for (long i = boundary - 8; i <= boundary; i++) {
                    region.putLong(i, i * 31 + 7);
                    assertEquals(i * 31 + 7, region.getLong(i), "getLong at " + i);
                }
                region.put(boundary - 5000, bulk, 0, bulk.length);
                byte[] back = new byte[bulk.length];
                region.get(boundary - 5000, back, 0, back.length);
                assertArrayEquals(bulk, back, "bulk across " + k + " GiB");
                // A slice across the boundary is a buffer of its own; one inside the overlap is not.
                ByteBuffer across = region.slice(boundary - 100, 200);
                across.put(150, (byte) 9);
                assertEquals(9, region.get(boundary + 50));
                ByteBuffer tail = region.slice(boundary - 8, 8);
                assertEquals(region.getLong(boundary - 8), tail.order(ByteOrder.nativeOrder()).getLong(0));
                region.putLong(boundary - 3, -k);
                // getInt/putInt across the boundary too, checked against the bytes of getLong.
                region.putInt(boundary - 2, (int) (0x7000_0000 + k));
                assertEquals((int) (0x7000_0000 + k), region.getInt(boundary - 2));
                region.putLong(boundary - 3, -k);
            }
            assertTrue(region.force() == region);

            assertEquals(0x5A, readFile(ch, position + at, 1)[0]);
            assertArrayEquals(text, readFile(ch, position + at + 100, text.length));
            assertArrayEquals(longBytes(0x0123456789ABCDEFL), readFile(ch, position + at + 200, 8));
            for (long k = 1; k < 6; k++) {
                long boundary = k * GIB;
                byte[] expected = bulk.clone();
                System.arraycopy(longBytes(-k), 0, expected, 4997, 8);
                expected[5050] = 9;
                assertArrayEquals(expected, readFile(ch, position + boundary - 5000, bulk.length), k + " GiB");
            }
            // The JDK's own mapping of the same bytes agrees.
            MappedByteBuffer jdk = ch.map(MapMode.READ_ONLY, position + at, 4096);
            byte[] theirs = new byte[4096];
            jdk.get(0, theirs);
            byte[] ours = new byte[4096];
            region.get(at, ours, 0, ours.length);
            assertArrayEquals(theirs, ours);
        }
    }

    @Test
    void aClosedLargeRegionReleasesTheFile() throws Exception {
        Path path = tmp.resolve("big.bin");
        try (FileChannel ch = FileChannel.open(path, CREATE_NEW, READ, WRITE)) {
            MappedRegion region = MappedRegion.map(ch, MapMode.READ_WRITE, 0, 3 * GIB);
            ByteBuffer across = region.slice(2 * GIB - 4, 8);
            region.putLong(GIB, 1L);
            region.close();
            across.putLong(0, -1L);
            assertArrayEquals(new byte[8], readFile(ch, 2 * GIB - 4, 8), "a stale view writes nowhere");
            assertArrayEquals(longBytes(1L), readFile(ch, GIB, 8));
            String real = path.toRealPath().toString();
            assertFalse(java.nio.file.Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .anyMatch(l -> l.endsWith(real)));
        }
    }
}
