package io.zerocopy;

import io.zerocopy.internal.Native;
import java.util.ArrayList;
import java.util.List;

/**
 * What the running kernel offers this process, probed once when the library loads.
 *
 * <p>A feature counts as present only if the kernel has the call and lets this process make
 * it: a seccomp filter or {@code kernel.io_uring_disabled} makes it absent. The library uses
 * these answers to choose its paths; they are shown here so that users can see them too.
 */
public final class Capabilities {
    // Bit positions of Native.capabilityFlags(), in the order the native side writes them.
    private static final int SENDFILE = 0;
    private static final int SPLICE = 1;
    private static final int COPY_FILE_RANGE = 2;
    private static final int MADV_POPULATE_READ = 3;
    private static final int MADV_POPULATE_WRITE = 4;
    private static final int CACHESTAT = 5;
    private static final int IO_URING = 6;

    private final String kernelRelease;
    private final long flags;
    private final int pageSize;

    private Capabilities(String kernelRelease, long flags, int pageSize) {
        this.kernelRelease = kernelRelease;
        this.flags = flags;
        this.pageSize = pageSize;
    }

    /** Probes through the loaded native library; called once, by {@link ZeroCopy}. */
    static Capabilities probe() {
        return new Capabilities(Native.kernelRelease(), Native.capabilityFlags(), Native.pageSize());
    }

    private boolean has(int bit) {
        return (flags & (1L << bit)) != 0;
    }

    /** {@return the kernel release, as {@code uname -r} prints it} */
    public String kernelRelease() {
        return kernelRelease;
    }

    /** {@return whether {@code sendfile(2)} works: file to socket, pipe or file} */
    public boolean sendfile() {
        return has(SENDFILE);
    }

    /** {@return whether {@code splice(2)} works: moves pages between a pipe and a file or socket} */
    public boolean splice() {
        return has(SPLICE);
    }

    /** {@return whether {@code copy_file_range(2)} works: file to file inside the kernel, reflinked where the file system can} */
    public boolean copyFileRange() {
        return has(COPY_FILE_RANGE);
    }

    /** {@return whether {@code madvise(MADV_POPULATE_READ)} works (Linux 5.14): loads a mapping without touching it} */
    public boolean madvisePopulateRead() {
        return has(MADV_POPULATE_READ);
    }

    /** {@return whether {@code madvise(MADV_POPULATE_WRITE)} works (Linux 5.14)} */
    public boolean madvisePopulateWrite() {
        return has(MADV_POPULATE_WRITE);
    }

    /** {@return whether {@code cachestat(2)} works (Linux 6.5): page-cache residency of a file range without mapping it} */
    public boolean cachestat() {
        return has(CACHESTAT);
    }

    /** {@return whether {@code io_uring_setup(2)} succeeds for this process} */
    public boolean ioUring() {
        return has(IO_URING);
    }

    /** {@return the size of a memory page in bytes} */
    public int pageSize() {
        return pageSize;
    }

    /** One line, such as {@code Linux 6.8.0 (page 4096 B): sendfile splice ...; missing: cachestat}. */
    @Override
    public String toString() {
        String[] names = {
            "sendfile", "splice", "copy_file_range", "MADV_POPULATE_READ", "MADV_POPULATE_WRITE",
            "cachestat", "io_uring"
        };
        List<String> present = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (int bit = 0; bit < names.length; bit++) {
            (has(bit) ? present : missing).add(names[bit]);
        }
        return "Linux " + kernelRelease + " (page " + pageSize + " B): " + String.join(" ", present)
                + (missing.isEmpty() ? "" : "; missing: " + String.join(" ", missing));
    }
}
