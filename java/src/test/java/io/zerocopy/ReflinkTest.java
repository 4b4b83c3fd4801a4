package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.testing.Bytes;
import io.zerocopy.testing.Mounts;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On XFS with reflink, file to file shares the extents instead of copying them: a 1 GiB
 * transfer costs no data I/O and no space. Needs root and a loop device; skips elsewhere.
 */
class ReflinkTest {
    private static final long GiB = 1L << 30;

    @TempDir
    Path tmp;

    @Test
    void aGiBFileToFileTransferSharesExtentsOnXfs() throws Exception {
        Assumptions.assumeTrue(Files.getFileStore(tmp).getUsableSpace() > 4 * GiB,
                "skipped: the XFS image needs 4 GiB free in " + tmp);
        try (Mounts.Mount xfs = Mounts.xfsWithReflink(tmp, 3)) {
            Path source = xfs.dir.resolve("source");
            Path copy = xfs.dir.resolve("copy");
            byte[] block = Bytes.pattern(1 << 20, 1);
            try (FileChannel out = FileChannel.open(source, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                for (int i = 0; i < 1024; i++) {
                    block[0] = (byte) i; // every MiB differs
                    out.write(ByteBuffer.wrap(block));
                }
                out.force(true);
            }
            long freeBefore = Files.getFileStore(xfs.dir).getUsableSpace();
            TransferStatistics before = ZeroCopy.statistics();
            long started = System.nanoTime();
            try (FileChannel in = FileChannel.open(source);
                    FileChannel out = FileChannel.open(copy, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                assertEquals(GiB, ZeroCopy.transferTo(in, 0, GiB, out));
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            TransferStatistics delta = ZeroCopy.statistics().since(before);
            assertEquals(1, delta.calls(TransferPath.COPY_FILE_RANGE), delta::toString);
            assertEquals(GiB, delta.bytes(TransferPath.COPY_FILE_RANGE), delta::toString);

            // Reflinked: the copy's extents are shared with the source, and took no space.
            String[] fiemap = Mounts.exec("xfs_io", "-r", "-c", "fiemap -v", copy.toString());
            long extents = fiemap[1].lines().filter(l -> l.contains("]:")).count();
            long shared = fiemap[1].lines().filter(l -> l.contains("]:"))
                    .map(l -> l.trim().split("\\s+"))
                    .filter(f -> (Long.decode(f[f.length - 1]) & 0x2000) != 0) // FIEMAP_EXTENT_SHARED
                    .count();
            assertTrue(extents > 0 && shared == extents, "every extent shared:\n" + fiemap[1]);
            long used = freeBefore - Files.getFileStore(xfs.dir).getUsableSpace();
            assertTrue(used < 64L << 20, "a reflink takes no data space, took " + used + " bytes");

            SplittableRandom random = new SplittableRandom(2);
            try (FileChannel a = FileChannel.open(source); FileChannel b = FileChannel.open(copy)) {
                for (int i = 0; i < 64; i++) {
                    long at = random.nextLong(GiB - 65536);
                    ByteBuffer x = ByteBuffer.allocate(65536);
                    ByteBuffer y = ByteBuffer.allocate(65536);
                    a.read(x, at);
                    b.read(y, at);
                    assertArrayEquals(x.array(), y.array(), "bytes at " + at);
                }
            }
            System.out.println("reflink: 1 GiB file to file in " + millis + " ms, " + used + " bytes of space");
        }
    }
}
