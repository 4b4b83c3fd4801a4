package io.zerocopy.examples.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.TransferPath;
import io.zerocopy.TransferStatistics;
import io.zerocopy.ZeroCopy;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The log over real files and sockets: producers, a consumer, segments, recovery, warm-up. */
class LogTest {
    static final int SEGMENT = 64 * 1024;

    @TempDir
    Path dir;

    final List<String> events = new CopyOnWriteArrayList<>(); // written by the server's threads

    /** Appends {@code perProducer} records from each of {@code producers} threads, committing every 25. */
    static void produce(Log log, int producers, int perProducer) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int p = 0; p < producers; p++) {
            int producer = p;
            Thread thread = new Thread(() -> {
                try {
                    for (int s = 0; s < perProducer; s++) {
                        log.append(DemoRecords.payload(producer, s));
                        if (s % 25 == 24 || s == perProducer - 1) {
                            log.commit();
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(List.of(), failures);
    }

    /** Consumes every committed record over a socket, checking each; returns the checker. */
    static DemoRecords.Checker consumeAll(Log log, LogServer server, int maxBytes) throws IOException {
        DemoRecords.Checker checker = new DemoRecords.Checker();
        try (LogConsumer consumer = new LogConsumer(new InetSocketAddress("127.0.0.1", server.port()))) {
            long offset = log.startOffset();
            while (true) {
                LogConsumer.Batch batch = consumer.fetch(offset, maxBytes);
                assertEquals(offset, batch.firstOffset());
                if (batch.payloads().isEmpty()) {
                    assertEquals(log.committedOffset(), offset, "an empty batch before the end");
                    return checker;
                }
                for (byte[] payload : batch.payloads()) {
                    checker.check(offset++, payload);
                }
            }
        }
    }

    @Test
    void producersAndAConsumerOverASocket() throws Exception {
        try (Log log = Log.open(dir, SEGMENT, events::add)) {
            produce(log, 4, 2000);
            assertEquals(8000, log.committedOffset());
            assertTrue(log.segments().size() >= 10, "rolled to new segments: " + log.segments());
            assertTrue(events.stream().anyMatch(e -> e.startsWith("rolled to segment 00000000000000")), events::toString);
            TransferStatistics before = ZeroCopy.statistics();
            try (LogServer server = LogServer.start(log, 0, events::add)) {
                DemoRecords.Checker checker = consumeAll(log, server, 8 * 1024);
                assertEquals(8000, checker.records());
                assertEquals(List.of(2000, 2000, 2000, 2000), List.copyOf(checker.perProducer().values()));
            }
            TransferStatistics sent = ZeroCopy.statistics().since(before);
            assertTrue(sent.calls(TransferPath.SENDFILE) > 0, sent::toString);
            assertEquals(0, sent.calls(TransferPath.BUFFERED), sent::toString);
        }
    }

    /**
     * Fetches larger than a segment: each response spans several segment files, sent as one
     * gather, or with Kafka's loop in JDK mode; the consumer gets every record once, in order.
     */
    @Test
    void fetchesSpanSegmentsInBothModes() throws Exception {
        try (Log log = Log.open(dir, SEGMENT, events::add)) {
            produce(log, 2, 3000);
            int segments = log.segments().size();
            assertTrue(segments >= 5, "segments: " + segments);
            Log.Fetch wide = log.read(0, 64 * SEGMENT);
            assertEquals(segments, wide.pieces().size(), "one fetch reaches over every segment");
            assertEquals(6000, wide.count());
            for (LogServer.Mode mode : LogServer.Mode.values()) {
                TransferStatistics before = ZeroCopy.statistics();
                try (LogServer server = LogServer.start(log, 0, mode, events::add)) {
                    DemoRecords.Checker checker = consumeAll(log, server, 3 * SEGMENT);
                    assertEquals(6000, checker.records(), mode.toString());
                }
                TransferStatistics sent = ZeroCopy.statistics().since(before);
                if (mode == LogServer.Mode.GATHER) {
                    assertEquals(log.read(0, 1).length() > 0, sent.bytes(TransferPath.SENDFILE) > 0, sent::toString);
                } else {
                    assertEquals(0, sent.totalCalls(), "Kafka's loop does not use ZeroCopy: " + sent);
                }
            }
        }
    }

    @Test
    void consumersWhileProducersAppend() throws Exception {
        try (Log log = Log.open(dir, SEGMENT, events::add);
             LogServer server = LogServer.start(log, 0, events::add)) {
            Thread producers = new Thread(() -> {
                try {
                    produce(log, 3, 1500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            producers.start();
            DemoRecords.Checker checker = new DemoRecords.Checker();
            try (LogConsumer consumer = new LogConsumer(new InetSocketAddress("127.0.0.1", server.port()))) {
                long offset = 0;
                while (offset < 4500) { // only committed records arrive, whole and in order
                    for (byte[] payload : consumer.fetch(offset, 4096).payloads()) {
                        checker.check(offset++, payload);
                    }
                }
            }
            producers.join();
            assertEquals(4500, checker.records());
        }
    }

    @Test
    void fetchLimits() throws Exception {
        try (Log log = Log.open(dir, SEGMENT, events::add)) {
            log.append(DemoRecords.payload(0, 0));
            log.append(DemoRecords.payload(0, 1));
            assertEquals(0, log.committedOffset()); // not committed: not served
            try (LogServer server = LogServer.start(log, 0, events::add);
                 LogConsumer consumer = new LogConsumer(new InetSocketAddress("127.0.0.1", server.port()))) {
                assertEquals(0, consumer.fetch(0, 1 << 20).payloads().size());
                log.commit();
                assertEquals(1, consumer.fetch(0, 1).payloads().size()); // at least one record
                assertEquals(2, consumer.fetch(0, 1 << 20).payloads().size());
                assertEquals(0, consumer.fetch(2, 1 << 20).payloads().size()); // caught up
                assertThrows(EOFException.class, () -> consumer.fetch(3, 1 << 20)); // past the end: closed
            }
            assertThrows(IllegalArgumentException.class, () -> log.append(new byte[0]));
            assertThrows(IllegalArgumentException.class, () -> log.append(new byte[SEGMENT]));
        }
    }

    @Test
    void reopenKeepsEveryRecordAndAppendsAfterThem() throws Exception {
        try (Log log = Log.open(dir, SEGMENT, events::add)) {
            produce(log, 2, 1000);
        }
        try (Log log = Log.open(dir, SEGMENT, events::add)) {
            assertEquals(2000, log.endOffset());
            assertEquals(2000, log.committedOffset());
            assertEquals(2000, log.append(DemoRecords.payload(2, 0)));
            log.commit();
            try (LogServer server = LogServer.start(log, 0, events::add)) {
                assertEquals(2001, consumeAll(log, server, 1 << 20).records());
            }
        }
    }

    /** A record torn by a crash, written by hand after the last good one: recovery cuts it off. */
    @ParameterizedTest
    @ValueSource(strings = {"short payload", "corrupt payload", "length past the end", "header only"})
    void tornRecordIsCutOff(String damage) throws Exception {
        Path lastSegment;
        long end;
        try (Log log = Log.open(dir, SEGMENT, events::add)) {
            produce(log, 1, 1000);
            Segment last = log.segments().get(log.segments().size() - 1);
            lastSegment = last.path;
            end = last.end();
        }
        byte[] payload = DemoRecords.payload(1, 0);
        ByteBuffer torn = ByteBuffer.allocate(Segment.HEADER + payload.length);
        torn.putInt(payload.length).putInt(Segment.checksum(payload, 0, payload.length)).put(payload).flip();
        switch (damage) {
            case "short payload" -> torn.limit(Segment.HEADER + payload.length / 2);
            case "corrupt payload" -> torn.put(Segment.HEADER + 3, (byte) (payload[3] ^ 1));
            case "length past the end" -> torn.putInt(0, SEGMENT);
            case "header only" -> torn.limit(Segment.HEADER);
            default -> throw new AssertionError(damage);
        }
        try (FileChannel file = FileChannel.open(lastSegment, StandardOpenOption.WRITE)) {
            file.write(torn, end);
        }

        events.clear();
        try (Log log = Log.open(dir, SEGMENT, events::add)) {
            assertEquals(1000, log.endOffset());
            assertTrue(events.stream().anyMatch(e -> e.contains("cut off there")), events::toString);
            assertEquals(1000, log.append(DemoRecords.payload(0, 1000))); // right where the torn one was
        }
        try (Log log = Log.open(dir, SEGMENT, events::add); LogServer server = LogServer.start(log, 0, events::add)) {
            assertEquals(1001, consumeAll(log, server, 1 << 20).records());
        }
    }

    @Test
    void segmentsAfterADamagedOneAreDeleted() throws Exception {
        List<Segment> segments;
        try (Log log = Log.open(dir, SEGMENT, events::add)) {
            produce(log, 1, 2000);
            segments = log.segments();
        }
        assertTrue(segments.size() >= 4, segments::toString);
        Segment damaged = segments.get(1);
        long inLastPayload = damaged.position(damaged.endOffset() - 1) + Segment.HEADER + 2;
        try (FileChannel file = FileChannel.open(damaged.path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            file.read(b, inLastPayload);
            file.write(b.put(0, (byte) (b.get(0) ^ 0x40)).rewind(), inLastPayload); // one bit flipped
        }
        try (Log log = Log.open(dir, SEGMENT, events::add)) {
            assertEquals(damaged.endOffset() - 1, log.endOffset());
            assertEquals(2, log.segments().size());
            assertTrue(Files.notExists(segments.get(2).path));
            try (LogServer server = LogServer.start(log, 0, events::add)) {
                assertEquals(damaged.endOffset() - 1, consumeAll(log, server, 1 << 20).records());
            }
        }
    }

    /**
     * KAFKA-7504: a cold range is warmed on another thread before the network thread sends it.
     * Needs root to drop the page cache.
     */
    @Test
    void coldSegmentsAreWarmedBeforeSending() throws Exception {
        try (Log log = Log.open(dir, 1 << 20, events::add)) {
            produce(log, 2, 10_000);
        }
        try (Log log = Log.open(dir, 1 << 20, events::add)) { // clean pages, none mapped yet
            dropPageCache();
            Segment first = log.segments().get(0);
            long resident = first.region.residentBytes(0, first.end());
            Assumptions.assumeTrue(resident < first.end() / 2,
                    "the page cache kept " + resident + " of " + first.end() + " bytes: cannot test the warm-up");
            events.clear();
            try (LogServer server = LogServer.start(log, 0, events::add)) {
                DemoRecords.Checker checker = consumeAll(log, server, 256 * 1024);
                assertEquals(20_000, checker.records());
                assertTrue(server.warmUps() >= 1, events::toString);
                assertTrue(events.stream().anyMatch(e -> e.matches(
                        "fetch at offset 0: \\d+ of \\d+ bytes of 00000000000000000000.log are in memory; warming .*")),
                        events::toString);
                assertTrue(events.stream().anyMatch(e -> e.matches("warmed \\d+ bytes of 00000000000000000000.log in .*")),
                        events::toString);
                assertTrue(first.region.isLoaded(0, first.end()));
                long warmUps = server.warmUps();
                consumeAll(log, server, 256 * 1024); // warm now: no second warm-up
                assertEquals(warmUps, server.warmUps());
            }
        }
    }

    private static void dropPageCache() {
        try {
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "1");
        } catch (IOException e) {
            Assumptions.assumeTrue(false, "cannot drop the page cache (needs root): " + e);
        }
    }
}
