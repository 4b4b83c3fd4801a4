package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.testing.Bytes;
import io.zerocopy.testing.Sockets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transfer blocked on its peer (a socket that neither reads nor writes), then disrupted by
 * another thread: an interrupt, a close of either channel, or a shutdown of the socket. Every
 * combination of transfer (transferTo, transferFrom, relay), disruption and thread kind
 * (platform, and virtual on JDK 21+) runs side by side with the JDK's own call on the same
 * kind of thread, and must end within bounded time as the JDK's does.
 */
class BlockedTransferTest {
    private static final int SIZE = 64 << 20; // far more than the socket buffers: the sender blocks
    // Ours must end within this (generous, for a loaded machine); the JDK's own call is given
    // less, since where it ends it does so at once, and where it stays blocked waiting is wasted.
    private static final long OURS_END_WITHIN_SECONDS = 20;
    private static final long JDK_ENDS_WITHIN_SECONDS = 5;

    @TempDir
    Path tmp;

    enum Kind { PLATFORM, VIRTUAL }

    enum Operation { TRANSFER_TO, TRANSFER_FROM, RELAY }

    enum Disruption { INTERRUPT, CLOSE_FILE, CLOSE_SOCKET, SHUTDOWN }

    /** The channels of one run: a file (or, for a relay, a second socket pair) and a socket pair. */
    private static final class Setup implements AutoCloseable {
        final FileChannel file;
        final Sockets.Pair pair;
        final Sockets.Pair out; // the relay's target

        Setup(FileChannel file, Sockets.Pair pair, Sockets.Pair out) {
            this.file = file;
            this.pair = pair;
            this.out = out;
        }

        @Override
        public void close() throws IOException {
            if (file != null) {
                file.close();
            }
            pair.close();
            if (out != null) {
                out.close();
            }
        }
    }

    private interface Call {
        long run(Setup s) throws IOException;
    }

    private static Call call(Operation operation, boolean jdk) {
        switch (operation) {
            case TRANSFER_TO:
                return jdk ? s -> s.file.transferTo(0, SIZE, s.pair.client)
                        : s -> ZeroCopy.transferTo(s.file, 0, SIZE, s.pair.client);
            case TRANSFER_FROM:
                return jdk ? s -> s.file.transferFrom(s.pair.client, 0, SIZE)
                        : s -> ZeroCopy.transferFrom(s.pair.client, s.file, 0, SIZE);
            default:
                return jdk ? s -> jdkRelay(s.pair.client, s.out.client) : s -> ZeroCopy.relay(s.pair.client, s.out.client, SIZE);
        }
    }

    /** What a proxy does with the JDK alone: read, then write all of it. */
    private static long jdkRelay(SocketChannel source, SocketChannel target) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        long moved = 0;
        while (moved < SIZE) {
            buffer.clear();
            if (source.read(buffer) < 0) {
                break;
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                moved += target.write(buffer);
            }
        }
        return moved;
    }

    private Setup setup(Operation operation) throws IOException {
        Sockets.Pair pair = Sockets.pair(64 * 1024);
        switch (operation) {
            case TRANSFER_TO:
                return new Setup(FileChannel.open(Bytes.file(Files.createTempDirectory(tmp, "to"), "source",
                        Bytes.pattern(SIZE, 3))), pair, null);
            case TRANSFER_FROM:
                return new Setup(FileChannel.open(Files.createTempDirectory(tmp, "from").resolve("target"),
                        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), pair, null);
            default:
                return new Setup(null, pair, Sockets.pair(64 * 1024));
        }
    }

    /** How a blocked call ended, as a caller sees it. */
    private static String outcome(Object value, boolean interrupted) {
        String what = value instanceof Long ? ((Long) value > 0 ? "some bytes" : "0 bytes")
                : value.getClass().getSimpleName();
        return what + (interrupted ? ", interrupt status set" : "");
    }

    /**
     * Runs the call on a thread of the given kind, waits until it has blocked, disrupts it, and
     * returns how it ended; "still blocked" if it did not end in time (then the peer is closed to
     * free it).
     */
    private String run(Operation operation, Disruption disruption, Kind kind, boolean jdk) throws Exception {
        try (Setup s = setup(operation)) {
            CompletableFuture<String> ended = new CompletableFuture<>();
            Call call = call(operation, jdk);
            Thread worker = start(kind, () -> {
                Object value;
                try {
                    value = call.run(s);
                } catch (Throwable t) {
                    value = t;
                }
                ended.complete(outcome(value, Thread.currentThread().isInterrupted()));
            });
            awaitBlocked(worker, ended);
            // Disrupted from a thread of its own: on JDK 25 the JDK's own transferTo on a virtual
            // thread stays in sendfile, and interrupt() waits for it for good.
            Thread disrupter = new Thread(() -> disrupt(s, operation, disruption, worker));
            disrupter.setDaemon(true);
            disrupter.start();
            long wait = jdk ? JDK_ENDS_WITHIN_SECONDS : OURS_END_WITHIN_SECONDS;
            try {
                return ended.get(wait, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                boolean disrupterHung = disrupter.isAlive();
                s.pair.server.close(); // frees a thread blocked on its peer
                disrupter.join(TimeUnit.SECONDS.toMillis(OURS_END_WITHIN_SECONDS));
                return disrupterHung ? "still blocked, and " + disruption + " hung" : "still blocked";
            }
        }
    }

    private static void disrupt(Setup s, Operation operation, Disruption disruption, Thread worker) {
        try {
            switch (disruption) {
                case INTERRUPT:
                    worker.interrupt();
                    break;
                case CLOSE_FILE:
                    (s.file != null ? s.file : s.out.client).close();
                    break;
                case CLOSE_SOCKET:
                    s.pair.client.close();
                    break;
                default:
                    if (operation == Operation.TRANSFER_TO) {
                        s.pair.client.shutdownOutput();
                    } else {
                        s.pair.client.shutdownInput();
                    }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final MethodHandle START_VIRTUAL = startVirtual();

    private static MethodHandle startVirtual() {
        try {
            return MethodHandles.publicLookup().findStatic(Thread.class, "startVirtualThread",
                    MethodType.methodType(Thread.class, Runnable.class));
        } catch (ReflectiveOperationException e) {
            return null; // before JDK 21
        }
    }

    private static Thread start(Kind kind, Runnable body) {
        if (kind == Kind.VIRTUAL) {
            try {
                return (Thread) START_VIRTUAL.invokeExact(body);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
        }
        Thread thread = new Thread(body);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Waits until the worker sits in a system call or is parked, then a little longer. */
    private static void awaitBlocked(Thread worker, CompletableFuture<String> ended) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && !ended.isDone()) {
            StackTraceElement[] stack = worker.getStackTrace();
            Thread.State state = worker.getState();
            boolean inKernel = stack.length > 0 && stack[0].isNativeMethod();
            if (inKernel || state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING) {
                break;
            }
            Thread.sleep(1);
        }
        Thread.sleep(300);
        assertFalse(ended.isDone(), () -> "did not block: " + ended.join());
    }

    @TestFactory
    Stream<DynamicTest> aDisruptedTransferEndsAsTheJdksOwnCall() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            for (Operation operation : Operation.values()) {
                for (Disruption disruption : Disruption.values()) {
                    tests.add(DynamicTest.dynamicTest(operation + " on a " + kind + " thread, " + disruption, () -> {
                        Assumptions.assumeTrue(kind == Kind.PLATFORM || START_VIRTUAL != null,
                                "virtual threads need JDK 21+");
                        String jdk = run(operation, disruption, kind, true);
                        String ours = run(operation, disruption, kind, false);
                        System.out.println(operation + " " + kind + " " + disruption + ": JDK " + jdk + " | ours " + ours);
                        assertFalse(ours.startsWith("still blocked"), "ZeroCopy never stays blocked: " + ours);
                        if (!jdk.startsWith("still blocked")) {
                            assertEquals(jdk, ours);
                        }
                    }));
                }
            }
        }
        return tests.stream();
    }
}
