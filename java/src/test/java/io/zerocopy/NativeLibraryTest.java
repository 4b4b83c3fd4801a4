package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.internal.NativeLibrary;
import io.zerocopy.probes.ClassesWithoutLoading;
import io.zerocopy.probes.ConcurrentFirstUse;
import io.zerocopy.probes.Probe;
import io.zerocopy.testing.ChildJvm;
import io.zerocopy.testing.Mounts;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading the native library: from the jar, from a named path, and every way it can fail. */
class NativeLibraryTest {
    private static final String RESOURCE = "/native/" + NativeLibrary.platform() + "/libzerocopy_jni.so";

    @TempDir
    Path tmp;

    private static List<String> jarAndTests() {
        return Arrays.asList(ChildJvm.jar(), ChildJvm.testClasses());
    }

    private static long filesIn(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void loadsFromTheJarAndLeavesNoFileBehind() throws Exception {
        ZeroCopy.capabilities();
        assertTrue(NativeLibrary.loadedFrom().startsWith("jar resource " + RESOURCE), NativeLibrary.loadedFrom());

        Path workdir = Files.createDirectory(tmp.resolve("work"));
        ChildJvm.Result r = ChildJvm.run(Collections.singletonList("-Dzerocopy.workdir=" + workdir),
                jarAndTests(), Probe.class);
        assertEquals(0, r.exitCode, r::toString);
        assertTrue(r.output.contains("loaded from: jar resource " + RESOURCE), r::toString);
        assertEquals(0, filesIn(workdir), "the extracted library must be deleted after loading");
    }

    @Test
    void onlyTheJarOnTheClassPathPrintsCapabilities() throws Exception {
        Path workdir = Files.createDirectory(tmp.resolve("work"));
        ChildJvm.Result r = ChildJvm.run(Collections.singletonList("-Dzerocopy.workdir=" + workdir),
                jarAndTests(), Probe.class);
        assertEquals(0, r.exitCode, r::toString);
        String release = new String(Files.readAllBytes(Path.of("/proc/sys/kernel/osrelease"))).trim();
        assertTrue(r.output.lines().anyMatch(line -> line.startsWith("Linux " + release + " (page ")), r::toString);
        assertEquals(0, filesIn(workdir));
    }

    @Test
    void onJdk24AndLaterEnableNativeAccessSilencesTheJdksWarning() throws Exception {
        String restricted = "WARNING: A restricted method in java.lang.System has been called";
        ChildJvm.Result plain = ChildJvm.run(Collections.emptyList(), jarAndTests(), Probe.class);
        assertEquals(Runtime.version().feature() >= 24, plain.output.contains(restricted), plain::toString);
        ChildJvm.Result enabled = ChildJvm.run(Collections.singletonList("--enable-native-access=ALL-UNNAMED"),
                jarAndTests(), Probe.class);
        assertEquals(0, enabled.exitCode, enabled::toString);
        assertTrue(!enabled.output.contains("WARNING"), enabled::toString);
    }

    @Test
    void loadsFromTheLibraryPathProperty() throws Exception {
        Path lib = tmp.resolve("libcopy.so");
        try (InputStream in = NativeLibrary.class.getResourceAsStream(RESOURCE)) {
            Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
        }
        ChildJvm.Result r = ChildJvm.run(Collections.singletonList("-Dzerocopy.library.path=" + lib),
                jarAndTests(), Probe.class);
        assertEquals(0, r.exitCode, r::toString);
        assertTrue(r.output.contains("loaded from: zerocopy.library.path=" + lib), r::toString);
        assertTrue(Files.exists(lib), "a library named by the user is the user's: never deleted");
    }

    @Test
    void aMissingLibraryPathSaysWhatAndWhereAndTriesNothingElse() throws Exception {
        String missing = tmp.resolve("nowhere/libzerocopy_jni.so").toString();
        ChildJvm.Result r = ChildJvm.run(Collections.singletonList("-Dzerocopy.library.path=" + missing),
                jarAndTests(), Probe.class);
        assertNotEquals(0, r.exitCode, r::toString);
        assertTrue(r.output.contains("java.lang.UnsatisfiedLinkError: Cannot load zerocopy-jni for "
                + NativeLibrary.platform() + " from -Dzerocopy.library.path=" + missing), r::toString);
        assertTrue(r.output.contains("nothing else is tried") && r.output.contains("no such file"), r::toString);
        assertTrue(!r.output.contains("loadLibrary"), r::toString);
    }

    @Test
    void aWorkDirThatCannotBeWrittenIsNamedWithTheProperty() throws Exception {
        try (Mounts.Mount readOnly = Mounts.tmpfs(tmp, "ro")) {
            Path emptyLibraryPath = Files.createDirectory(tmp.resolve("empty"));
            ChildJvm.Result r = ChildJvm.run(Arrays.asList("-Dzerocopy.workdir=" + readOnly.dir,
                    "-Djava.library.path=" + emptyLibraryPath), jarAndTests(), Probe.class);
            assertNotEquals(0, r.exitCode, r::toString);
            assertTrue(r.output.contains("tried:\n  1. jar resource " + RESOURCE + " extracted into " + readOnly.dir
                    + ": cannot create a file in the work dir"), r::toString);
            assertTrue(r.output.contains("set -Dzerocopy.workdir to a writable directory"), r::toString);
            assertTrue(r.output.contains("2. System.loadLibrary(\"zerocopy_jni\") with java.library.path="
                    + emptyLibraryPath), r::toString);
        }
    }

    @Test
    void aNoexecWorkDirIsNamedWithTheProperty() throws Exception {
        try (Mounts.Mount noexec = Mounts.tmpfs(tmp, "noexec")) {
            ChildJvm.Result r = ChildJvm.run(Arrays.asList("-Dzerocopy.workdir=" + noexec.dir,
                    "-Djava.library.path=" + tmp), jarAndTests(), Probe.class);
            assertNotEquals(0, r.exitCode, r::toString);
            assertTrue(r.output.contains("is on the noexec mount " + noexec.dir), r::toString);
            assertTrue(r.output.contains("set -Dzerocopy.workdir to a directory on a mount without noexec"), r::toString);
            assertEquals(0, filesIn(noexec.dir), "a failed extraction must not leave its file");
        }
    }

    @Test
    void eightThreadsLoadOnceAtTheirFirstCall() throws Exception {
        Path workdir = Files.createDirectory(tmp.resolve("work"));
        ChildJvm.Result r = ChildJvm.run(Collections.singletonList("-Dzerocopy.workdir=" + workdir),
                jarAndTests(), ConcurrentFirstUse.class, "8");
        assertEquals(0, r.exitCode, r::toString);
        assertTrue(r.output.contains("threads=8 distinct=1 failures=0"), r::toString);
        assertEquals(0, filesIn(workdir));
    }

    @Test
    void anotherOsFailsAtFirstUseNotAtClassLoading() throws Exception {
        ChildJvm.Result r = ChildJvm.run(Collections.singletonList("-Dos.name=Mac OS X"),
                jarAndTests(), ClassesWithoutLoading.class);
        assertEquals(0, r.exitCode, r::toString);
        assertTrue(r.output.contains("unrelated class ok: testcall ZeroCopy"), r::toString);
        assertTrue(r.output.contains("first use: java.lang.UnsatisfiedLinkError: zerocopy-jni runs on Linux only; "
                + "this is Mac OS X on"), r::toString);
    }
}
