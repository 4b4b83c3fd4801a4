package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.probes.WithoutNative;
import io.zerocopy.testing.ChildJvm;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the native library cannot load (here: -Dzerocopy.library.path names a missing file),
 * transfers fall back to the JDK's FileChannel methods with the same results, MappedRegion
 * says why it cannot work, a warning is logged once; with -Dzerocopy.requireNative=true every
 * call fails instead.
 */
class FallbackTest {
    @TempDir
    Path tmp;

    private ChildJvm.Result run(String... properties) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of(properties));
        args.add("-Dzerocopy.library.path=" + tmp.resolve("missing.so"));
        return ChildJvm.run(args, ChildJvm.testClassPath(), WithoutNative.class, tmp.toString());
    }

    @Test
    void transfersFallBackToTheJdkAndMappingSaysWhy() throws Exception {
        ChildJvm.Result r = run();
        String out = r.output;
        assertEquals(0, r.exitCode, r::toString);
        assertTrue(out.contains("available: false\ncause: UnsatisfiedLinkError"), out);
        assertTrue(out.contains("transferTo: 100000\n"), out);
        assertTrue(out.contains("transferTo with header: 14 header left 0\n"), out);
        // Past the end of the target: JDK 17 moves nothing, JDK 21+ grows the file, as ZeroCopy does.
        long pastEnd = Runtime.version().feature() >= 21 ? 100_000 : 0;
        assertTrue(out.contains("transferFrom: " + pastEnd + "\n"), out);
        assertTrue(out.contains("relay: 1000\n"), out);
        assertTrue(out.contains("sizes: " + (pastEnd > 0 ? 300_000 : 100_014) + "\n"), out);
        assertTrue(out.contains("statistics: JDK 4 calls " + (100_000 + 14 + pastEnd + 1000) + " bytes"), out);
        assertTrue(out.contains("map: UnsupportedOperationException: MappedRegion needs the zerocopy-jni native "
                + "library, which is not available here (use FileChannel.map): Cannot load zerocopy-jni"), out);
        String warning = "zerocopy-jni: native library unavailable, transfers use the JDK's FileChannel";
        int first = out.indexOf(warning);
        assertTrue(first >= 0 && out.indexOf(warning, first + 1) < 0, "one warning: " + out);
    }

    @Test
    void requireNativeMakesEveryCallFail() throws Exception {
        ChildJvm.Result r = run("-Dzerocopy.requireNative=true");
        String out = r.output;
        assertTrue(out.contains("available: false\ncause: UnsatisfiedLinkError"), out);
        assertTrue(out.contains("transfer failed: UnsatisfiedLinkError"), out);
        assertTrue(out.contains("map: UnsatisfiedLinkError: Cannot load zerocopy-jni"), out);
        assertTrue(!out.contains("native library unavailable, transfers use"), out);
    }
}
