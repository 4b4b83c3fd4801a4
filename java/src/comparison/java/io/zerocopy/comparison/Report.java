package io.zerocopy.comparison;

import io.zerocopy.ZeroCopy;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The results as a table, JSON or CSV. */
final class Report {
    private final List<Comparison.Result> results;
    private final long size;

    Report(List<Comparison.Result> results, long size) {
        this.results = results;
        this.size = size;
    }

    /** Throughput relative to the group's reference (the JDK's own call), measured in this run. */
    private double ratio(Comparison.Result r) {
        for (Comparison.Result other : results) {
            if (other.candidate().group().equals(r.candidate().group()) && other.candidate().reference()) {
                return r.gibPerSecond() / other.gibPerSecond();
            }
        }
        return Double.NaN;
    }

    private String machine() {
        return String.format(Locale.ROOT, "%d cores, Linux %s, Java %s (%s), file of %s", Runtime.getRuntime()
                .availableProcessors(), ZeroCopy.capabilities().kernelRelease(), System.getProperty("java.version"),
                System.getProperty("java.vm.name"), Options.bytes(size));
    }

    void table(PrintStream out) {
        out.println();
        out.println("zerocopy-jni vs the JDK: " + machine());
        out.println("median of the runs; CPU = process CPU time (all threads, sender and receiver) per GiB moved");
        out.println();
        String format = "%-15s %-27s %10s %12s %9s  %s%n";
        Comparison.printf(out, format, "from -> to", "method", "GiB/s", "CPU s/GiB", "vs JDK", "path");
        Comparison.printf(out, format, "-".repeat(15), "-".repeat(27), "-".repeat(10), "-".repeat(12),
                "-".repeat(9), "-".repeat(15));
        String group = null;
        for (Comparison.Result r : results) {
            String g = r.candidate().group();
            Comparison.printf(out, format, g.equals(group) ? "" : g, r.candidate().name(),
                    String.format(Locale.ROOT, "%.2f", r.gibPerSecond()),
                    String.format(Locale.ROOT, "%.3f", r.cpuSecondsPerGiB()),
                    r.candidate().reference() ? "1.00x" : String.format(Locale.ROOT, "%.2fx", ratio(r)), r.path());
            group = g;
        }
        out.println();
        out.println("vs JDK: throughput relative to FileChannel.transferTo / transferFrom / map in the same group."
                + " path: what ZeroCopy.statistics() counted.");
    }

    void json(Path file) throws IOException {
        List<String> rows = new ArrayList<>();
        for (Comparison.Result r : results) {
            rows.add(String.format(Locale.ROOT,
                    "    {\"group\": \"%s\", \"method\": \"%s\", \"bytes\": %d, \"gibPerSecond\": %.4f, "
                            + "\"cpuSecondsPerGiB\": %.5f, \"ratioToJdk\": %.4f, \"path\": \"%s\"}",
                    r.candidate().group(), r.candidate().name(), r.bytes(), r.gibPerSecond(), r.cpuSecondsPerGiB(),
                    ratio(r), r.path()));
        }
        String json = "{\n  \"machine\": \"" + machine() + "\",\n  \"results\": [\n" + String.join(",\n", rows)
                + "\n  ]\n}\n";
        Files.writeString(file, json);
    }

    void csv(Path file) throws IOException {
        StringBuilder csv = new StringBuilder("group,method,bytes,gib_per_second,cpu_seconds_per_gib,ratio_to_jdk,path\n");
        for (Comparison.Result r : results) {
            csv.append(String.format(Locale.ROOT, "%s,%s,%d,%.4f,%.5f,%.4f,%s%n", r.candidate().group(),
                    r.candidate().name().replace(',', ';'), r.bytes(), r.gibPerSecond(), r.cpuSecondsPerGiB(),
                    ratio(r), r.path()));
        }
        Files.writeString(file, csv);
    }
}
