package io.zerocopy.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * TCP segments sent per operation: the difference of {@code Tcp: OutSegs} in /proc/net/snmp
 * over each measured iteration, divided by its operations. On loopback it also counts the
 * other end's acknowledgements, alike for every candidate; the machine's other traffic adds
 * noise, so compare candidates of one run. Reported as {@code tcp.segments.per.op}, only for
 * benchmarks that send over TCP (the counter moved by at least one segment per operation).
 */
public final class SegmentsProfiler implements InternalProfiler {
    private long start;

    @Override
    public String getDescription() {
        return "TCP segments sent per operation (OutSegs of /proc/net/snmp)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        start = outSegments();
    }

    @Override
    public Collection<? extends Result<?>> afterIteration(BenchmarkParams benchmarkParams,
            IterationParams iterationParams, IterationResult result) {
        long segments = outSegments() - start;
        long ops = result.getMetadata().getAllOps();
        List<Result<?>> results = new ArrayList<>();
        if (ops > 0 && segments >= ops) {
            results.add(new ScalarResult("tcp.segments.per.op", (double) segments / ops, "segments/op",
                    AggregationPolicy.AVG));
        }
        return results;
    }

    /** Tcp OutSegs: the value under that name in the second of the two "Tcp:" lines. */
    static long outSegments() {
        try {
            List<String> tcp = new ArrayList<>();
            for (String line : Files.readAllLines(Paths.get("/proc/net/snmp"))) {
                if (line.startsWith("Tcp:")) {
                    tcp.add(line);
                }
            }
            String[] names = tcp.get(0).split("\\s+");
            String[] values = tcp.get(1).split("\\s+");
            for (int i = 0; i < names.length; i++) {
                if (names[i].equals("OutSegs")) {
                    return Long.parseLong(values[i]);
                }
            }
            throw new IllegalStateException("no OutSegs in /proc/net/snmp");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
