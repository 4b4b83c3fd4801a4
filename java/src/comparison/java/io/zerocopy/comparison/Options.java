package io.zerocopy.comparison;

import java.nio.file.Files;
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
            "  --dir DIR       where the temporary files go (default java.io.tmpdir)",
            "  --help          this text");

    /** The user asked for the usage: print it and exit 0. */
    static final class HelpRequested extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HelpRequested() {
            super("help", null, false, false);
        }
    }

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
                throw new HelpRequested();
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + option);
            }
            String value = args[++i];
            switch (option) {
                case "--size" -> size = parseBytes(value);
                case "--runs" -> runs = positive(option, value);
                case "--warmups" -> warmups = integer(option, value);
                case "--groups" -> {
                    groups = new LinkedHashSet<>(Arrays.asList(value.split(",")));
                    for (String g : groups) {
                        if (!GROUPS.contains(g)) {
                            throw new IllegalArgumentException("--groups: unknown group " + g + " (any of "
                                    + String.join(",", GROUPS) + ")");
                        }
                    }
                }
                case "--json" -> json = outputFile(option, value);
                case "--csv" -> csv = outputFile(option, value);
                case "--dir" -> dir = directory(option, value);
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        return new Options(size, runs, warmups, groups, json, csv, dir);
    }

    private static int positive(String option, String value) {
        int n = integer(option, value);
        if (n < 1) {
            throw new IllegalArgumentException(option + ": must be at least 1: " + value);
        }
        return n;
    }

    private static int integer(String option, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": not a number: " + value);
        }
    }

    /** A file to write: its directory must exist (a relative path is taken from the working directory). */
    private static Path outputFile(String option, String value) {
        Path file = Path.of(value).toAbsolutePath();
        if (!Files.isDirectory(file.getParent())) {
            throw new IllegalArgumentException(option + ": no such directory: " + file.getParent());
        }
        return file;
    }

    private static Path directory(String option, String value) {
        Path dir = Path.of(value).toAbsolutePath();
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(option + ": no such directory: " + dir);
        }
        return dir;
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
        long n;
        try {
            n = Math.multiplyExact(Long.parseLong(unit == 1 ? v : v.substring(0, v.length() - 1)), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("--size: not a size (a number, with k, m or g): " + value);
        }
        if (n <= 0) {
            throw new IllegalArgumentException("--size: must be positive: " + value);
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
