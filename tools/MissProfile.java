import io.zerocopy.MappedRegion;
import io.zerocopy.ZeroCopy;
import io.zerocopy.benchsupport.Unmapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The loops behind the benchmark targets that were missed, one case per run, for strace -c
 * and perf (tools/profile_misses.sh). Usage: MissProfile CASE FILE ITERATIONS, JDK 22+.
 * Only the loop differs between runs of a case, so the difference of two runs with different
 * ITERATIONS is the cost of the loop alone, without the JVM's start.
 */
public final class MissProfile {
    public static void main(String[] args) throws Exception {
        String which = args[0];
        Path path = Path.of(args[1]);
        int iterations = Integer.parseInt(args[2]);
        long started;
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = file.size();
            started = System.nanoTime();
            switch (which) {
                case "sendZeroCopy", "sendFileChannel" -> send(which.equals("sendZeroCopy"), file, size, iterations);
                case "loadMappedRegion" -> {
                    for (int i = 0; i < iterations; i++) {
                        try (MappedRegion region = MappedRegion.map(file, FileChannel.MapMode.READ_ONLY, 0, size)) {
                            region.load();
                        }
                    }
                }
                case "loadMappedByteBuffer" -> {
                    for (int i = 0; i < iterations; i++) {
                        MappedByteBuffer buffer = file.map(FileChannel.MapMode.READ_ONLY, 0, size);
                        buffer.load();
                        Unmapper.unmap(buffer);
                    }
                }
                case "closeMappedRegion" -> {
                    for (int i = 0; i < iterations; i++) {
                        MappedRegion.map(file, FileChannel.MapMode.READ_ONLY, 0, size).close();
                    }
                }
                case "closeConfinedArena" -> {
                    for (int i = 0; i < iterations; i++) {
                        try (Arena arena = Arena.ofConfined()) {
                            file.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
                        }
                    }
                }
                case "closeMappedRegionOneRead" -> {
                    long sum = 0;
                    for (int i = 0; i < iterations; i++) {
                        try (MappedRegion region = MappedRegion.map(file, FileChannel.MapMode.READ_ONLY, 0, size)) {
                            sum += region.getLong(0);
                        }
                    }
                    System.out.println("  checksum " + sum);
                }
                case "closeConfinedArenaOneRead" -> {
                    long sum = 0;
                    for (int i = 0; i < iterations; i++) {
                        try (Arena arena = Arena.ofConfined()) {
                            sum += file.map(FileChannel.MapMode.READ_ONLY, 0, size, arena).get(ValueLayout.JAVA_LONG, 0);
                        }
                    }
                    System.out.println("  checksum " + sum);
                }
                default -> throw new IllegalArgumentException("unknown case " + which);
            }
        }
        double micros = (System.nanoTime() - started) / 1e3 / iterations;
        System.out.printf("  %d iterations, %.1f us each (JIT warm-up included)%n", iterations, micros);
    }

    /** Sends the whole file ITERATIONS times to a loopback socket that a thread drains. */
    private static void send(boolean zeroCopy, FileChannel file, long size, int iterations) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel socket = SocketChannel.open(server.getLocalAddress());
                    SocketChannel peer = server.accept()) {
                Thread drainer = new Thread(() -> {
                    ByteBuffer buffer = ByteBuffer.allocateDirect(4 << 20);
                    try {
                        while (peer.read(buffer) >= 0) {
                            buffer.clear();
                        }
                    } catch (IOException closed) {
                        // the run is over
                    }
                }, "drainer");
                drainer.start();
                for (int i = 0; i < iterations; i++) {
                    for (long sent = 0; sent < size; ) {
                        sent += zeroCopy
                                ? ZeroCopy.transferTo(file, sent, size - sent, socket)
                                : file.transferTo(sent, size - sent, socket);
                    }
                }
                socket.shutdownOutput();
                drainer.join();
            }
        }
    }
}
