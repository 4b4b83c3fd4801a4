package io.zerocopy.examples.fileserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.TransferStatistics;
import io.zerocopy.ZeroCopy;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The file server in --jdk mode: socket.write(header), then FileChannel.transferTo. */
class JdkFileServerTest extends FileServerContract {
    @Override
    FileServer.Mode mode() {
        return FileServer.Mode.JDK;
    }

    @Test
    void bodiesGoOutWithFileChannelTransferTo() throws Exception {
        TransferStatistics before = ZeroCopy.statistics();
        long countedBefore = transferToBytes();
        get("/big.bin");
        eventually(() -> transferToBytes() - countedBefore == BIG_SIZE, server::bytesByPath);
        assertEquals(0, ZeroCopy.statistics().since(before).totalCalls());
    }

    private long transferToBytes() {
        Matcher m = Pattern.compile("FileChannel.transferTo \\d+ calls? (\\d+) bytes").matcher(server.bytesByPath());
        assertTrue(m.find(), server.bytesByPath());
        return Long.parseLong(m.group(1));
    }
}
