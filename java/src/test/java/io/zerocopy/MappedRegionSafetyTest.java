package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.probes.MappedCloseRace;
import io.zerocopy.probes.MappedCloseRaceCalls;
import io.zerocopy.probes.MappedCycles;
import io.zerocopy.probes.MappedLockLimit;
import io.zerocopy.probes.MappedTruncation;
import io.zerocopy.probes.MappedViewReachability;
import io.zerocopy.testing.ChildJvm;
import io.zerocopy.testing.Mounts;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What must never crash the JVM, each in a child JVM with -Xcheck:jni: closing while threads
 * use the region and its views (in every mode), while they make its first accesses, while
 * they load and lock it; a file truncated under the region; 100,000 map/close cycles; mlock
 * beyond RLIMIT_MEMLOCK, and of a truncated file; views that outlive their region.
 */
class MappedRegionSafetyTest {
    @TempDir
    Path tmp;

    private static List<String> classPath() {
        return Arrays.asList(ChildJvm.jar(), ChildJvm.testClasses());
    }

    /** Runs a probe; asserts a normal exit, "done", and no hs_err file. */
    private ChildJvm.Result probe(List<String> jvmArgs, Class<?> main, String... args) throws Exception {
        List<String> all = new ArrayList<>(jvmArgs);
        all.add("-XX:ErrorFile=" + tmp.resolve("hs_err_%p.log"));
        ChildJvm.Result result = ChildJvm.run(all, classPath(), main, args);
        System.out.println(main.getSimpleName() + ":\n" + result.output);
        ChildJvm.assertNoCrashReport(tmp);
        assertEquals(0, result.exitCode, result::toString);
        assertTrue(result.output.contains("done"), result::toString);
        return result;
    }

    /** Closes while 4 threads use a region of this mode and its views; rounds of 16 MiB and 3 GiB. */
    private void closeRace(String mode, int rounds) throws Exception {
        ChildJvm.Result result = probe(List.of("-Xmx256m"), MappedCloseRace.class,
                tmp.resolve("race.bin").toString(), String.valueOf(rounds), mode);
        List<String> lines = Arrays.stream(result.output.split("\n")).filter(l -> l.startsWith("round"))
                .collect(Collectors.toList());
        assertEquals(rounds, lines.size(), result::toString);
        Pattern round = Pattern.compile("checksum before (\\d+), after close (\\d+), at end (\\d+), "
                + "stale accesses (\\d+), refused calls (\\d+)");
        for (String line : lines) {
            Matcher m = round.matcher(line);
            assertTrue(m.find(), line);
            assertEquals(m.group(2), m.group(3), "a write after close reached the file: " + line);
            if (!mode.equals("READ_WRITE")) {
                assertEquals(m.group(1), m.group(2), "no write of a " + mode + " region reaches the file: " + line);
            }
            assertTrue(Long.parseLong(m.group(4)) > 0, "no view was used after close: " + line);
            assertTrue(Long.parseLong(m.group(5)) > 0, "no call was refused after close: " + line);
        }
    }

    @Test
    void closingWhileFourThreadsUseAReadWriteRegionAndItsViews() throws Exception {
        closeRace("READ_WRITE", 4);
    }

    @Test
    void closingWhileFourThreadsUseAReadOnlyRegionAndItsViews() throws Exception {
        closeRace("READ_ONLY", 2);
    }

    @Test
    void closingWhileFourThreadsUseAPrivateRegionAndItsViews() throws Exception {
        closeRace("PRIVATE", 2);
    }

    /** Each call either works or throws IllegalStateException; both happen; the file stays put after close. */
    private void closeRaceCalls(String scenario, int iterations) throws Exception {
        ChildJvm.Result result = probe(List.of("-Xmx256m"), MappedCloseRaceCalls.class,
                tmp.resolve("calls.bin").toString(), scenario, String.valueOf(iterations));
        Matcher m = Pattern.compile("calls done (\\d+), refused (\\d+), changes after close (\\d+), unexpected (.*)")
                .matcher(result.output);
        assertTrue(m.find(), result::toString);
        assertEquals("null", m.group(4), result::toString);
        assertEquals("0", m.group(3), result::toString);
        assertTrue(Long.parseLong(m.group(1)) > 0 && Long.parseLong(m.group(2)) > 0, result::toString);
        if (scenario.equals("first-access")) {
            assertEquals(4L * iterations, Long.parseLong(m.group(1)) + Long.parseLong(m.group(2)), result::toString);
        } else {
            assertEquals(4L * iterations, Long.parseLong(m.group(2)), "each thread stops at its refusal");
        }
    }

    @Test
    void closingRacesTheFirstAccessesWhileNoBufferExistsYet() throws Exception {
        closeRaceCalls("first-access", 2000);
    }

    @Test
    void closingRacesLoadAndLock() throws Exception {
        closeRaceCalls("load-lock", 150);
    }

    @Test
    void aTruncatedFileGivesInternalErrorsOnAccessAndNeverCrashes() throws Exception {
        ChildJvm.Result result = probe(List.of(), MappedTruncation.class, tmp.resolve("t.bin").toString());
        List<String> accesses = List.of("get", "put", "getLong", "putLong", "get[]", "put[]", "slice.get",
                "slice.put", "new slice.get", "asByteBuffer.getLong");
        for (String line : result.output.split("\n")) {
            int colon = line.indexOf(": ");
            if (colon < 0 || line.startsWith("done")) {
                continue;
            }
            String call = line.substring(0, colon);
            if (accesses.contains(call)) {
                assertTrue(line.contains("threw java.lang.InternalError"), line);
            } else {
                assertFalse(line.contains("InternalError"), line);
            }
        }
        String out = result.output;
        assertTrue(out.contains("load: threw java.io.UncheckedIOException: io.zerocopy.NativeIOException: madvise:"),
                out);
        assertTrue(out.contains("(EFAULT)"), out);
        assertTrue(out.contains("isLoaded: returned false"), out);
        assertTrue(out.contains("residentBytes: returned 0"), out);
        assertTrue(out.contains("force: returned MappedRegion"), out);
        assertTrue(out.contains("close: returned closed"), out);
        assertTrue(out.contains("slice.get after close: returned 0"), out);
        assertTrue(out.contains("get after close: threw java.lang.IllegalStateException"), out);
    }

    private static final Pattern MEASURE = Pattern.compile(
            "(before|after): maps (\\d+) fds (\\d+) vmSizeKb (\\d+) rssKb (\\d+) fileMappings (\\d+)");
    private static final Pattern PEAK = Pattern.compile("peak: vmSizeKb (\\d+)");

    /**
     * 100,000 cycles of 256 KiB (25 GB of address space if every one leaked) leave
     * /proc/self/maps, /proc/self/fd, VmSize and RSS as they were, without any System.gc() of
     * the probe. VmSize is the figure that shows a lingering placeholder: adjacent ones merge
     * into one line of /proc/self/maps. The heap is fixed and pre-touched, so that RSS shows
     * native memory only.
     */
    private void cycles(String kind, String... jvmArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of("-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC"));
        args.addAll(Arrays.asList(jvmArgs));
        ChildJvm.Result result = probe(args, MappedCycles.class, tmp.resolve("cycles.bin").toString(), "100000", kind);
        long[][] measured = new long[2][];
        Matcher m = MEASURE.matcher(result.output);
        while (m.find()) {
            long[] values = new long[5];
            for (int i = 0; i < values.length; i++) {
                values[i] = Long.parseLong(m.group(i + 2));
            }
            measured[m.group(1).equals("before") ? 0 : 1] = values;
        }
        long[] before = measured[0];
        long[] after = measured[1];
        Matcher peak = PEAK.matcher(result.output);
        assertTrue(before != null && after != null && peak.find(), result::toString);
        // A leaked region would add a line per cycle; the JVM itself may add a few.
        assertTrue(Math.abs(after[0] - before[0]) <= 16, "maps " + before[0] + " -> " + after[0]);
        // No descriptor leaked (the JVM may close one of its own meanwhile, as Temurin 17.0.9 does).
        assertTrue(after[1] <= before[1], "open descriptors " + before[1] + " -> " + after[1]);
        long peakKb = Long.parseLong(peak.group(1));
        assertTrue(Math.max(peakKb, after[2]) - before[2] < 64 * 1024,
                "VmSize " + before[2] + " kB -> at most " + peakKb + " kB -> " + after[2] + " kB");
        assertTrue(after[3] - before[3] < 32 * 1024, "RSS " + before[3] + " kB -> " + after[3] + " kB");
        assertEquals(0, after[4], "mappings of the file left");
    }

    @Test
    void loadCyclesUnmapAtCloseWithoutTheCollector() throws Exception {
        cycles("load");
    }

    /** With a threshold of 16 MiB, far below the 64 MiB of VmSize that the test allows. */
    @Test
    void cyclesWithBuffersStayBoundedByTheCollectionsThatCloseAsksFor() throws Exception {
        cycles("views", "-Dio.zerocopy.mappedRegion.gcThreshold=" + (16 << 20));
    }

    @Test
    void derivedViewsKeepTheMappingAliveUntilCollected() throws Exception {
        ChildJvm.Result result = probe(List.of(), MappedViewReachability.class, tmp.resolve("v.bin").toString());
        assertTrue(result.output.contains("mapped while viewed 1"), result::toString);
        assertTrue(result.output.contains("value 102030405060708"), result::toString);
        assertTrue(result.output.contains(": true"), result::toString);
    }

    /**
     * A 64 MiB mlock in a process without CAP_IPC_LOCK and RLIMIT_MEMLOCK at 8 MiB: the
     * exception names the limit and its value. A 4 MiB mlock of a truncated file fails too, and
     * its exception does not blame the limit. As root, setpriv drops the capability.
     */
    @Test
    void lockBeyondRlimitMemlockNamesTheLimitAndATruncatedFileDoesNot() throws Exception {
        Assumptions.assumeTrue(new File("/usr/bin/prlimit").canExecute(),
                "skipped: prlimit (util-linux) is not installed");
        List<String> command = new ArrayList<>(List.of("/usr/bin/prlimit", "--memlock=8388608:8388608"));
        if (Mounts.isRoot()) {
            Assumptions.assumeTrue(new File("/usr/bin/setpriv").canExecute(),
                    "skipped: setpriv (util-linux) is needed to drop CAP_IPC_LOCK as root");
            command.addAll(List.of("/usr/bin/setpriv", "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock"));
        }
        command.addAll(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xcheck:jni",
                "-XX:ErrorFile=" + tmp.resolve("hs_err_%p.log"), "-cp", String.join(File.pathSeparator, classPath()),
                MappedLockLimit.class.getName(), tmp.resolve("lock.bin").toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), out);
        System.out.println("MappedLockLimit:\n" + out);
        Assumptions.assumeFalse(out.contains("CAP_IPC_LOCK true"),
                "skipped: the child still has CAP_IPC_LOCK, which lifts the limit: " + command);
        assertFalse(Pattern.compile("(WARNING|FATAL ERROR) in native method|WARNING: JNI local refs"
                + "|JNI call made without checking exceptions").matcher(out).find(), out);
        ChildJvm.assertNoCrashReport(tmp);
        assertEquals(0, process.exitValue(), out);
        assertTrue(out.contains("CAP_IPC_LOCK false") && out.contains("done"), out);
        assertTrue(out.contains("syscall mlock"), out);
        assertTrue(out.contains("errno 12 ") || out.contains("errno 1 "), "ENOMEM or EPERM: " + out);
        assertTrue(out.contains("RLIMIT_MEMLOCK is 8388608 bytes (8 MiB)"), out);
        assertTrue(out.contains("67108864 bytes (64 MiB)"), out);
        // 4 MiB fit under the limit: the truncated file is what fails, and the message says so.
        assertTrue(out.contains("truncated: errno 12 syscall mlock"), out);
        String truncated = out.lines().filter(l -> l.startsWith("truncated: message")).findFirst().orElse("");
        assertTrue(truncated.contains("the pages could not be locked"), out);
        assertFalse(truncated.contains("RLIMIT_MEMLOCK"), out);
    }
}
