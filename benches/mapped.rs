//! Mapping a 1 GiB file that is in the page cache: raw libc calls, the limit on this machine.
//!
//! - `mmap_populate_read`: mmap + madvise(MADV_POPULATE_READ) + munmap, what MappedRegion's
//!   `load` does (issue 4);
//! - `mmap_willneed_touch`: mmap + madvise(MADV_WILLNEED) + one read per page + munmap, what
//!   `MappedByteBuffer.load()` does, in Rust;
//! - `mincore`: the residency of 1 GiB, what `isLoaded()` asks.

mod common;

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::ptr;

use common::{data_file, group, GIB};
use criterion::{criterion_group, criterion_main, Criterion};

const SIZE: u64 = GIB;
const PAGE: usize = 4096;

/// A read-only shared mapping of `len` bytes of `fd`, unmapped on drop.
struct Mapping {
    addr: *mut libc::c_void,
    len: usize,
}

impl Mapping {
    fn new(fd: BorrowedFd, len: usize) -> Mapping {
        // Safety: a new mapping; the kernel picks the address.
        let addr = unsafe {
            libc::mmap(ptr::null_mut(), len, libc::PROT_READ, libc::MAP_SHARED, fd.as_raw_fd(), 0)
        };
        assert_ne!(addr, libc::MAP_FAILED, "mmap: {}", io::Error::last_os_error());
        Mapping { addr, len }
    }

    fn advise(&self, advice: libc::c_int) {
        // Safety: our own mapping; these advices change no contents.
        let result = unsafe { libc::madvise(self.addr, self.len, advice) };
        assert_eq!(result, 0, "madvise({advice}): {}", io::Error::last_os_error());
    }

    /// One read per page, as MappedByteBuffer.load() does.
    fn touch_every_page(&self) -> u8 {
        let mut sum = 0u8;
        for offset in (0..self.len).step_by(PAGE) {
            // Safety: inside our mapping of a file at least this long.
            sum = sum
                .wrapping_add(unsafe { ptr::read_volatile((self.addr as *const u8).add(offset)) });
        }
        sum
    }

    fn all_resident(&self, vector: &mut [u8]) -> bool {
        // Safety: our own mapping; `vector` has one byte per page.
        let result = unsafe { libc::mincore(self.addr, self.len, vector.as_mut_ptr()) };
        assert_eq!(result, 0, "mincore: {}", io::Error::last_os_error());
        vector.iter().all(|page| page & 1 != 0)
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // Safety: our own mapping, unmapped once.
        unsafe { libc::munmap(self.addr, self.len) };
    }
}

fn map_and_load(c: &mut Criterion) {
    let file = data_file("source", SIZE);
    let len = SIZE as usize;
    let mut group = group(c, "map_load_close", SIZE);
    group.bench_function("raw_mmap_populate_read", |b| {
        b.iter(|| Mapping::new(file.as_fd(), len).advise(libc::MADV_POPULATE_READ))
    });
    group.bench_function("raw_mmap_willneed_touch", |b| {
        b.iter(|| {
            let mapping = Mapping::new(file.as_fd(), len);
            mapping.advise(libc::MADV_WILLNEED);
            mapping.touch_every_page()
        })
    });
    // ---- MappedRegion API (issue 4): add here once zerocopy_jni::mmap is on this branch ----
    // group.bench_function("api", |b| {
    //     b.iter(|| {
    //         // Safety: the benchmark's file is never truncated.
    //         let mut region = unsafe { MappedRegion::map(file.as_fd(), MapMode::ReadOnly, 0, len) }.unwrap();
    //         region.load().unwrap();
    //         region.close().unwrap();
    //     })
    // });
    group.finish();
}

fn residency(c: &mut Criterion) {
    let file = data_file("source", SIZE);
    let mapping = Mapping::new(file.as_fd(), SIZE as usize);
    mapping.advise(libc::MADV_POPULATE_READ);
    let mut vector = vec![0u8; SIZE as usize / PAGE];
    let mut group = group(c, "is_loaded", SIZE);
    group.bench_function("raw_mincore", |b| {
        b.iter(|| assert!(mapping.all_resident(&mut vector), "a page of a loaded mapping is out"))
    });
    // ---- MappedRegion API (issue 4): `region.is_loaded()` on a loaded 1 GiB region, here ----
    group.finish();
}

criterion_group!(benches, map_and_load, residency);
criterion_main!(benches);
