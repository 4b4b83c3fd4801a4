package io.zerocopy.examples.log;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The records the demo (and the tests) write: {@code [int producer][int sequence]} and 8 to 263
 * filler bytes derived from both, so that a reader can tell each record is exactly the one written.
 */
final class DemoRecords {
    private DemoRecords() {}

    static byte[] payload(int producer, int sequence) {
        int seed = producer * 31 + sequence;
        ByteBuffer payload = ByteBuffer.allocate(8 + 8 + Math.floorMod(seed * 0x9E3779B1, 256));
        payload.putInt(producer).putInt(sequence);
        for (int i = 8; i < payload.capacity(); i++) {
            payload.put((byte) (seed + i));
        }
        return payload.array();
    }

    /**
     * Checks records in log order: each is intact, and every producer's records come in the
     * order written, none missing or duplicated.
     */
    static final class Checker {
        private final Map<Integer, Integer> nextSequence = new HashMap<>();
        private long records;
        private long bytes;

        void check(long offset, byte[] payload) {
            ByteBuffer b = ByteBuffer.wrap(payload);
            int producer = b.getInt();
            int sequence = b.getInt();
            int expected = nextSequence.getOrDefault(producer, 0);
            if (sequence != expected) {
                throw new IllegalStateException("offset " + offset + ": producer " + producer + " record " + sequence
                        + ", expected " + expected);
            }
            if (!ByteBuffer.wrap(payload(producer, sequence)).equals(b.rewind())) {
                throw new IllegalStateException("offset " + offset + ": wrong bytes");
            }
            nextSequence.put(producer, sequence + 1);
            records++;
            bytes += payload.length;
        }

        long records() {
            return records;
        }

        long bytes() {
            return bytes;
        }

        /** Records seen per producer. */
        Map<Integer, Integer> perProducer() {
            return nextSequence;
        }
    }
}
