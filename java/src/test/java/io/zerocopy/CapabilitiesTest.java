package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.testing.Mounts;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The probed capabilities agree with what the kernel says about itself. */
class CapabilitiesTest {
    private static int[] kernelVersion(String release) {
        String[] parts = release.split("[.-]");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }

    private static boolean atLeast(int[] version, int major, int minor) {
        return version[0] > major || (version[0] == major && version[1] >= minor);
    }

    @Test
    void matchesTheRunningKernel() throws Exception {
        Capabilities c = ZeroCopy.capabilities();
        assertSame(c, ZeroCopy.capabilities(), "probed once");
        String release = new String(Files.readAllBytes(Path.of("/proc/sys/kernel/osrelease"))).trim();
        assertEquals(release, c.kernelRelease());
        assertEquals(Mounts.exec("getconf", "PAGESIZE")[1].trim(), String.valueOf(c.pageSize()));

        int[] version = kernelVersion(release);
        assertTrue(c.sendfile() && c.splice(), c::toString);
        assertEquals(atLeast(version, 4, 5), c.copyFileRange(), c::toString);
        assertEquals(atLeast(version, 5, 14), c.madvisePopulateRead(), c::toString);
        assertEquals(atLeast(version, 5, 14), c.madvisePopulateWrite(), c::toString);
        assertEquals(atLeast(version, 6, 5), c.cachestat(), c::toString);
        Path ioUringSwitch = Path.of("/proc/sys/kernel/io_uring_disabled");
        if (Files.exists(ioUringSwitch)) {
            String disabled = new String(Files.readAllBytes(ioUringSwitch)).trim();
            if (disabled.equals("2")) {
                assertTrue(!c.ioUring(), c::toString);
            } else if (disabled.equals("0")) {
                assertTrue(c.ioUring(), c::toString);
            }
        }
    }

    @Test
    void printsOneReadableLine() {
        String line = ZeroCopy.capabilities().toString();
        assertTrue(line.startsWith("Linux " + ZeroCopy.capabilities().kernelRelease() + " (page "), line);
        assertTrue(line.contains("sendfile splice"), line);
        assertTrue(!line.contains("\n"), line);
    }
}
