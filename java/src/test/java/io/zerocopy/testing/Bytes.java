package io.zerocopy.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/** Test data, and reading channels to their end. */
public final class Bytes {
    private Bytes() {}

    /** Deterministic bytes that differ from offset to offset. */
    public static byte[] pattern(int size, long seed) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    public static Path file(Path dir, String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    /** Reads {@code channel} until end of stream on another thread. */
    public static CompletableFuture<byte[]> drain(ReadableByteChannel channel) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return readAll(channel);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, runnable -> {
            Thread t = new Thread(runnable, "drain");
            t.setDaemon(true);
            t.start();
        });
    }

    public static byte[] readAll(ReadableByteChannel channel) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        while (channel.read(buffer) >= 0) {
            all.write(buffer.array(), 0, buffer.position());
            buffer.clear();
        }
        return all.toByteArray();
    }

    public static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** How many descriptors this process has open. */
    public static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
