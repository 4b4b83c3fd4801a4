package io.zerocopy.probes;

import io.zerocopy.MappedRegion;
import io.zerocopy.NativeIOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;

/**
 * Prints whether this process has CAP_IPC_LOCK, then locks a 64 MiB region and prints what
 * happened: "locked", or the exception with errno and syscall; then the same, prefixed
 * "truncated: ", for a 4 MiB region whose file was truncated to 0.
 * Usage: MappedLockLimit <file>
 */
public final class MappedLockLimit {
    private static final int CAP_IPC_LOCK = 14;

    public static void main(String[] args) throws Exception {
        for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                long caps = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                System.out.println("CAP_IPC_LOCK " + ((caps >>> CAP_IPC_LOCK & 1) != 0));
            }
        }
        Path path = Paths.get(args[0]);
        Files.write(path, new byte[64 << 20]);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
                MappedRegion region = MappedRegion.map(ch, FileChannel.MapMode.READ_ONLY, 0, 64L << 20)) {
            try {
                region.lock();
                System.out.println("locked");
            } catch (UncheckedIOException e) {
                NativeIOException cause = (NativeIOException) e.getCause();
                System.out.println("errno " + cause.errno() + " syscall " + cause.syscall());
                System.out.println("message " + e.getMessage());
            }
            region.get(0); // the region is still fine
        }
        // Within the limit, but past the end of a truncated file: not the limit's fault.
        Path small = Paths.get(args[0] + ".truncated");
        Files.write(small, new byte[4 << 20]);
        try (FileChannel ch = FileChannel.open(small, StandardOpenOption.READ, StandardOpenOption.WRITE);
                MappedRegion region = MappedRegion.map(ch, FileChannel.MapMode.READ_WRITE, 0, 4L << 20)) {
            ch.truncate(0);
            try {
                region.lock();
                System.out.println("truncated: locked");
            } catch (UncheckedIOException e) {
                NativeIOException cause = (NativeIOException) e.getCause();
                System.out.println("truncated: errno " + cause.errno() + " syscall " + cause.syscall());
                System.out.println("truncated: message " + e.getMessage());
            }
        }
        System.out.println("done");
    }
}
