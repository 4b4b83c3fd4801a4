//! The Rust gather API against real files, sockets and pipes.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::path::PathBuf;
use std::thread;

use zerocopy_jni::gather::{gather, Cursor, Part};
use zerocopy_jni::sys::io;
use zerocopy_jni::transfer::Endpoint;

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect()
}

fn temp_file(name: &str, content: &[u8]) -> (PathBuf, File) {
    let path = std::env::temp_dir().join(format!("zerocopy-gather-{name}-{}", std::process::id()));
    std::fs::write(&path, content).unwrap();
    let file = File::open(&path).unwrap();
    (path, file)
}

fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    (client, server)
}

fn drain(mut stream: TcpStream) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut all = Vec::new();
        stream.read_to_end(&mut all).unwrap();
        all
    })
}

/// Headers, ranges of two files (one past the end of its file), empty parts: all in order.
#[test]
fn parts_of_every_kind_arrive_in_order_and_a_range_past_the_end_sends_what_exists() {
    let a = pattern(100_000, 1);
    let b = pattern(5_000, 2);
    let (path_a, file_a) = temp_file("a", &a);
    let (path_b, file_b) = temp_file("b", &b);
    let header = b"HEADER-1".to_vec();
    let parts = [
        Part::Memory(&header),
        Part::File { fd: file_a.as_fd(), position: 10, count: 50_000 },
        Part::Memory(b""),
        Part::Memory(b"--"),
        Part::File { fd: file_b.as_fd(), position: 4_000, count: 3_000 }, // 1000 exist
        Part::File { fd: file_a.as_fd(), position: 0, count: 0 },
        Part::Memory(b"END"),
    ];
    let (client, server) = tcp_pair();
    let received = drain(server);
    let target = Endpoint::of(client.as_fd()).unwrap();
    let sent = gather(&parts, &target, Cursor::default()).unwrap();
    drop(client);
    let mut expected = header.clone();
    expected.extend_from_slice(&a[10..50_010]);
    expected.extend_from_slice(b"--");
    expected.extend_from_slice(&b[4_000..]);
    expected.extend_from_slice(b"END");
    assert_eq!(received.join().unwrap(), expected);
    assert_eq!(sent.bytes, expected.len() as u64);
    assert_eq!(sent.file_bytes, 51_000);
    assert_eq!(sent.short_ranges, 1);
    assert_eq!(sent.cursor, Cursor { part: parts.len(), offset: 0 });
    assert!(!sent.blocked);
    // The files' own offsets did not move.
    for file in [&file_a, &file_b] {
        assert_eq!(unsafe { libc::lseek(file.as_raw_fd(), 0, libc::SEEK_CUR) }, 0);
    }
    let _ = std::fs::remove_file(path_a);
    let _ = std::fs::remove_file(path_b);
}

/// A non-blocking socket with a slow reader: every call resumes exactly where the last stopped.
#[test]
fn a_non_blocking_target_resumes_where_it_stopped() {
    let data = pattern(3 << 20, 3);
    let (path, file) = temp_file("nb", &data);
    let headers: Vec<Vec<u8>> = (0..64).map(|i| format!("header {i:04}\n").into_bytes()).collect();
    let mut parts = Vec::new();
    let mut expected = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        parts.push(Part::Memory(h));
        let position = (i * 40_000) as u64;
        parts.push(Part::File { fd: file.as_fd(), position, count: 40_000 });
        expected.extend_from_slice(h);
        expected.extend_from_slice(&data[i * 40_000..i * 40_000 + 40_000]);
    }
    let (client, mut server) = tcp_pair();
    client.set_nonblocking(true).unwrap();
    let small: libc::c_int = 16 << 10;
    // Safety: a plain socket option with a buffer of the right size.
    let set = unsafe {
        libc::setsockopt(
            client.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_SNDBUF,
            (&small as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(set, 0);
    let reader = thread::spawn(move || {
        let mut all = Vec::new();
        let mut buf = [0u8; 7_000];
        loop {
            match server.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => all.extend_from_slice(&buf[..n]),
                Err(e) => panic!("{e}"),
            }
            thread::sleep(std::time::Duration::from_micros(200));
        }
        all
    });
    let target = Endpoint::of(client.as_fd()).unwrap();
    let (mut cursor, mut total, mut calls, mut blocked) = (Cursor::default(), 0, 0, 0);
    while cursor.part < parts.len() {
        let sent = gather(&parts, &target, cursor).unwrap();
        total += sent.bytes;
        calls += 1;
        blocked += sent.blocked as u32;
        cursor = sent.cursor;
        if sent.blocked {
            io::poll(client.as_fd(), libc::POLLOUT, std::time::Duration::from_secs(10)).unwrap();
        }
    }
    drop(client);
    assert_eq!(total, expected.len() as u64);
    assert!(blocked > 0, "the socket filled up at least once ({calls} calls)");
    assert!(reader.join().unwrap() == expected, "bytes differ");
    let _ = std::fs::remove_file(path);
}

#[test]
fn a_pipe_target_gets_memory_and_spliced_ranges() {
    let data = pattern(200_000, 4);
    let (path, file) = temp_file("pipe", &data);
    let mut fds = [0; 2];
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    let reader = thread::spawn(move || {
        let mut all = Vec::new();
        File::from(read).read_to_end(&mut all).unwrap();
        all
    });
    let parts =
        [Part::Memory(b"head"), Part::File { fd: file.as_fd(), position: 1, count: 150_000 }];
    let sent = gather(&parts, &Endpoint::of(write.as_fd()).unwrap(), Cursor::default()).unwrap();
    drop(write);
    let mut expected = b"head".to_vec();
    expected.extend_from_slice(&data[1..150_001]);
    assert_eq!(sent.bytes, expected.len() as u64);
    assert_eq!(reader.join().unwrap(), expected);
    let _ = std::fs::remove_file(path);
}

/// 64 headers of 64 bytes, each before 1 KiB of a file, with TCP_NODELAY: a loop of send and
/// sendfile sends a segment or two per part; the corked gather fills segments.
#[test]
fn a_gather_sends_far_fewer_segments_than_a_loop() {
    let data = pattern(64 << 10, 5);
    let (path, file) = temp_file("segs", &data);
    let header = [b'h'; 64];
    let parts: Vec<Part> = (0..64)
        .flat_map(|i| {
            [
                Part::Memory(&header),
                Part::File { fd: file.as_fd(), position: i * 1024, count: 1024 },
            ]
        })
        .collect();
    let segments = |use_gather: bool| {
        let (client, server) = tcp_pair();
        client.set_nodelay(true).unwrap();
        let received = drain(server);
        let before = io::tcp_data_segments_out(client.as_fd()).unwrap();
        if use_gather {
            gather(&parts, &Endpoint::of(client.as_fd()).unwrap(), Cursor::default()).unwrap();
        } else {
            for part in &parts {
                match *part {
                    Part::Memory(bytes) => (&client).write_all(bytes).unwrap(),
                    Part::File { fd, position, count } => {
                        let mut offset = position as i64;
                        io::sendfile(client.as_fd(), fd, &mut offset, count).unwrap();
                    }
                }
            }
        }
        let after = io::tcp_data_segments_out(client.as_fd()).unwrap();
        drop(client);
        assert_eq!(received.join().unwrap().len(), 64 * (64 + 1024));
        after - before
    };
    let (looped, gathered) = (segments(false), segments(true));
    assert!(gathered * 4 < looped, "segments: loop {looped}, gather {gathered}");
    let _ = std::fs::remove_file(path);
}
