package io.zerocopy.bench;

/**
 * Offsets of 4 KiB pages in a 1 GiB region in an order that no prefetcher guesses (xorshift64):
 * every read lands on another page, as the lookups of an index or a hash table do.
 */
final class RandomPages {
    static final long REGION_SIZE = BenchFiles.GiB;
    private static final long PAGE_SIZE = 4096;
    private static final long PAGES = REGION_SIZE / PAGE_SIZE;

    private long state = 0x2545F4914F6CDD1DL;

    long next() {
        state ^= state << 13;
        state ^= state >>> 7;
        state ^= state << 17;
        return (state & (PAGES - 1)) * PAGE_SIZE;
    }
}
