package io.zerocopy.probes;

import io.zerocopy.MappedRegion;
import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;

/**
 * A region that is never closed, of which only a derived view is kept (a slice of a slice,
 * read-only, as a LongBuffer): the JNI-made root buffer stays reachable through the view's
 * attachment, so the file stays mapped and the view reads the file, even after the region
 * and every other buffer have been collected. Once the view is gone too, the Cleaners unmap.
 * Prints "mapped while viewed N", "value V", "unmapped after K gcs" and "done".
 * Usage: MappedViewReachability <file>
 */
public final class MappedViewReachability {
    public static void main(String[] args) throws Exception {
        Path path = Paths.get(args[0]);
        ByteBuffer content = ByteBuffer.allocate(1 << 20);
        content.putLong(4096 + 800, 0x0102030405060708L);
        Files.write(path, content.array());
        String real = path.toRealPath().toString();
        LongBuffer view = viewOf(path);
        for (int i = 0; i < 10; i++) {
            System.gc();
            Thread.sleep(20);
        }
        System.out.println("mapped while viewed " + mappings(real));
        System.out.println("value " + Long.toHexString(view.get(100)));
        view = null;
        int gcs = 0;
        while (mappings(real) > 0 && gcs < 200) {
            System.gc();
            Thread.sleep(20);
            gcs++;
        }
        System.out.println("unmapped after " + gcs + " gcs: " + (mappings(real) == 0));
        System.out.println("done" + (view == null ? "" : "?"));
    }

    private static LongBuffer viewOf(Path path) throws Exception {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MappedRegion region = MappedRegion.map(ch, FileChannel.MapMode.READ_ONLY, 0, 1 << 20);
            ByteBuffer slice = region.slice(4096, 8192);
            return slice.slice(0, 4096).duplicate().asReadOnlyBuffer().asLongBuffer();
        }
    }

    private static long mappings(String file) throws Exception {
        return Files.readAllLines(Paths.get("/proc/self/maps")).stream().filter(l -> l.endsWith(file)).count();
    }
}
