package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.internal.TransferNatives;
import io.zerocopy.testing.Bytes;
import io.zerocopy.testing.Mounts;
import io.zerocopy.testing.Sockets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What ZeroCopy does beyond the JDK's contract, on real files, sockets and pipes. */
class TransferBehaviourTest {
    private static final long GiB = 1L << 30;

    @TempDir
    Path tmp;

    private static TransferStatistics since(TransferStatistics before) {
        return ZeroCopy.statistics().since(before);
    }

    @Test
    void statisticsNameThePathOfEachPairOfChannels() throws Exception {
        byte[] data = Bytes.pattern(100_000, 1);
        Path file = Bytes.file(tmp, "source", data);
        try (FileChannel source = FileChannel.open(file);
                FileChannel target = FileChannel.open(tmp.resolve("t"), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
                FileChannel append = FileChannel.open(tmp.resolve("a"), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                Sockets.Pair pair = Sockets.pair()) {
            CompletableFuture<byte[]> received = Bytes.drain(pair.server);
            expectPath(TransferPath.SENDFILE, () -> ZeroCopy.transferTo(source, 0, 100_000, pair.client));
            expectPath(TransferPath.COPY_FILE_RANGE, () -> ZeroCopy.transferTo(source, 0, 100_000, target));
            expectPath(TransferPath.BUFFERED, () -> ZeroCopy.transferTo(source, 0, 100_000, append));
            expectPath(TransferPath.BUFFERED,
                    () -> ZeroCopy.transferTo(source, 0, 100_000, Channels.newChannel(new ByteArrayOutputStream())));
            Pipe pipe = Pipe.open();
            CompletableFuture<byte[]> piped = Bytes.drain(pipe.source());
            expectPath(TransferPath.SPLICE, () -> ZeroCopy.transferTo(source, 0, 100_000, pipe.sink()));
            pipe.sink().close();
            assertArrayEquals(data, piped.get());
            pair.client.shutdownOutput();
            assertArrayEquals(data, received.get());
        }
        try (Sockets.Pair pair = Sockets.pair();
                FileChannel target = FileChannel.open(tmp.resolve("from"), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
            pair.client.write(ByteBuffer.wrap(data));
            pair.client.shutdownOutput();
            expectPath(TransferPath.SPLICE, () -> ZeroCopy.transferFrom(pair.server, target, 0, Long.MAX_VALUE));
            assertArrayEquals(data, Files.readAllBytes(tmp.resolve("from")));
        }
    }

    interface Transfer {
        long run() throws IOException;
    }

    private static void expectPath(TransferPath path, Transfer transfer) throws IOException {
        TransferStatistics before = ZeroCopy.statistics();
        long moved = transfer.run();
        TransferStatistics delta = since(before);
        assertEquals(1, delta.calls(path), delta::toString);
        assertEquals(1, delta.totalCalls(), delta::toString);
        assertEquals(moved, delta.bytes(path), delta::toString);
    }

    /** A sparse file: 6 GiB long, a marker at each GiB, nothing on disk in between. */
    private Path sparseSixGiB() throws IOException {
        Path file = tmp.resolve("sparse");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(6 * GiB);
            for (int g = 0; g < 6; g++) {
                raf.seek(g * GiB + 12345);
                raf.write(("marker " + g).getBytes());
            }
        }
        return file;
    }

    @Test
    void sixGiBGoToASocketInOneCall() throws Exception {
        Path file = sparseSixGiB();
        try (FileChannel source = FileChannel.open(file); Sockets.Pair pair = Sockets.pair()) {
            // The reader checks the markers on the fly instead of keeping 6 GiB.
            CompletableFuture<List<String>> markers = CompletableFuture.supplyAsync(() -> readMarkers(pair));
            assertEquals(6 * GiB, ZeroCopy.transferTo(source, 0, 6 * GiB, pair.client));
            pair.client.shutdownOutput();
            assertEquals(Arrays.asList("6442450944", "marker 0", "marker 1", "marker 2", "marker 3", "marker 4",
                    "marker 5"), markers.get());
        }
    }

    private static List<String> readMarkers(Sockets.Pair pair) {
        byte[][] markers = new byte[6][8];
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        long offset = 0;
        try {
            int n;
            while ((n = pair.server.read(buffer)) >= 0) {
                // Copy the part of each marker that lies in this read; a marker may span two.
                for (int g = 0; g < 6; g++) {
                    long start = g * GiB + 12345;
                    for (long at = Math.max(start, offset); at < Math.min(start + 8, offset + n); at++) {
                        markers[g][(int) (at - start)] = buffer.get((int) (at - offset));
                    }
                }
                offset += n;
                buffer.clear();
            }
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
        List<String> found = new ArrayList<>();
        found.add(String.valueOf(offset));
        for (byte[] marker : markers) {
            found.add(new String(marker));
        }
        return found;
    }

    @Test
    void sixGiBGoToAFileInOneCall() throws Exception {
        Path file = sparseSixGiB();
        Assumptions.assumeTrue(Files.getFileStore(tmp).getUsableSpace() > 16 * GiB,
                "skipped: copying 6 GiB needs 16 GiB free in " + tmp);
        Path copy = tmp.resolve("copy");
        try (FileChannel source = FileChannel.open(file);
                FileChannel target = FileChannel.open(copy, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            assertEquals(6 * GiB, ZeroCopy.transferTo(source, 0, 6 * GiB, target));
            assertEquals(6 * GiB, target.position());
        }
        try (RandomAccessFile raf = new RandomAccessFile(copy.toFile(), "r")) {
            assertEquals(6 * GiB, raf.length());
            for (int g = 0; g < 6; g++) {
                byte[] marker = new byte[8];
                raf.seek(g * GiB + 12345);
                raf.readFully(marker);
                assertEquals("marker " + g, new String(marker));
            }
        } finally {
            Files.delete(copy);
        }
    }

    @Test
    void aPeerThatClosesMidTransferGivesAnIOExceptionAndLeaksNothing() throws Exception {
        Path file = Bytes.file(tmp, "source", Bytes.pattern(32 << 20, 3));
        long descriptorsBefore = Bytes.openDescriptors();
        IOException failure = null;
        try (FileChannel source = FileChannel.open(file); Sockets.Pair pair = Sockets.pair()) {
            // The peer reads a little, then goes away.
            CompletableFuture<Void> peer = CompletableFuture.runAsync(() -> {
                try {
                    pair.server.read(ByteBuffer.allocate(100_000));
                    pair.server.setOption(StandardSocketOptions.SO_LINGER, 0);
                    pair.server.close();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            for (int i = 0; i < 1000 && failure == null; i++) {
                try {
                    ZeroCopy.transferTo(source, 0, 32 << 20, pair.client);
                } catch (IOException e) {
                    failure = e;
                }
            }
            peer.get();
            String pending = Files.readAllLines(Path.of("/proc/thread-self/status")).stream()
                    .filter(l -> l.startsWith("SigPnd:")).findFirst().orElseThrow();
            long mask = Long.parseLong(pending.split("\\s+")[1], 16);
            assertEquals(0, mask & (1L << (13 - 1)), "SIGPIPE must not stay pending: " + pending);
        }
        assertTrue(failure != null, "writing into a reset connection fails");
        assertEquals(IOException.class, failure.getClass());
        assertTrue(failure.getMessage().equals("Broken pipe") || failure.getMessage().equals("Connection reset by peer"),
                failure.getMessage());
        assertEquals(descriptorsBefore, Bytes.openDescriptors(), "no descriptor leaked");
    }

    @Test
    void sixteenThreadsToSixteenSocketsDeliverEveryByte() throws Exception {
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads * 2);
        try {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<String>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                byte[] data = Bytes.pattern((1 << 20) * (1 + id % 4) + id * 4099, id);
                Path file = Bytes.file(tmp, "source" + id, data);
                results.add(pool.submit(() -> {
                    try (FileChannel source = FileChannel.open(file); Sockets.Pair pair = Sockets.pair()) {
                        Future<byte[]> received = pool.submit(() -> MessageDigest.getInstance("SHA-256")
                                .digest(Bytes.readAll(pair.server)));
                        start.await();
                        long sent = 0;
                        for (int round = 0; round < 3; round++) {
                            sent += ZeroCopy.transferTo(source, 0, data.length, pair.client);
                        }
                        pair.client.shutdownOutput();
                        byte[] expected = Bytes.sha256(concat(data, data, data));
                        return sent == 3L * data.length && Arrays.equals(expected, received.get()) ? "ok" : "bad " + id;
                    }
                }));
            }
            for (Future<String> result : results) {
                assertEquals("ok", result.get(2, TimeUnit.MINUTES));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.writeBytes(p);
        }
        return all.toByteArray();
    }

    /** netty#8868: a file truncated under a transfer must end the call, not spin. */
    @Test
    void aSourceTruncatedDuringTheTransferEndsTheCall() throws Exception {
        Path file = Bytes.file(tmp, "source", Bytes.pattern(64 << 20, 4));
        try (FileChannel source = FileChannel.open(file); Sockets.Pair pair = Sockets.pair()) {
            CompletableFuture<Long> sent = CompletableFuture.supplyAsync(() -> {
                try {
                    return ZeroCopy.transferTo(source, 0, 64 << 20, pair.client);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            // The transfer blocks once the socket buffers are full; cut the file under it.
            while (Sockets.queuedForReading(pair.server) == 0) {
                Thread.sleep(1);
            }
            Thread.sleep(100);
            try (FileChannel cutter = FileChannel.open(file, StandardOpenOption.WRITE)) {
                cutter.truncate(1 << 20);
            }
            CompletableFuture<byte[]> received = Bytes.drain(pair.server);
            long moved = sent.get(1, TimeUnit.MINUTES);
            pair.client.shutdownOutput();
            assertTrue(moved < 64 << 20 && moved >= 1 << 20, "moved " + moved);
            assertEquals(moved, received.get().length);
        }
    }

    @Test
    void aHeaderLeavesWithTheBodyInOnePacketWhereTheJdkSendsTwo() throws Exception {
        byte[] body = Bytes.pattern(1000, 5);
        byte[] header = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n".getBytes();
        Path file = Bytes.file(tmp, "body", body);
        try (FileChannel source = FileChannel.open(file); Sockets.Pair pair = Sockets.pair()) {
            pair.client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            CompletableFuture<byte[]> received = Bytes.drain(pair.server);

            long before = TransferNatives.tcpDataSegmentsOut(pair.client);
            pair.client.write(ByteBuffer.wrap(header));
            assertEquals(1000, source.transferTo(0, 1000, pair.client));
            long jdkSegments = TransferNatives.tcpDataSegmentsOut(pair.client) - before;

            ByteBuffer headerBuffer = ByteBuffer.wrap(header);
            before = TransferNatives.tcpDataSegmentsOut(pair.client);
            assertEquals(header.length + 1000, ZeroCopy.transferTo(headerBuffer, source, 0, 1000, pair.client));
            long ourSegments = TransferNatives.tcpDataSegmentsOut(pair.client) - before;

            assertEquals(2, jdkSegments, "the JDK way: header and body apart");
            assertEquals(1, ourSegments, "header and body together");
            assertEquals(header.length, headerBuffer.position());
            pair.client.shutdownOutput();
            byte[] one = concat(header, body);
            assertArrayEquals(concat(one, one), received.get());
        }
    }

    @Test
    void headersOfEveryKindOfBuffer() throws Exception {
        byte[] body = Bytes.pattern(70_000, 6);
        byte[] head = "head:".getBytes();
        Path file = Bytes.file(tmp, "body", body);
        ByteBuffer direct = ByteBuffer.allocateDirect(20).put(head).flip();
        ByteBuffer[] headers = {
            ByteBuffer.wrap(concat(new byte[3], head)).position(3), // heap, with an offset
            direct,
            ByteBuffer.wrap(head).asReadOnlyBuffer(),
            direct.duplicate().asReadOnlyBuffer(),
            ByteBuffer.allocate(0)
        };
        try (FileChannel source = FileChannel.open(file)) {
            for (ByteBuffer header : headers) {
                byte[] expectedHead = new byte[header.remaining()];
                header.duplicate().get(expectedHead);
                for (java.nio.channels.ByteChannel[] target : targets()) {
                    long moved = ZeroCopy.transferTo(header.duplicate(), source, 10, 50_000, target[0]);
                    for (java.nio.channels.ByteChannel channel : target) {
                        channel.close();
                    }
                    assertEquals(expectedHead.length + 50_000, moved);
                }
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer heap = ByteBuffer.wrap(head);
            TransferStatistics before = ZeroCopy.statistics();
            ZeroCopy.transferTo(heap, source, 10, 50_000, Channels.newChannel(out));
            assertEquals(1, since(before).calls(TransferPath.BUFFERED));
            assertEquals(head.length, heap.position());
            assertArrayEquals(concat(head, Arrays.copyOfRange(body, 10, 50_010)), out.toByteArray());
        }
    }

    /** A socket, a pipe and a file to write into; each with the channels to close after. */
    private List<java.nio.channels.ByteChannel[]> targets() throws IOException {
        List<java.nio.channels.ByteChannel[]> targets = new ArrayList<>();
        Sockets.Pair pair = Sockets.pair();
        Bytes.drain(pair.server);
        targets.add(new java.nio.channels.ByteChannel[] {pair.client, pair.server});
        targets.add(new java.nio.channels.ByteChannel[] {FileChannel.open(Files.createTempFile(tmp, "t", ""),
                StandardOpenOption.WRITE)});
        return targets;
    }

    @Test
    void aNonBlockingTargetThatFillsDuringTheHeaderGetsNoFileBytes() throws Exception {
        byte[] header = Bytes.pattern(4 << 20, 7); // more than the socket buffers take
        Path file = Bytes.file(tmp, "body", Bytes.pattern(1000, 8));
        try (FileChannel source = FileChannel.open(file); Sockets.Pair pair = Sockets.pair()) {
            pair.client.configureBlocking(false);
            ByteBuffer buffer = ByteBuffer.wrap(header);
            long moved = ZeroCopy.transferTo(buffer, source, 0, 1000, pair.client);
            assertTrue(moved > 0 && moved < header.length, "moved " + moved);
            assertEquals(moved, buffer.position());
            pair.client.shutdownOutput();
            assertArrayEquals(Arrays.copyOf(header, (int) moved), Bytes.readAll(pair.server));
        }
    }

    @Test
    void relayBetweenSocketsPipesAndWrappers() throws Exception {
        byte[] data = Bytes.pattern(8 << 20, 9);
        try (Sockets.Pair in = Sockets.pair(); Sockets.Pair out = Sockets.pair()) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    in.client.write(ByteBuffer.wrap(data));
                    in.client.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            CompletableFuture<byte[]> received = Bytes.drain(out.server);
            TransferStatistics before = ZeroCopy.statistics();
            assertEquals(data.length, ZeroCopy.relay(in.server, out.client, Long.MAX_VALUE));
            assertEquals(0, ZeroCopy.relay(in.server, out.client, Long.MAX_VALUE), "end of stream");
            assertEquals(2, since(before).calls(TransferPath.SPLICE));
            writer.get();
            out.client.shutdownOutput();
            assertArrayEquals(data, received.get());
        }
        Pipe pipe = Pipe.open();
        try (Sockets.Pair out = Sockets.pair()) {
            CompletableFuture<byte[]> received = Bytes.drain(out.server);
            pipe.sink().write(ByteBuffer.wrap(data, 0, 30_000));
            pipe.source().configureBlocking(false);
            assertEquals(30_000, ZeroCopy.relay(pipe.source(), out.client, Long.MAX_VALUE), "what was there");
            out.client.shutdownOutput();
            assertArrayEquals(Arrays.copyOf(data, 30_000), received.get());
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TransferStatistics before = ZeroCopy.statistics();
        assertEquals(1000, ZeroCopy.relay(Channels.newChannel(new java.io.ByteArrayInputStream(data, 0, 1000)),
                Channels.newChannel(bytes), Long.MAX_VALUE));
        assertEquals(1, since(before).calls(TransferPath.BUFFERED));
        assertArrayEquals(Arrays.copyOf(data, 1000), bytes.toByteArray());
    }

    /**
     * A non-blocking socket that a slow reader drains: each call takes what fits, 0 when the
     * socket is full, never an exception; calls in a loop deliver every byte in order. The same
     * loop runs over FileChannel.transferTo first.
     */
    @Test
    void aNonBlockingSocketWithASlowReaderTakesWhatFitsAsWithTheJdk() throws Exception {
        byte[] data = Bytes.pattern(8 << 20, 21);
        Path file = Bytes.file(tmp, "source", data);
        for (boolean jdk : new boolean[] {true, false}) {
            try (FileChannel source = FileChannel.open(file); Sockets.Pair pair = Sockets.pair(64 * 1024)) {
                pair.client.configureBlocking(false);
                CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                    ByteArrayOutputStream all = new ByteArrayOutputStream();
                    ByteBuffer chunk = ByteBuffer.allocate(16 * 1024);
                    try {
                        while (pair.server.read(chunk.clear()) >= 0) {
                            all.write(chunk.array(), 0, chunk.position());
                            Thread.sleep(1);
                        }
                    } catch (IOException | InterruptedException e) {
                        throw new RuntimeException(e);
                    }
                    return all.toByteArray();
                }, Executors.newSingleThreadExecutor());
                long sent = 0;
                int full = 0;
                while (sent < data.length) {
                    long n = jdk ? source.transferTo(sent, data.length - sent, pair.client)
                            : ZeroCopy.transferTo(source, sent, data.length - sent, pair.client);
                    assertTrue(n >= 0, "n = " + n);
                    if (n == 0) {
                        full++;
                        Thread.sleep(1);
                    }
                    sent += n;
                }
                assertTrue(full > 0, (jdk ? "JDK: " : "ours: ") + "the socket filled up at least once");
                assertEquals(0, source.position(), "the source position is unchanged");
                pair.client.shutdownOutput();
                assertArrayEquals(data, received.get(1, TimeUnit.MINUTES));
            }
        }
    }

    /**
     * Files that report size 0 (in /proc) transfer nothing, as JDK 17 does (JDK 21 and later
     * read them through a buffer instead).
     */
    /** The documented way to end a transfer blocked on a peer that neither reads nor writes. */
    @Test
    void shutdownEndsATransferBlockedOnAPeer() throws Exception {
        Path file = Bytes.file(tmp, "source", Bytes.pattern(64 << 20, 13));
        try (FileChannel source = FileChannel.open(file); Sockets.Pair pair = Sockets.pair();
                FileChannel target = FileChannel.open(tmp.resolve("in"), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
            CompletableFuture<String> sending = CompletableFuture.supplyAsync(() -> outcome(
                    () -> ZeroCopy.transferTo(source, 0, 64 << 20, pair.client)));
            CompletableFuture<String> receiving = CompletableFuture.supplyAsync(() -> outcome(
                    () -> ZeroCopy.transferFrom(pair.client, target, 0, Long.MAX_VALUE)));
            Thread.sleep(300); // both are blocked now: the peer neither reads nor writes
            pair.client.shutdownOutput();
            pair.client.shutdownInput();
            String sent = sending.get(30, TimeUnit.SECONDS);
            assertTrue(sent.equals("java.io.IOException: Broken pipe") || Long.parseLong(sent) < 64 << 20, sent);
            assertEquals("0", receiving.get(30, TimeUnit.SECONDS));
        }
    }

    private static String outcome(Transfer transfer) {
        try {
            return String.valueOf(transfer.run());
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void theThreadPipeClosesOnRequestAndWhenItsThreadEnds() throws Exception {
        ZeroCopy.releaseThreadResources(); // an earlier test on this thread may have left one
        long baseline = Bytes.openDescriptors();
        Runnable socketToFile = () -> {
            try (Sockets.Pair pair = Sockets.pair();
                    FileChannel target = FileChannel.open(Files.createTempFile(tmp, "t", ""),
                            StandardOpenOption.WRITE)) {
                pair.client.write(ByteBuffer.wrap(new byte[1000]));
                pair.client.shutdownOutput();
                assertEquals(1000, ZeroCopy.transferFrom(pair.server, target, 0, Long.MAX_VALUE));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        };
        socketToFile.run();
        assertEquals(baseline + 2, Bytes.openDescriptors(), "this thread keeps a pipe: two descriptors");
        ZeroCopy.releaseThreadResources();
        assertEquals(baseline, Bytes.openDescriptors());

        Thread thread = new Thread(socketToFile);
        thread.start();
        thread.join();
        // join() returns when the Java thread is done; its native thread exits (and runs the
        // destructor that closes the pipe) a moment later.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Bytes.openDescriptors() != baseline && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(baseline, Bytes.openDescriptors(), "a thread's pipe closes with the thread");
    }

    /** The JDK drops bytes it read when the file write fails and returns as if nothing happened. */
    @Test
    void bytesThatCannotBeWrittenAreAnErrorNeverSilentlyLost() throws Exception {
        try (Mounts.Mount small = Mounts.tmpfs(tmp, "rw"); Sockets.Pair pair = Sockets.pair()) {
            byte[] data = Bytes.pattern(32 << 20, 10); // twice the 16 MiB file system
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    pair.client.write(ByteBuffer.wrap(data));
                    pair.client.shutdownOutput();
                } catch (IOException e) {
                    // the reader gives up
                }
            });
            try (FileChannel target = FileChannel.open(small.dir.resolve("f"), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                IncompleteTransferException e = assertThrows(IncompleteTransferException.class,
                        () -> ZeroCopy.transferFrom(pair.server, target, 0, Long.MAX_VALUE));
                assertEquals(28, ((NativeIOException) e.getCause()).errno(), e.getMessage()); // ENOSPC
                assertTrue(e.getMessage().contains("bytes read from the source were lost"), e.getMessage());
                assertEquals(Files.size(small.dir.resolve("f")), e.bytesTransferred(), e.getMessage());
                assertArrayEquals(Arrays.copyOf(data, (int) e.bytesTransferred()),
                        Files.readAllBytes(small.dir.resolve("f")), "what was written is the stream's start");
                assertTrue(e.bytesLost() > 0, e.getMessage());
            }
            pair.server.close();
            writer.get();
        }
    }
}
