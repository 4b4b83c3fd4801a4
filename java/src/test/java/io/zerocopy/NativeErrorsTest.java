package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.internal.Native;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Errors and panics in native code reach Java as exceptions, and the JVM lives on. */
class NativeErrorsTest {
    private static final int PANIC = 0;
    private static final int FAIL = 1;
    private static final int THROW = 2;
    private static final int RETURN = 3;

    @BeforeAll
    static void load() {
        ZeroCopy.capabilities();
    }

    @Test
    void aPanicBecomesAnExceptionWithItsMessageAndPlace() throws IOException {
        for (int i = 0; i < 1000; i++) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Native.failForTest(PANIC, 0));
            assertTrue(e.getMessage().startsWith("zerocopy-jni native code panicked at rust/jni/mod.rs:"), e.getMessage());
            assertTrue(e.getMessage().endsWith("panic requested by a test"), e.getMessage());
            assertEquals(RETURN, Native.failForTest(RETURN, 0), "the next call works");
        }
    }

    @Test
    void anErrnoBecomesANativeIOExceptionWithErrnoAndSyscall() {
        NativeIOException e = assertThrows(NativeIOException.class, () -> Native.failForTest(FAIL, 28));
        assertEquals(28, e.errno());
        assertEquals("testcall", e.syscall());
        assertEquals("testcall: No space left on device (ENOSPC)", e.getMessage());
    }

    @Test
    void anArgumentCheckThrowsItsOwnType() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Native.failForTest(THROW, 0));
        assertEquals("argument check", e.getMessage());
    }

    @Test
    void errnosTheJdkNamesGetTheJdksTypesAndWords() {
        assertThrows(ClosedChannelException.class, () -> Native.failForTest(FAIL, 9)); // EBADF
        IOException pipe = assertThrows(IOException.class, () -> Native.failForTest(FAIL, 32)); // EPIPE
        assertEquals(IOException.class, pipe.getClass());
        assertEquals("Broken pipe", pipe.getMessage());
        IOException reset = assertThrows(IOException.class, () -> Native.failForTest(FAIL, 104)); // ECONNRESET
        assertEquals(IOException.class, reset.getClass());
        assertEquals("Connection reset by peer", reset.getMessage());
    }
}
