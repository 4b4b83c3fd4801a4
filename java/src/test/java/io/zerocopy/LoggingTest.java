package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.probes.Logged;
import io.zerocopy.testing.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The System.Logger "io.zerocopy" at DEBUG (java.util.logging FINE): where the library came from, once, and why a transfer was buffered, once per pair of channel classes. */
class LoggingTest {
    @TempDir
    Path tmp;

    private static int occurrences(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void debugSaysWhereTheLibraryCameFromAndWhyATransferWasBufferedOnce() throws Exception {
        Path config = Files.writeString(tmp.resolve("logging.properties"), "handlers=java.util.logging.ConsoleHandler\n"
                + "java.util.logging.ConsoleHandler.level=FINE\nio.zerocopy.level=FINE\n");
        ChildJvm.Result r = ChildJvm.run(List.of("-Djava.util.logging.config.file=" + config), ChildJvm.testClassPath(),
                Logged.class, tmp.toString());
        assertEquals(0, r.exitCode, r::toString);
        assertEquals(1, occurrences(r.output, "zerocopy-jni: native library loaded from jar resource"), r::toString);
        assertEquals(1, occurrences(r.output, "zerocopy-jni: sun.nio.ch.FileChannelImpl -> "
                + "java.nio.channels.Channels$WritableByteChannelImpl is copied through a buffer"), r::toString);
        assertTrue(r.output.contains("done: BUFFERED 3 calls 3000 bytes"), r::toString);
    }

    @Test
    void nothingIsLoggedAtTheDefaultLevel() throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of(), ChildJvm.testClassPath(), Logged.class, tmp.toString());
        assertEquals(0, r.exitCode, r::toString);
        assertEquals(0, occurrences(r.output, "zerocopy-jni:"), r::toString);
    }
}
