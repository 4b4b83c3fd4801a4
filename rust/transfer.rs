//! Zero-copy transfers between files, sockets and pipes, with the fallback chain.
//!
//! Each transfer tries the cheapest path the kernel offers for its pair of descriptors and
//! falls back when the kernel refuses it (EINVAL, ENOSYS, EXDEV, EPERM, EOPNOTSUPP) before any
//! byte moved:
//!
//! | from -> to                   | paths, in order                                     |
//! |------------------------------|-----------------------------------------------------|
//! | file -> socket               | sendfile, buffered                                  |
//! | file -> pipe                 | splice, sendfile, buffered                          |
//! | file -> file                 | copy_file_range (may reflink), sendfile, buffered   |
//! | socket -> file               | splice through this thread's pipe, buffered         |
//! | pipe -> file                 | splice, buffered                                    |
//! | file -> file (transfer_from) | copy_file_range, buffered                           |
//! | socket/pipe -> socket/pipe   | splice (through this thread's pipe between sockets) |
//!
//! Files opened with `O_APPEND` accept only write(2), so they take the buffered path.
//!
//! The contract is that of `FileChannel.transferTo` / `transferFrom`, of the JDK that a
//! [`Contract`] names where JDKs differ, except that a blocking stream is served until `count`
//! bytes or end of file, with no per-call cap. An error after some bytes moved ends the call
//! with those bytes and comes back at the next call, as in the JDK. A file source is never
//! left advanced past what reached the target. Bytes already taken from a stream that cannot
//! be written are lost: that error is returned at once, even after progress, and it counts the
//! bytes written and lost ([`Error::incomplete`]), because the caller could not otherwise know.
//!
//! A non-blocking end that would block ends a transfer early, and [`Transferred::blocked_on`]
//! says which, so that a caller can wait for it (a virtual thread parks in Java) and continue.
//!
//! A descriptor that another thread may close has an owner that answers
//! [`Endpoint::still_open`]; it is asked whenever a signal interrupts a call (EINTR) and while a
//! transfer waits, so that a close that signals this thread ends the transfer.

use std::cell::RefCell;
use std::fmt;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::sys::io::{self, Pipe, MAX_CHUNK};
use crate::sys::Capabilities;

/// The way bytes moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Path {
    Sendfile,
    Splice,
    CopyFileRange,
    /// read/write through a buffer in user space: the fallback.
    Buffered,
}

/// What a descriptor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A regular file, or anything else with a file offset (a device, a /proc file).
    File,
    Socket,
    Pipe,
}

/// One end of a transfer.
#[derive(Clone, Copy)]
pub struct Endpoint<'fd> {
    pub fd: BorrowedFd<'fd>,
    pub kind: Kind,
    /// Wait while the descriptor would block, rather than return what has moved so far.
    pub blocking: bool,
    /// A file opened with `O_APPEND`: every write goes to its end, and only write(2) does that.
    pub append: bool,
    /// For a descriptor that another thread may close (a Java channel's): whether its owner
    /// still has it open. Asked after EINTR and while the transfer waits: an owner that closes
    /// the descriptor signals the transferring thread, and keeps the number from being reused
    /// until the transfer has returned (the JDK does both for threads registered with it).
    pub still_open: Option<&'fd dyn Fn() -> bool>,
}

impl<'fd> Endpoint<'fd> {
    /// Describes `fd` as the kernel sees it: its type, O_NONBLOCK and O_APPEND.
    pub fn of(fd: BorrowedFd<'fd>) -> Result<Endpoint<'fd>> {
        let kind = match io::fstat(fd)?.st_mode & libc::S_IFMT {
            libc::S_IFSOCK => Kind::Socket,
            libc::S_IFIFO => Kind::Pipe,
            _ => Kind::File,
        };
        let flags = io::status_flags(fd)?;
        Ok(Endpoint {
            fd,
            kind,
            blocking: flags & libc::O_NONBLOCK == 0,
            append: flags & libc::O_APPEND != 0,
            still_open: None,
        })
    }

    fn is_stream(&self) -> bool {
        self.kind != Kind::File
    }
}

impl fmt::Debug for Endpoint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint")
            .field("fd", &self.fd.as_raw_fd())
            .field("kind", &self.kind)
            .field("blocking", &self.blocking)
            .field("append", &self.append)
            .field("shared", &self.still_open.is_some())
            .finish()
    }
}

/// What a transfer did: how many bytes moved, and by which path (for zero bytes, the path
/// that was tried first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transferred {
    pub bytes: u64,
    pub path: Path,
    /// A non-blocking end that would have blocked, which is why the transfer stopped short:
    /// wait until the source is readable (POLLIN) or the target writable (POLLOUT), then go on.
    /// None when `count`, the end of the file or the end of the stream was reached. A short count
    /// from a stream that then ends says `Source` once more; the next call then moves 0 and None.
    pub blocked_on: Option<Side>,
}

impl Transferred {
    fn done(bytes: u64, path: Path) -> Transferred {
        Transferred { bytes, path, blocked_on: None }
    }
}

/// Which end of a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Source,
    Target,
}

/// Where the JDKs' `FileChannel` contracts differ, the behaviour to follow: the Java bridge
/// passes the running JDK's, so that a transfer matches what that JDK's own call does. Rust
/// callers get [`Contract::LATEST`] from the functions without a contract argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contract {
    /// `transfer_from` at a position past the end of the target writes there and grows the
    /// file (JDK 21+, JDK-8303260); else it moves nothing (JDK 17).
    pub grow_past_end: bool,
    /// A source file that reports size 0 (`/proc`, devices) is read through a buffer until
    /// `count` or its end (JDK 21+); else it gives nothing (JDK 17, which trusts the size).
    pub read_empty_files: bool,
}

impl Contract {
    pub const JDK17: Contract = Contract { grow_past_end: false, read_empty_files: false };
    pub const LATEST: Contract = Contract { grow_past_end: true, read_empty_files: true };
}

/// Sends up to `count` bytes of the file `source` from `position` to `target`, like
/// `FileChannel.transferTo`: the source's file offset is unchanged; a file target is written
/// at its own offset, which advances.
pub fn transfer_to(
    source: &Endpoint,
    position: u64,
    count: u64,
    target: &Endpoint,
) -> Result<Transferred> {
    transfer_to_as(&Contract::LATEST, source, position, count, target)
}

/// [`transfer_to`] under the given contract.
pub fn transfer_to_as(
    contract: &Contract,
    source: &Endpoint,
    position: u64,
    count: u64,
    target: &Endpoint,
) -> Result<Transferred> {
    transfer_file(contract, &mut Ends::new(source, target), position, count)
}

fn transfer_file(
    contract: &Contract,
    ends: &mut Ends,
    position: u64,
    count: u64,
) -> Result<Transferred> {
    let target = ends.target;
    let chain: &[Path] = match target.kind {
        Kind::Socket => &[Path::Sendfile, Path::Buffered],
        Kind::Pipe => &[Path::Splice, Path::Sendfile, Path::Buffered],
        Kind::File if target.append => &[Path::Buffered],
        Kind::File if Capabilities::get().copy_file_range => {
            &[Path::CopyFileRange, Path::Sendfile, Path::Buffered]
        }
        Kind::File => &[Path::Sendfile, Path::Buffered],
    };
    // As the JDK: the size first. Nothing moves from past the end, and the transfer stops at
    // the end as it was then, even if the file grows meanwhile. A file that reports size 0
    // (/proc, a device) may hold bytes all the same: JDK 21+ reads it through a buffer until
    // `count` or its end, JDK 17 trusts the size.
    let size = file_size(ends.source())?;
    if position > size || count == 0 {
        return Ok(Transferred::done(0, chain[0]));
    }
    let (chain, end) = match size {
        0 if contract.read_empty_files => (&[Path::Buffered][..], u64::MAX),
        0 => return Ok(Transferred::done(0, chain[0])),
        _ => (chain, size),
    };
    let count = count.min(end - position);
    if target.is_stream() {
        io::block_sigpipe();
    }
    first_that_works(chain, count, |path| {
        let mut offset = position as i64;
        let mut moved = 0;
        let result = pump(
            ends,
            count,
            per_call(path),
            &[(Side::Target, libc::POLLOUT)],
            &mut moved,
            |e, want| {
                let (source, target) = (e.source(), e.target());
                match path {
                    Path::Sendfile => io::sendfile(target, source, &mut offset, want),
                    Path::Splice => io::splice(source, Some(&mut offset), target, None, want),
                    Path::CopyFileRange => {
                        io::copy_file_range(source, Some(&mut offset), target, None, want)
                    }
                    Path::Buffered => buffered_from_file(source, &mut offset, target, want),
                }
            },
        );
        finish(&target, result, moved)
    })
}

/// Receives up to `count` bytes from `source` into the file `target` at `position`, like
/// `FileChannel.transferFrom`: `target`'s offset is unchanged; a file source is read at its own
/// offset, which advances by what reached the target.
pub fn transfer_from(
    source: &Endpoint,
    target: &Endpoint,
    position: u64,
    count: u64,
) -> Result<Transferred> {
    transfer_from_as(&Contract::LATEST, source, target, position, count)
}

/// [`transfer_from`] under the given contract.
pub fn transfer_from_as(
    contract: &Contract,
    source: &Endpoint,
    target: &Endpoint,
    position: u64,
    count: u64,
) -> Result<Transferred> {
    let zero_copy = match source.kind {
        Kind::File if Capabilities::get().copy_file_range => Some(Path::CopyFileRange),
        Kind::File => None,
        Kind::Socket | Kind::Pipe => Some(Path::Splice),
    };
    let chain: &[Path] = match zero_copy {
        Some(Path::CopyFileRange) if !target.append => &[Path::CopyFileRange, Path::Buffered],
        Some(Path::Splice) if !target.append => &[Path::Splice, Path::Buffered],
        _ => &[Path::Buffered],
    };
    if !contract.grow_past_end && is_past_end(target.fd, position)? {
        return Ok(Transferred::done(0, chain[0]));
    }
    // JDK 17 trusts a source file's size: it reads no further than its end, so a file that
    // reports size 0 (/proc, a device) gives nothing.
    let count = match source.kind {
        Kind::File if !contract.read_empty_files => {
            let end = io::fstat(source.fd)?.st_size as u64;
            count.min(end.saturating_sub(io::seek(source.fd, 0, libc::SEEK_CUR)?))
        }
        _ => count,
    };
    let ends = &mut Ends::new(source, target);
    first_that_works(chain, count, |path| {
        let mut offset = position as i64;
        let mut moved = 0;
        let result = if path == Path::Splice && source.kind == Kind::Socket {
            through_pipe(ends, count, &mut moved, |ends, pipe, n, delivered| {
                drain_pipe(ends, pipe, n, Some(&mut offset), delivered)
            })
        } else {
            let waits = [(Side::Source, libc::POLLIN)];
            pump(ends, count, per_call(path), &waits, &mut moved, |e, want| {
                let (source, target) = (e.source(), e.target());
                match path {
                    Path::Splice => io::splice(source, None, target, Some(&mut offset), want),
                    Path::CopyFileRange => {
                        io::copy_file_range(source, None, target, Some(&mut offset), want)
                    }
                    _ => buffered_into_file(&e.source, target, &mut offset, want),
                }
            })
        };
        finish(target, result, moved)
    })
}

/// Moves up to `count` bytes from a socket or pipe to a socket or pipe: a proxy's inner loop.
///
/// A blocking source is read until `count` bytes or end of stream; a non-blocking one until
/// it has nothing more, or a non-blocking target takes nothing more. Between two sockets the
/// bytes pass through this thread's pipe, and bytes taken from the source are always
/// delivered before the call returns: a non-blocking target that fills up is waited for until
/// the pipe is empty again (at most one pipe's worth).
pub fn relay(source: &Endpoint, target: &Endpoint, count: u64) -> Result<Transferred> {
    if !source.is_stream() || !target.is_stream() {
        return Err(Error::new("splice", libc::EINVAL).with_context(
            "relay moves between sockets and pipes; transfer_to and transfer_from take files",
        ));
    }
    io::block_sigpipe();
    let ends = &mut Ends::new(source, target);
    let mut moved = 0;
    let result = if source.kind == Kind::Socket && target.kind == Kind::Socket {
        through_pipe(ends, count, &mut moved, |ends, pipe, n, delivered| {
            drain_pipe(ends, pipe, n, None, delivered)
        })
    } else {
        // One end is a pipe: splice moves between them directly.
        let waits = [(Side::Source, libc::POLLIN), (Side::Target, libc::POLLOUT)];
        pump(ends, count, per_call(Path::Splice), &waits, &mut moved, |e, want| {
            io::splice(e.source(), None, e.target(), None, want)
        })
    };
    finish(target, result, moved).map(|p| p.by(Path::Splice))
}

/// Sends `header` and then up to `count` bytes of the file `source` from `position`, as one
/// response. On a TCP socket the header goes with MSG_MORE, so that it leaves in the same
/// packets as the start of the file rather than alone. Returns the header bytes sent and the
/// file transfer; no file byte is sent before the whole header, so a non-blocking target that
/// fills up during the header returns fewer header bytes and no file bytes.
pub fn transfer_to_with_header(
    header: &[u8],
    source: &Endpoint,
    position: u64,
    count: u64,
    target: &Endpoint,
) -> Result<(usize, Transferred)> {
    transfer_to_with_header_as(&Contract::LATEST, header, source, position, count, target)
}

/// [`transfer_to_with_header`] under the given contract.
pub fn transfer_to_with_header_as(
    contract: &Contract,
    header: &[u8],
    source: &Endpoint,
    position: u64,
    count: u64,
    target: &Endpoint,
) -> Result<(usize, Transferred)> {
    if target.is_stream() {
        io::block_sigpipe();
    }
    let ends = &mut Ends::new(source, target);
    let more = if count > 0 { libc::MSG_MORE } else { 0 };
    let mut sent = 0u64;
    let waits = [(Side::Target, libc::POLLOUT)];
    let result = pump(ends, header.len() as u64, u64::MAX, &waits, &mut sent, |e, left| {
        let rest = &header[header.len() - left as usize..];
        match target.kind {
            Kind::Socket => io::send(e.target(), rest, more),
            _ => io::write(e.target(), rest),
        }
    });
    let head = finish(target, result, sent)?;
    let sent = head.bytes as usize;
    if sent < header.len() || count == 0 {
        let no_file = Progress { bytes: 0, blocked_on: head.blocked_on };
        return Ok((sent, no_file.by(Path::Sendfile)));
    }
    let file = match transfer_file(contract, ends, position, count) {
        Ok(file) => file,
        Err(_) if sent > 0 => Transferred::done(0, Path::Sendfile), // comes back next call
        Err(e) => return Err(e),
    };
    if file.bytes == 0 && target.kind == Kind::Socket {
        io::push_tcp(ends.target()); // nothing followed (end of file, or full): uncork the header
    }
    Ok((sent, file))
}

/// Whether `position` lies past the end of the file `fd`: there `transfer_from` moves nothing.
pub fn is_past_end(fd: BorrowedFd, position: u64) -> Result<bool> {
    // No file is shorter than 0 bytes: the most common position costs no fstat.
    Ok(position > 0 && position > file_size(fd)?)
}

/// The size of the file `fd`, as `FileChannel.size()` reads it.
pub fn file_size(fd: BorrowedFd) -> Result<u64> {
    Ok(io::fstat(fd)?.st_size as u64)
}

/// Data segments a TCP socket has sent (TCP_INFO): shows whether a header and a body left
/// together.
pub use crate::sys::io::tcp_data_segments_out;

/// Closes this thread's transfer pipe, if it has one; the next transfer that needs it opens a
/// new one. It is also closed when the thread ends.
pub fn release_thread_pipe() {
    THREAD_PIPE.with(|p| p.borrow_mut().take());
}

/// The size asked for the per-thread pipe; the kernel's limits may grant less.
const THREAD_PIPE_SIZE: u64 = 1 << 20;

/// The buffer of the buffered fallback.
const BUFFER_SIZE: usize = 128 * 1024;

thread_local! {
    /// The pipe that socket data passes through on its way to a file or socket. Empty between
    /// calls: a call that cannot empty it drops it.
    static THREAD_PIPE: RefCell<Option<Pipe>> = const { RefCell::new(None) };
    /// The buffer of the buffered fallback, allocated at its first use.
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The two ends of one transfer.
struct Ends<'a> {
    source: Endpoint<'a>,
    target: Endpoint<'a>,
}

impl<'a> Ends<'a> {
    fn new(source: &Endpoint<'a>, target: &Endpoint<'a>) -> Ends<'a> {
        Ends { source: *source, target: *target }
    }

    fn source(&self) -> BorrowedFd<'a> {
        self.source.fd
    }

    fn target(&self) -> BorrowedFd<'a> {
        self.target.fd
    }

    fn end(&self, side: Side) -> Endpoint<'a> {
        match side {
            Side::Source => self.source,
            Side::Target => self.target,
        }
    }

    /// After EINTR or a while of waiting: fails with EBADF when an owner has closed its
    /// channel meanwhile (its close is what signalled this thread).
    fn check_open(&self) -> Result<()> {
        self.check_open_of(&[Side::Source, Side::Target])
    }

    /// [`check_open`](Self::check_open) of some ends only.
    fn check_open_of(&self, sides: &[Side]) -> Result<()> {
        let closed =
            sides.iter().any(|&side| self.end(side).still_open.is_some_and(|open| !open()));
        if closed {
            return Err(Error::new("transfer", libc::EBADF)
                .with_context("a channel was closed by another thread during the transfer"));
        }
        Ok(())
    }
}

/// What one path of a transfer did: the bytes it moved, and the end that stopped it early.
struct Progress {
    bytes: u64,
    blocked_on: Option<Side>,
}

impl Progress {
    fn by(self, path: Path) -> Transferred {
        Transferred { bytes: self.bytes, path, blocked_on: self.blocked_on }
    }
}

/// Tries each path in turn while the kernel refuses it before any byte moved.
fn first_that_works(
    chain: &[Path],
    count: u64,
    mut attempt: impl FnMut(Path) -> Result<Progress>,
) -> Result<Transferred> {
    if count == 0 {
        return Ok(Transferred::done(0, chain[0]));
    }
    let (last, fallbacks) = chain.split_last().expect("a chain has a path");
    for &path in fallbacks {
        match attempt(path) {
            Ok(progress) => return Ok(progress.by(path)),
            Err(e) if is_unsupported(&e) => continue,
            Err(e) => return Err(e),
        }
    }
    attempt(*last).map(|progress| progress.by(*last))
}

/// Errors after which another path may work.
fn is_unsupported(e: &Error) -> bool {
    matches!(e.errno, libc::EINVAL | libc::ENOSYS | libc::EXDEV | libc::EPERM | libc::EOPNOTSUPP)
}

/// The most bytes one call of a path moves.
fn per_call(path: Path) -> u64 {
    match path {
        Path::Buffered => BUFFER_SIZE as u64,
        _ => MAX_CHUNK,
    }
}

/// Repeats `call` (which moves at most its argument in bytes, and at most `per_call`) until
/// `count` bytes moved (counted in `moved`), a call moves nothing (end of file), or an end in
/// `waits` that would block is not to be waited for: that end is returned. EINTR is retried
/// while the channels are open.
fn pump(
    ends: &mut Ends,
    count: u64,
    per_call: u64,
    waits: &[(Side, libc::c_short)],
    moved: &mut u64,
    mut call: impl FnMut(&Ends, u64) -> Result<usize>,
) -> Result<Option<Side>> {
    let all_wait = waits.iter().all(|&(side, _)| {
        let end = ends.end(side);
        end.blocking || !end.is_stream()
    });
    while *moved < count {
        let want = count - *moved;
        match call(ends, want) {
            Ok(0) => break,
            Ok(n) => {
                *moved += n as u64;
                // A short count from a non-blocking stream means it is full (or empty): asking
                // again would only answer EAGAIN.
                if !all_wait && (n as u64) < want.min(per_call) {
                    return Ok(Some(stalled_end(ends, waits)));
                }
            }
            Err(e) if e.errno == libc::EINTR => ends.check_open()?,
            Err(e) if e.errno == libc::EAGAIN => {
                if let Some(side) = wait_until_ready(ends, waits)? {
                    return Ok(Some(side));
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}

/// After a short count: the non-blocking stream of `waits` that is not ready now (the first
/// non-blocking one if both look ready again).
fn stalled_end(ends: &Ends, waits: &[(Side, libc::c_short)]) -> Side {
    let non_blocking = || {
        waits.iter().filter(|&&(side, _)| !ends.end(side).blocking && ends.end(side).is_stream())
    };
    non_blocking()
        .find(|&&(side, events)| {
            !io::poll(ends.end(side).fd, events, Duration::ZERO).unwrap_or(true)
        })
        .or_else(|| non_blocking().next())
        .map_or(waits[0].0, |&(side, _)| side)
}

/// How long one wait lasts before the transfer asks whether its channels are still open. A
/// close by another thread signals blocked threads, but not a non-blocking channel's user.
const WAIT_SLICE: Duration = Duration::from_millis(50);

/// After EAGAIN: finds the end that is not ready. Waits for it and returns None (try again) if
/// it is blocking, returns that end (stop) if it is not.
fn wait_until_ready(ends: &Ends, waits: &[(Side, libc::c_short)]) -> Result<Option<Side>> {
    for &(side, events) in waits {
        let end = ends.end(side);
        if !io::poll(end.fd, events, Duration::ZERO)? {
            if !end.blocking {
                return Ok(Some(side));
            }
            wait_for(ends, &[Side::Source, Side::Target], end.fd, events)?;
            return Ok(None);
        }
    }
    // Every end looks ready, yet the call would block (a pipe short of a whole free slot, TCP
    // memory pressure): pause a little rather than spin at full speed (netty#12123).
    std::thread::sleep(Duration::from_micros(50));
    ends.check_open()?;
    Ok(None)
}

/// Waits until `fd` is ready for `events`, checking between slices that the channels of
/// `sides` are open.
fn wait_for(ends: &Ends, sides: &[Side], fd: BorrowedFd, events: libc::c_short) -> Result<()> {
    loop {
        match io::poll(fd, events, WAIT_SLICE) {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(e) if e.errno == libc::EINTR => {}
            Err(e) => return Err(e),
        }
        ends.check_open_of(sides)?;
    }
}

/// What a path achieved, given how its loop ended. An error after some bytes were delivered
/// gives those bytes (the error comes back at the next call), unless it lost bytes taken from
/// a stream: then it is returned, its count of bytes written raised by the `moved` of earlier
/// rounds. The SIGPIPE of a broken pipe, pending because it is blocked, is consumed.
fn finish(target: &Endpoint, result: Result<Option<Side>>, moved: u64) -> Result<Progress> {
    match result {
        Ok(blocked_on) => Ok(Progress { bytes: moved, blocked_on }),
        Err(mut e) => {
            if e.errno == libc::EPIPE && target.is_stream() {
                io::discard_pending_sigpipe();
            }
            if let Some(incomplete) = &mut e.incomplete {
                incomplete.transferred += moved;
                Err(e)
            } else if moved > 0 {
                Ok(Progress { bytes: moved, blocked_on: None })
            } else {
                Err(e)
            }
        }
    }
}

/// Splices the source stream into this thread's pipe, one batch at a time, and has `deliver`
/// empty the pipe after each (counting what it delivered in its last argument). Counts
/// delivered bytes in `moved`. A failed delivery loses the rest of its batch: the error says
/// so, and the pipe, which may still hold bytes, is closed.
fn through_pipe(
    ends: &mut Ends,
    count: u64,
    moved: &mut u64,
    mut deliver: impl FnMut(&mut Ends, &Pipe, u64, &mut u64) -> Result<()>,
) -> Result<Option<Side>> {
    THREAD_PIPE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(Pipe::new(THREAD_PIPE_SIZE)?);
        }
        let pipe = slot.as_ref().expect("created above");
        let blocking = ends.source.blocking;
        while *moved < count {
            let want = (count - *moved).min(pipe.capacity);
            let taken = match io::splice(ends.source(), None, pipe.write.as_fd(), None, want) {
                Ok(0) => break, // end of stream
                Ok(n) => n as u64,
                Err(e) if e.errno == libc::EINTR => {
                    ends.check_open()?;
                    continue;
                }
                Err(e) if e.errno == libc::EAGAIN => {
                    match wait_until_ready(ends, &[(Side::Source, libc::POLLIN)])? {
                        None => continue,
                        blocked => return Ok(blocked),
                    }
                }
                Err(e) => return Err(e),
            };
            let mut delivered = 0;
            if let Err(e) = deliver(ends, pipe, taken, &mut delivered) {
                *slot = None;
                return Err(e.incomplete(delivered, taken - delivered));
            }
            *moved += taken;
            if !blocking && taken < want {
                return Ok(Some(Side::Source)); // a non-blocking source had no more
            }
        }
        Ok(None)
    })
}

/// Moves `n` bytes out of the pipe into the target (at `offset` for a file), counting them in
/// `delivered`. The bytes are out of their source already, so a full target is waited for
/// whatever its mode, a closed source does not stop them (only a closed target does), and a
/// file that refuses splice gets them through read and write.
fn drain_pipe(
    ends: &mut Ends,
    pipe: &Pipe,
    n: u64,
    mut offset: Option<&mut i64>,
    delivered: &mut u64,
) -> Result<()> {
    let mut piece = n;
    while *delivered < n {
        let left = (n - *delivered).min(piece);
        match io::splice(pipe.read.as_fd(), None, ends.target(), offset.as_deref_mut(), left) {
            Err(e) if may_fit_smaller(&e, left as usize) => piece = left / 2,
            Ok(0) => {
                return Err(Error::new("splice", libc::EIO).with_context("the target took nothing"))
            }
            Ok(m) => *delivered += m as u64,
            Err(e) if e.errno == libc::EINTR => ends.check_open_of(&[Side::Target])?,
            Err(e) if e.errno == libc::EAGAIN => {
                wait_for(ends, &[Side::Target], ends.target(), libc::POLLOUT)?
            }
            Err(e) if is_unsupported(&e) && ends.target.kind == Kind::File => {
                let Some(offset) = offset.as_deref_mut() else { return Err(e) };
                let pipe_end = Endpoint {
                    fd: pipe.read.as_fd(),
                    kind: Kind::Pipe,
                    blocking: false,
                    append: false,
                    still_open: None,
                };
                while *delivered < n {
                    let left = n - *delivered;
                    match buffered_into_file(&pipe_end, ends.target(), offset, left) {
                        Ok(m) => *delivered += m as u64,
                        Err(mut e) => {
                            // The caller counts the loss of the whole batch.
                            *delivered += e.incomplete.take().map_or(0, |i| i.transferred);
                            return Err(e);
                        }
                    }
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// One round of the buffered fallback from a file at `offset` to a descriptor: pread, then
/// write all of it. A non-blocking target may take less; the rest is read again next time,
/// and so is the rest after a failed write (the error comes back then).
fn buffered_from_file(
    source: BorrowedFd,
    offset: &mut i64,
    target: BorrowedFd,
    want: u64,
) -> Result<usize> {
    with_buffer(want, |buf| {
        let read = io::pread(source, buf, *offset)?;
        let mut written = 0;
        let mut piece = read;
        while written < read {
            let end = read.min(written + piece);
            match io::write(target, &buf[written..end]) {
                Ok(n) => written += n,
                Err(e) if e.errno == libc::EINTR => {}
                Err(e) if may_fit_smaller(&e, end - written) => piece = (end - written) / 2,
                Err(_) if written > 0 => break,
                Err(e) => return Err(e),
            }
        }
        *offset += written as i64;
        Ok(written)
    })
}

/// One round of the buffered fallback from `source`, read at its own offset, to a file at
/// `offset`. Bytes read but not written go back to a file source (its offset is moved back);
/// from a stream they are lost, and the error says how many.
fn buffered_into_file(
    source: &Endpoint,
    target: BorrowedFd,
    offset: &mut i64,
    want: u64,
) -> Result<usize> {
    with_buffer(want, |buf| {
        let read = io::read(source.fd, buf)?;
        let mut written = 0;
        let mut piece = read;
        while written < read {
            let end = read.min(written + piece);
            match io::pwrite(target, &buf[written..end], *offset) {
                Ok(n) => {
                    written += n;
                    *offset += n as i64;
                }
                Err(e) if e.errno == libc::EINTR => {}
                Err(e) if may_fit_smaller(&e, end - written) => piece = (end - written) / 2,
                Err(e) if source.is_stream() => {
                    return Err(e.incomplete(written as u64, (read - written) as u64))
                }
                Err(e) => {
                    io::seek(source.fd, -((read - written) as i64), libc::SEEK_CUR)?;
                    return if written > 0 { Ok(written) } else { Err(e) };
                }
            }
        }
        Ok(read)
    })
}

/// Whether a write of `len` bytes that failed with `e` should be tried again with half as
/// many: a nearly full file system (ext4) refuses a whole write that it could partly take, so
/// a full one is halved down to one page before it fails.
fn may_fit_smaller(e: &Error, len: usize) -> bool {
    matches!(e.errno, libc::ENOSPC | libc::EDQUOT) && len >= 2 * crate::sys::page_size()
}

/// Runs `f` with this thread's fallback buffer, cut to at most `want` bytes.
fn with_buffer<T>(want: u64, f: impl FnOnce(&mut [u8]) -> Result<T>) -> Result<T> {
    BUFFER.with(|cell| {
        let mut buf = cell.borrow_mut();
        if buf.is_empty() {
            buf.resize(BUFFER_SIZE, 0);
        }
        let len = want.min(BUFFER_SIZE as u64) as usize;
        f(&mut buf[..len])
    })
}
