package io.zerocopy.probes;

import io.zerocopy.MappedRegion;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Maps 64 MiB, truncates the file to 0 through another channel, then calls every method of
 * the region and of its views. Prints "name: outcome" per call, then "done".
 * Usage: MappedTruncation <file>
 */
public final class MappedTruncation {
    public static void main(String[] args) throws Exception {
        Path path = Paths.get(args[0]);
        long size = 64L << 20;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
            MappedRegion region = MappedRegion.map(ch, FileChannel.MapMode.READ_WRITE, 0, size);
            region.put(size - 1, (byte) 1);
            region.load();
            ByteBuffer slice = region.slice(4096, 4096);
            ByteBuffer whole = region.asByteBuffer();
            try (FileChannel other = FileChannel.open(path, StandardOpenOption.WRITE)) {
                other.truncate(0);
            }
            Map<String, Callable<Object>> calls = new LinkedHashMap<>();
            calls.put("get", () -> region.get(100));
            calls.put("put", () -> { region.put(100, (byte) 2); return null; });
            calls.put("getLong", () -> region.getLong(size - 8));
            calls.put("putLong", () -> { region.putLong(8, 3L); return null; });
            calls.put("get[]", () -> { region.get(0, new byte[100], 0, 100); return null; });
            calls.put("put[]", () -> { region.put(0, new byte[100], 0, 100); return null; });
            calls.put("slice.get", () -> slice.get(5));
            calls.put("slice.put", () -> slice.put(5, (byte) 1));
            calls.put("new slice.get", () -> region.slice(8192, 10).get(0));
            calls.put("asByteBuffer.getLong", () -> whole.getLong(1 << 20));
            calls.put("load", () -> region.load());
            calls.put("isLoaded", () -> region.isLoaded());
            calls.put("isLoaded(range)", () -> region.isLoaded(0, 4096));
            calls.put("residentBytes", () -> region.residentBytes(0, size));
            calls.put("force", () -> region.force());
            calls.put("force(range)", () -> region.force(0, 100));
            for (MappedRegion.Advice advice : MappedRegion.Advice.values()) {
                calls.put("advise " + advice, () -> region.advise(advice));
            }
            calls.put("lock", () -> region.lock());
            calls.put("unlock", () -> region.unlock());
            calls.put("close", () -> { region.close(); return "closed"; });
            calls.put("slice.get after close", () -> slice.get(5));
            calls.put("get after close", () -> region.get(0));
            for (Map.Entry<String, Callable<Object>> call : calls.entrySet()) {
                String outcome;
                try {
                    outcome = "returned " + call.getValue().call();
                } catch (Throwable e) {
                    outcome = "threw " + e + (e.getCause() != null ? " (cause " + e.getCause() + ")" : "");
                }
                System.out.println(call.getKey() + ": " + outcome);
            }
        }
        System.out.println("done");
    }
}
