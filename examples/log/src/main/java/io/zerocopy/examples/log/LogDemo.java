package io.zerocopy.examples.log;

import io.zerocopy.TransferStatistics;
import io.zerocopy.ZeroCopy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The log at work: producers append records from several threads, the log is closed and
 * reopened (recovery), a server serves it, and a consumer reads every record back over a
 * socket and checks it.
 *
 * <pre>
 * LogDemo [--dir DIR] [--records N] [--producers N] [--segment-size BYTES[k|m]] [--drop-caches] [--jdk]
 * </pre>
 * Without {@code --dir} the log lives in a temp dir, deleted at the end. {@code --drop-caches}
 * (root only) empties the page cache before serving, so that the server has to warm segments.
 */
public final class LogDemo {
    private LogDemo() {}

    /** Records per commit. */
    private static final int BATCH = 100;

    static final String USAGE = "usage: LogDemo [--dir DIR] [--records N] [--producers N]"
            + " [--segment-size BYTES[k|m]] [--drop-caches] [--jdk]\n"
            + "  --dir DIR            an existing directory for the log (default: a temporary one, deleted after)\n"
            + "  --records N          records to produce (default 200000)\n"
            + "  --producers N        producing threads (default 4)\n"
            + "  --segment-size SIZE  bytes per segment, with k or m (default 16m)\n"
            + "  --drop-caches        evict the page cache before consuming (root)\n"
            + "  --jdk                serve with Kafka's loop (write + FileChannel.transferTo per segment)\n"
            + "  --help               this text";

    /** A positive number, or an error that names its option. */
    private static int number(String option, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new IllegalArgumentException(option + ": not a positive number: " + value);
    }

    public static void main(String[] args) throws Exception {
        Path dir = null;
        int records = 200_000;
        int producers = 4;
        int segmentSize = 16 << 20;
        boolean dropCaches = false;
        LogServer.Mode mode = LogServer.Mode.GATHER;
        try {
            for (int i = 0; i < args.length; i++) {
                String option = args[i];
                if (option.equals("--help") || option.equals("-h")) {
                    System.out.println(USAGE);
                    return;
                }
                if (option.equals("--drop-caches")) {
                    dropCaches = true;
                    continue;
                }
                if (option.equals("--jdk")) {
                    mode = LogServer.Mode.JDK;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(option.startsWith("--") ? option + ": missing value"
                            : "unknown argument " + option);
                }
                String value = args[++i];
                switch (option) {
                    case "--dir" -> {
                        dir = Path.of(value).toAbsolutePath();
                        if (!Files.isDirectory(dir)) {
                            throw new IllegalArgumentException("--dir: no such directory: " + dir);
                        }
                    }
                    case "--records" -> records = number(option, value);
                    case "--producers" -> producers = number(option, value);
                    case "--segment-size" -> segmentSize = parseSize(option, value);
                    default -> throw new IllegalArgumentException("unknown option " + option);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage() + "\n(--help lists the options)");
            System.exit(2);
        }
        boolean temporary = dir == null;
        if (temporary) {
            dir = Files.createTempDirectory("zerocopy-log");
        }
        try {
            run(dir, records, producers, segmentSize, dropCaches, mode);
        } finally {
            if (temporary) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private static void run(Path dir, int records, int producers, int segmentSize, boolean dropCaches,
            LogServer.Mode mode)
            throws Exception {
        System.out.printf("Log in %s, segments of %s%n", dir, mib(segmentSize));

        // 1. Produce: several threads append, each commits every BATCH records.
        try (Log log = Log.open(dir, segmentSize, LogDemo::event)) {
            long start = System.nanoTime();
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int producer = p;
                int count = records / producers + (p < records % producers ? 1 : 0);
                threads.add(new Thread(() -> produce(log, producer, count), "producer-" + p));
            }
            threads.forEach(Thread::start);
            for (Thread thread : threads) {
                thread.join();
            }
            System.out.printf("Produced %d records from %d threads in %s; committed offset %d, %d segments%n",
                    records, producers, millis(start), log.committedOffset(), log.segments().size());
        }

        // 2. Reopen, as after a restart: recovery reads every segment to its last complete record.
        long start = System.nanoTime();
        try (Log log = Log.open(dir, segmentSize, LogDemo::event)) {
            System.out.printf("Reopened in %s%n", millis(start));
            if (dropCaches) {
                dropPageCache();
            }

            // 3. Serve it, and consume everything over a socket.
            TransferStatistics before = ZeroCopy.statistics();
            try (LogServer server = LogServer.start(log, 0, mode, LogDemo::event);
                 LogConsumer consumer = new LogConsumer(new InetSocketAddress("127.0.0.1", server.port()))) {
                DemoRecords.Checker checker = new DemoRecords.Checker();
                start = System.nanoTime();
                int fetches = 0;
                long offset = log.startOffset();
                while (offset < log.committedOffset()) {
                    LogConsumer.Batch batch = consumer.fetch(offset, 1 << 20);
                    fetches++;
                    for (byte[] payload : batch.payloads()) {
                        checker.check(offset++, payload);
                    }
                }
                System.out.printf("Consumed %d records (%s) in %d fetches over a socket in %s: every checksum "
                        + "good, none missing or duplicated, each producer's records in order%n", checker.records(),
                        mib(checker.bytes()), fetches, millis(start));
                System.out.printf("Cold segments warmed before sending: %d%s%n", server.warmUps(),
                        server.warmUps() == 0 && !dropCaches ? " (all in the page cache; --drop-caches as root "
                                + "shows the warm-up)" : "");
            }
            System.out.println("ZeroCopy.statistics(): " + ZeroCopy.statistics().since(before));
        }
    }

    private static void produce(Log log, int producer, int count) {
        try {
            for (int sequence = 0; sequence < count; sequence++) {
                log.append(DemoRecords.payload(producer, sequence));
                if (sequence % BATCH == BATCH - 1 || sequence == count - 1) {
                    log.commit();
                }
            }
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    /** Drops clean pages from the page cache (root only): the segments become cold. */
    private static void dropPageCache() {
        try {
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "1");
            System.out.println("Dropped the page cache (echo 1 > /proc/sys/vm/drop_caches)");
        } catch (IOException e) {
            System.out.println("Cannot drop the page cache (root only): " + e);
        }
    }

    private static void event(String message) {
        System.out.println("  [log] " + message);
    }

    static int parseSize(String option, String size) {
        String s = size.toLowerCase(Locale.ROOT);
        int unit = s.endsWith("m") ? 1 << 20 : s.endsWith("k") ? 1 << 10 : 1;
        try {
            int n = Math.multiplyExact(Integer.parseInt(unit == 1 ? s : s.substring(0, s.length() - 1)), unit);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // named below
        }
        throw new IllegalArgumentException(option + ": not a size (a number, with k or m): " + size);
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    private static String millis(long startNanos) {
        return String.format(Locale.ROOT, "%.0f ms", (System.nanoTime() - startNanos) / 1e6);
    }
}
