package io.zerocopy.probes;

import io.zerocopy.ZeroCopy;
import io.zerocopy.internal.NativeLibrary;

/** The smallest user program: prints the capabilities, and where the library came from. */
public final class Probe {
    public static void main(String[] args) {
        System.out.println(ZeroCopy.capabilities());
        System.out.println("loaded from: " + NativeLibrary.loadedFrom());
    }
}
