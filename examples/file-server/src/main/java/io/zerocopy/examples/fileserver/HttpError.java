package io.zerocopy.examples.fileserver;

/** A request the server answers with an error status instead of a file. */
final class HttpError extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;

    HttpError(int status, String message) {
        super(message, null, false, false); // control flow, not a failure: no stack trace
        this.status = status;
    }

    int status() {
        return status;
    }
}
