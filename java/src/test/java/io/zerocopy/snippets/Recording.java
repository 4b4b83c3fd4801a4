package io.zerocopy.snippets;

import io.zerocopy.ZeroCopy;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/** docs/observability.md: recording every transfer call with JFR. */
public class Recording {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path data = Files.write(dir.resolve("data"), new byte[4096]);
        // [recording]
        try (jdk.jfr.Recording recording = new jdk.jfr.Recording()) {
            recording.enable("io.zerocopy.Transfer").withThreshold(Duration.ZERO);
            recording.start();
            try (FileChannel source = FileChannel.open(data);
                 FileChannel target = FileChannel.open(dir.resolve("copy"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                ZeroCopy.transferTo(source, 0, source.size(), target);
            }
            recording.stop();
            recording.dump(dir.resolve("transfers.jfr"));  // then: jfr print --events io.zerocopy.Transfer transfers.jfr
        }
        // [/recording]
    }
}
