package io.zerocopy.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/** The loops a caller of the JDK writes: its calls may move fewer bytes than asked. */
final class Copy {
    private Copy() {}

    /** Writes all of {@code buffer}. */
    static long writeAll(ByteBuffer buffer, WritableByteChannel target) throws IOException {
        long written = 0;
        while (buffer.hasRemaining()) {
            written += target.write(buffer);
        }
        return written;
    }

    /** {@code FileChannel.transferTo} until {@code count} bytes (it stops at 0x7ffff000 a call). */
    static long transferTo(FileChannel source, long count, WritableByteChannel target) throws IOException {
        long moved = 0;
        while (moved < count) {
            long n = source.transferTo(moved, count - moved, target);
            if (n <= 0) {
                throw new IllegalStateException("transferTo moved " + n + " bytes at " + moved);
            }
            moved += n;
        }
        return moved;
    }

    /** {@code FileChannel.transferFrom} until {@code count} bytes, into {@code target} from 0. */
    static long transferFrom(ReadableByteChannel source, FileChannel target, long count) throws IOException {
        long moved = 0;
        while (moved < count) {
            long n = target.transferFrom(source, moved, count - moved);
            if (n <= 0) {
                throw new IllegalStateException("transferFrom moved " + n + " bytes at " + moved);
            }
            moved += n;
        }
        return moved;
    }

    /** pread into {@code buffer}, write it all; {@code count} bytes of {@code source} from 0. */
    static long readWrite(FileChannel source, long count, ByteBuffer buffer, WritableByteChannel target)
            throws IOException {
        long moved = 0;
        while (moved < count) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), count - moved));
            if (source.read(buffer, moved) < 0) {
                throw new IllegalStateException("end of file at " + moved);
            }
            buffer.flip();
            moved += writeAll(buffer, target);
        }
        return moved;
    }

    /** read into {@code buffer}, write it all, until {@code count} bytes: a proxy's loop. */
    static long readWrite(ReadableByteChannel source, long count, ByteBuffer buffer, WritableByteChannel target)
            throws IOException {
        long moved = 0;
        while (moved < count) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), count - moved));
            if (source.read(buffer) < 0) {
                throw new IllegalStateException("end of stream at " + moved);
            }
            buffer.flip();
            moved += writeAll(buffer, target);
        }
        return moved;
    }
}
