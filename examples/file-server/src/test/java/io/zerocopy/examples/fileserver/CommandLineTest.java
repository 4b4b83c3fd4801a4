package io.zerocopy.examples.fileserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's command line as a user meets it, and its exit when its parent (Gradle) dies. */
class CommandLineTest {
    @TempDir
    Path tmp;

    private static List<String> java(String... args) {
        List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), FileServer.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    private static String[] run(String... args) throws Exception {
        Process p = new ProcessBuilder(java(args)).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new String[] {String.valueOf(p.exitValue()), out, err};
    }

    @Test
    void helpExitsZeroWithTheUsage() throws Exception {
        String[] r = run("--help");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].startsWith("usage: FileServer <root dir>"), r[1]);
    }

    @Test
    void badValuesNameTheirOptionInOneLine() throws Exception {
        String[][] cases = {
            {"--port", "80x"}, {"error: --port: not a port (0 to 65535): 80x"},
            {"no/such/dir"}, {"error: no such directory: " + Paths.get("no/such/dir").toAbsolutePath()},
            {"--verbose"}, {"error: unknown option --verbose"},
            {}, {"error: no root directory given"},
        };
        for (int i = 0; i < cases.length; i += 2) {
            String[] r = run(cases[i]);
            assertEquals("2", r[0], String.join(" ", cases[i]));
            assertEquals(cases[i + 1][0] + "\n(--help lists the options)\n", r[2], String.join(" ", cases[i]));
        }
    }

    /** As under `gradle run` when the Gradle client is killed: the server must not go on listening. */
    @Test
    void theServerExitsWhenItsParentIsKilled() throws Exception {
        List<String> server = java(tmp.toString(), "--port", "0");
        server.add(1, "-Dexample.exitWithParent=true");
        String command = String.join(" ", server.stream().map(a -> "'" + a + "'").toList());
        Process parent = new ProcessBuilder("sh", "-c", command + " < /dev/null & wait").start();
        BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertTrue(line != null && line.startsWith("Serving "), String.valueOf(line));
        Optional<ProcessHandle> child = parent.toHandle().children().findFirst();
        assertTrue(child.isPresent(), "the server runs as the shell's child");
        parent.destroyForcibly().waitFor();
        child.get().onExit().completeOnTimeout(child.get(), 20, TimeUnit.SECONDS).get();
        assertTrue(!child.get().isAlive(), "the server still runs 20 s after its parent was killed");
    }
}
