package io.zerocopy.internal;

import java.nio.channels.Channel;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.SocketChannel;

/**
 * Begins and commits the library's JFR events. A runtime without the {@code jdk.jfr} module (a
 * trimmed jlink image) gets none: {@link #begin} returns null there and the event classes are
 * never loaded. Without a recording that enables them, an event is a check of a flag.
 */
public final class Events {
    private Events() {}

    private static final boolean JFR = ModuleLayer.boot().findModule("jdk.jfr").isPresent();

    /** Starts timing a transfer; pass the result to {@link #transfer}. */
    public static Object beginTransfer() {
        if (!JFR) {
            return null;
        }
        TransferEvent event = new TransferEvent();
        event.begin();
        return event;
    }

    /** Records a transfer begun by {@link #beginTransfer} if the recording's settings want it. */
    public static void transfer(Object begun, String operation, String path, long bytes, Channel source,
            Channel target) {
        if (begun == null) {
            return;
        }
        TransferEvent event = (TransferEvent) begun;
        event.end();
        if (event.shouldCommit()) {
            event.operation = operation;
            event.path = path;
            event.bytes = bytes;
            event.source = kind(source);
            event.target = kind(target);
            event.commit();
        }
    }

    /** Starts timing a map or close of a region; pass the result to {@link #mapping}. */
    public static Object beginMapping() {
        if (!JFR) {
            return null;
        }
        MappingEvent event = new MappingEvent();
        event.begin();
        return event;
    }

    /** Records a map or close begun by {@link #beginMapping}. */
    public static void mapping(Object begun, String operation, String mode, long position, long size) {
        if (begun == null) {
            return;
        }
        MappingEvent event = (MappingEvent) begun;
        event.end();
        if (event.shouldCommit()) {
            event.operation = operation;
            event.mode = mode;
            event.position = position;
            event.size = size;
            event.commit();
        }
    }

    private static String kind(Channel channel) {
        if (channel == null) {
            return "none";
        }
        if (channel instanceof FileChannel) {
            return "file";
        }
        if (channel instanceof SocketChannel) {
            return "socket";
        }
        if (channel instanceof Pipe.SourceChannel || channel instanceof Pipe.SinkChannel) {
            return "pipe";
        }
        return channel.getClass().getName();
    }
}
