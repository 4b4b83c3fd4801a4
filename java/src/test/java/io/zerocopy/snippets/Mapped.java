package io.zerocopy.snippets;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import io.zerocopy.MappedRegion;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** The Mapped regions section of the README, on a sparse file of more than 6 GiB. */
public class Mapped {
    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        try (FileChannel create = FileChannel.open(path, java.nio.file.StandardOpenOption.CREATE_NEW, WRITE)) {
            create.truncate(0); // an empty file; map extends it, as FileChannel.map does
        }
        // [mapped]
        try (FileChannel ch = FileChannel.open(path, READ, WRITE);
             MappedRegion region = MappedRegion.map(ch, FileChannel.MapMode.READ_WRITE, 100, 6L << 30)) {
            region.putLong(5L << 30, 42L);               // native byte order, any index below 6 GiB
            ByteBuffer view = region.slice(4096, 1024);  // a direct buffer over those bytes, big-endian
            region.force();                              // msync(MS_SYNC)
            region.advise(MappedRegion.Advice.SEQUENTIAL, 0, 1L << 30);
            long cached = region.residentBytes(0, 1L << 30);  // mincore: bytes on resident pages
            System.out.println(region.getLong(5L << 30) + " " + view.capacity() + " " + (cached >= 0));
        }
        // [/mapped]
    }
}
