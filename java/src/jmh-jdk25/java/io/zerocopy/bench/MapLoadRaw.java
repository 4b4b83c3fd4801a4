package io.zerocopy.bench;

import io.zerocopy.MappedRegion;
import io.zerocopy.benchsupport.Unmapper;
import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * map + load + unmap of a 1 GiB file (issue 12's fifth target): MappedRegion and MappedByteBuffer
 * against the raw system calls in the same JMH run, called through the FFM API on the same
 * descriptor: mmap + {@code MADV_POPULATE_READ} + munmap, and mmap + a read per 64 KiB (each
 * fault maps the cached pages around it) + munmap. The page-cache state is the run's
 * ({@code -PbenchPageCache}). JDK 25 only: FFM is Java 22.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MapLoadRaw {
    static final long SIZE = RandomPages.REGION_SIZE;
    private static final int PROT_READ = 1;
    private static final int MAP_SHARED = 1;
    private static final int MADV_POPULATE_READ = 22;
    private static final long FAULT_AROUND = 64 << 10;

    private static final Linker LINKER = Linker.nativeLinker();
    @SuppressWarnings("restricted") // the benchmark JVM runs with --enable-native-access
    private static final MethodHandle MMAP = LINKER.downcallHandle(LINKER.defaultLookup().find("mmap").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    @SuppressWarnings("restricted")
    private static final MethodHandle MADVISE = LINKER.downcallHandle(LINKER.defaultLookup().find("madvise").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    @SuppressWarnings("restricted")
    private static final MethodHandle MUNMAP = LINKER.downcallHandle(LINKER.defaultLookup().find("munmap").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

    private FileChannel file;
    private int fd;

    @Setup
    public void open() throws IOException, ReflectiveOperationException {
        file = FileChannel.open(BenchFiles.source(SIZE), StandardOpenOption.READ);
        fd = FileToSocketRaw.descriptor(file);
        BenchFiles.flushDirtyPages();
    }

    @TearDown
    public void close() throws IOException {
        file.close();
    }

    @Benchmark
    public void rawPopulateRead() throws Throwable {
        MemorySegment address = mmap();
        check((int) MADVISE.invokeExact(address, SIZE, MADV_POPULATE_READ), "madvise");
        check((int) MUNMAP.invokeExact(address, SIZE), "munmap");
        BytesMoved.exactly(SIZE, SIZE);
    }

    @Benchmark
    @SuppressWarnings("restricted")
    public long rawReadPer64KiB() throws Throwable {
        MemorySegment address = mmap();
        MemorySegment mapped = address.reinterpret(SIZE);
        long sum = 0;
        for (long at = 0; at < SIZE; at += FAULT_AROUND) {
            sum += mapped.get(ValueLayout.JAVA_BYTE, at);
        }
        check((int) MUNMAP.invokeExact(address, SIZE), "munmap");
        BytesMoved.exactly(SIZE, SIZE);
        return sum;
    }

    @Benchmark
    public void mappedRegion() throws IOException {
        MappedRegion.map(file, FileChannel.MapMode.READ_ONLY, 0, SIZE).load().close();
        BytesMoved.exactly(SIZE, SIZE);
    }

    @Benchmark
    public void mappedByteBuffer() throws IOException {
        MappedByteBuffer buffer = file.map(FileChannel.MapMode.READ_ONLY, 0, SIZE);
        buffer.load();
        Unmapper.unmap(buffer);
        BytesMoved.exactly(SIZE, SIZE);
    }

    private MemorySegment mmap() throws Throwable {
        MemorySegment address = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, SIZE, PROT_READ, MAP_SHARED, fd, 0L);
        if (address.address() == -1L) {
            throw new IOException("mmap failed");
        }
        return address;
    }

    private static void check(int result, String call) throws IOException {
        if (result != 0) {
            throw new IOException(call + " failed");
        }
    }
}
