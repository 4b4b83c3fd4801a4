package io.zerocopy.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
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
 * CPU time per GiB moved: the figure that zero-copy exists to lower.
 *
 * <p>Process CPU time (user + system, every thread: the benchmark thread, and the thread that
 * drains or feeds the socket's other end, whose kernel work on loopback is part of the cost)
 * over each measured iteration, divided by the bytes that the operations reported to
 * {@link BytesMoved} in that iteration. A profiler rather than counters in each operation,
 * because reading the CPU clock is a system call (about 0.2-0.5 µs here), too dear to make
 * around every 4 KiB transfer. The benchmarks do no per-invocation setup, so the iteration's
 * CPU time is the operations' CPU time (plus JMH's own, which is idle between operations).
 *
 * <p>Reports {@code cpu.ms.per.GiB} (from {@code getProcessCpuTime}, nanosecond resolution),
 * {@code cpu.sys.share} (the kernel's part, from /proc/self/stat in clock ticks of 10 ms: coarse
 * for short iterations) and {@code bytes.per.op}. Operations that move no bytes (a residency
 * query, a read of 8 bytes) get none of these.
 */
public final class CpuTimeProfiler implements InternalProfiler {
    private static final double GiB = 1024.0 * 1024 * 1024;

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long cpuStart;
    private long[] ticksStart;
    private long bytesStart;

    @Override
    public String getDescription() {
        return "Process CPU time (user+sys, all threads) per GiB moved";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        bytesStart = BytesMoved.total();
        ticksStart = userAndSystemTicks();
        cpuStart = os.getProcessCpuTime();
    }

    @Override
    public Collection<? extends Result<?>> afterIteration(BenchmarkParams benchmarkParams,
            IterationParams iterationParams, IterationResult result) {
        long cpu = os.getProcessCpuTime() - cpuStart;
        long[] ticks = userAndSystemTicks();
        long bytes = BytesMoved.total() - bytesStart;
        long ops = result.getMetadata().getAllOps();
        List<Result<?>> results = new ArrayList<>();
        if (bytes <= 0 || ops <= 0) {
            return results;
        }
        results.add(new ScalarResult("cpu.ms.per.GiB", cpu / 1e6 / (bytes / GiB), "ms/GiB", AggregationPolicy.AVG));
        long user = ticks[0] - ticksStart[0];
        long system = ticks[1] - ticksStart[1];
        if (user + system > 0) {
            results.add(new ScalarResult("cpu.sys.share", 100.0 * system / (user + system), "%",
                    AggregationPolicy.AVG));
        }
        results.add(new ScalarResult("bytes.per.op", (double) bytes / ops, "B/op", AggregationPolicy.AVG));
        return results;
    }

    /** utime and stime of this process in clock ticks: fields 14 and 15 of /proc/self/stat. */
    private static long[] userAndSystemTicks() {
        try {
            String stat = new String(Files.readAllBytes(Paths.get("/proc/self/stat")), StandardCharsets.US_ASCII);
            // Fields after the command name, which is in parentheses and may contain spaces.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12])};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }
}
