package io.zerocopy.comparison;

import io.zerocopy.MappedRegion;
import io.zerocopy.TransferPath;
import io.zerocopy.TransferStatistics;
import io.zerocopy.ZeroCopy;
import io.zerocopy.benchsupport.Unmapper;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The main job: zerocopy-jni side by side with the JDK's ways of moving file bytes, on one
 * generated file, with throughput, CPU time per GiB, the ratio to the JDK's own call, and the
 * path that ZeroCopy.statistics() reports. A demonstration; the measurements of record are the
 * JMH benchmarks.
 *
 * <pre>gradle run [-Pargs="--size 1g --runs 5 --groups socket,file,from-socket,mapped --json out.json"]</pre>
 */
public final class Comparison {
    private static final double GiB = 1L << 30;

    /** One way of moving the bytes; returns the bytes moved. */
    interface Method {
        long run(Bench bench) throws Exception;
    }

    record Candidate(String group, String name, Method method, boolean reference) {}

    /** The measured runs of one candidate; {@code failure} says why there are none, or is null. */
    record Result(Candidate candidate, long bytes, double[] seconds, double[] cpuSeconds, String path,
            String failure) {
        double gibPerSecond() {
            return failure != null ? Double.NaN : bytes / GiB / median(seconds);
        }

        double cpuSecondsPerGiB() {
            return failure != null ? Double.NaN : median(cpuSeconds) / (bytes / GiB);
        }
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (Options.HelpRequested help) {
            System.out.println(Options.USAGE);
            return;
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println("(--help lists the options)");
            System.exit(2);
            return;
        }
        Path dir = Files.createTempDirectory(options.dir(), "zerocopy-comparison-");
        Thread cleanup = new Thread(() -> deleteDirectory(dir), "cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup); // also on Ctrl-C
        try (Bench bench = new Bench(dir, options.size())) {
            System.err.printf(Locale.ROOT, "%s%nfile of %s in %s, %d runs (+%d warm-up) per method%n",
                    ZeroCopy.capabilities(), Options.bytes(options.size()), dir, options.runs(), options.warmups());
            List<Candidate> candidates = candidates(options);
            List<Result> results = new ArrayList<>();
            for (String group : new LinkedHashSet<>(candidates.stream().map(Candidate::group).toList())) {
                results.addAll(measureGroup(candidates.stream().filter(c -> c.group().equals(group)).toList(),
                        bench, options));
            }
            Report report = new Report(results, options.size());
            report.table(System.out);
            if (options.json() != null) {
                report.json(options.json());
            }
            if (options.csv() != null) {
                report.csv(options.csv());
            }
        } finally {
            deleteDirectory(dir);
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
    }

    private static List<Candidate> candidates(Options options) {
        List<Candidate> all = new ArrayList<>();
        if (options.groups().contains("socket")) {
            addFileSourceMethods(all, "file -> socket", Bench::toSocket);
        }
        if (options.groups().contains("file")) {
            addFileSourceMethods(all, "file -> file", Bench::toFile);
        }
        if (options.groups().contains("from-socket")) {
            String g = "socket -> file";
            all.add(new Candidate(g, "ZeroCopy.transferFrom", b -> b.fromSocket(
                    (s, t, n) -> transferFromAll(s, t, n)), false));
            all.add(new Candidate(g, "FileChannel.transferFrom", b -> b.fromSocket(
                    (s, t, n) -> CopyLoops.transferFrom(s, t, 0, n)), true));
            all.add(new Candidate(g, "read+write, direct 64 KiB", b -> b.fromSocket(
                    (s, t, n) -> CopyLoops.readWriteInto(s, t, 0, n, ByteBuffer.allocateDirect(64 << 10))), false));
        }
        if (options.groups().contains("mapped")) {
            String g = "map + load";
            all.add(new Candidate(g, "MappedRegion + close", Bench::mapRegion, false));
            all.add(new Candidate(g, "FileChannel.map + unmap", Bench::mapBuffer, true));
        }
        return all;
    }

    /** How one group sends the file to its kind of target. */
    interface Destination<T> {
        long run(Bench bench, ToTarget<T> transfer) throws Exception;
    }

    /** ZeroCopy, the JDK's call, and the three loops people write, from the file to `T`s. */
    private static <T extends java.nio.channels.WritableByteChannel> void addFileSourceMethods(
            List<Candidate> all, String group, Destination<T> to) {
        all.add(new Candidate(group, "ZeroCopy.transferTo", b -> to.run(b,
                (s, n, t) -> ZeroCopy.transferTo(s, 0, n, t)), false));
        all.add(new Candidate(group, "FileChannel.transferTo", b -> to.run(b,
                (s, n, t) -> CopyLoops.transferTo(s, 0, n, t)), true));
        all.add(new Candidate(group, "read+write, heap 8 KiB", b -> to.run(b,
                (s, n, t) -> CopyLoops.readWrite(s, 0, n, t, ByteBuffer.allocate(8 << 10))), false));
        all.add(new Candidate(group, "read+write, direct 64 KiB", b -> to.run(b,
                (s, n, t) -> CopyLoops.readWrite(s, 0, n, t, ByteBuffer.allocateDirect(64 << 10))), false));
        all.add(new Candidate(group, "mmap + write", b -> to.run(b,
                (s, n, t) -> CopyLoops.mapAndWrite(s, 0, n, t)), false));
    }

    /** ZeroCopy.transferFrom moves everything a blocking socket brings in one call. */
    private static long transferFromAll(SocketChannel source, FileChannel target, long count) throws IOException {
        long n = ZeroCopy.transferFrom(source, target, 0, count);
        if (n != count) {
            throw new IOException("transferFrom moved " + n + " of " + count + " bytes");
        }
        return n;
    }

    /**
     * Measures the candidates of one group in turns (warm-ups first, then run 1 of each, run 2
     * of each, ...), so that a drift of the machine during the group touches all of them alike.
     * A candidate that throws (FileChannel.map above 2 GiB) is reported as n/a and left out of
     * the later turns; the others go on.
     */
    private static List<Result> measureGroup(List<Candidate> group, Bench bench, Options options)
            throws Exception {
        int n = group.size();
        double[][] seconds = new double[n][options.runs()];
        double[][] cpu = new double[n][options.runs()];
        long[] bytes = new long[n];
        TransferStatistics[] paths = new TransferStatistics[n];
        String[] failures = new String[n];
        for (int round = -options.warmups(); round < options.runs(); round++) {
            for (int i = 0; i < n; i++) {
                Candidate c = group.get(i);
                if (failures[i] != null) {
                    continue;
                }
                System.err.printf(Locale.ROOT, "\r%-15s %s %d/%d: %-27s", c.group(), round < 0 ? "warm-up" : "run",
                        round < 0 ? round + options.warmups() + 1 : round + 1,
                        round < 0 ? options.warmups() : options.runs(), c.name());
                // The mappings that mmap + write leaves to the collector (as such code is written)
                // go now, not during a measurement.
                System.gc();
                TransferStatistics before = ZeroCopy.statistics();
                long cpuStart = processCpuNanos();
                long start = System.nanoTime();
                try {
                    bytes[i] = c.method().run(bench);
                } catch (Exception e) {
                    failures[i] = e.getClass().getSimpleName() + ": " + e.getMessage();
                    continue;
                }
                double elapsed = (System.nanoTime() - start) / 1e9;
                double cpuUsed = (processCpuNanos() - cpuStart) / 1e9;
                TransferStatistics delta = ZeroCopy.statistics().since(before);
                if (round >= 0) {
                    seconds[i][round] = elapsed;
                    cpu[i][round] = cpuUsed;
                    paths[i] = delta;
                }
            }
        }
        System.err.printf(Locale.ROOT, "\r%-80s\r", "");
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Result r = new Result(group.get(i), bytes[i], seconds[i], cpu[i],
                    failures[i] != null ? "-" : pathTaken(paths[i]), failures[i]);
            System.err.printf(Locale.ROOT, "%-15s %-27s %s%n", group.get(i).group(), group.get(i).name(),
                    failures[i] != null ? "n/a: " + failures[i] : String.format(Locale.ROOT, "%6.2f GiB/s",
                            r.gibPerSecond()));
            results.add(r);
        }
        return results;
    }

    /**
     * CPU time of all live threads of this process (user and system), in nanoseconds. The JDK's
     * process CPU time counts clock ticks of 10 ms, too coarse for a run of tens of
     * milliseconds; each thread's CPU clock has nanoseconds. The comparison's helper threads
     * (the common pool's) live through a run, so none of its CPU time is lost.
     */
    static long processCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (long id : threads.getAllThreadIds()) {
            long nanos = threads.getThreadCpuTime(id);
            if (nanos > 0) {
                total += nanos;
            }
        }
        return total;
    }

    /** The path that moved most bytes, or "-" where ZeroCopy was not involved. */
    private static String pathTaken(TransferStatistics delta) {
        return Arrays.stream(TransferPath.values()).filter(p -> delta.calls(p) > 0)
                .max(Comparator.comparingLong(delta::bytes)).map(Enum::name).orElse("-");
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * Deletes {@code dir} and what is in it. On Ctrl-C this runs while the main thread still
     * works, and may create a file after the listing: so again until the directory itself is
     * gone, after which nothing can be created in it.
     */
    private static void deleteDirectory(Path dir) {
        for (int attempt = 0; attempt < 10 && Files.exists(dir); attempt++) {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException | RuntimeException e) {
                // changed while listed: try again
            }
        }
    }

    interface ToTarget<T> {
        long run(FileChannel source, long count, T target) throws IOException;
    }

    interface FromSocket {
        long run(SocketChannel source, FileChannel target, long count) throws IOException;
    }

    /** The generated file, and the sockets and files each run moves it to. */
    static final class Bench implements AutoCloseable {
        private final Path dir;
        private final long size;
        private final Path source;
        private final FileChannel sourceChannel;

        Bench(Path dir, long size) throws IOException {
            this.dir = dir;
            this.size = size;
            this.source = dir.resolve("source.bin");
            byte[] block = new byte[1 << 20];
            new SplittableRandom(42).nextBytes(block);
            try (FileChannel out = FileChannel.open(source, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                for (long written = 0; written < size; written += block.length) {
                    ByteBuffer b = ByteBuffer.wrap(block, 0, (int) Math.min(block.length, size - written));
                    while (b.hasRemaining()) {
                        out.write(b);
                    }
                }
            }
            this.sourceChannel = FileChannel.open(source);
        }

        /** Sends the file to a loopback socket whose reader drains it; done when all arrived. */
        long toSocket(ToTarget<SocketChannel> transfer) throws Exception {
            try (ServerSocketChannel listener = ServerSocketChannel.open()
                    .bind(new InetSocketAddress("127.0.0.1", 0));
                    SocketChannel client = SocketChannel.open(listener.getLocalAddress());
                    SocketChannel server = listener.accept()) {
                CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> drain(server));
                long sent = transfer.run(sourceChannel, size, client);
                client.shutdownOutput();
                long got = received.get();
                if (got != sent || sent != size) {
                    throw new IOException("sent " + sent + ", received " + got + " of " + size);
                }
                return sent;
            }
        }

        /** Copies the file to a new file, deleted after. */
        long toFile(ToTarget<FileChannel> transfer) throws IOException {
            Path target = dir.resolve("target.bin");
            try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                long n = transfer.run(sourceChannel, size, out);
                if (n != size || out.size() != size) {
                    throw new IOException("copied " + n + " of " + size);
                }
                return n;
            } finally {
                Files.deleteIfExists(target); // before its dirty pages are written back
            }
        }

        /** Receives the file's size in bytes from a loopback socket into a new file. */
        long fromSocket(FromSocket transfer) throws Exception {
            Path target = dir.resolve("received.bin");
            try (ServerSocketChannel listener = ServerSocketChannel.open()
                    .bind(new InetSocketAddress("127.0.0.1", 0));
                    SocketChannel client = SocketChannel.open(listener.getLocalAddress());
                    SocketChannel server = listener.accept();
                    FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE)) {
                CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> send(client));
                long n = transfer.run(server, out, size);
                sender.get();
                return n;
            } finally {
                Files.deleteIfExists(target);
            }
        }

        long mapRegion() throws IOException {
            try (MappedRegion region = MappedRegion.map(sourceChannel, FileChannel.MapMode.READ_ONLY, 0, size)) {
                if (!region.load().isLoaded()) {
                    throw new IOException("MappedRegion.load() left pages out");
                }
            }
            return size;
        }

        /** The same work as {@link #mapRegion}: unmapped at once, as its close() does. */
        long mapBuffer() throws IOException {
            MappedByteBuffer buffer = sourceChannel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            if (!buffer.load().isLoaded()) {
                throw new IOException("MappedByteBuffer.load() left pages out");
            }
            Unmapper.unmap(buffer);
            return size;
        }

        private long drain(SocketChannel server) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
            long total = 0;
            try {
                int n;
                while ((n = server.read(buffer.clear())) >= 0) {
                    total += n;
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
            return total;
        }

        private void send(SocketChannel client) {
            ByteBuffer block = ByteBuffer.allocateDirect(1 << 20);
            try {
                for (long sent = 0; sent < size; ) {
                    block.clear().limit((int) Math.min(block.capacity(), size - sent));
                    sent += client.write(block);
                }
                client.shutdownOutput();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }

        @Override
        public void close() throws IOException {
            sourceChannel.close();
        }
    }

    static void printf(PrintStream out, String format, Object... args) {
        out.printf(Locale.ROOT, format, args);
    }
}
