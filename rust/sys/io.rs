//! The data-moving calls: one system call each, no loops and no policy. Offsets are `i64`
//! (`off_t`); `None` means "use and advance the descriptor's own file offset".

use std::cell::Cell;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::ptr;
use std::time::Duration;

use super::check;
use crate::error::Result;

/// The most bytes one sendfile/splice/copy_file_range call moves on Linux.
pub const MAX_CHUNK: u64 = 0x7fff_f000;

fn off_ptr(offset: Option<&mut i64>) -> *mut i64 {
    offset.map_or(ptr::null_mut(), |o| o as *mut i64)
}

fn len(count: u64) -> usize {
    count.min(MAX_CHUNK) as usize
}

pub fn sendfile(out: BorrowedFd, input: BorrowedFd, offset: &mut i64, count: u64) -> Result<usize> {
    let n = unsafe { libc::sendfile(out.as_raw_fd(), input.as_raw_fd(), offset, len(count)) };
    check(n, "sendfile").map(|n| n as usize)
}

pub fn splice(
    input: BorrowedFd,
    in_offset: Option<&mut i64>,
    out: BorrowedFd,
    out_offset: Option<&mut i64>,
    count: u64,
) -> Result<usize> {
    let n = unsafe {
        libc::splice(
            input.as_raw_fd(),
            off_ptr(in_offset),
            out.as_raw_fd(),
            off_ptr(out_offset),
            len(count),
            libc::SPLICE_F_MOVE,
        )
    };
    check(n, "splice").map(|n| n as usize)
}

pub fn copy_file_range(
    input: BorrowedFd,
    in_offset: Option<&mut i64>,
    out: BorrowedFd,
    out_offset: Option<&mut i64>,
    count: u64,
) -> Result<usize> {
    let n = unsafe {
        libc::syscall(
            libc::SYS_copy_file_range,
            input.as_raw_fd(),
            off_ptr(in_offset),
            out.as_raw_fd(),
            off_ptr(out_offset),
            len(count),
            0u32,
        )
    };
    check(n, "copy_file_range").map(|n| n as usize)
}

/// `send(2)` with MSG_NOSIGNAL, plus `flags` (MSG_MORE).
pub fn send(fd: BorrowedFd, data: &[u8], flags: libc::c_int) -> Result<usize> {
    let n = unsafe {
        libc::send(fd.as_raw_fd(), data.as_ptr().cast(), data.len(), flags | libc::MSG_NOSIGNAL)
    };
    check(n, "send").map(|n| n as usize)
}

/// The most slices one `writev` takes on Linux (UIO_MAXIOV).
pub const IOV_MAX: usize = 1024;

/// `writev(2)` of several slices at once (at most [`IOV_MAX`] of them are passed).
pub fn writev(fd: BorrowedFd, slices: &[std::io::IoSlice]) -> Result<usize> {
    let count = slices.len().min(IOV_MAX) as libc::c_int;
    // Safety: IoSlice has the layout of iovec, and the slices outlive the call.
    let n = unsafe { libc::writev(fd.as_raw_fd(), slices.as_ptr().cast(), count) };
    check(n, "writev").map(|n| n as usize)
}

/// `sendmsg(2)` of several slices to a socket with MSG_NOSIGNAL, plus `flags` (MSG_MORE).
pub fn sendmsg(fd: BorrowedFd, slices: &[std::io::IoSlice], flags: libc::c_int) -> Result<usize> {
    // Safety: a zeroed msghdr is valid; IoSlice has the layout of iovec; the slices outlive the call.
    let mut message: libc::msghdr = unsafe { std::mem::zeroed() };
    message.msg_iov = slices.as_ptr() as *mut libc::iovec;
    message.msg_iovlen = slices.len().min(IOV_MAX) as _;
    let n = unsafe { libc::sendmsg(fd.as_raw_fd(), &message, flags | libc::MSG_NOSIGNAL) };
    check(n, "sendmsg").map(|n| n as usize)
}

/// Sets TCP_CORK on a TCP socket that does not have it yet, so that what follows leaves in
/// full segments; true if this call set it (then [`uncork_tcp`] must clear it). False for a
/// socket its user corked already, and for other descriptors.
pub fn cork_tcp(fd: BorrowedFd) -> bool {
    let one: libc::c_int = 1;
    let size = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    let mut corked: libc::c_int = 0;
    let mut got = size;
    let raw = fd.as_raw_fd();
    // Safety: plain socket options on a descriptor, with buffers of the right size.
    unsafe {
        libc::getsockopt(
            raw,
            libc::IPPROTO_TCP,
            libc::TCP_CORK,
            (&mut corked as *mut libc::c_int).cast(),
            &mut got,
        ) == 0
            && corked == 0
            && libc::setsockopt(
                raw,
                libc::IPPROTO_TCP,
                libc::TCP_CORK,
                (&one as *const libc::c_int).cast(),
                size,
            ) == 0
    }
}

/// Clears TCP_CORK set by [`cork_tcp`]: the last partial segment leaves now.
pub fn uncork_tcp(fd: BorrowedFd) {
    let zero: libc::c_int = 0;
    let size = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // Safety: as in cork_tcp. An error leaves the data to the cork's 200 ms timer.
    unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_CORK,
            (&zero as *const libc::c_int).cast(),
            size,
        );
    }
}

pub fn write(fd: BorrowedFd, data: &[u8]) -> Result<usize> {
    let n = unsafe { libc::write(fd.as_raw_fd(), data.as_ptr().cast(), data.len()) };
    check(n, "write").map(|n| n as usize)
}

pub fn pwrite(fd: BorrowedFd, data: &[u8], offset: i64) -> Result<usize> {
    let n = unsafe { libc::pwrite(fd.as_raw_fd(), data.as_ptr().cast(), data.len(), offset) };
    check(n, "pwrite").map(|n| n as usize)
}

pub fn read(fd: BorrowedFd, buf: &mut [u8]) -> Result<usize> {
    let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
    check(n, "read").map(|n| n as usize)
}

pub fn pread(fd: BorrowedFd, buf: &mut [u8], offset: i64) -> Result<usize> {
    let n = unsafe { libc::pread(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), offset) };
    check(n, "pread").map(|n| n as usize)
}

/// Waits up to `timeout` until `fd` is ready for `events` (POLLIN or POLLOUT) and returns
/// whether it is. An error or hang-up counts as ready: the next call reports it. EINTR is
/// returned, not retried: the caller decides what a signal means.
pub fn poll(fd: BorrowedFd, events: libc::c_short, timeout: Duration) -> Result<bool> {
    let mut pfd = libc::pollfd { fd: fd.as_raw_fd(), events, revents: 0 };
    let millis = timeout.as_millis().min(libc::c_int::MAX as u128) as libc::c_int;
    check(unsafe { libc::poll(&mut pfd, 1, millis) }, "poll")?;
    Ok(pfd.revents & (events | libc::POLLERR | libc::POLLHUP) != 0)
}

/// `lseek(2)`: moves the descriptor's file offset; returns the new one.
pub fn seek(fd: BorrowedFd, offset: i64, whence: libc::c_int) -> Result<u64> {
    check(unsafe { libc::lseek(fd.as_raw_fd(), offset, whence) }, "lseek").map(|o| o as u64)
}

/// `fstat(2)`: the file's type bits and size.
pub fn fstat(fd: BorrowedFd) -> Result<libc::stat> {
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    check(unsafe { libc::fstat(fd.as_raw_fd(), &mut st) }, "fstat")?;
    Ok(st)
}

/// The open file description's status flags (`O_NONBLOCK`, `O_APPEND`, ...).
pub fn status_flags(fd: BorrowedFd) -> Result<libc::c_int> {
    check(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) }, "fcntl")
}

/// Pushes out data held back by MSG_MORE: clearing TCP_CORK flushes pending frames, even when it
/// was not set. Left alone when the user corked the socket. Errors are ignored: the data goes
/// out anyway when the connection's timers fire, and a non-TCP socket has nothing to push.
pub fn push_tcp(fd: BorrowedFd) {
    let mut corked: libc::c_int = 0;
    let mut size = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    let raw = fd.as_raw_fd();
    unsafe {
        let got = libc::getsockopt(
            raw,
            libc::IPPROTO_TCP,
            libc::TCP_CORK,
            (&mut corked as *mut libc::c_int).cast(),
            &mut size,
        );
        if got == 0 && corked == 0 {
            libc::setsockopt(
                raw,
                libc::IPPROTO_TCP,
                libc::TCP_CORK,
                (&corked as *const libc::c_int).cast(),
                size,
            );
        }
    }
}

/// `TCP_INFO.tcpi_data_segs_out`: data segments this TCP socket has sent (tests use it to see
/// whether a header and a body went out together).
pub fn tcp_data_segments_out(fd: BorrowedFd) -> Result<u32> {
    let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
    let mut size = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
    let ret = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_INFO,
            (&mut info as *mut libc::tcp_info).cast(),
            &mut size,
        )
    };
    check(ret, "getsockopt")?;
    Ok(info.tcpi_data_segs_out)
}

/// A pipe whose ends are non-blocking: splice through it never waits on the pipe itself.
pub struct Pipe {
    pub read: OwnedFd,
    pub write: OwnedFd,
    /// How many bytes it holds (F_GETPIPE_SZ).
    pub capacity: u64,
}

impl Pipe {
    /// A pipe of about `wanted` bytes; smaller where the limits (pipe-max-size,
    /// pipe-user-pages-soft) refuse that, never an error for the size alone.
    pub fn new(wanted: u64) -> Result<Pipe> {
        let mut fds = [0 as libc::c_int; 2];
        check(
            unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) },
            "pipe2",
        )?;
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        let raw = write.as_raw_fd();
        unsafe { libc::fcntl(raw, libc::F_SETPIPE_SZ, wanted as libc::c_int) };
        let capacity = check(unsafe { libc::fcntl(raw, libc::F_GETPIPE_SZ) }, "fcntl")? as u64;
        Ok(Pipe { read, write, capacity })
    }
}

thread_local! {
    /// Whether this thread has SIGPIPE blocked by us already.
    static SIGPIPE_BLOCKED: Cell<bool> = const { Cell::new(false) };
}

/// Blocks SIGPIPE in the calling thread, once per thread.
///
/// sendfile and splice have no MSG_NOSIGNAL: writing into a socket or pipe whose reader is
/// gone raises SIGPIPE. Blocked, the signal stays pending instead of being delivered, and
/// [`discard_pending_sigpipe`] consumes it after an EPIPE. The mask stays set: restoring it
/// would cost two system calls on every transfer.
pub fn block_sigpipe() {
    if SIGPIPE_BLOCKED.with(Cell::get) {
        return;
    }
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGPIPE);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, ptr::null_mut());
    }
    SIGPIPE_BLOCKED.with(|b| b.set(true));
}

/// Consumes a SIGPIPE pending for this thread (after an EPIPE), so it is never delivered.
pub fn discard_pending_sigpipe() {
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGPIPE);
        let zero = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        while libc::sigtimedwait(&set, ptr::null_mut(), &zero) == libc::SIGPIPE {}
    }
}
