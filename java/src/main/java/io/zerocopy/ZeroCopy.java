package io.zerocopy;

import io.zerocopy.internal.NativeLibrary;

/**
 * Zero-copy transfers between files, sockets and pipes, as drop-in replacements for
 * {@link java.nio.channels.FileChannel#transferTo} and
 * {@link java.nio.channels.FileChannel#transferFrom}.
 */
public final class ZeroCopy {
    private ZeroCopy() {}

    private static final class ProbedOnce {
        static final Capabilities CAPABILITIES = Capabilities.probe();
    }

    /**
     * What this kernel offers, probed once when the native library loads.
     *
     * @throws UnsatisfiedLinkError if the native library cannot be loaded; the message says
     *     what was tried and why each attempt failed
     */
    public static Capabilities capabilities() {
        NativeLibrary.ensureLoaded();
        return ProbedOnce.CAPABILITIES;
    }
}
