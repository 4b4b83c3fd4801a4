//! Mapping a 1 GiB file that is in the page cache: `zerocopy_jni::mmap::MappedRegion` against
//! raw libc calls, the limit on this machine.
//!
//! - `api`: `MappedRegion::map` + `load` (MADV_POPULATE_READ) + `close`; `is_loaded`;
//! - `raw_mmap_populate_read`: mmap + madvise(MADV_POPULATE_READ) + munmap;
//! - `raw_mmap_willneed_touch`: mmap + madvise(MADV_WILLNEED) + one read per 4 KiB page +
//!   munmap, what `MappedByteBuffer.load()` does, in Rust;
//! - `raw_mmap_touch_64k`: mmap + one read per 64 KiB + munmap, the first step of the Java
//!   `MappedRegion.load()` (each fault maps a fault-around window or a large folio);
//! - `raw_mincore`: the residency of 1 GiB, what `isLoaded()` asks.

mod common;

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::ptr;

use common::{data_file, group, GIB};
use criterion::{criterion_group, criterion_main, Criterion};
use zerocopy_jni::mmap::{MapMode, MappedRegion};

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

    /// One read every `step` bytes: per page as MappedByteBuffer.load() does, or sparser.
    fn touch(&self, step: usize) -> u8 {
        let mut sum = 0u8;
        for offset in (0..self.len).step_by(step) {
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
            mapping.touch(PAGE)
        })
    });
    group.bench_function("raw_mmap_touch_64k", |b| {
        b.iter(|| Mapping::new(file.as_fd(), len).touch(64 * 1024))
    });
    group.bench_function("api", |b| {
        b.iter(|| {
            // Safety: the benchmark's data file is never truncated or changed while mapped.
            let mut region =
                unsafe { MappedRegion::map(file.as_fd(), MapMode::ReadOnly, 0, len) }.expect("map");
            region.load().expect("load");
            region.close().expect("close");
        })
    });
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
    // Safety: as above.
    let region = unsafe { MappedRegion::map(file.as_fd(), MapMode::ReadOnly, 0, SIZE as usize) }
        .expect("map");
    region.load().expect("load");
    group.bench_function("api", |b| {
        b.iter(|| assert!(region.is_loaded().expect("mincore"), "a page of a loaded region is out"))
    });
    group.finish();
}

criterion_group!(benches, map_and_load, residency);
criterion_main!(benches);
