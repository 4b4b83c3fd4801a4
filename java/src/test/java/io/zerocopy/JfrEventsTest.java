package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.testing.Bytes;
import io.zerocopy.testing.Sockets;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library's JFR events, recorded for real and read back with RecordingFile. */
class JfrEventsTest {
    private static final int SIZE = 1 << 20;

    @TempDir
    Path tmp;

    private static String describe(RecordedEvent e) {
        return e.getString("operation") + " " + e.getString("path") + " " + e.getLong("bytes") + " "
                + e.getString("source") + " -> " + e.getString("target");
    }

    private List<RecordedEvent> record(Duration threshold, ThrowingRunnable work) throws Exception {
        Path dump = tmp.resolve("recording-" + System.nanoTime() + ".jfr");
        try (Recording recording = new Recording()) {
            // A null threshold keeps the events' own (@Threshold, 20 ms).
            if (threshold == null) {
                recording.enable("io.zerocopy.Transfer");
                recording.enable("io.zerocopy.Mapping");
            } else {
                recording.enable("io.zerocopy.Transfer").withThreshold(threshold).withStackTrace();
                recording.enable("io.zerocopy.Mapping").withThreshold(threshold);
            }
            recording.start();
            work.run();
            recording.stop();
            recording.dump(dump);
        }
        return RecordingFile.readAllEvents(dump);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void everyTransferIsAnEventWithItsPathBytesAndChannelKinds() throws Exception {
        byte[] data = Bytes.pattern(SIZE, 21);
        Path sourcePath = Bytes.file(tmp, "source", data);
        List<RecordedEvent> events = record(Duration.ZERO, () -> {
            try (FileChannel source = FileChannel.open(sourcePath);
                    FileChannel target = FileChannel.open(tmp.resolve("target"), StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE);
                    Sockets.Pair pair = Sockets.pair()) {
                CompletableFuture<byte[]> received = Bytes.drain(pair.server);
                assertEquals(SIZE, ZeroCopy.transferTo(source, 0, SIZE, pair.client));
                assertEquals(SIZE, ZeroCopy.transferTo(source, 0, SIZE, Channels.newChannel(new java.io.ByteArrayOutputStream())));
                pair.client.shutdownOutput();
                received.get();
                Pipe pipe = Pipe.open();
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try (Pipe.SinkChannel sink = pipe.sink()) {
                        sink.write(ByteBuffer.wrap(data, 0, 4096));
                    } catch (java.io.IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                assertEquals(4096, ZeroCopy.transferFrom(pipe.source(), target, 0, 4096));
                writer.get();
                pipe.source().close();
            }
        });
        List<String> transfers = events.stream().filter(e -> e.getEventType().getName().equals("io.zerocopy.Transfer"))
                .map(JfrEventsTest::describe).collect(Collectors.toList());
        assertEquals(List.of("transferTo SENDFILE " + SIZE + " file -> socket",
                "transferTo BUFFERED " + SIZE + " file -> java.nio.channels.Channels$WritableByteChannelImpl",
                "transferFrom SPLICE 4096 pipe -> file"), transfers);
        RecordedEvent first = events.stream().filter(e -> e.getEventType().getName().equals("io.zerocopy.Transfer"))
                .findFirst().orElseThrow();
        assertTrue(first.getStackTrace().getFrames().stream()
                .anyMatch(f -> f.getMethod().getType().getName().equals(JfrEventsTest.class.getName())),
                "the stack trace shows the caller");
    }

    @Test
    void mapAndCloseAreEvents() throws Exception {
        Path file = Bytes.file(tmp, "mapped", Bytes.pattern(SIZE, 22));
        List<RecordedEvent> events = record(Duration.ZERO, () -> {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
                    MappedRegion region = MappedRegion.map(channel, FileChannel.MapMode.READ_ONLY, 4096, SIZE - 4096)) {
                region.load();
            }
        });
        List<String> mappings = events.stream().filter(e -> e.getEventType().getName().equals("io.zerocopy.Mapping"))
                .map(e -> e.getString("operation") + " " + e.getString("mode") + " " + e.getLong("position") + " "
                        + e.getLong("size"))
                .collect(Collectors.toList());
        assertEquals(List.of("map READ_ONLY 4096 " + (SIZE - 4096), "close READ_ONLY -1 " + (SIZE - 4096)), mappings);
    }

    /** As the JDK's jdk.FileRead: calls shorter than the threshold are not recorded. */
    @Test
    void shortCallsStayBelowTheDefaultThreshold() throws Exception {
        Path sourcePath = Bytes.file(tmp, "small", Bytes.pattern(4096, 23));
        List<RecordedEvent> events = record(null, () -> {
            try (FileChannel source = FileChannel.open(sourcePath);
                    FileChannel target = FileChannel.open(tmp.resolve("small-copy"), StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE)) {
                assertEquals(4096, ZeroCopy.transferTo(source, 0, 4096, target));
                try (MappedRegion region = MappedRegion.map(source, FileChannel.MapMode.READ_ONLY, 0, 4096)) {
                    region.isLoaded();
                }
            }
        });
        assertTrue(events.stream().noneMatch(e -> e.getEventType().getName().startsWith("io.zerocopy.")),
                events::toString);
    }
}
