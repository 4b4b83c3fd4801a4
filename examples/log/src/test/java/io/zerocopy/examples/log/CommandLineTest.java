package io.zerocopy.examples.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The demo's command line as a user meets it: --help exits 0, a bad value names its option. */
class CommandLineTest {
    private static String[] run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LogDemo.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
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
        assertTrue(r[1].startsWith("usage: LogDemo"), r[1]);
    }

    @Test
    void badValuesNameTheirOptionInOneLine() throws Exception {
        String[][] cases = {
            {"--records", "lots"}, {"error: --records: not a positive number: lots"},
            {"--segment-size", "64q"}, {"error: --segment-size: not a size (a number, with k or m): 64q"},
            {"--dir", "no/such/dir"}, {"error: --dir: no such directory: " + Paths.get("no/such/dir").toAbsolutePath()},
            {"--records"}, {"error: --records: missing value"},
            {"--fast", "1"}, {"error: unknown option --fast"},
        };
        for (int i = 0; i < cases.length; i += 2) {
            String[] r = run(cases[i]);
            assertEquals("2", r[0], String.join(" ", cases[i]));
            assertEquals(cases[i + 1][0] + "\n(--help lists the options)\n", r[2], String.join(" ", cases[i]));
        }
    }
}
