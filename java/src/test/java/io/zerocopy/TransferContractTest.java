package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zerocopy.testing.Bytes;
import io.zerocopy.testing.Sockets;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same cases through FileChannel.transferTo/transferFrom and through ZeroCopy, side by side
 * on the JDK that runs the test (17, 21 and 25 differ, and ZeroCopy follows the one it runs on):
 * return values, bytes delivered, and positions afterwards must be equal. Each run gets fresh
 * files, sockets and pipes.
 */
class TransferContractTest {
    private static final int[] SIZES = {0, 1, 4095, 4096, (1 << 20) + 123};
    private static final int TARGET_SIZE = 1000;

    @TempDir
    Path tmp;

    /** Everything a caller can observe after a transfer. */
    record Outcome(String result, int deliveredLength, String deliveredDigest, long sourcePosition,
            long targetPosition, String leftInSource) {
        static Outcome of(String result, byte[] delivered, long sourcePosition, long targetPosition,
                byte[] leftInSource) {
            return new Outcome(result, delivered.length, digest(delivered), sourcePosition, targetPosition,
                    leftInSource == null ? "-" : leftInSource.length + " bytes " + digest(leftInSource));
        }
    }

    private static String digest(byte[] bytes) {
        return Base64.getEncoder().encodeToString(Arrays.copyOf(Bytes.sha256(bytes), 9));
    }

    private static Set<Long> distinctNonNegative(long... values) {
        Set<Long> set = new LinkedHashSet<>();
        for (long v : values) {
            if (v >= 0) {
                set.add(v);
            }
        }
        return set;
    }

    // ---------------------------------------------------------------------------------------
    // transferTo

    interface TransferTo {
        long apply(FileChannel source, long position, long count, WritableByteChannel target) throws IOException;
    }

    private static final TransferTo JDK_TO = (s, p, c, t) -> s.transferTo(p, c, t);
    /**
     * What ZeroCopy promises beyond the JDK for a blocking target: all of {@code count} in one
     * call. The JDK may stop short (at 64 KiB into a pipe, at 2 GiB per call); calling it again
     * until it is done or moves nothing gives the bytes ZeroCopy must move at once.
     */
    private static final TransferTo JDK_TO_UNTIL_DONE = (s, p, c, t) -> {
        long total = 0;
        long n;
        while (total < c && (n = s.transferTo(p + total, c - total, t)) > 0) {
            total += n;
        }
        return total;
    };
    private static final TransferTo OURS_TO = ZeroCopy::transferTo;

    enum Target {
        FILE, APPEND_FILE, BLOCKING_SOCKET, NON_BLOCKING_SOCKET, PIPE, WRAPPER;

        boolean blocking() {
            return this != NON_BLOCKING_SOCKET;
        }
    }

    @TestFactory
    Stream<DynamicTest> transferToMatchesTheJdk() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Target target : Target.values()) {
            for (int size : SIZES) {
                tests.add(DynamicTest.dynamicTest(target + " size " + size, () -> {
                    // The last two: offsets the kernel refuses (EOVERFLOW, EINVAL); the JDK answers 0.
                    for (long position : distinctNonNegative(0, 1, size / 2, size - 1, size, size + 10,
                            (1L << 44) + 1, Long.MAX_VALUE - 101)) {
                        for (long count : distinctNonNegative(0, 1, 4097, size, 2L * size, Long.MAX_VALUE)) {
                            TransferTo expected = target.blocking() ? JDK_TO_UNTIL_DONE : JDK_TO;
                            Outcome jdk = transferTo(expected, size, position, count, target);
                            Outcome ours = transferTo(OURS_TO, size, position, count, target);
                            assertEquals(jdk, ours, "position " + position + " count " + count);
                        }
                    }
                }));
            }
        }
        return tests.stream();
    }

    private Outcome transferTo(TransferTo transfer, int size, long position, long count, Target kind)
            throws Exception {
        Path dir = Files.createTempDirectory(tmp, "case");
        Path sourceFile = Bytes.file(dir, "source", Bytes.pattern(size, size));
        try (FileChannel source = FileChannel.open(sourceFile)) {
            source.position(size / 3);
            switch (kind) {
                case FILE:
                case APPEND_FILE: {
                    Path targetFile = Bytes.file(dir, "target", Bytes.pattern(TARGET_SIZE, 7));
                    try (FileChannel target = kind == Target.FILE
                            ? FileChannel.open(targetFile, StandardOpenOption.WRITE)
                            : FileChannel.open(targetFile, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                        target.position(TARGET_SIZE / 2);
                        String result = run(() -> transfer.apply(source, position, count, target));
                        return Outcome.of(result, Files.readAllBytes(targetFile), source.position(),
                                target.position(), null);
                    }
                }
                case BLOCKING_SOCKET:
                    try (Sockets.Pair pair = Sockets.pair()) {
                        CompletableFuture<byte[]> received = Bytes.drain(pair.server);
                        String result = run(() -> transfer.apply(source, position, count, pair.client));
                        pair.client.shutdownOutput();
                        return Outcome.of(result, received.get(), source.position(), -1, null);
                    }
                case NON_BLOCKING_SOCKET:
                    try (Sockets.Pair pair = Sockets.pair(16 * 1024)) {
                        pair.client.setOption(StandardSocketOptions.SO_SNDBUF, 16 * 1024);
                        pair.client.configureBlocking(false);
                        // The reader starts only after the call: the kernel takes what fits.
                        String result = run(() -> transfer.apply(source, position, count, pair.client));
                        pair.client.shutdownOutput();
                        return Outcome.of(result, Bytes.readAll(pair.server), source.position(), -1, null);
                    }
                case PIPE: {
                    Pipe pipe = Pipe.open();
                    try (Pipe.SourceChannel out = pipe.source()) {
                        CompletableFuture<byte[]> received = Bytes.drain(out);
                        String result;
                        try (Pipe.SinkChannel sink = pipe.sink()) {
                            result = run(() -> transfer.apply(source, position, count, sink));
                        }
                        return Outcome.of(result, received.get(), source.position(), -1, null);
                    }
                }
                case WRAPPER: {
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    WritableByteChannel target = Channels.newChannel(bytes);
                    String result = run(() -> transfer.apply(source, position, count, target));
                    return Outcome.of(result, bytes.toByteArray(), source.position(), -1, null);
                }
                default:
                    throw new AssertionError(kind);
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // transferFrom

    interface TransferFrom {
        long apply(ReadableByteChannel source, FileChannel target, long position, long count) throws IOException;
    }

    private static final TransferFrom JDK_FROM = (s, t, p, c) -> t.transferFrom(s, p, c);
    private static final TransferFrom OURS_FROM = ZeroCopy::transferFrom;

    enum Source { FILE, BLOCKING_SOCKET, NON_BLOCKING_SOCKET, PIPE, WRAPPER }

    @TestFactory
    Stream<DynamicTest> transferFromMatchesTheJdk() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Source source : Source.values()) {
            for (boolean append : new boolean[] {false, true}) {
                for (int size : SIZES) {
                    String name = source + (append ? " into an append-mode file" : "") + " size " + size;
                    tests.add(DynamicTest.dynamicTest(name, () -> {
                        for (long position : distinctNonNegative(0, 1, TARGET_SIZE / 2, TARGET_SIZE - 1,
                                TARGET_SIZE, TARGET_SIZE + 10)) {
                            for (long count : distinctNonNegative(0, 1, 4097, size, 2L * size, Long.MAX_VALUE)) {
                                // Past the end: JDK 17 does nothing, JDK 21+ writes there (JDK-8303260).
                                Outcome jdk = transferFrom(JDK_FROM, size, position, count, source, append);
                                Outcome ours = transferFrom(OURS_FROM, size, position, count, source, append);
                                assertEquals(jdk, ours, "position " + position + " count " + count);
                            }
                        }
                    }));
                }
            }
        }
        return tests.stream();
    }

    private Outcome transferFrom(TransferFrom transfer, int size, long position, long count, Source kind,
            boolean append) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "case");
        byte[] data = Bytes.pattern(size, size);
        Path targetFile = Bytes.file(dir, "target", Bytes.pattern(TARGET_SIZE, 7));
        try (FileChannel target = append
                ? FileChannel.open(targetFile, StandardOpenOption.WRITE, StandardOpenOption.APPEND)
                : FileChannel.open(targetFile, StandardOpenOption.WRITE)) {
            if (!append) {
                target.position(TARGET_SIZE / 3);
            }
            switch (kind) {
                case FILE:
                    try (FileChannel source = FileChannel.open(Bytes.file(dir, "source", data))) {
                        source.position(size / 3);
                        String result = run(() -> transfer.apply(source, target, position, count));
                        return Outcome.of(result, Files.readAllBytes(targetFile), source.position(),
                                target.position(), null);
                    }
                case BLOCKING_SOCKET:
                case NON_BLOCKING_SOCKET:
                    try (Sockets.Pair pair = Sockets.pair(4 << 20)) {
                        CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
                            try {
                                pair.client.write(ByteBuffer.wrap(data));
                                pair.client.shutdownOutput();
                            } catch (IOException e) {
                                throw new RuntimeException(e);
                            }
                        });
                        if (kind == Source.NON_BLOCKING_SOCKET) {
                            written.get(); // all of it is queued at the receiver: the case is deterministic
                            Sockets.awaitQueued(pair.server, data.length);
                            pair.server.configureBlocking(false);
                        }
                        String result = run(() -> transfer.apply(pair.server, target, position, count));
                        pair.server.configureBlocking(true);
                        byte[] left = Bytes.readAll(pair.server);
                        written.get();
                        return Outcome.of(result, Files.readAllBytes(targetFile), -1, target.position(), left);
                    }
                case PIPE: {
                    Pipe pipe = Pipe.open();
                    try (Pipe.SinkChannel sink = pipe.sink(); Pipe.SourceChannel source = pipe.source()) {
                        CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
                            try (sink) {
                                sink.write(ByteBuffer.wrap(data));
                            } catch (IOException e) {
                                throw new RuntimeException(e);
                            }
                        });
                        String result = run(() -> transfer.apply(source, target, position, count));
                        byte[] left = Bytes.readAll(source);
                        written.get();
                        return Outcome.of(result, Files.readAllBytes(targetFile), -1, target.position(), left);
                    }
                }
                case WRAPPER: {
                    ReadableByteChannel source = Channels.newChannel(new ByteArrayInputStream(data));
                    String result = run(() -> transfer.apply(source, target, position, count));
                    byte[] left = Bytes.readAll(source);
                    return Outcome.of(result, Files.readAllBytes(targetFile), -1, target.position(), left);
                }
                default:
                    throw new AssertionError(kind);
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Files that report size 0 (a device, /proc) and sockets that are not connected: where JDK 17,
    // 21 and 25 each answer differently.

    private static final String[] EMPTY_SIZED = {"/dev/zero", "/proc/version"};

    @TestFactory
    Stream<DynamicTest> emptySizedFilesAndUnconnectedSocketsMatchTheJdk() {
        List<DynamicTest> tests = new ArrayList<>();
        Path[] sources = {Paths.get(EMPTY_SIZED[0]), Paths.get(EMPTY_SIZED[1]), null};
        for (Path special : sources) {
            for (String target : new String[] {"file", "socket", "unconnected socket"}) {
                tests.add(DynamicTest.dynamicTest("transferTo from " + (special == null ? "a 3000-byte file" : special)
                        + " to a " + target, () -> {
                    Path source = special != null ? special : Bytes.file(tmp, "regular-" + System.nanoTime(),
                            Bytes.pattern(3000, 9));
                    for (long position : new long[] {0, 10, 3000, 3001}) {
                        for (long count : new long[] {0, 100, 5000}) {
                            assertEquals(transferToSpecial(JDK_TO, source, position, count, target),
                                    transferToSpecial(OURS_TO, source, position, count, target),
                                    "position " + position + " count " + count);
                        }
                    }
                }));
            }
        }
        for (String source : new String[] {EMPTY_SIZED[0], EMPTY_SIZED[1], "unconnected socket"}) {
            tests.add(DynamicTest.dynamicTest("transferFrom " + source, () -> {
                for (long position : new long[] {0, TARGET_SIZE, TARGET_SIZE + 1000}) {
                    for (long count : new long[] {0, 10, 5000}) {
                        assertEquals(transferFromSpecial(JDK_FROM, source, position, count),
                                transferFromSpecial(OURS_FROM, source, position, count),
                                "position " + position + " count " + count);
                    }
                }
            }));
        }
        return tests.stream();
    }

    private Outcome transferToSpecial(TransferTo transfer, Path sourcePath, long position, long count, String kind)
            throws Exception {
        try (FileChannel source = FileChannel.open(sourcePath)) {
            switch (kind) {
                case "file": {
                    Path targetFile = Bytes.file(Files.createTempDirectory(tmp, "case"), "target", new byte[0]);
                    try (FileChannel target = FileChannel.open(targetFile, StandardOpenOption.WRITE)) {
                        String result = run(() -> transfer.apply(source, position, count, target));
                        return Outcome.of(result, Files.readAllBytes(targetFile), source.position(),
                                target.position(), null);
                    }
                }
                case "socket":
                    try (Sockets.Pair pair = Sockets.pair()) {
                        CompletableFuture<byte[]> received = Bytes.drain(pair.server);
                        String result = run(() -> transfer.apply(source, position, count, pair.client));
                        pair.client.shutdownOutput();
                        return Outcome.of(result, received.get(), source.position(), -1, null);
                    }
                default:
                    try (SocketChannel unconnected = SocketChannel.open()) {
                        String result = run(() -> transfer.apply(source, position, count, unconnected));
                        return Outcome.of(result, new byte[0], source.position(), -1, null);
                    }
            }
        }
    }

    private Outcome transferFromSpecial(TransferFrom transfer, String kind, long position, long count)
            throws Exception {
        Path targetFile = Bytes.file(Files.createTempDirectory(tmp, "case"), "target", Bytes.pattern(TARGET_SIZE, 7));
        try (FileChannel target = FileChannel.open(targetFile, StandardOpenOption.WRITE)) {
            if (kind.equals("unconnected socket")) {
                try (SocketChannel unconnected = SocketChannel.open()) {
                    String result = run(() -> transfer.apply(unconnected, target, position, count));
                    return Outcome.of(result, Files.readAllBytes(targetFile), -1, target.position(), null);
                }
            }
            try (FileChannel source = FileChannel.open(Paths.get(kind))) {
                String result = run(() -> transfer.apply(source, target, position, count));
                return Outcome.of(result, Files.readAllBytes(targetFile), source.position(), target.position(), null);
            }
        }
    }

    // ---------------------------------------------------------------------------------------

    interface Call {
        long run() throws Exception;
    }

    /** The return value, or the exception's class. */
    private static String run(Call call) {
        try {
            return String.valueOf(call.run());
        } catch (Exception e) {
            return e.getClass().getName();
        }
    }
}
