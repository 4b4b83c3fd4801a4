package io.zerocopy.examples.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A Kafka-style append-only log: records numbered by offset, in segment files of fixed size
 * named by the offset of their first record ({@code 00000000000000000000.log}, ...), each
 * mapped whole with {@code MappedRegion}.
 *
 * <p>Producers (any number of threads) {@link #append} records and {@link #commit} them:
 * {@code force} ({@code msync}) makes them durable, and only committed records are served to
 * consumers. Commits of several threads are grouped: one msync covers every record appended
 * before it. {@link #open} recovers a log after a crash: each segment is read to its last
 * complete record and cut there (see {@link Segment#recover}).
 */
public final class Log implements AutoCloseable {
    /** The records of one segment that a fetch returns: bytes {@code [position, position + length)}. */
    /** Committed records from {@code firstOffset}: {@code count} of them, in ranges of one or more segments. */
    record Fetch(long firstOffset, int count, int length, List<Piece> pieces) {}

    /** A range of one segment's file. */
    record Piece(Segment segment, int position, int length) {}

    private final Path directory;
    private final int segmentSize;
    private final Consumer<String> events;
    private final Object commitLock = new Object();
    /** Guarded by this. */
    private final List<Segment> segments;
    /** Guarded by this. */
    private boolean closed;
    /** Offsets below it are on disk. Written under commitLock. */
    private volatile long committedOffset;
    /** The first segment with records that are not committed yet. Guarded by commitLock. */
    private int firstUncommitted;

    private Log(Path directory, int segmentSize, Consumer<String> events, List<Segment> segments) {
        this.directory = directory;
        this.segmentSize = segmentSize;
        this.events = events;
        this.segments = segments;
        this.committedOffset = segments.get(segments.size() - 1).endOffset();
        this.firstUncommitted = segments.size() - 1;
    }

    /**
     * Opens the log in {@code directory} (created if missing), recovering what a crash left:
     * torn records at the end of a segment are cut off, and segments that no longer follow on
     * from the one before are deleted. Reports what it did to {@code events}.
     *
     * @param segmentSize bytes per segment file, from 4 KiB to 1 GiB
     */
    public static Log open(Path directory, int segmentSize, Consumer<String> events) throws IOException {
        if (segmentSize < 4096 || segmentSize > 1 << 30) {
            throw new IllegalArgumentException("segment size " + segmentSize + " is not within 4 KiB..1 GiB");
        }
        Files.createDirectories(directory);
        TreeMap<Long, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory,
                file -> file.getFileName().toString().matches("[0-9]{20}\\.log"))) {
            for (Path file : stream) {
                files.put(Long.parseLong(file.getFileName().toString().substring(0, 20)), file);
            }
        }
        List<Segment> segments = new ArrayList<>();
        try {
            for (var file : files.entrySet()) {
                Segment last = segments.isEmpty() ? null : segments.get(segments.size() - 1);
                if (last != null && last.endOffset() != file.getKey()) {
                    // An earlier segment lost records: the offsets of this one no longer fit.
                    events.accept(file.getValue().getFileName() + ": deleted, it does not follow on from " + last
                            + ", which ends at offset " + last.endOffset());
                    Files.delete(file.getValue());
                    continue;
                }
                segments.add(Segment.recover(file.getValue(), file.getKey(), segmentSize, events));
            }
            if (segments.isEmpty()) {
                segments.add(Segment.create(directory, 0, segmentSize));
                syncDirectory(directory);
            }
        } catch (IOException | RuntimeException e) {
            for (Segment segment : segments) {
                segment.close();
            }
            throw e;
        }
        Log log = new Log(directory, segmentSize, events, segments);
        events.accept("opened " + directory + ": " + segments.size() + (segments.size() == 1 ? " segment" : " segments")
                + ", offsets " + log.startOffset() + " to " + log.endOffset());
        return log;
    }

    /**
     * Appends a record; returns its offset. It reaches consumers after a {@link #commit}.
     *
     * @throws IllegalArgumentException if the payload is empty (it would read as the end of a
     *     segment) or does not fit in a segment
     */
    public long append(byte[] payload) throws IOException {
        if (payload.length == 0 || payload.length > segmentSize - Segment.HEADER) {
            throw new IllegalArgumentException("a payload of " + payload.length + " bytes; it must be 1 to "
                    + (segmentSize - Segment.HEADER));
        }
        int checksum = Segment.checksum(payload, 0, payload.length); // outside the lock
        synchronized (this) {
            ensureOpen();
            Segment active = segments.get(segments.size() - 1);
            if (!active.fits(payload.length)) {
                active = Segment.create(directory, active.endOffset(), segmentSize);
                syncDirectory(directory); // the new file's name survives a crash
                segments.add(active);
                events.accept("rolled to segment " + active);
            }
            return active.append(payload, checksum);
        }
    }

    /**
     * Makes every record appended so far durable ({@code msync}) and visible to consumers;
     * returns the committed offset (offsets below it are committed). When several threads
     * commit at once, one msync serves them all.
     */
    public long commit() {
        synchronized (commitLock) {
            List<Segment> dirty;
            List<Integer> ends = new ArrayList<>();
            long end;
            synchronized (this) {
                ensureOpen();
                end = endOffset();
                if (end == committedOffset) {
                    return end; // another thread's commit covered ours
                }
                dirty = new ArrayList<>(segments.subList(firstUncommitted, segments.size()));
                dirty.forEach(s -> ends.add(s.end()));
            }
            for (int i = 0; i < dirty.size(); i++) { // without the append lock: appends go on meanwhile
                dirty.get(i).region.force(0, ends.get(i));
            }
            firstUncommitted += dirty.size() - 1;
            committedOffset = end;
            return end;
        }
    }

    public long committedOffset() {
        return committedOffset;
    }

    public synchronized long startOffset() {
        return segments.get(0).baseOffset;
    }

    public synchronized long endOffset() {
        return segments.get(segments.size() - 1).endOffset();
    }

    synchronized List<Segment> segments() {
        return List.copyOf(segments);
    }

    /**
     * Committed records from {@code offset} on, from as many segments as they span: as many as
     * fit in {@code maxBytes}, but at least one. None when {@code offset} is the committed offset.
     *
     * @throws IllegalArgumentException for an offset below the log's start or above the committed offset
     */
    synchronized Fetch read(long offset, int maxBytes) {
        ensureOpen();
        long committed = committedOffset;
        if (offset < startOffset() || offset > committed) {
            throw new IllegalArgumentException("offset " + offset + " is outside " + startOffset() + ".." + committed);
        }
        int index = segments.size() - 1;
        while (segments.get(index).baseOffset > offset) {
            index--;
        }
        List<Piece> pieces = new ArrayList<>();
        long next = offset;
        int bytes = 0;
        for (; index < segments.size() && next < committed; index++) {
            Segment segment = segments.get(index); // the first one holds offset, the next ones follow it
            long last = Math.min(committed, segment.endOffset());
            int position = segment.position(next);
            long from = next;
            while (next < last && (next == offset || bytes + segment.position(next + 1) - position <= maxBytes)) {
                next++;
            }
            if (next == from) {
                break; // the next record does not fit
            }
            int length = segment.position(next) - position;
            pieces.add(new Piece(segment, position, length));
            bytes += length;
            if (next < last) {
                break; // full before the end of this segment
            }
        }
        return new Fetch(offset, (int) (next - offset), bytes, pieces);
    }

    /** Commits, then closes every segment. */
    @Override
    public void close() throws IOException {
        if (!isClosed()) {
            commit();
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            for (Segment segment : segments) {
                segment.close();
            }
        }
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the log is closed");
        }
    }

    /** fsync of the directory: makes a new file's name durable. */
    private static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
