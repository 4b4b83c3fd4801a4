package io.zerocopy.comparison;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * The ways a Java program moves file bytes without zerocopy-jni, as written in the wild: the
 * baselines that ZeroCopy is compared with. Each moves exactly {@code count} bytes or throws.
 */
public final class CopyLoops {
    private CopyLoops() {}

    /** {@code FileChannel.transferTo}, called again until done (it may stop short). */
    public static long transferTo(FileChannel source, long position, long count, WritableByteChannel target)
            throws IOException {
        long done = 0;
        while (done < count) {
            long n = source.transferTo(position + done, count - done, target);
            if (n <= 0) {
                throw new IOException("transferTo moved nothing at " + (position + done));
            }
            done += n;
        }
        return done;
    }

    /** {@code FileChannel.transferFrom}, called again until done. */
    public static long transferFrom(ReadableByteChannel source, FileChannel target, long position, long count)
            throws IOException {
        long done = 0;
        while (done < count) {
            long n = target.transferFrom(source, position + done, count - done);
            if (n <= 0) {
                throw new IOException("transferFrom moved nothing at " + (position + done));
            }
            done += n;
        }
        return done;
    }

    /** read + write through {@code buffer} (a heap or a direct one). */
    public static long readWrite(FileChannel source, long position, long count, WritableByteChannel target,
            ByteBuffer buffer) throws IOException {
        long done = 0;
        while (done < count) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), count - done));
            int n = source.read(buffer, position + done);
            if (n <= 0) {
                throw new IOException("end of file at " + (position + done));
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                target.write(buffer);
            }
            done += n;
        }
        return done;
    }

    /** The file mapped in pieces of at most 1 GiB, each written out from the mapping. */
    public static long mapAndWrite(FileChannel source, long position, long count, WritableByteChannel target)
            throws IOException {
        long done = 0;
        while (done < count) {
            long piece = Math.min(count - done, 1L << 30);
            MappedByteBuffer mapped = source.map(FileChannel.MapMode.READ_ONLY, position + done, piece);
            while (mapped.hasRemaining()) {
                target.write(mapped);
            }
            done += piece;
        }
        return done;
    }

    /** read + write from a stream into a file at {@code position}, through {@code buffer}. */
    public static long readWriteInto(ReadableByteChannel source, FileChannel target, long position, long count,
            ByteBuffer buffer) throws IOException {
        long done = 0;
        while (done < count) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), count - done));
            int n = source.read(buffer);
            if (n < 0) {
                throw new IOException("end of stream after " + done + " bytes");
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                target.write(buffer, position + done + buffer.position());
            }
            done += n;
        }
        return done;
    }
}
