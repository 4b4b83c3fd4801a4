package io.zerocopy.examples.fileserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.TransferPath;
import io.zerocopy.TransferStatistics;
import io.zerocopy.ZeroCopy;
import org.junit.jupiter.api.Test;

/** The file server sending with ZeroCopy.transferTo(header, file, ...). */
class ZeroCopyFileServerTest extends FileServerContract {
    @Override
    FileServer.Mode mode() {
        return FileServer.Mode.ZERO_COPY;
    }

    @Test
    void bodiesGoOutWithSendfile() throws Exception {
        TransferStatistics before = ZeroCopy.statistics();
        get("/big.bin");
        get("/big.bin", "Range", "bytes=100-199");
        eventually(() -> ZeroCopy.statistics().since(before).totalCalls() >= 2, () -> "two transfers");
        TransferStatistics sent = ZeroCopy.statistics().since(before);
        assertEquals(2, sent.calls(TransferPath.SENDFILE), sent::toString);
        // the bodies: the headers went through send(2), which the file's path does not count
        assertEquals(BIG_SIZE + 100, sent.bytes(TransferPath.SENDFILE), sent::toString);
        assertEquals(0, sent.calls(TransferPath.BUFFERED), sent::toString);
        assertTrue(server.bytesByPath().startsWith("ZeroCopy.transferTo: SENDFILE"), server.bytesByPath());
    }
}
