package io.zerocopy.examples.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recovery after an unclean stop: a producer in a child JVM killed while it appends. */
class LogCrashTest {
    static final int SEGMENT = 64 * 1024;
    static final int PRODUCERS = 3;

    @TempDir
    Path dir;

    @Test
    void everyCommittedRecordSurvivesAKill() throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-Xcheck:jni", "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-cp", System.getProperty("java.class.path")));
        if (Runtime.version().feature() >= 24) {
            command.add("--enable-native-access=ALL-UNNAMED");
        }
        command.addAll(List.of(CrashingProducer.class.getName(), dir.toString(), String.valueOf(SEGMENT),
                String.valueOf(PRODUCERS)));
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long committed = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null && committed < 5000;) {
                committed = Math.max(committed, Long.parseLong(line.substring("committed ".length())));
            }
            // SIGKILL while the producers append. Through the handle: Process.destroyForcibly()
            // would also close our end of its stdout, and lose the lines still in the pipe.
            child.toHandle().destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            for (String line; (line = out.readLine()) != null;) { // what it printed before it died
                committed = Math.max(committed, Long.parseLong(line.substring("committed ".length())));
            }
        }
        assertTrue(committed >= 5000, "the child committed " + committed + " records, exit " + child.exitValue());

        List<String> events = new CopyOnWriteArrayList<>();
        try (Log log = Log.open(dir, SEGMENT, events::add)) {
            assertTrue(log.endOffset() >= committed, log.endOffset() + " records recovered, " + committed
                    + " committed; " + events);
            assertTrue(log.segments().size() > 5, "rolled: " + log.segments());
            System.out.printf("child killed after committing %d records; recovered %d in %d segments; %s%n",
                    committed, log.endOffset(), log.segments().size(), events);
            try (LogServer server = LogServer.start(log, 0, events::add)) {
                // Every record intact, each producer's in order with none missing: a complete prefix.
                DemoRecords.Checker checker = LogTest.consumeAll(log, server, 1 << 20);
                assertEquals(log.endOffset(), checker.records());
                assertEquals(PRODUCERS, checker.perProducer().size());
            }
            long next = log.append(DemoRecords.payload(PRODUCERS, 0)); // and it goes on after them
            assertEquals(log.endOffset() - 1, next);
        }
        try (Log log = Log.open(dir, SEGMENT, events::add); LogServer server = LogServer.start(log, 0, events::add)) {
            assertEquals(log.endOffset(), LogTest.consumeAll(log, server, 1 << 20).records());
        }
    }
}
