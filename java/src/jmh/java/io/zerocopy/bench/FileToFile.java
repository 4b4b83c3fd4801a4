package io.zerocopy.bench;

import io.zerocopy.ZeroCopy;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A file to another file on the same file system (ext4 here: no reflinks, so copy_file_range
 * copies in the kernel). The channel variants overwrite the same target from offset 0, so its
 * pages stay cached and the disk is left alone; {@code Files.copy} replaces its target whole,
 * which is what it does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FileToFile {
    @Param({"1048576", "1073741824"})
    public long size;

    private Path sourcePath;
    private Path copyPath;
    private FileChannel source;
    private FileChannel target;

    @Setup
    public void open() throws IOException {
        sourcePath = BenchFiles.source(size);
        copyPath = BenchFiles.target("files-copy.bin");
        source = FileChannel.open(sourcePath, StandardOpenOption.READ);
        target = FileChannel.open(BenchFiles.target("file-to-file.bin"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        BenchFiles.flushDirtyPages();
    }

    @TearDown
    public void close() throws IOException {
        source.close();
        target.close();
    }

    @Benchmark
    public long zeroCopy() throws IOException {
        target.position(0);
        return BytesMoved.exactly(size, ZeroCopy.transferTo(source, 0, size, target));
    }

    @Benchmark
    public long fileChannel() throws IOException {
        target.position(0);
        return BytesMoved.exactly(size, Copy.transferTo(source, size, target));
    }

    @Benchmark
    public long filesCopy() throws IOException {
        Files.copy(sourcePath, copyPath, StandardCopyOption.REPLACE_EXISTING);
        return BytesMoved.exactly(size, size);
    }
}
