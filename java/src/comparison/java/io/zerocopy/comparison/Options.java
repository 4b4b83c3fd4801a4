package io.zerocopy.comparison;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The comparison's command line. */
record Options(long size, int runs, int warmups, Set<String> groups, Path json, Path csv, Path dir) {
    static final List<String> GROUPS = List.of("socket", "file", "from-socket", "mapped");

    static final String USAGE = String.join("\n",
            "usage: gradle run -Pargs=\"[options]\"",
            "  --size N        bytes in the file, with k, m or g (default 1g)",
            "  --runs N        measured runs per method; the median is reported (default 5)",
            "  --warmups N     runs before those (default 1)",
            "  --groups LIST   any of " + String.join(",", GROUPS) + " (default: all)",
            "  --json FILE     also write the results as JSON",
            "  --csv FILE      also write the results as CSV",
            "  --dir DIR       where the temporary files go (default java.io.tmpdir)");

    static Options parse(String[] args) {
        long size = 1L << 30;
        int runs = 5;
        int warmups = 1;
        Set<String> groups = new LinkedHashSet<>(GROUPS);
        Path json = null;
        Path csv = null;
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--help") || option.equals("-h")) {
                throw new IllegalArgumentException("zerocopy-jni comparison");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + option);
            }
            String value = args[++i];
            switch (option) {
                case "--size" -> size = parseBytes(value);
                case "--runs" -> runs = positive(option, value);
                case "--warmups" -> warmups = Integer.parseInt(value);
                case "--groups" -> {
                    groups = new LinkedHashSet<>(Arrays.asList(value.split(",")));
                    for (String g : groups) {
                        if (!GROUPS.contains(g)) {
                            throw new IllegalArgumentException("unknown group " + g);
                        }
                    }
                }
                case "--json" -> json = Path.of(value);
                case "--csv" -> csv = Path.of(value);
                case "--dir" -> dir = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        return new Options(size, runs, warmups, groups, json, csv, dir);
    }

    private static int positive(String option, String value) {
        int n = Integer.parseInt(value);
        if (n < 1) {
            throw new IllegalArgumentException(option + " must be at least 1");
        }
        return n;
    }

    /** "1g", "256m", "64k", "4096". */
    static long parseBytes(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        long unit = switch (v.isEmpty() ? ' ' : v.charAt(v.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        long n = Long.parseLong(unit == 1 ? v : v.substring(0, v.length() - 1)) * unit;
        if (n <= 0) {
            throw new IllegalArgumentException("--size must be positive: " + value);
        }
        return n;
    }

    /** "1 GiB", "256 MiB", "1000 bytes". */
    static String bytes(long n) {
        if (n % (1L << 30) == 0) {
            return (n >> 30) + " GiB";
        }
        if (n % (1L << 20) == 0) {
            return (n >> 20) + " MiB";
        }
        return n + " bytes";
    }
}
