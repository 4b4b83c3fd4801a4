package io.zerocopy;

import java.io.IOException;

/**
 * A system call failed in native code. Carries the call's name and its errno, so callers can
 * tell {@code ENOSPC} from {@code EIO} without parsing messages.
 *
 * <p>Errnos that the JDK reports with its own exception types keep those types instead:
 * {@code EBADF} is a {@link java.nio.channels.ClosedChannelException}, {@code EPIPE} and
 * {@code ECONNRESET} are plain {@link IOException}s worded as the JDK words them.
 */
public class NativeIOException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The name of the failed system call. */
    private final String syscall;
    /** The errno it returned. */
    private final int errno;

    /**
     * @param message what failed, as shown to users
     * @param syscall the name of the failed system call, such as {@code "sendfile"}
     * @param errno the errno it returned
     */
    public NativeIOException(String message, String syscall, int errno) {
        super(message);
        this.syscall = syscall;
        this.errno = errno;
    }

    /** {@return the errno that the system call returned, such as 28 for {@code ENOSPC}} */
    public int errno() {
        return errno;
    }

    /** {@return the name of the system call that failed, such as {@code "copy_file_range"}} */
    public String syscall() {
        return syscall;
    }
}
