package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.testing.Bytes;
import io.zerocopy.testing.Sockets;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channel;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A close() by another thread, or an interrupt, during a transfer that is blocked on its peer:
 * side by side with FileChannel where JDK 17 and 25 behave alike, else against what JDK 25 does.
 * The transfer must end promptly as the JDK's does (with the bytes moved so far after a close,
 * with ClosedByInterruptException after an interrupt), and never move a byte into a channel
 * opened after the close.
 */
class TransferInterruptionTest {
    private static final int SIZE = 64 << 20; // far more than a socket buffer: the sender blocks

    @TempDir
    Path tmp;

    private interface Call {
        long run(FileChannel file, Sockets.Pair pair) throws IOException;
    }

    /** How a transfer ended: its result or exception, and whether its thread was interrupted. */
    private static final class Outcome {
        final Object value;
        final boolean interrupted;

        Outcome(Object value, boolean interrupted) {
            this.value = value;
            this.interrupted = interrupted;
        }

        Class<?> type() {
            return value.getClass();
        }
    }

    private static final Call JDK_TO_SOCKET = (file, pair) -> file.transferTo(0, SIZE, pair.client);
    private static final Call OURS_TO_SOCKET = (file, pair) -> ZeroCopy.transferTo(file, 0, SIZE, pair.client);
    private static final Call JDK_FROM_SOCKET = (file, pair) -> file.transferFrom(pair.client, 0, SIZE);
    private static final Call OURS_FROM_SOCKET = (file, pair) -> ZeroCopy.transferFrom(pair.client, file, 0, SIZE);

    private interface Action {
        Object run() throws IOException;
    }

    /** Runs {@code action} on a thread of its own: its result, or what it threw. */
    private static CompletableFuture<Object> onThread(Action action) {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                outcome.complete(action.run());
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        thread.setDaemon(true);
        thread.start();
        return outcome;
    }

    /** Which channel a disruption acts on, or the transferring thread itself. */
    private enum Disruption { CLOSE_FILE, CLOSE_SOCKET, INTERRUPT }

    /**
     * Runs {@code call} on a thread with a peer that neither reads nor writes, disrupts it once it
     * has blocked, and returns how it ended (within 20 s, or the test fails).
     */
    private Outcome blockedThen(Disruption disruption, Call call, boolean fromSocket) throws Exception {
        Path path = fromSocket ? tmp.resolve("target-" + System.nanoTime()) : Bytes.file(tmp, "source-" + System.nanoTime(),
                Bytes.pattern(SIZE, 3));
        try (FileChannel file = fromSocket
                ? FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)
                : FileChannel.open(path);
                Sockets.Pair pair = Sockets.pair(64 * 1024)) {
            Thread[] worker = new Thread[1];
            CompletableFuture<Outcome> outcome = new CompletableFuture<>();
            worker[0] = new Thread(() -> {
                Object value;
                try {
                    value = call.run(file, pair);
                } catch (Throwable t) {
                    value = t;
                }
                outcome.complete(new Outcome(value, Thread.currentThread().isInterrupted()));
            });
            worker[0].start();
            awaitNativeCall(worker[0]);
            Thread.sleep(300); // blocked in the kernel by now
            assertFalse(outcome.isDone(), () -> "did not block: " + outcome.join().value);
            if (disruption == Disruption.INTERRUPT) {
                worker[0].interrupt();
            } else {
                Channel closed = disruption == Disruption.CLOSE_FILE ? file : pair.client;
                closed.close();
            }
            Outcome ended = outcome.get(20, TimeUnit.SECONDS);
            if (disruption == Disruption.INTERRUPT) {
                Channel source = fromSocket ? pair.client : file;
                assertFalse(source.isOpen(), "an interrupt closes the source channel");
            }
            return ended;
        }
    }

    /** After a close, what the blocked call had moved: some bytes, not all. */
    private static void assertPartial(Outcome outcome, long all) {
        assertEquals(Long.class, outcome.type(), String.valueOf(outcome.value));
        long moved = (Long) outcome.value;
        assertTrue(moved > 0 && moved < all, moved + " of " + all);
    }

    /** Waits until {@code thread} is inside a native method (a system call), at most 10 s. */
    private static void awaitNativeCall(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            StackTraceElement[] stack = thread.getStackTrace();
            if (stack.length > 0 && stack[0].isNativeMethod()) {
                return;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("the transfer never reached a system call");
    }

    @Test
    void closingTheSourceFileEndsATransferToASocketAsInTheJdk() throws Exception {
        assertPartial(blockedThen(Disruption.CLOSE_FILE, JDK_TO_SOCKET, false), SIZE);
        assertPartial(blockedThen(Disruption.CLOSE_FILE, OURS_TO_SOCKET, false), SIZE);
    }

    @Test
    void closingTheTargetSocketEndsATransferAsInJdk25() throws Exception {
        // JDK 17's FileChannel.transferTo stays blocked here: it does not register with its target.
        assertPartial(blockedThen(Disruption.CLOSE_SOCKET, OURS_TO_SOCKET, false), SIZE);
    }

    @Test
    void anInterruptEndsATransferToASocketAsInTheJdk() throws Exception {
        Outcome jdk = blockedThen(Disruption.INTERRUPT, JDK_TO_SOCKET, false);
        Outcome ours = blockedThen(Disruption.INTERRUPT, OURS_TO_SOCKET, false);
        assertEquals(ClosedByInterruptException.class, jdk.type(), String.valueOf(jdk.value));
        assertEquals(jdk.type(), ours.type(), String.valueOf(ours.value));
        assertTrue(jdk.interrupted && ours.interrupted, "the interrupt status stays set");
    }

    @Test
    void closingTheSourceSocketEndsATransferFromItAsInTheJdk() throws Exception {
        Outcome jdk = blockedThen(Disruption.CLOSE_SOCKET, JDK_FROM_SOCKET, true);
        Outcome ours = blockedThen(Disruption.CLOSE_SOCKET, OURS_FROM_SOCKET, true);
        assertEquals(AsynchronousCloseException.class, jdk.type(), String.valueOf(jdk.value));
        assertEquals(jdk.type(), ours.type(), String.valueOf(ours.value));
    }

    @Test
    void anInterruptEndsATransferFromASocketAsInTheJdk() throws Exception {
        Outcome jdk = blockedThen(Disruption.INTERRUPT, JDK_FROM_SOCKET, true);
        Outcome ours = blockedThen(Disruption.INTERRUPT, OURS_FROM_SOCKET, true);
        assertEquals(ClosedByInterruptException.class, jdk.type(), String.valueOf(jdk.value));
        assertEquals(jdk.type(), ours.type(), String.valueOf(ours.value));
        assertTrue(jdk.interrupted && ours.interrupted, "the interrupt status stays set");
    }

    @Test
    void anInterruptedThreadTransfersNothingAsInTheJdk() throws Exception {
        Path file = Bytes.file(tmp, "source", Bytes.pattern(100_000, 4));
        for (boolean jdk : new boolean[] {true, false}) {
            try (FileChannel source = FileChannel.open(file); Sockets.Pair pair = Sockets.pair()) {
                Thread.currentThread().interrupt();
                Object outcome;
                try {
                    outcome = jdk ? source.transferTo(0, 100_000, pair.client)
                            : ZeroCopy.transferTo(source, 0, 100_000, pair.client);
                } catch (IOException e) {
                    outcome = e;
                }
                assertTrue(Thread.interrupted(), "the interrupt status stays set");
                assertEquals(ClosedByInterruptException.class, outcome.getClass(), (jdk ? "JDK: " : "ours: ") + outcome);
                assertFalse(source.isOpen(), "the source is closed");
                pair.server.configureBlocking(false);
                // JDK 17 leaves the target open (0 bytes to read); JDK 25 and we close it (end of stream).
                assertTrue(pair.server.read(ByteBuffer.allocate(1)) <= 0, "nothing was sent");
            }
        }
    }

    /**
     * Closing the source ends a relay once the bytes taken from it are delivered, and it returns
     * them; closing the target while such bytes wait in the thread's pipe loses them, which is an
     * exception, never a count.
     */
    @Test
    void closingEitherSocketEndsARelay() throws Exception {
        byte[] data = Bytes.pattern(SIZE, 5);
        for (boolean closeSource : new boolean[] {true, false}) {
            try (Sockets.Pair in = Sockets.pair(); Sockets.Pair out = Sockets.pair(64 * 1024)) {
                // More than out can take: the relay blocks on it.
                onThread(() -> in.client.write(ByteBuffer.wrap(data)));
                CompletableFuture<Object> relayed = onThread(() -> ZeroCopy.relay(in.server, out.client, Long.MAX_VALUE));
                Sockets.awaitQueued(out.server, 1); // the relay delivers: past its first read
                Thread.sleep(300);
                Channel closed = closeSource ? in.server : out.client;
                closed.close();
                if (closeSource) {
                    CompletableFuture<byte[]> received = Bytes.drain(out.server);
                    Object outcome = relayed.get(20, TimeUnit.SECONDS);
                    assertPartial(new Outcome(outcome, false), SIZE);
                    out.client.shutdownOutput();
                    byte[] bytes = received.get(20, TimeUnit.SECONDS);
                    assertEquals(outcome, (long) bytes.length, "every byte taken was delivered");
                    assertArrayEquals(Arrays.copyOf(data, bytes.length), bytes);
                } else {
                    Object outcome = relayed.get(20, TimeUnit.SECONDS);
                    assertEquals(AsynchronousCloseException.class, outcome.getClass(), String.valueOf(outcome));
                }
            }
        }
    }

    /**
     * Descriptor numbers are reused at once: the next pipe opened after a close takes the lowest
     * free ones. A transfer blocked on the closed channel must not move a byte into it.
     */
    @Test
    void noByteReachesAPipeOpenedAfterTheClose() throws Exception {
        byte[] data = Bytes.pattern(16 << 20, 12);
        Path file = Bytes.file(tmp, "source", data);
        Pipe pipe = Pipe.open();
        try (FileChannel source = FileChannel.open(file); Pipe.SourceChannel out = pipe.source()) {
            CompletableFuture<Object> sent = onThread(() -> ZeroCopy.transferTo(source, 0, data.length, pipe.sink()));
            Thread.sleep(300); // the transfer has filled the pipe and waits inside splice
            pipe.sink().close();
            Pipe next = Pipe.open();
            try {
                Object outcome = sent.get(20, TimeUnit.SECONDS);
                assertPartial(new Outcome(outcome, false), data.length);
                byte[] received = Bytes.readAll(out);
                assertEquals(outcome, (long) received.length, "what was moved is what arrived");
                assertArrayEquals(Arrays.copyOf(data, received.length), received, "a prefix, in order");
                next.source().configureBlocking(false);
                assertEquals(0, next.source().read(ByteBuffer.allocate(1)), "nothing leaked into the new pipe");
            } finally {
                next.sink().close();
                next.source().close();
            }
        }
    }
}
