package io.zerocopy.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Threads running plain Java code, as an application's threads do: loops that are not counted, so
 * they poll for safepoints and handshakes at every turn (what a shared arena's close waits for).
 */
final class BusyLoops {
    private volatile boolean running = true;
    private volatile long result;
    private final List<Thread> threads = new ArrayList<>();

    static BusyLoops start(int count) {
        BusyLoops loops = new BusyLoops();
        for (int t = 0; t < count; t++) {
            Thread thread = new Thread(loops::spin, "busy-" + t);
            thread.setDaemon(true);
            thread.start();
            loops.threads.add(thread);
        }
        return loops;
    }

    private void spin() {
        long x = 1;
        while (running) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        result = x;
    }

    void stop() throws InterruptedException {
        running = false;
        for (Thread thread : threads) {
            thread.join();
        }
    }
}
