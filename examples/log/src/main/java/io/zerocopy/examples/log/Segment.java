package io.zerocopy.examples.log;

import io.zerocopy.MappedRegion;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * One segment file of a {@link Log}: the records from {@code baseOffset} on, one after
 * another, in a file of fixed size mapped whole with {@link MappedRegion} (READ_WRITE).
 *
 * <p>Record format, big-endian: {@code [int length][int CRC32C of the payload][payload]}. The
 * zero-filled rest of the file reads as length 0, the end; payloads are never empty. Not
 * thread-safe: the {@link Log} guards it.
 */
final class Segment implements AutoCloseable {
    static final int HEADER = 8;

    final long baseOffset;
    final Path path;
    /** For consumers: {@code ZeroCopy.transferTo} sends record bytes from it. */
    final FileChannel channel;
    final MappedRegion region;
    /** Where each record starts, and after the last one the end: {@code positions[count]}. */
    private int[] positions = new int[1024];
    private int count;

    private Segment(long baseOffset, Path path, FileChannel channel, MappedRegion region) {
        this.baseOffset = baseOffset;
        this.path = path;
        this.channel = channel;
        this.region = region;
    }

    static String fileName(long baseOffset) {
        return String.format("%020d.log", baseOffset);
    }

    /** A new, empty segment of {@code size} bytes; the file's size is on disk when this returns. */
    static Segment create(Path directory, long baseOffset, int size) throws IOException {
        Path path = directory.resolve(fileName(baseOffset));
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            MappedRegion region = MappedRegion.map(channel, FileChannel.MapMode.READ_WRITE, 0, size); // extends the file
            channel.force(true);
            return new Segment(baseOffset, path, channel, region);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Opens an existing segment after a stop, clean or not: reads it up to the last complete
     * record (a sane length and a matching checksum) and cuts everything after it off, so that
     * no stale or torn bytes can later be read as records.
     */
    static Segment recover(Path path, long baseOffset, int size, Consumer<String> events) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long fileSize = channel.size();
            int[] positions = new int[1024];
            int count = 0;
            int end = 0;
            String damage = null;
            // Plain reads, not the mapping: recovery must not fault in every page.
            DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel), 1 << 16));
            try {
                while (end + HEADER <= fileSize) {
                    int length = in.readInt();
                    int checksum = in.readInt();
                    if (length == 0) {
                        break;
                    }
                    if (length < 0 || length > fileSize - end - HEADER) {
                        damage = "a record length of " + length + " bytes that does not fit";
                        break;
                    }
                    byte[] payload = in.readNBytes(length);
                    if (checksum(payload, 0, length) != checksum) {
                        damage = "a record whose checksum does not match (torn or corrupt)";
                        break;
                    }
                    if (count + 1 == positions.length) {
                        positions = Arrays.copyOf(positions, positions.length * 2);
                    }
                    positions[count++] = end;
                    end += HEADER + length;
                }
            } catch (EOFException e) {
                damage = "a record cut short by the end of the file";
            }
            positions[count] = end;
            if (damage != null) {
                events.accept(path.getFileName() + ": " + count + " good records, then " + damage + " at byte " + end
                        + ": cut off there");
            }
            channel.truncate(end); // then the mapping extends it again with zeros
            MappedRegion region = MappedRegion.map(channel, FileChannel.MapMode.READ_WRITE, 0, Math.max(size, end));
            channel.force(true);
            Segment segment = new Segment(baseOffset, path, channel, region);
            segment.positions = positions;
            segment.count = count;
            return segment;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    static int checksum(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    int recordCount() {
        return count;
    }

    long endOffset() {
        return baseOffset + count;
    }

    /** The position of the record at {@code offset}, or the end for {@link #endOffset()}. */
    int position(long offset) {
        return positions[(int) (offset - baseOffset)];
    }

    /** The byte after the last record. */
    int end() {
        return positions[count];
    }

    boolean fits(int payloadLength) {
        return end() + HEADER + (long) payloadLength <= region.size();
    }

    /** Writes a record after the last one; returns its offset. */
    long append(byte[] payload, int checksum) {
        int end = end();
        ByteBuffer record = region.slice(end, HEADER + payload.length);
        record.putInt(4, checksum).put(HEADER, payload);
        // The length last: until it is there, the record reads as the end of the segment.
        record.putInt(0, payload.length);
        if (count + 2 > positions.length) {
            positions = Arrays.copyOf(positions, positions.length * 2);
        }
        positions[++count] = end + HEADER + payload.length;
        return baseOffset + count - 1;
    }

    @Override
    public void close() throws IOException {
        region.close();
        channel.close();
    }

    @Override
    public String toString() {
        return path.getFileName().toString();
    }
}
