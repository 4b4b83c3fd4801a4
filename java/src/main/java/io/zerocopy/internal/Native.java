package io.zerocopy.internal;

/**
 * Native methods of the library as a whole. Callers must have called
 * {@link NativeLibrary#ensureLoaded()} first; this class loads nothing by itself, so that
 * loading stays in one place.
 */
public final class Native {
    private Native() {}

    /** Must equal ABI_VERSION in rust/jni/mod.rs; checked at load. */
    static final int ABI_VERSION = 1;

    /** Caches class and field IDs, installs the panic hook; returns the library's ABI version. */
    static native int init();

    public static native String kernelRelease();

    /** Capability bits in the order of {@link io.zerocopy.Capabilities}. */
    public static native long capabilityFlags();

    public static native int pageSize();

    /**
     * Test hook: {@code kind} 0 panics in Rust, 1 fails with {@code errno} from a call named
     * "testcall", 2 throws an IllegalArgumentException, anything else returns {@code kind}.
     * Proves that nothing escapes into the JVM.
     */
    public static native int failForTest(int kind, int errno) throws java.io.IOException;

    /** Test hook: how the bridge classifies a channel and which descriptor it reads from it. */
    public static native String describeChannel(Object channel);
}
