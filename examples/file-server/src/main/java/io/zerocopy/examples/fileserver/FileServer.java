package io.zerocopy.examples.fileserver;

import io.zerocopy.ZeroCopy;

/** Placeholder until the example is written. */
public final class FileServer {
    public static void main(String[] args) {
        System.out.println(ZeroCopy.capabilities());
    }
}
