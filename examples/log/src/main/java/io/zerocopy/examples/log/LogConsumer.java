package io.zerocopy.examples.log;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/** A consumer of a {@link LogServer}: fetches records and checks each one's checksum. */
public final class LogConsumer implements AutoCloseable {
    /** Records from {@code firstOffset} on: their payloads. */
    public record Batch(long firstOffset, List<byte[]> payloads) {}

    private final SocketChannel socket;

    public LogConsumer(InetSocketAddress server) throws IOException {
        socket = SocketChannel.open(server);
    }

    /**
     * The records from {@code offset} on, up to about {@code maxBytes} (at least one if there
     * is one); none when the consumer has caught up with the committed offset.
     *
     * @throws IOException also if a record arrives damaged (bad length or checksum)
     */
    public Batch fetch(long offset, int maxBytes) throws IOException {
        ByteBuffer request = ByteBuffer.allocate(12).putLong(offset).putInt(maxBytes).flip();
        while (request.hasRemaining()) {
            socket.write(request);
        }
        ByteBuffer header = readFully(ByteBuffer.allocate(16));
        long firstOffset = header.getLong();
        int count = header.getInt();
        ByteBuffer records = readFully(ByteBuffer.allocate(header.getInt()));
        List<byte[]> payloads = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int length = records.remaining() >= Segment.HEADER ? records.getInt() : -1;
            int checksum = length >= 0 ? records.getInt() : 0;
            if (length <= 0 || length > records.remaining()) {
                throw new IOException("record at offset " + (firstOffset + i) + ": bad length " + length);
            }
            byte[] payload = new byte[length];
            records.get(payload);
            if (Segment.checksum(payload, 0, length) != checksum) {
                throw new IOException("record at offset " + (firstOffset + i) + ": checksum mismatch");
            }
            payloads.add(payload);
        }
        if (records.hasRemaining()) {
            throw new IOException(records.remaining() + " bytes after " + count + " records");
        }
        return new Batch(firstOffset, payloads);
    }

    private ByteBuffer readFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (socket.read(buffer) < 0) {
                throw new EOFException("the server closed the connection");
            }
        }
        return buffer.flip();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
