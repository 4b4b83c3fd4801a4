package io.zerocopy.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * The transfers where the native library cannot load (another OS or architecture, a locked
 * down work dir): the JDK's own {@code FileChannel} methods, whose contract the library keeps,
 * and a buffered copy for {@code relay}.
 */
public final class JdkFallback {
    private JdkFallback() {}

    public static long transferTo(FileChannel source, long position, long count, WritableByteChannel target)
            throws IOException {
        return source.transferTo(position, count, target);
    }

    /** The header first (all of it, unless a non-blocking target fills up), then the file. */
    public static long transferTo(ByteBuffer header, FileChannel source, long position, long count,
            WritableByteChannel target) throws IOException {
        int length = header.remaining();
        int sent = BufferedTransfer.writeHeader(header, target);
        return sent + (sent < length ? 0 : source.transferTo(position, count, target));
    }

    public static long transferFrom(ReadableByteChannel source, FileChannel target, long position, long count)
            throws IOException {
        return target.transferFrom(source, position, count);
    }

    public static long relay(ReadableByteChannel source, WritableByteChannel target, long count) throws IOException {
        return BufferedTransfer.relay(source, target, count);
    }
}
