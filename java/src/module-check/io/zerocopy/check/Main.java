package io.zerocopy.check;

import io.zerocopy.ZeroCopy;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Transfers a file from the module path, and finds io.zerocopy.internal closed to it. */
public final class Main {
    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("module-check");
        Path source = Files.write(dir.resolve("source"), new byte[100_000]);
        try (FileChannel in = FileChannel.open(source);
                FileChannel out = FileChannel.open(dir.resolve("target"), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
            System.out.println("transferred " + ZeroCopy.transferTo(in, 0, in.size(), out) + " "
                    + ZeroCopy.statistics());
        }
        System.out.println("module " + ZeroCopy.class.getModule().getName() + " available " + ZeroCopy.isAvailable());
        try {
            Class.forName("io.zerocopy.internal.NativeLibrary").getMethod("loadedFrom").invoke(null);
            System.out.println("internal: reachable");
        } catch (IllegalAccessException e) {
            System.out.println("internal: not exported");
        }
        Files.delete(dir.resolve("target"));
        Files.delete(source);
        Files.delete(dir);
    }
}
