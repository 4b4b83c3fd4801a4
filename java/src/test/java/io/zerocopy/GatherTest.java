package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.internal.TransferNatives;
import io.zerocopy.testing.Bytes;
import io.zerocopy.testing.Sockets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Gathers of buffers and file ranges to real sockets and pipes, byte for byte. */
class GatherTest {
    @TempDir
    Path tmp;

    private static byte[] concat(byte[]... pieces) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : pieces) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }

    /** Every kind of part, three files, an empty buffer, a range past the end of its file. */
    @Test
    void partsOfEveryKindArriveInOrder() throws Exception {
        byte[] a = Bytes.pattern(300_000, 1);
        byte[] b = Bytes.pattern(5_000, 2);
        byte[] c = Bytes.pattern(70_000, 3);
        byte[] heap = "heap header\n".getBytes();
        ByteBuffer direct = ByteBuffer.allocateDirect(100).put("direct header\n".getBytes()).flip();
        ByteBuffer readOnly = ByteBuffer.wrap("read-only\n".getBytes()).asReadOnlyBuffer();
        ByteBuffer sliced = ByteBuffer.wrap(concat("xx".getBytes(), heap)).position(2);
        try (FileChannel fa = FileChannel.open(Bytes.file(tmp, "a", a));
                FileChannel fb = FileChannel.open(Bytes.file(tmp, "b", b));
                FileChannel fc = FileChannel.open(Bytes.file(tmp, "c", c));
                Sockets.Pair pair = Sockets.pair()) {
            fa.position(123); // a file's own position is neither used nor changed
            Gather gather = new Gather().addBuffer(ByteBuffer.wrap(heap)).addFileRange(fa, 7, 200_000)
                    .addBuffer(direct).addBuffer(ByteBuffer.allocate(0)).addFileRange(fb, 4_000, 3_000)
                    .addBuffer(readOnly).addFileRange(fc, 0, 70_000).addBuffer(sliced).addFileRange(fa, 0, 0);
            long total = gather.remaining();
            assertEquals(heap.length + 200_000 + 14 + 3_000 + 10 + 70_000 + heap.length, total);
            CompletableFuture<byte[]> received = Bytes.drain(pair.server);
            TransferStatistics before = ZeroCopy.statistics();
            long sent = gather.transferTo(pair.client);
            pair.client.shutdownOutput();
            byte[] expected = concat(heap, Arrays.copyOfRange(a, 7, 200_007), "direct header\n".getBytes(),
                    Arrays.copyOfRange(b, 4_000, 5_000), "read-only\n".getBytes(), c, heap);
            assertArrayEquals(expected, received.get(30, TimeUnit.SECONDS));
            assertEquals(expected.length, sent);
            assertEquals(0, gather.remaining());
            assertFalse(gather.hasRemaining());
            assertEquals(1, gather.shortRanges(), "the range past the end of b");
            assertEquals(123, fa.position());
            assertEquals(0, fb.position());
            assertFalse(direct.hasRemaining(), "a buffer's position advances as it is sent");
            assertFalse(sliced.hasRemaining());
            TransferStatistics delta = ZeroCopy.statistics().since(before);
            assertEquals(1, delta.calls(TransferPath.SENDFILE));
            assertEquals(200_000 + 1_000 + 70_000, delta.bytes(TransferPath.SENDFILE), "file bytes");
            assertEquals(0, gather.transferTo(pair.client.isOpen() ? Channels.newChannel(new ByteArrayOutputStream())
                    : pair.client), "nothing left");
        }
    }

    /**
     * A non-blocking socket with a small buffer and a slow reader: each call sends what fits
     * and the next resumes exactly there, inside a buffer or a file range.
     */
    @Test
    void aNonBlockingTargetResumesWhereItStopped() throws Exception {
        byte[] data = Bytes.pattern(2 << 20, 4);
        try (FileChannel file = FileChannel.open(Bytes.file(tmp, "data", data));
                Sockets.Pair pair = Sockets.pair(8 << 10);
                Selector selector = Selector.open()) {
            pair.client.setOption(StandardSocketOptions.SO_SNDBUF, 8 << 10);
            pair.client.configureBlocking(false);
            pair.client.register(selector, SelectionKey.OP_WRITE);
            Gather gather = new Gather();
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            for (int i = 0; i < 64; i++) {
                byte[] header = String.format("header %03d of the fetch\n", i).getBytes();
                gather.addBuffer(i % 2 == 0 ? ByteBuffer.wrap(header)
                        : ByteBuffer.allocateDirect(header.length).put(header).flip());
                gather.addFileRange(file, i * 30_000L, 30_000);
                expected.write(header, 0, header.length);
                expected.write(data, i * 30_000, 30_000);
            }
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                ByteBuffer buffer = ByteBuffer.allocate(5_000);
                try {
                    while (pair.server.read(buffer.clear()) > 0) {
                        all.write(buffer.array(), 0, buffer.position());
                        Thread.sleep(0, 200_000);
                    }
                } catch (IOException | InterruptedException e) {
                    throw new RuntimeException(e);
                }
                return all.toByteArray();
            });
            long total = 0;
            int calls = 0;
            int partial = 0;
            while (gather.hasRemaining()) {
                long left = gather.remaining();
                long sent = gather.transferTo(pair.client);
                assertEquals(left - sent, gather.remaining());
                total += sent;
                calls++;
                if (gather.hasRemaining()) {
                    partial++;
                    selector.select(10_000);
                    selector.selectedKeys().clear();
                }
            }
            pair.client.shutdownOutput();
            assertEquals(expected.size(), total);
            assertTrue(partial > 0, "the socket filled up (" + calls + " calls)");
            assertArrayEquals(expected.toByteArray(), received.get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void aPipeAndAWrappedChannelGetTheSameBytes() throws Exception {
        byte[] data = Bytes.pattern(200_000, 5);
        try (FileChannel file = FileChannel.open(Bytes.file(tmp, "data", data))) {
            byte[] expected = concat("one".getBytes(), Arrays.copyOfRange(data, 10, 150_010), "two".getBytes());
            Pipe pipe = Pipe.open();
            CompletableFuture<byte[]> fromPipe = Bytes.drain(pipe.source());
            TransferStatistics before = ZeroCopy.statistics();
            new Gather().addBuffer(ByteBuffer.wrap("one".getBytes())).addFileRange(file, 10, 150_000)
                    .addBuffer(ByteBuffer.wrap("two".getBytes())).transferTo(pipe.sink());
            pipe.sink().close();
            assertArrayEquals(expected, fromPipe.get(30, TimeUnit.SECONDS));
            assertEquals(150_000, ZeroCopy.statistics().since(before).bytes(TransferPath.SPLICE));

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            before = ZeroCopy.statistics();
            new Gather().addBuffer(ByteBuffer.wrap("one".getBytes())).addFileRange(file, 10, 150_000)
                    .addBuffer(ByteBuffer.wrap("two".getBytes())).transferTo(Channels.newChannel(out));
            assertArrayEquals(expected, out.toByteArray());
            assertEquals(1, ZeroCopy.statistics().since(before).calls(TransferPath.BUFFERED));
        }
    }

    /** 64 headers of 64 bytes, each before 1 KiB of a file, with TCP_NODELAY, against the JDK's loop. */
    @Test
    void aGatherSendsFarFewerSegmentsThanTheJdksLoop() throws Exception {
        assertTrue(ZeroCopy.isAvailable()); // loads the library that the test hook lives in
        byte[] data = Bytes.pattern(64 << 10, 6);
        try (FileChannel file = FileChannel.open(Bytes.file(tmp, "data", data))) {
            long[] segments = new long[2];
            for (int round = 0; round < 2; round++) {
                try (Sockets.Pair pair = Sockets.pair()) {
                    pair.client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    CompletableFuture<byte[]> received = Bytes.drain(pair.server);
                    long before = TransferNatives.tcpDataSegmentsOut(pair.client);
                    Gather gather = new Gather();
                    for (int i = 0; i < 64; i++) {
                        ByteBuffer header = ByteBuffer.allocate(64);
                        if (round == 0) {
                            pair.client.write(header);
                            file.transferTo(i * 1024L, 1024, pair.client);
                        } else {
                            gather.addBuffer(header).addFileRange(file, i * 1024L, 1024);
                        }
                    }
                    if (round == 1) {
                        gather.transferTo(pair.client);
                    }
                    segments[round] = TransferNatives.tcpDataSegmentsOut(pair.client) - before;
                    pair.client.shutdownOutput();
                    assertEquals(64 * (64 + 1024), received.get(30, TimeUnit.SECONDS).length);
                }
            }
            assertTrue(segments[1] * 4 < segments[0], "segments: JDK loop " + segments[0] + ", gather " + segments[1]);
        }
    }

    @Test
    void aPeerThatGoesAwayIsAnErrorNotACrash() throws Exception {
        byte[] data = Bytes.pattern(8 << 20, 7);
        try (FileChannel file = FileChannel.open(Bytes.file(tmp, "data", data)); Sockets.Pair pair = Sockets.pair()) {
            pair.server.close();
            Gather gather = new Gather().addBuffer(ByteBuffer.wrap(new byte[100])).addFileRange(file, 0, data.length);
            IOException e = assertThrows(IOException.class, () -> {
                while (gather.hasRemaining()) {
                    gather.transferTo(pair.client);
                }
            });
            assertTrue(e.getMessage().contains("Broken pipe") || e.getMessage().contains("reset"), e.toString());
        }
    }

    /** A gather blocked on a peer that does not read ends at an interrupt, on any thread. */
    @Test
    void anInterruptEndsABlockedGather() throws Exception {
        byte[] data = Bytes.pattern(16 << 20, 8);
        Path path = Bytes.file(tmp, "data", data);
        for (boolean virtual : new boolean[] {false, true}) {
            if (virtual && Runtime.version().feature() < 21) {
                continue;
            }
            try (FileChannel file = FileChannel.open(path)) {
                try (Sockets.Pair pair = Sockets.pair(64 << 10)) {
                    CompletableFuture<Throwable> ended = new CompletableFuture<>();
                    Runnable body = () -> {
                        try {
                            new Gather().addBuffer(ByteBuffer.wrap(new byte[10])).addFileRange(file, 0, data.length)
                                    .transferTo(pair.client);
                            ended.complete(null);
                        } catch (Throwable t) {
                            ended.complete(t);
                        }
                    };
                    Thread worker = virtual ? (Thread) Thread.class.getMethod("startVirtualThread", Runnable.class)
                            .invoke(null, body) : new Thread(body);
                    if (!virtual) {
                        worker.start();
                    }
                    Thread.sleep(500);
                    assertFalse(ended.isDone(), () -> "the gather blocks on the peer, but ended: " + ended.join());
                    worker.interrupt();
                    Throwable t = ended.get(20, TimeUnit.SECONDS);
                    assertTrue(t instanceof ClosedByInterruptException, (virtual ? "virtual: " : "platform: ") + t);
                    assertFalse(pair.client.isOpen());
                    assertFalse(file.isOpen(), "as transferTo, an interrupt closes the file too");
                }
            }
        }
    }
}
