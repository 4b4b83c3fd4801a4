package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zerocopy.testing.Bytes;
import io.zerocopy.testing.Sockets;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets the JDK's exception, in the JDK's order, for every case side by side. */
class TransferErrorsTest {
    @TempDir
    Path tmp;

    private Path source;
    private Path target;

    interface Case {
        long run(FileChannel readable, FileChannel writeOnly, FileChannel readOnly, FileChannel closed,
                WritableByteChannel socket) throws Exception;
    }

    /** One case, run on fresh channels: the exception's class or the return value. */
    private String outcome(Case c) throws Exception {
        source = Bytes.file(tmp, "source", Bytes.pattern(10_000, 1));
        target = Bytes.file(tmp, "target", Bytes.pattern(100, 2));
        try (FileChannel readable = FileChannel.open(source, StandardOpenOption.READ);
                FileChannel writeOnly = FileChannel.open(target, StandardOpenOption.WRITE);
                FileChannel readOnly = FileChannel.open(target, StandardOpenOption.READ);
                Sockets.Pair pair = Sockets.pair()) {
            FileChannel closed = FileChannel.open(source);
            closed.close();
            try {
                return String.valueOf(c.run(readable, writeOnly, readOnly, closed, pair.client));
            } catch (Exception e) {
                return e.getClass().getSimpleName();
            }
        }
    }

    private DynamicTest sideBySide(String name, Case jdk, Case ours) {
        return DynamicTest.dynamicTest(name, () -> assertEquals(outcome(jdk), outcome(ours)));
    }

    @TestFactory
    Stream<DynamicTest> transferToErrorsMatchTheJdk() {
        List<DynamicTest> t = new ArrayList<>();
        t.add(sideBySide("closed source", (r, w, ro, c, s) -> c.transferTo(0, 10, w),
                (r, w, ro, c, s) -> ZeroCopy.transferTo(c, 0, 10, w)));
        t.add(sideBySide("closed file target", (r, w, ro, c, s) -> r.transferTo(0, 10, c),
                (r, w, ro, c, s) -> ZeroCopy.transferTo(r, 0, 10, c)));
        t.add(sideBySide("closed socket target", (r, w, ro, c, s) -> { s.close(); return r.transferTo(0, 10, s); },
                (r, w, ro, c, s) -> { s.close(); return ZeroCopy.transferTo(r, 0, 10, s); }));
        t.add(sideBySide("source not open for reading", (r, w, ro, c, s) -> w.transferTo(0, 10, s),
                (r, w, ro, c, s) -> ZeroCopy.transferTo(w, 0, 10, s)));
        t.add(sideBySide("file target not open for writing", (r, w, ro, c, s) -> r.transferTo(0, 10, ro),
                (r, w, ro, c, s) -> ZeroCopy.transferTo(r, 0, 10, ro)));
        t.add(sideBySide("negative position", (r, w, ro, c, s) -> r.transferTo(-1, 10, s),
                (r, w, ro, c, s) -> ZeroCopy.transferTo(r, -1, 10, s)));
        t.add(sideBySide("negative count", (r, w, ro, c, s) -> r.transferTo(0, -1, w),
                (r, w, ro, c, s) -> ZeroCopy.transferTo(r, 0, -1, w)));
        t.add(sideBySide("unreadable source before a negative position", (r, w, ro, c, s) -> w.transferTo(-1, 10, s),
                (r, w, ro, c, s) -> ZeroCopy.transferTo(w, -1, 10, s)));
        t.add(sideBySide("closed source before an unwritable target", (r, w, ro, c, s) -> c.transferTo(0, 10, ro),
                (r, w, ro, c, s) -> ZeroCopy.transferTo(c, 0, 10, ro)));
        t.add(sideBySide("unwritable target before a negative count", (r, w, ro, c, s) -> r.transferTo(0, -5, ro),
                (r, w, ro, c, s) -> ZeroCopy.transferTo(r, 0, -5, ro)));
        t.add(sideBySide("null target", (r, w, ro, c, s) -> r.transferTo(0, 10, null),
                (r, w, ro, c, s) -> ZeroCopy.transferTo(r, 0, 10, null)));
        t.add(sideBySide("negative position into a wrapper", (r, w, ro, c, s) -> r.transferTo(-1, 10, wrapper()),
                (r, w, ro, c, s) -> ZeroCopy.transferTo(r, -1, 10, wrapper())));
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> transferFromErrorsMatchTheJdk() {
        List<DynamicTest> t = new ArrayList<>();
        t.add(sideBySide("closed target", (r, w, ro, c, s) -> c.transferFrom(r, 0, 10),
                (r, w, ro, c, s) -> ZeroCopy.transferFrom(r, c, 0, 10)));
        t.add(sideBySide("closed source", (r, w, ro, c, s) -> w.transferFrom(c, 0, 10),
                (r, w, ro, c, s) -> ZeroCopy.transferFrom(c, w, 0, 10)));
        t.add(sideBySide("target not open for writing", (r, w, ro, c, s) -> ro.transferFrom(r, 0, 10),
                (r, w, ro, c, s) -> ZeroCopy.transferFrom(r, ro, 0, 10)));
        t.add(sideBySide("file source not open for reading", (r, w, ro, c, s) -> w.transferFrom(w, 0, 10),
                (r, w, ro, c, s) -> ZeroCopy.transferFrom(w, w, 0, 10)));
        t.add(sideBySide("negative position", (r, w, ro, c, s) -> w.transferFrom(r, -1, 10),
                (r, w, ro, c, s) -> ZeroCopy.transferFrom(r, w, -1, 10)));
        t.add(sideBySide("negative count", (r, w, ro, c, s) -> w.transferFrom(r, 0, -1),
                (r, w, ro, c, s) -> ZeroCopy.transferFrom(r, w, 0, -1)));
        t.add(sideBySide("unwritable target before a negative position", (r, w, ro, c, s) -> ro.transferFrom(r, -1, 1),
                (r, w, ro, c, s) -> ZeroCopy.transferFrom(r, ro, -1, 1)));
        t.add(sideBySide("null source", (r, w, ro, c, s) -> w.transferFrom(null, 0, 10),
                (r, w, ro, c, s) -> ZeroCopy.transferFrom(null, w, 0, 10)));
        t.add(sideBySide("negative count from a wrapper", (r, w, ro, c, s) -> w.transferFrom(wrapperSource(), 0, -1),
                (r, w, ro, c, s) -> ZeroCopy.transferFrom(wrapperSource(), w, 0, -1)));
        // JDK 17 checks the target and the arguments before the source, and answers 0 past the
        // end before it looks at the source; JDK 21+ checks the source first.
        t.add(sideBySide("unreadable source and unwritable target", (r, w, ro, c, s) -> ro.transferFrom(w, 0, 10),
                (r, w, ro, c, s) -> ZeroCopy.transferFrom(w, ro, 0, 10)));
        t.add(sideBySide("unreadable source and a negative position", (r, w, ro, c, s) -> w.transferFrom(w, -1, 10),
                (r, w, ro, c, s) -> ZeroCopy.transferFrom(w, w, -1, 10)));
        t.add(sideBySide("unreadable source past the end", (r, w, ro, c, s) -> w.transferFrom(w, 1000, 10),
                (r, w, ro, c, s) -> ZeroCopy.transferFrom(w, w, 1000, 10)));
        t.add(sideBySide("unreadable source inside the target", (r, w, ro, c, s) -> w.transferFrom(w, 50, 10),
                (r, w, ro, c, s) -> ZeroCopy.transferFrom(w, w, 50, 10)));
        t.add(sideBySide("past the end of the target", (r, w, ro, c, s) -> w.transferFrom(r, 1000, 10),
                (r, w, ro, c, s) -> ZeroCopy.transferFrom(r, w, 1000, 10)));
        return t.stream();
    }

    @Test
    void relayAndTheHeaderVariantCheckTheirArguments() throws Exception {
        assertEquals("IllegalArgumentException", outcome((r, w, ro, c, s) -> ZeroCopy.relay(r, s, -1)));
        assertEquals("ClosedChannelException", outcome((r, w, ro, c, s) -> ZeroCopy.relay(c, s, 1)));
        assertEquals("NullPointerException", outcome((r, w, ro, c, s) -> ZeroCopy.transferTo(null, r, 0, 1, s)));
        assertEquals("IllegalArgumentException",
                outcome((r, w, ro, c, s) -> ZeroCopy.transferTo(ByteBuffer.allocate(1), r, -1, 1, s)));
        assertEquals("NonReadableChannelException",
                outcome((r, w, ro, c, s) -> ZeroCopy.transferTo(ByteBuffer.allocate(1), w, 0, 1, s)));
        assertEquals("ClosedChannelException",
                outcome((r, w, ro, c, s) -> ZeroCopy.transferTo(ByteBuffer.allocate(1), c, 0, 1, s)));
    }

    private static WritableByteChannel wrapper() {
        return Channels.newChannel(new ByteArrayOutputStream());
    }

    private static ReadableByteChannel wrapperSource() {
        return Channels.newChannel(new java.io.ByteArrayInputStream(new byte[10]));
    }
}
