package io.zerocopy;

import java.io.IOException;

/**
 * A transfer from a socket or pipe took bytes out of it that it could not write (a full disk,
 * a target that went away): they are lost, and no return value could say so. The target holds
 * {@link #bytesTransferred()} bytes of this call, in order and complete; the next
 * {@link #bytesLost()} bytes of the stream are gone. {@link #getCause()} says why the write
 * failed, such as a {@link NativeIOException} with {@code ENOSPC}.
 *
 * <p>A source with a position (a file) never loses bytes: its position is left at what reached
 * the target, and the call returns that count, as the JDK's does.
 */
public class IncompleteTransferException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Bytes this call wrote to the target. */
    private final long bytesTransferred;
    /** Bytes read from the source after those, and not written. */
    private final long bytesLost;

    /**
     * @param bytesTransferred bytes this call wrote to the target
     * @param bytesLost bytes read from the source after those, and not written
     * @param cause why the write failed
     */
    public IncompleteTransferException(long bytesTransferred, long bytesLost, Throwable cause) {
        super(cause.getMessage() + "; " + bytesTransferred + " bytes were written, then " + bytesLost
                + " more bytes read from the source were lost", cause);
        this.bytesTransferred = bytesTransferred;
        this.bytesLost = bytesLost;
    }

    /** {@return bytes this call wrote to the target, in order, before the failure} */
    public long bytesTransferred() {
        return bytesTransferred;
    }

    /** {@return bytes read from the source after {@link #bytesTransferred()} that were not written} */
    public long bytesLost() {
        return bytesLost;
    }
}
