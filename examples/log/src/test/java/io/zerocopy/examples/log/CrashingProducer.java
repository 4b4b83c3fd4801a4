package io.zerocopy.examples.log;

import java.nio.file.Path;

/**
 * Run in a child JVM by {@link LogCrashTest}: producers append to a log until the process is
 * killed, printing {@code committed <offset>} after each commit.
 */
public final class CrashingProducer {
    private CrashingProducer() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int segmentSize = Integer.parseInt(args[1]);
        int producers = Integer.parseInt(args[2]);
        Log log = Log.open(dir, segmentSize, event -> {});
        for (int p = 0; p < producers; p++) {
            int producer = p;
            new Thread(() -> {
                for (int sequence = 0;; sequence++) {
                    try {
                        log.append(DemoRecords.payload(producer, sequence));
                        if (sequence % 10 == 9) {
                            long committed = log.commit();
                            synchronized (System.out) {
                                System.out.println("committed " + committed);
                                System.out.flush();
                            }
                        }
                    } catch (Exception e) {
                        e.printStackTrace();
                        System.exit(1);
                    }
                }
            }, "producer-" + p).start();
        }
    }
}
