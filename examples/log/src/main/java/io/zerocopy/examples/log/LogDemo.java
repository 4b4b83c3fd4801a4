package io.zerocopy.examples.log;

import io.zerocopy.ZeroCopy;

/** Placeholder until the example is written. */
public final class LogDemo {
    public static void main(String[] args) {
        System.out.println(ZeroCopy.capabilities());
    }
}
