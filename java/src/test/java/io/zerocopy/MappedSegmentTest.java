package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.testing.ChildJvm;
import java.io.File;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MappedRegion.asSegment() from the multi-release jar: absent and harmless on JDK 17-21, and on
 * JDK 22+ checked by java/src/test/java22/SegmentProbe.java, which the running JDK compiles in
 * source-file mode in a child JVM (the tests themselves are Java 17).
 */
class MappedSegmentTest {
    @TempDir
    Path tmp;

    private static boolean segmentsAvailable() {
        return Runtime.version().feature() >= 22;
    }

    @Test
    void theJarCarriesTheJdk22ClassAndTheBaseRunsOnEveryJdk() throws Exception {
        try (JarFile jar = new JarFile(ChildJvm.jar())) {
            assertEquals("true", jar.getManifest().getMainAttributes().getValue("Multi-Release"));
            assertNotNull(jar.getEntry("META-INF/versions/22/io/zerocopy/MappedRegion.class"));
        }
        // Reflection over every public method works on every JDK: no java.lang.foreign type in
        // the base class's signatures.
        List<String> segmentMethods = Arrays.stream(MappedRegion.class.getMethods())
                .filter(m -> m.getName().equals("asSegment")).map(Method::toString).collect(Collectors.toList());
        if (segmentsAvailable()) {
            assertEquals(List.of("public java.lang.foreign.MemorySegment io.zerocopy.MappedRegion.asSegment()"),
                    segmentMethods);
        } else {
            assertTrue(segmentMethods.isEmpty(), segmentMethods::toString);
        }
    }

    private ChildJvm.Result probe(boolean nativeAccess, String mode) throws Exception {
        Assumptions.assumeTrue(segmentsAvailable(), "skipped: MemorySegment needs JDK 22+, this is "
                + Runtime.version());
        List<String> jvmArgs = new ArrayList<>(List.of("-XX:ErrorFile=" + tmp.resolve("hs_err_%p.log")));
        if (nativeAccess) {
            jvmArgs.add("--enable-native-access=ALL-UNNAMED");
        }
        String source = Paths.get(System.getProperty("zerocopy.test.java22"), "SegmentProbe.java").toString();
        ChildJvm.Result result = ChildJvm.run(jvmArgs, List.of(ChildJvm.jar()), source, mode, tmp.toString());
        System.out.println("SegmentProbe " + mode + ":\n" + result.output);
        ChildJvm.assertNoCrashReport(tmp);
        assertEquals(0, result.exitCode, result::toString);
        assertTrue(result.output.contains(mode + " ok") && result.output.contains("done"), result::toString);
        return result;
    }

    @Test
    void theSegmentReadsAndWritesWhatMappedByteBufferDoes() throws Exception {
        ChildJvm.Result result = probe(true, "access");
        assertFalse(result.output.contains("WARNING"), result::toString);
    }

    @Test
    void sixtyFourBitOffsets() throws Exception {
        Assumptions.assumeTrue(new File(tmp.toString()).getUsableSpace() > (64L << 20),
                "skipped: the sparse 6 GiB file needs a little space for its written pages");
        probe(true, "large");
    }

    @Test
    void closeWhileOtherThreadsReadNeverFaultsNorShowsAnotherFile() throws Exception {
        probe(true, "close");
    }

    /**
     * Without --enable-native-access the JDK warns, once per module, about the first restricted
     * call (on JDK 24+ that is the library's System.load, before MemorySegment.reinterpret), and
     * all still works.
     */
    @Test
    void withoutNativeAccessTheJdkWarns() throws Exception {
        ChildJvm.Result result = probe(false, "access");
        assertTrue(result.output.contains("WARNING: A restricted method in java.lang.")
                && result.output.contains("--enable-native-access"), result::toString);
    }
}
