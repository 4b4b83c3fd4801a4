/**
 * zerocopy-jni: zero-copy file transfers and safe memory-mapped regions for Java on Linux.
 * Exports {@code io.zerocopy} only; {@code jdk.jfr} is optional (its events are recorded where
 * the module is present).
 */
module io.zerocopy {
    requires static jdk.jfr;

    exports io.zerocopy;
}
