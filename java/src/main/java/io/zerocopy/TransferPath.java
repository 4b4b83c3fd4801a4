package io.zerocopy;

/** The ways a transfer moves bytes, from cheapest to dearest. */
public enum TransferPath {
    /** {@code sendfile(2)}: file pages go to a socket (or pipe, or file) inside the kernel. */
    SENDFILE,
    /** {@code splice(2)}: pages move between a pipe and a file or socket inside the kernel. */
    SPLICE,
    /** {@code copy_file_range(2)}: file to file inside the kernel, or a reflink where the file system can. */
    COPY_FILE_RANGE,
    /** A copy through a buffer in user space: the fallback where the kernel paths do not apply. */
    BUFFERED,
    /**
     * The JDK's own {@code FileChannel.transferTo}/{@code transferFrom} (or, for {@code relay}, a
     * buffer), where the native library is not available: see {@link ZeroCopy#isAvailable()}.
     */
    JDK
}
