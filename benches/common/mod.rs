//! What the criterion benchmarks share: the data files (the same ones the JMH benchmarks use),
//! loopback sockets with a thread at the other end, and group settings.

#![allow(dead_code)] // each bench uses its own part of this module

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::thread::{self, JoinHandle};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput};

pub const KIB: u64 = 1024;
pub const GIB: u64 = 1024 * 1024 * 1024;

/// Where the data files are: $ZEROCOPY_BENCH_DIR (set by `gradle bench`), else build/bench-data.
pub fn data_dir() -> PathBuf {
    let dir = std::env::var_os("ZEROCOPY_BENCH_DIR")
        .map_or_else(|| "build/bench-data".into(), PathBuf::from);
    fs::create_dir_all(&dir).expect("create the benchmark data directory");
    dir
}

/// `<name>-<size>.bin` of exactly `size` bytes, created if missing, then read through once so
/// that its pages are cached: every benchmark runs on a warm page cache.
pub fn data_file(name: &str, size: u64) -> File {
    let path = data_dir().join(format!("{name}-{size}.bin"));
    if fs::metadata(&path).map(|m| m.len()).ok() != Some(size) {
        let partial = path.with_extension("partial");
        let mut out = File::create(&partial).expect("create a data file");
        let mut block = vec![0u8; 1 << 20];
        let mut state = size | 1;
        let mut left = size;
        while left > 0 {
            for chunk in block.chunks_exact_mut(8) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                chunk.copy_from_slice(&state.to_ne_bytes());
            }
            let n = left.min(block.len() as u64) as usize;
            out.write_all(&block[..n]).expect("write a data file");
            left -= n as u64;
        }
        fs::rename(&partial, &path).expect("rename a data file");
    }
    let mut file = File::open(&path).expect("open a data file");
    let mut buffer = vec![0u8; 1 << 20];
    while file.read(&mut buffer).expect("read a data file") > 0 {}
    file
}

/// A file that a benchmark writes, opened for writing (not appending).
pub fn target_file(name: &str) -> File {
    OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .open(data_dir().join(name))
        .expect("open a target file")
}

/// A connected pair of loopback sockets: the benchmark's end, and a thread at the other end
/// that keeps up with it (reads everything, or writes without end).
pub struct Loopback {
    pub socket: TcpStream,
    /// The other end, to shut down: that wakes a feeder blocked in write (EPIPE).
    peer: TcpStream,
    peer_thread: Option<JoinHandle<()>>,
}

impl Loopback {
    /// A socket to write to; the other end reads into a 4 MiB buffer until end of stream.
    pub fn drained() -> Loopback {
        let (socket, peer) = pair();
        let mut reader = peer.try_clone().expect("clone a socket");
        let drainer = thread::spawn(move || {
            let mut buffer = vec![0u8; 4 << 20];
            while matches!(reader.read(&mut buffer), Ok(n) if n > 0) {}
        });
        Loopback { socket, peer, peer_thread: Some(drainer) }
    }

    /// A socket to read from; the other end writes a 1 MiB buffer over and over until the
    /// socket closes.
    pub fn fed() -> Loopback {
        let (socket, peer) = pair();
        let mut writer = peer.try_clone().expect("clone a socket");
        let feeder = thread::spawn(move || {
            let buffer = vec![0x5au8; 1 << 20];
            while writer.write_all(&buffer).is_ok() {}
        });
        Loopback { socket, peer, peer_thread: Some(feeder) }
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        let _ = self.socket.shutdown(Shutdown::Both);
        let _ = self.peer.shutdown(Shutdown::Both);
        if let Some(thread) = self.peer_thread.take() {
            let _ = thread.join();
        }
    }
}

fn pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let socket = TcpStream::connect(listener.local_addr().expect("address")).expect("connect");
    let (peer, _) = listener.accept().expect("accept");
    (socket, peer)
}

/// "16KiB", "1GiB".
pub fn size_label(size: u64) -> String {
    if size >= GIB {
        format!("{}GiB", size / GIB)
    } else if size >= 1 << 20 {
        format!("{}MiB", size >> 20)
    } else {
        format!("{}KiB", size / KIB)
    }
}

/// A group `<name>_<size>` measuring bytes per second. Large transfers take whole milliseconds
/// each: flat sampling with 10 samples keeps them to a few seconds per benchmark.
pub fn group<'c>(c: &'c mut Criterion, name: &str, size: u64) -> BenchmarkGroup<'c, WallTime> {
    let mut group = c.benchmark_group(format!("{name}_{}", size_label(size)));
    group.throughput(Throughput::Bytes(size));
    if size >= 1 << 20 {
        group.sampling_mode(SamplingMode::Flat).sample_size(10);
    }
    group
}
