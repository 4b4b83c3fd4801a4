package io.zerocopy.probes;

import io.zerocopy.NativeIOException;
import io.zerocopy.ZeroCopy;

/** Uses classes that need no native code, then the first native call; prints what happened. */
public final class ClassesWithoutLoading {
    public static void main(String[] args) {
        NativeIOException e = new NativeIOException("m", "testcall", 5);
        System.out.println("unrelated class ok: " + e.syscall() + " " + ZeroCopy.class.getSimpleName());
        try {
            ZeroCopy.capabilities();
            System.out.println("loaded");
        } catch (UnsatisfiedLinkError error) {
            System.out.println("first use: " + error);
        }
    }
}
