package io.zerocopy.probes;

import io.zerocopy.MappedRegion;
import io.zerocopy.ZeroCopy;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/** Every public entry point where the native library cannot load; prints what each did. */
public final class WithoutNative {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        byte[] data = new byte[100_000];
        Arrays.fill(data, (byte) 7);
        Path sourcePath = Files.write(dir.resolve("source"), data);
        System.out.println("available: " + ZeroCopy.isAvailable());
        Throwable cause = ZeroCopy.unavailabilityCause();
        System.out.println("cause: " + (cause == null ? null : cause.getClass().getSimpleName()));
        try {
            try (FileChannel source = FileChannel.open(sourcePath);
                    FileChannel target = FileChannel.open(dir.resolve("target"), StandardOpenOption.CREATE,
                            StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                System.out.println("transferTo: " + ZeroCopy.transferTo(source, 0, data.length, target));
                ByteBuffer header = ByteBuffer.wrap("head".getBytes(StandardCharsets.US_ASCII));
                System.out.println("transferTo with header: "
                        + ZeroCopy.transferTo(header, source, 0, 10, target) + " header left " + header.remaining());
                source.position(0);
                System.out.println("transferFrom: " + ZeroCopy.transferFrom(source, target, 200_000, data.length));
                Pipe in = Pipe.open();
                Pipe out = Pipe.open();
                in.sink().write(ByteBuffer.wrap(data, 0, 1000));
                in.sink().close();
                System.out.println("relay: " + ZeroCopy.relay(in.source(), out.sink(), 5000));
                System.out.println("sizes: " + Files.size(dir.resolve("target")));
            }
            System.out.println("statistics: " + ZeroCopy.statistics());
            ZeroCopy.releaseThreadResources();
        } catch (UnsatisfiedLinkError e) {
            System.out.println("transfer failed: " + e.getClass().getSimpleName());
        }
        try (FileChannel channel = FileChannel.open(sourcePath)) {
            MappedRegion.map(channel, FileChannel.MapMode.READ_ONLY, 0, 10);
            System.out.println("mapped");
        } catch (UnsupportedOperationException | UnsatisfiedLinkError e) {
            System.out.println("map: " + e.getClass().getSimpleName() + ": " + e.getMessage().split("\n")[0]);
        }
    }
}
