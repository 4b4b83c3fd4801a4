package io.zerocopy.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Starts a JVM of the same JDK as the test, with -Xcheck:jni, and collects what it prints. */
public final class ChildJvm {
    private ChildJvm() {}

    /** What -Xcheck:jni prints when native code misuses JNI; the same list as build.gradle. */
    private static final Pattern JNI_WARNING = Pattern.compile(
            "(WARNING|FATAL ERROR) in native method|WARNING: JNI local refs|JNI call made without checking exceptions");

    public static final class Result {
        public final int exitCode;
        public final String output;

        Result(int exitCode, String output) {
            this.exitCode = exitCode;
            this.output = output;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + ", output:\n" + output;
        }
    }

    /** The library jar under test, as passed by the build. */
    public static String jar() {
        return System.getProperty("zerocopy.test.jar");
    }

    /** The compiled test classes. */
    public static String testClasses() {
        return System.getProperty("zerocopy.test.classes");
    }

    /** The class path of this test JVM: the jar, the tests, JUnit. */
    public static List<String> testClassPath() {
        return Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
    }

    /** Asserts that no child JVM left a crash report (-XX:ErrorFile=dir/hs_err_%p.log) in {@code dir}. */
    public static void assertNoCrashReport(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> reports = files.filter(p -> p.getFileName().toString().startsWith("hs_err"))
                    .collect(Collectors.toList());
            assertTrue(reports.isEmpty(), () -> "the child JVM crashed: " + reports);
        }
    }

    public static Result run(List<String> jvmArgs, List<String> classPath, Class<?> main, String... args)
            throws IOException, InterruptedException {
        return run(jvmArgs, classPath, main.getName(), args);
    }

    /**
     * Runs {@code main}: a class name, or the path of a single Java source file, which the
     * child's JDK compiles at its own language level (source-file mode, JDK 11+).
     */
    public static Result run(List<String> jvmArgs, List<String> classPath, String main, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xcheck:jni");
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classPath));
        command.add(main);
        command.addAll(Arrays.asList(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        // Read before waiting, so that a chatty child cannot block on a full pipe.
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("child JVM did not exit in 5 minutes: " + command + "\n" + output);
        }
        Result result = new Result(process.exitValue(), output);
        assertFalse(JNI_WARNING.matcher(output).find(), () -> "JNI warning in child JVM " + result);
        return result;
    }
}
