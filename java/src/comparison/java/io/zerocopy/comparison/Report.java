package io.zerocopy.comparison;

import io.zerocopy.ZeroCopy;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The results as a table, JSON or CSV. A candidate that failed is n/a, null in JSON, empty in CSV. */
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

    /** {@code value} with {@code format}, or "n/a" for what was not measured (NaN). */
    private static String number(String format, double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, format, value) : "n/a";
    }

    void table(PrintStream out) {
        out.println();
        out.println("zerocopy-jni vs the JDK: " + machine());
        out.println("median of the runs; CPU = CPU time of the process's threads (sender and receiver, user and"
                + " system, ns clocks) per GiB moved");
        out.println();
        String format = "%-15s %-27s %10s %12s %9s  %s%n";
        Comparison.printf(out, format, "from -> to", "method", "GiB/s", "CPU s/GiB", "vs JDK", "path");
        Comparison.printf(out, format, "-".repeat(15), "-".repeat(27), "-".repeat(10), "-".repeat(12),
                "-".repeat(9), "-".repeat(15));
        String group = null;
        List<String> failures = new ArrayList<>();
        for (Comparison.Result r : results) {
            String g = r.candidate().group();
            Comparison.printf(out, format, g.equals(group) ? "" : g, r.candidate().name(),
                    number("%.2f", r.gibPerSecond()), number("%.3f", r.cpuSecondsPerGiB()),
                    r.candidate().reference() && r.failure() == null ? "1.00x" : number("%.2fx", ratio(r)),
                    r.path());
            if (r.failure() != null) {
                failures.add(g + ", " + r.candidate().name() + ": " + r.failure());
            }
            group = g;
        }
        out.println();
        out.println("vs JDK: throughput relative to FileChannel.transferTo / transferFrom / map in the same group."
                + " path: what ZeroCopy.statistics() counted.");
        out.println("map + load: both unmap inside the timing (FileChannel.map through Unsafe.invokeCleaner);"
                + " mmap + write leaves its mappings to the collector, run between measurements.");
        for (String failure : failures) {
            out.println("n/a: " + failure);
        }
        String tooShort = results.stream().filter(r -> r.failure() == null && Comparison.median(r.seconds()) < 0.01)
                .map(r -> r.candidate().group() + " " + r.candidate().name()).collect(Collectors.joining(", "));
        if (!tooShort.isEmpty()) {
            out.println("warning: runs under 10 ms (" + tooShort + "): too short to measure reliably on a shared "
                    + "machine; use a larger --size");
        }
    }

    void json(Path file) throws IOException {
        List<String> rows = new ArrayList<>();
        for (Comparison.Result r : results) {
            rows.add("    {\"group\": " + string(r.candidate().group()) + ", \"method\": " + string(r.candidate().name())
                    + ", \"bytes\": " + r.bytes() + ", \"gibPerSecond\": " + jsonNumber(r.gibPerSecond())
                    + ", \"cpuSecondsPerGiB\": " + jsonNumber(r.cpuSecondsPerGiB())
                    + ", \"ratioToJdk\": " + jsonNumber(ratio(r)) + ", \"path\": " + (r.path().equals("-") ? "null" : string(r.path()))
                    + ", \"failure\": " + (r.failure() == null ? "null" : string(r.failure())) + "}");
        }
        String json = "{\n  \"machine\": " + string(machine()) + ",\n  \"results\": [\n" + String.join(",\n", rows)
                + "\n  ]\n}\n";
        Files.writeString(file, json);
    }

    /** A JSON string: quotes, backslashes and control characters escaped. */
    private static String string(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /** JSON has no NaN or infinity: null for what was not measured. */
    private static String jsonNumber(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.5g", value) : "null";
    }

    void csv(Path file) throws IOException {
        StringBuilder csv = new StringBuilder(
                "group,method,bytes,gib_per_second,cpu_seconds_per_gib,ratio_to_jdk,path,failure\n");
        for (Comparison.Result r : results) {
            csv.append(String.join(",", field(r.candidate().group()), field(r.candidate().name()),
                    Long.toString(r.bytes()), csvNumber(r.gibPerSecond()), csvNumber(r.cpuSecondsPerGiB()),
                    csvNumber(ratio(r)), field(r.path()), field(r.failure() == null ? "" : r.failure())))
                    .append('\n');
        }
        Files.writeString(file, csv);
    }

    /** A CSV field (RFC 4180): quoted, with quotes doubled, where it holds a comma, quote or line break. */
    private static String field(String s) {
        return s.matches("(?s).*[,\"\r\n].*") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static String csvNumber(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.5g", value) : "";
    }
}
