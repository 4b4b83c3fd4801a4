package io.zerocopy.probes;

import io.zerocopy.Capabilities;
import io.zerocopy.ZeroCopy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** N threads make their first call at once; prints how many distinct results and failures. */
public final class ConcurrentFirstUse {
    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Capabilities>> results = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            results.add(pool.submit((Callable<Capabilities>) () -> {
                start.await();
                return ZeroCopy.capabilities();
            }));
        }
        int failures = 0;
        Capabilities first = null;
        int distinct = 0;
        for (Future<Capabilities> f : results) {
            try {
                Capabilities c = f.get();
                if (c != first) {
                    distinct++;
                    first = c;
                }
            } catch (Exception e) {
                failures++;
                e.printStackTrace();
            }
        }
        pool.shutdown();
        System.out.println("threads=" + threads + " distinct=" + distinct + " failures=" + failures);
    }
}
