package io.zerocopy.probes;

import io.zerocopy.ZeroCopy;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/** Transfers to a wrapper channel three times, for the log. */
public final class Logged {
    public static void main(String[] args) throws Exception {
        Path source = Files.write(Path.of(args[0]).resolve("logged"), new byte[1000]);
        try (FileChannel file = FileChannel.open(source)) {
            for (int i = 0; i < 3; i++) {
                ZeroCopy.transferTo(file, 0, 1000, Channels.newChannel(new ByteArrayOutputStream()));
            }
        }
        System.out.println("done: " + ZeroCopy.statistics());
    }
}
