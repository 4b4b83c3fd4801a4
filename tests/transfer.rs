//! The Rust transfer API against real files, sockets and pipes.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::path::PathBuf;
use std::thread;

use zerocopy_jni::transfer::{self, Contract, Endpoint, Kind, Path};

/// A fresh directory under the target dir, removed at drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("zerocopy-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn file(&self, name: &str, content: &[u8]) -> File {
        let path = self.0.join(name);
        std::fs::write(&path, content).unwrap();
        OpenOptions::new().read(true).write(true).open(path).unwrap()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Deterministic bytes that differ at every offset.
fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn end_of(fd: &impl AsFd) -> Endpoint<'_> {
    Endpoint::of(fd.as_fd()).unwrap()
}

fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    (client, server)
}

fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

/// Reads everything from `stream` on another thread.
fn drain<R: Read + Send + 'static>(mut stream: R) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut all = Vec::new();
        stream.read_to_end(&mut all).unwrap();
        all
    })
}

#[test]
fn file_to_socket_uses_sendfile_and_leaves_the_source_offset() {
    let dir = TempDir::new("f2s");
    let data = pattern(3 << 20, 1);
    let mut source = dir.file("source", &data);
    source.seek(SeekFrom::Start(7)).unwrap();
    let (client, server) = tcp_pair();
    let received = drain(server);
    let target = Endpoint::of(client.as_fd()).unwrap();
    assert_eq!(target.kind, Kind::Socket);
    let done = transfer::transfer_to(&end_of(&source), 100, u64::MAX, &target).unwrap();
    assert_eq!(done.bytes, data.len() as u64 - 100);
    assert_eq!(done.path, Path::Sendfile);
    drop(client);
    assert_eq!(received.join().unwrap(), &data[100..]);
    assert_eq!(source.stream_position().unwrap(), 7);
}

#[test]
fn file_to_pipe_uses_splice() {
    let dir = TempDir::new("f2p");
    let data = pattern(1 << 20, 2);
    let source = dir.file("source", &data);
    let (read, write) = pipe();
    let received = drain(File::from(read));
    let target = Endpoint::of(write.as_fd()).unwrap();
    assert_eq!(target.kind, Kind::Pipe);
    let done = transfer::transfer_to(&end_of(&source), 0, 5000, &target).unwrap();
    assert_eq!((done.bytes, done.path), (5000, Path::Splice));
    drop(write);
    assert_eq!(received.join().unwrap(), &data[..5000]);
}

#[test]
fn file_to_file_uses_copy_file_range_at_the_target_offset() {
    let dir = TempDir::new("f2f");
    let data = pattern(1 << 20, 3);
    let source = dir.file("source", &data);
    let mut target = dir.file("target", b"0123456789");
    target.seek(SeekFrom::Start(4)).unwrap();
    let done =
        transfer::transfer_to(&end_of(&source), 10, 1000, &Endpoint::of(target.as_fd()).unwrap())
            .unwrap();
    assert_eq!((done.bytes, done.path), (1000, Path::CopyFileRange));
    assert_eq!(target.stream_position().unwrap(), 1004, "the target's offset advances");
    let written = std::fs::read(dir.0.join("target")).unwrap();
    assert_eq!(&written[..4], b"0123");
    assert_eq!(&written[4..], &data[10..1010]);
}

#[test]
fn an_append_mode_target_takes_the_buffered_path_and_appends() {
    let dir = TempDir::new("append");
    let data = pattern(300_000, 4);
    let source = dir.file("source", &data);
    dir.file("target", b"head");
    let target = OpenOptions::new().append(true).open(dir.0.join("target")).unwrap();
    let end = Endpoint::of(target.as_fd()).unwrap();
    assert!(end.append);
    let done = transfer::transfer_to(&end_of(&source), 0, u64::MAX, &end).unwrap();
    assert_eq!((done.bytes, done.path), (data.len() as u64, Path::Buffered));
    let written = std::fs::read(dir.0.join("target")).unwrap();
    assert_eq!(&written[..4], b"head");
    assert_eq!(&written[4..], &data[..]);
}

#[test]
fn past_the_end_and_zero_counts_move_nothing() {
    let dir = TempDir::new("ends");
    let source = dir.file("source", &pattern(10, 5));
    let target = dir.file("target", b"");
    let end = Endpoint::of(target.as_fd()).unwrap();
    assert_eq!(transfer::transfer_to(&end_of(&source), 11, 5, &end).unwrap().bytes, 0);
    assert_eq!(transfer::transfer_to(&end_of(&source), 10, 5, &end).unwrap().bytes, 0);
    assert_eq!(transfer::transfer_to(&end_of(&source), 0, 0, &end).unwrap().bytes, 0);
    assert_eq!(transfer::transfer_to(&end_of(&source), 5, 100, &end).unwrap().bytes, 5);
}

#[test]
fn socket_to_file_splices_through_the_thread_pipe() {
    let dir = TempDir::new("s2f");
    let data = pattern(5 << 20, 6);
    let target = dir.file("target", &[b'x'; 16]);
    let (mut client, server) = tcp_pair();
    let sent = data.clone();
    let writer = thread::spawn(move || client.write_all(&sent).unwrap());
    let source = Endpoint::of(server.as_fd()).unwrap();
    let done =
        transfer::transfer_from(&source, &Endpoint::of(target.as_fd()).unwrap(), 16, u64::MAX)
            .unwrap();
    writer.join().unwrap();
    assert_eq!((done.bytes, done.path), (data.len() as u64, Path::Splice));
    let written = std::fs::read(dir.0.join("target")).unwrap();
    assert_eq!(&written[16..], &data[..]);
    transfer::release_thread_pipe();
}

#[test]
fn past_the_end_of_the_target_jdk17_moves_nothing_and_later_jdks_grow_the_file() {
    let dir = TempDir::new("s2f-past");
    let target = dir.file("target", b"abc");
    let (mut client, server) = tcp_pair();
    client.write_all(b"datamore").unwrap();
    let source = Endpoint::of(server.as_fd()).unwrap();
    let end = Endpoint::of(target.as_fd()).unwrap();
    let jdk17 = &Contract::JDK17;
    assert_eq!(transfer::transfer_from_as(jdk17, &source, &end, 4, 4).unwrap().bytes, 0);
    assert_eq!(transfer::transfer_from_as(jdk17, &source, &end, 3, 4).unwrap().bytes, 4);
    assert_eq!(std::fs::read(dir.0.join("target")).unwrap(), b"abcdata");
    assert_eq!(transfer::transfer_from(&source, &end, 9, 4).unwrap().bytes, 4);
    assert_eq!(std::fs::read(dir.0.join("target")).unwrap(), b"abcdata\0\0more");
}

#[test]
fn pipe_to_file_and_file_to_file_from_the_source_offset() {
    let dir = TempDir::new("p2f");
    let data = pattern(200_000, 7);
    let target = dir.file("target", b"");
    let (read, write) = pipe();
    let sent = data.clone();
    let writer = thread::spawn(move || File::from(write).write_all(&sent).unwrap());
    let source = Endpoint::of(read.as_fd()).unwrap();
    let end = Endpoint::of(target.as_fd()).unwrap();
    let done = transfer::transfer_from(&source, &end, 0, u64::MAX).unwrap();
    writer.join().unwrap();
    assert_eq!((done.bytes, done.path), (data.len() as u64, Path::Splice));

    let mut file_source = dir.file("source", &data);
    file_source.seek(SeekFrom::Start(1000)).unwrap();
    let source = Endpoint::of(file_source.as_fd()).unwrap();
    let done = transfer::transfer_from(&source, &end, 5, 2000).unwrap();
    assert_eq!((done.bytes, done.path), (2000, Path::CopyFileRange));
    assert_eq!(file_source.stream_position().unwrap(), 3000, "the source's offset advances");
    let written = std::fs::read(dir.0.join("target")).unwrap();
    assert_eq!(&written[5..2005], &data[1000..3000]);
}

#[test]
fn a_non_blocking_target_takes_what_fits() {
    let dir = TempDir::new("nb");
    let data = pattern(64 << 20, 8);
    let source = dir.file("source", &data);
    let (client, server) = tcp_pair();
    client.set_nonblocking(true).unwrap();
    let target = Endpoint::of(client.as_fd()).unwrap();
    assert!(!target.blocking);
    let first = transfer::transfer_to(&end_of(&source), 0, u64::MAX, &target).unwrap();
    assert!(first.bytes > 0 && first.bytes < data.len() as u64, "{first:?}");
    let second = transfer::transfer_to(&end_of(&source), first.bytes, u64::MAX, &target).unwrap();
    assert_eq!(second.bytes, 0, "full: EAGAIN is no error, and moves nothing");
    drop(server);
}

#[test]
fn relay_between_sockets_and_from_a_pipe() {
    let data = pattern(3 << 20, 9);
    let (mut in_client, in_server) = tcp_pair();
    let (out_client, out_server) = tcp_pair();
    let received = drain(out_server);
    let sent = data.clone();
    let writer = thread::spawn(move || {
        in_client.write_all(&sent).unwrap();
        // dropping in_client ends the stream
    });
    let source = Endpoint::of(in_server.as_fd()).unwrap();
    let target = Endpoint::of(out_client.as_fd()).unwrap();
    let done = transfer::relay(&source, &target, u64::MAX).unwrap();
    writer.join().unwrap();
    assert_eq!((done.bytes, done.path), (data.len() as u64, Path::Splice));
    drop(out_client);
    assert_eq!(received.join().unwrap(), data);

    let (read, write) = pipe();
    let (client, server) = tcp_pair();
    let received = drain(server);
    File::from(write).write_all(&data[..60_000]).unwrap();
    let done = transfer::relay(
        &Endpoint::of(read.as_fd()).unwrap(),
        &Endpoint::of(client.as_fd()).unwrap(),
        u64::MAX,
    )
    .unwrap();
    assert_eq!(done.bytes, 60_000);
    drop(client);
    assert_eq!(received.join().unwrap(), &data[..60_000]);
}

#[test]
fn relay_refuses_files() {
    let dir = TempDir::new("relay-file");
    let file = dir.file("f", b"x");
    let (client, _server) = tcp_pair();
    let e = transfer::relay(
        &Endpoint::of(file.as_fd()).unwrap(),
        &Endpoint::of(client.as_fd()).unwrap(),
        1,
    )
    .unwrap_err();
    assert_eq!(e.errno, libc::EINVAL);
}

#[test]
fn header_and_file_leave_as_one_response() {
    let dir = TempDir::new("header");
    let data = pattern(1000, 10);
    let source = dir.file("source", &data);
    let (client, server) = tcp_pair();
    client.set_nodelay(true).unwrap();
    let received = drain(server);
    let target = Endpoint::of(client.as_fd()).unwrap();
    let before = transfer::tcp_data_segments_out(client.as_fd()).unwrap();
    let (sent, file) = transfer::transfer_to_with_header(
        b"HTTP/1.1 200 OK\r\n\r\n",
        &end_of(&source),
        0,
        1000,
        &target,
    )
    .unwrap();
    let segments = transfer::tcp_data_segments_out(client.as_fd()).unwrap() - before;
    assert_eq!((sent, file.bytes), (19, 1000));
    assert_eq!(segments, 1, "header and body in one segment despite TCP_NODELAY");
    drop(client);
    let all = received.join().unwrap();
    assert_eq!(&all[..19], b"HTTP/1.1 200 OK\r\n\r\n");
    assert_eq!(&all[19..], &data[..]);
}

#[test]
fn a_broken_pipe_is_an_error_and_no_sigpipe_stays_pending() {
    let dir = TempDir::new("epipe");
    let source = dir.file("source", &pattern(8 << 20, 11));
    let (client, server) = tcp_pair();
    drop(server);
    let target = Endpoint::of(client.as_fd()).unwrap();
    let mut error = None;
    for _ in 0..100 {
        match transfer::transfer_to(&end_of(&source), 0, u64::MAX, &target) {
            Ok(_) => continue,
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    let error = error.expect("writing into a closed connection fails");
    assert!(matches!(error.errno, libc::EPIPE | libc::ECONNRESET), "{error}");
    let status = std::fs::read_to_string("/proc/thread-self/status").unwrap();
    let pending = status.lines().find(|l| l.starts_with("SigPnd:")).unwrap();
    let mask = u64::from_str_radix(pending.split_whitespace().nth(1).unwrap(), 16).unwrap();
    assert_eq!(mask & (1 << (libc::SIGPIPE - 1)), 0, "{pending}");
}

#[test]
fn more_than_two_gib_in_one_call() {
    let dir = TempDir::new("big");
    let source = dir.file("source", b"");
    source.set_len(5 << 30).unwrap(); // sparse
    let null = OpenOptions::new().write(true).open("/dev/null").unwrap();
    let done =
        transfer::transfer_to(&end_of(&source), 0, u64::MAX, &Endpoint::of(null.as_fd()).unwrap())
            .unwrap();
    assert_eq!(done.bytes, 5 << 30);
}

/// A signal handler that does nothing, installed without SA_RESTART (as the JDK installs the
/// one it signals blocked I/O threads with), so that a blocked system call fails with EINTR.
fn interrupting_signal() -> libc::c_int {
    extern "C" fn nothing(_: libc::c_int) {}
    let signal = libc::SIGUSR1;
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = nothing as *const () as libc::sighandler_t;
        assert_eq!(libc::sigaction(signal, &action, std::ptr::null_mut()), 0);
    }
    signal
}

/// Reads a pipe to its end on another thread, 64 KiB every 2 ms: a transfer into it waits.
fn slow_reader(read: OwnedFd) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut pipe = File::from(read);
        let mut all = Vec::new();
        let mut chunk = vec![0; 65536];
        loop {
            thread::sleep(std::time::Duration::from_millis(2));
            match pipe.read(&mut chunk).unwrap() {
                0 => return all,
                n => all.extend_from_slice(&chunk[..n]),
            }
        }
    })
}

/// Sends `data` into a pipe that a slow reader drains, on another thread, while `disturb` runs
/// with that thread's id; returns the transfer's result and what the reader received.
fn into_slow_pipe(
    data: &[u8],
    still_open: impl Fn() -> bool + Send + 'static,
    disturb: impl FnOnce(libc::pthread_t),
) -> (zerocopy_jni::Result<transfer::Transferred>, Vec<u8>) {
    let dir = TempDir::new(&format!("signal-{}", data.len()));
    let source = dir.file("source", data);
    let (read, write) = pipe();
    let reader = slow_reader(read);
    let (id_sender, id) = std::sync::mpsc::channel();
    let sender = thread::spawn(move || {
        id_sender.send(unsafe { libc::pthread_self() }).unwrap();
        let target = Endpoint { still_open: Some(&still_open), ..end_of(&write) };
        let result = transfer::transfer_to(&end_of(&source), 0, u64::MAX, &target);
        drop(write);
        result
    });
    disturb(id.recv().unwrap());
    let result = sender.join().unwrap();
    (result, reader.join().unwrap())
}

#[test]
fn eintr_is_retried_while_the_channels_are_open() {
    let signal = interrupting_signal();
    let data = pattern(8 << 20, 12);
    let (result, received) = into_slow_pipe(
        &data,
        || true,
        |thread| {
            for _ in 0..200 {
                thread::sleep(std::time::Duration::from_millis(1));
                unsafe { libc::pthread_kill(thread, signal) }; // ESRCH once it has finished: fine
            }
        },
    );
    assert_eq!(result.unwrap().bytes, data.len() as u64);
    assert!(received == data, "every byte, in order, despite the signals");
}

#[test]
fn a_signal_ends_a_transfer_whose_owner_closed_the_channel() {
    // As the JDK closes a channel: mark it closed, then signal the threads inside it.
    let signal = interrupting_signal();
    let data = pattern(8 << 20, 13);
    let closed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let open = {
        let closed = closed.clone();
        move || !closed.load(std::sync::atomic::Ordering::SeqCst)
    };
    let (result, received) = into_slow_pipe(&data, open, |thread| {
        thread::sleep(std::time::Duration::from_millis(100));
        closed.store(true, std::sync::atomic::Ordering::SeqCst);
        unsafe { libc::pthread_kill(thread, signal) };
    });
    let moved = result.unwrap().bytes; // bytes had moved: the call returns them
    assert!(moved > 0 && moved < data.len() as u64, "{moved}");
    assert_eq!(received.len() as u64, moved);
    assert!(received == data[..received.len()], "the bytes arrive in order");
}

#[test]
fn a_transfer_stops_at_the_size_the_file_had_and_does_not_follow_its_growth() {
    // Into a pipe, each splice moves at most a pipe's worth: the size is read (an fstat) right
    // after the first call, before the appender starts. Following the growth, as a loop until
    // end of file would, moves 64 MiB more.
    let dir = TempDir::new("growing");
    let data = pattern(1 << 20, 14);
    let source = dir.file("source", &data);
    let (read, write) = pipe();
    let reader = slow_reader(read);
    let appender = thread::spawn({
        let mut appender = OpenOptions::new().append(true).open(dir.0.join("source")).unwrap();
        move || {
            thread::sleep(std::time::Duration::from_millis(20));
            for _ in 0..1024 {
                appender.write_all(&[7; 1 << 16]).unwrap();
            }
        }
    });
    let moved = transfer::transfer_to(&end_of(&source), 0, u64::MAX, &end_of(&write)).unwrap();
    appender.join().unwrap();
    drop(write);
    let received = reader.join().unwrap();
    assert_eq!(moved.bytes, data.len() as u64);
    assert!(received == data);
}

#[test]
fn positions_the_kernel_refuses_move_nothing_as_past_the_end() {
    let dir = TempDir::new("huge");
    let source = dir.file("source", &pattern(4096, 15));
    let (client, _server) = tcp_pair();
    for position in [i64::MAX as u64, i64::MAX as u64 - 101, 1 << 62, (1 << 44) + 1] {
        let moved = transfer::transfer_to(&end_of(&source), position, 10, &end_of(&client));
        assert_eq!(moved.unwrap().bytes, 0, "at {position}");
    }
}

/// A tmpfs of `bytes` mounted on a fresh directory, unmounted at drop; None (the test skips,
/// saying why) where this process may not mount.
struct SmallFs(TempDir);

impl SmallFs {
    fn mount(name: &str, bytes: u64) -> Option<SmallFs> {
        let dir = TempDir::new(name);
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={bytes}"), "tmpfs"])
            .arg(&dir.0)
            .stderr(std::process::Stdio::null())
            .status();
        if !matches!(status, Ok(s) if s.success()) {
            eprintln!("skipped: mounting a tmpfs needs root");
            return None;
        }
        Some(SmallFs(dir))
    }
}

impl Drop for SmallFs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg("-l").arg(&self.0 .0).status();
    }
}

#[test]
fn a_full_file_system_loses_nothing_from_a_file_and_counts_what_a_stream_lost() {
    let Some(small) = SmallFs::mount("enospc", 256 << 10) else { return };
    let dir = TempDir::new("enospc-source");
    let data = pattern(4 << 20, 12);

    // A file source: the call returns what was written and leaves the source's offset there.
    let source = dir.file("source", &data);
    let target = small.0.file("from-file", b"");
    let done =
        transfer::transfer_from(&end_of(&source), &end_of(&target), 0, data.len() as u64).unwrap();
    let written = std::fs::read(small.0 .0.join("from-file")).unwrap();
    assert_eq!(done.bytes, written.len() as u64);
    assert!(done.bytes > 0 && done.bytes < data.len() as u64, "{done:?}");
    assert_eq!(&written[..], &data[..written.len()]);
    assert_eq!(unsafe { libc::lseek(source.as_raw_fd(), 0, libc::SEEK_CUR) }, done.bytes as i64);
    let again =
        transfer::transfer_from(&end_of(&source), &end_of(&target), done.bytes, data.len() as u64);
    assert_eq!(again.unwrap_err().errno, libc::ENOSPC, "the error comes at the next call");
    drop(target);
    std::fs::remove_file(small.0 .0.join("from-file")).unwrap();

    // A socket: every byte sent is written, lost (and counted) or still in the socket.
    let target = small.0.file("from-socket", b"");
    let (mut client, server) = tcp_pair();
    let sent = data.clone();
    let writer = thread::spawn(move || {
        client.write_all(&sent).unwrap();
        client.shutdown(std::net::Shutdown::Write).unwrap();
    });
    let e = transfer::transfer_from(&end_of(&server), &end_of(&target), 0, u64::MAX).unwrap_err();
    assert_eq!(e.errno, libc::ENOSPC);
    let incomplete = e.incomplete.expect("bytes taken from the socket were lost");
    let mut left = Vec::new();
    (&server).read_to_end(&mut left).unwrap();
    writer.join().unwrap();
    let written = std::fs::read(small.0 .0.join("from-socket")).unwrap();
    assert_eq!(incomplete.transferred, written.len() as u64);
    assert_eq!(&written[..], &data[..written.len()]);
    let resumed = (incomplete.transferred + incomplete.lost) as usize;
    assert_eq!(&left[..], &data[resumed..], "the stream goes on after the lost bytes");
    transfer::release_thread_pipe();
}
