//! The Rust API of `zerocopy_jni::transfer` against raw libc loops of the same system calls,
//! on a warm page cache over loopback, for 16 KiB and 1 GiB. The gap is what the API adds
//! (endpoint checks, the fallback chain, the loop); the JMH suite gives the Java call on the
//! same paths, and docs/benchmarks.md puts the three side by side.

mod common;

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::ptr;

use common::{data_file, group, target_file, Loopback, GIB, KIB};
use criterion::{criterion_group, criterion_main, Criterion};
use zerocopy_jni::transfer::{self, Endpoint};

const SIZES: [u64; 2] = [16 * KIB, GIB];

/// The pipe size that the API asks for its per-thread pipe: the raw loop gets the same.
const PIPE_SIZE: usize = 1 << 20;

fn endpoint(fd: &impl AsFd) -> Endpoint<'_> {
    Endpoint::of(fd.as_fd()).expect("describe a descriptor")
}

/// Panics with the system call's error: a benchmark that fails must not report a time.
fn check(result: isize, call: &str) -> u64 {
    assert!(result > 0, "{call} returned {result}: {}", io::Error::last_os_error());
    result as u64
}

fn raw_sendfile(file: BorrowedFd, socket: BorrowedFd, size: u64) -> u64 {
    let mut offset: libc::off_t = 0;
    while (offset as u64) < size {
        let left = (size - offset as u64) as usize;
        // Safety: valid descriptors and a valid offset pointer.
        let n = unsafe { libc::sendfile(socket.as_raw_fd(), file.as_raw_fd(), &mut offset, left) };
        check(n, "sendfile");
    }
    size
}

fn raw_copy_file_range(source: BorrowedFd, target: BorrowedFd, size: u64) -> u64 {
    let mut offset: libc::off_t = 0;
    while (offset as u64) < size {
        let left = (size - offset as u64) as usize;
        // Safety: valid descriptors and offset pointer; null: the target's own offset.
        let n = unsafe {
            libc::copy_file_range(
                source.as_raw_fd(),
                &mut offset,
                target.as_raw_fd(),
                ptr::null_mut(),
                left,
                0,
            )
        };
        check(n, "copy_file_range");
    }
    size
}

struct RawPipe {
    read: OwnedFd,
    write: OwnedFd,
}

impl RawPipe {
    fn new() -> RawPipe {
        let mut fds = [0; 2];
        // Safety: fds has room for the two descriptors.
        assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0, "pipe2");
        // Safety: both descriptors were just created and are owned here only.
        let pipe = unsafe {
            RawPipe { read: OwnedFd::from_raw_fd(fds[0]), write: OwnedFd::from_raw_fd(fds[1]) }
        };
        // Safety: a plain fcntl on our pipe.
        let size = unsafe {
            libc::fcntl(pipe.write.as_raw_fd(), libc::F_SETPIPE_SZ, PIPE_SIZE as libc::c_int)
        };
        assert!(size > 0, "F_SETPIPE_SZ: {}", io::Error::last_os_error());
        pipe
    }
}

/// socket -> pipe -> target, one pipe's worth at a time; a file target is written from
/// offset 0 (`at_offset`), a socket target at its own position.
fn raw_splice(
    socket: BorrowedFd,
    pipe: &RawPipe,
    target: BorrowedFd,
    size: u64,
    at_offset: bool,
) -> u64 {
    let mut offset: libc::loff_t = 0;
    let out_offset: *mut libc::loff_t = if at_offset { &mut offset } else { ptr::null_mut() };
    let mut moved = 0;
    while moved < size {
        let want = (size - moved).min(PIPE_SIZE as u64) as usize;
        // Safety: valid descriptors; null offsets for the socket and the pipe.
        let taken = unsafe {
            libc::splice(
                socket.as_raw_fd(),
                ptr::null_mut(),
                pipe.write.as_raw_fd(),
                ptr::null_mut(),
                want,
                libc::SPLICE_F_MOVE,
            )
        };
        let mut left = check(taken, "splice");
        while left > 0 {
            // Safety: as above; `out_offset` is null or points at `offset`, alive here.
            let n = unsafe {
                libc::splice(
                    pipe.read.as_raw_fd(),
                    ptr::null_mut(),
                    target.as_raw_fd(),
                    out_offset,
                    left as usize,
                    libc::SPLICE_F_MOVE,
                )
            };
            left -= check(n, "splice");
        }
        moved += taken as u64;
    }
    moved
}

/// Puts a file's offset back to 0 (one lseek), so that each round overwrites the same pages.
fn rewind(file: BorrowedFd) {
    // Safety: a plain lseek on a valid descriptor.
    let offset = unsafe { libc::lseek(file.as_raw_fd(), 0, libc::SEEK_SET) };
    assert_eq!(offset, 0, "lseek: {}", io::Error::last_os_error());
}

fn file_to_socket(c: &mut Criterion) {
    for size in SIZES {
        let file = data_file("source", size);
        let sink = Loopback::drained();
        let mut group = group(c, "file_to_socket", size);
        group.bench_function("api", |b| {
            let (source, target) = (endpoint(&file), endpoint(&sink.socket));
            b.iter(|| {
                let moved = transfer::transfer_to(&source, 0, size, &target).expect("transfer_to");
                assert_eq!(moved.bytes, size);
            })
        });
        group.bench_function("raw_sendfile", |b| {
            b.iter(|| raw_sendfile(file.as_fd(), sink.socket.as_fd(), size))
        });
        group.finish();
    }
}

fn file_to_file(c: &mut Criterion) {
    for size in SIZES {
        let file = data_file("source", size);
        let target = target_file("criterion-file-to-file.bin");
        let mut group = group(c, "file_to_file", size);
        // Both rewind the target: the API writes at the target's offset, like FileChannel.
        group.bench_function("api", |b| {
            let (from, to) = (endpoint(&file), endpoint(&target));
            b.iter(|| {
                rewind(target.as_fd());
                let moved = transfer::transfer_to(&from, 0, size, &to).expect("transfer_to");
                assert_eq!(moved.bytes, size);
            })
        });
        group.bench_function("raw_copy_file_range", |b| {
            b.iter(|| {
                rewind(target.as_fd());
                raw_copy_file_range(file.as_fd(), target.as_fd(), size)
            })
        });
        group.finish();
    }
}

fn socket_to_file(c: &mut Criterion) {
    for size in SIZES {
        let source = Loopback::fed();
        let target = target_file("criterion-socket-to-file.bin");
        let pipe = RawPipe::new();
        let mut group = group(c, "socket_to_file", size);
        group.bench_function("api", |b| {
            let (from, to) = (endpoint(&source.socket), endpoint(&target));
            b.iter(|| {
                let moved = transfer::transfer_from(&from, &to, 0, size).expect("transfer_from");
                assert_eq!(moved.bytes, size);
            })
        });
        group.bench_function("raw_splice", |b| {
            b.iter(|| raw_splice(source.socket.as_fd(), &pipe, target.as_fd(), size, true))
        });
        group.finish();
    }
}

/// A proxy's inner loop: relay between two loopback sockets, against the raw splice loop.
fn socket_to_socket(c: &mut Criterion) {
    for size in SIZES {
        let source = Loopback::fed();
        let sink = Loopback::drained();
        let pipe = RawPipe::new();
        let mut group = group(c, "socket_to_socket", size);
        group.bench_function("api", |b| {
            let (from, to) = (endpoint(&source.socket), endpoint(&sink.socket));
            b.iter(|| {
                let moved = transfer::relay(&from, &to, size).expect("relay");
                assert_eq!(moved.bytes, size);
            })
        });
        group.bench_function("raw_splice", |b| {
            b.iter(|| raw_splice(source.socket.as_fd(), &pipe, sink.socket.as_fd(), size, false))
        });
        group.finish();
    }
}

criterion_group!(benches, file_to_socket, file_to_file, socket_to_file, socket_to_socket);
criterion_main!(benches);
