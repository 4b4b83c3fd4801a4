package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.snippets.Mapped;
import io.zerocopy.snippets.QuickStart;
import io.zerocopy.snippets.Recording;
import io.zerocopy.snippets.Transfers;
import io.zerocopy.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Java snippet in README.md and docs/*.md is a piece of a source under
 * java/src/test/java/io/zerocopy/snippets, marked in the Markdown by
 * {@code <!-- snippet: Class -->} (the whole file but its package line) or
 * {@code <!-- snippet: Class#region -->} (the lines between {@code // [region]} and
 * {@code // [/region]}); this test checks that the Markdown shows exactly that code, and runs
 * each snippet's class in a JVM of its own.
 */
class SnippetsTest {
    private static final Pattern MARKER = Pattern.compile("<!-- snippet: (\\w+)(?:#([\\w-]+))? -->");

    @TempDir
    Path tmp;

    private static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.exists(dir.resolve("Cargo.toml"))) {
            dir = dir.getParent();
        }
        return dir;
    }

    private static List<Path> markdown() throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(root().resolve("README.md"));
        try (Stream<Path> docs = Files.list(root().resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        return files;
    }

    /** The snippet a marker names, as the Markdown must show it. */
    private static String snippet(String className, String region) throws IOException {
        Path source = root().resolve("java/src/test/java/io/zerocopy/snippets/" + className + ".java");
        List<String> lines = Files.readAllLines(source);
        if (region == null) {
            return String.join("\n", lines.subList(2, lines.size())); // after "package ...;" and a blank line
        }
        int start = lines.indexOf(lines.stream().filter(l -> l.trim().equals("// [" + region + "]")).findFirst()
                .orElseThrow(() -> new AssertionError("no region " + region + " in " + source)));
        int end = lines.indexOf(lines.stream().filter(l -> l.trim().equals("// [/" + region + "]")).findFirst()
                .orElseThrow(() -> new AssertionError("no end of region " + region + " in " + source)));
        List<String> body = lines.subList(start + 1, end);
        int indent = body.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length())
                .min().orElse(0);
        return body.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).collect(Collectors.joining("\n"));
    }

    @Test
    void everyJavaSnippetInTheDocsIsASourceUnderTest() throws IOException {
        int checked = 0;
        for (Path file : markdown()) {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).trim().equals("```java")) {
                    continue;
                }
                String where = root().relativize(file) + ":" + (i + 1);
                int end = i + 1;
                while (!lines.get(end).trim().equals("```")) {
                    end++;
                }
                String shown = String.join("\n", lines.subList(i + 1, end));
                int previous = i - 1;
                while (previous >= 0 && lines.get(previous).isBlank()) {
                    previous--;
                }
                Matcher marker = MARKER.matcher(previous >= 0 ? lines.get(previous).trim() : "");
                assertTrue(marker.matches(), where + ": a java block needs a <!-- snippet: Class[#region] --> line before it");
                assertEquals(snippet(marker.group(1), marker.group(2)), shown, where + " shows " + marker.group());
                checked++;
            }
        }
        assertTrue(checked >= 4, "snippets checked: " + checked);
    }

    private ChildJvm.Result run(Class<?> main, String... args) throws Exception {
        ChildJvm.Result result = ChildJvm.run(List.of(), ChildJvm.testClassPath(), main, args);
        assertEquals(0, result.exitCode, result::toString);
        assertFalse(result.output.contains("Exception"), result::toString);
        return result;
    }

    @Test
    void theQuickStartSendsAndReceivesTheFileWithoutACopy() throws Exception {
        String out = run(QuickStart.class).output;
        assertTrue(out.contains("18 bytes sent, 18 received: Hello, zero-copy!"), out);
        assertTrue(out.contains("SENDFILE 1 call 18 bytes, SPLICE 1 call 18 bytes"), out);
    }

    @Test
    void theTransfersSnippetSavesAnUploadAndSendsItBackWithAHeader() throws Exception {
        String out = run(Transfers.class, tmp.resolve("upload").toString()).output;
        assertTrue(out.contains("1048576 bytes saved, 1048620 sent"), out); // 44 bytes of header
        assertTrue(out.contains("SENDFILE 1 call 1048576 bytes, SPLICE 1 call 1048576 bytes"), out);
        assertEquals(1 << 20, Files.size(tmp.resolve("upload")));
    }

    @Test
    void theMappedSnippetWritesPastFiveGib() throws Exception {
        String out = run(Mapped.class, tmp.resolve("big").toString()).output;
        assertTrue(out.contains("42 1024 true"), out);
        assertEquals(100 + (6L << 30), Files.size(tmp.resolve("big")));
    }

    @Test
    void theGatherSnippetSendsAFetchResponse() throws Exception {
        String out = run(io.zerocopy.snippets.GatherFetch.class, tmp.toString()).output;
        assertTrue(out.contains("received " + 8 * (16 + 10_000) + " bytes"), out);
        assertTrue(out.contains("SENDFILE 1 call 80000 bytes"), out);
    }

    @Test
    void theRecordingSnippetWritesAJfrFile() throws Exception {
        run(Recording.class, tmp.toString());
        assertTrue(jdk.jfr.consumer.RecordingFile.readAllEvents(tmp.resolve("transfers.jfr")).stream()
                .anyMatch(e -> e.getEventType().getName().equals("io.zerocopy.Transfer")));
    }
}
