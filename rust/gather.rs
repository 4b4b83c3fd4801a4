//! Gather transfers: many memory slices and file ranges (from any number of files) sent in
//! order to a socket or pipe in one call, in as few packets as the data allows.
//!
//! Where the file ranges are small (8 KiB or less on average), a TCP socket is corked
//! (TCP_CORK) for the call and uncorked after its last byte, so that headers and ranges share
//! full segments instead of a packet each; otherwise each run of buffers goes with MSG_MORE, and
//! leaves with the start of the range after it. Consecutive memory slices go in one
//! `sendmsg` (`writev` into a pipe), file ranges with `sendfile` (sockets) or
//! `splice` (pipes), at their own positions: no file offset changes. A non-blocking target
//! takes what the kernel takes now; the returned [`Cursor`] says exactly where the next call
//! resumes. An error after progress returns the progress (the error comes back at the next
//! call), as the single transfers do.

use std::io::IoSlice;
use std::os::fd::BorrowedFd;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::sys::io;
use crate::transfer::{Endpoint, Kind};

/// One part of a gather.
#[derive(Clone, Copy, Debug)]
pub enum Part<'a> {
    Memory(&'a [u8]),
    /// `count` bytes of the file `fd` from `position` (fewer if the file ends first).
    File {
        fd: BorrowedFd<'a>,
        position: u64,
        count: u64,
    },
}

impl Part<'_> {
    fn len(&self) -> u64 {
        match self {
            Part::Memory(bytes) => bytes.len() as u64,
            Part::File { count, .. } => *count,
        }
    }
}

/// Where a gather stands: the part, and the bytes of it already sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    pub part: usize,
    pub offset: u64,
}

/// What one call sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Gathered {
    /// All bytes sent by this call.
    pub bytes: u64,
    /// Of those, bytes of file ranges.
    pub file_bytes: u64,
    /// Where the next call starts; `part == parts.len()` when all was sent.
    pub cursor: Cursor,
    /// A non-blocking target took no more: call again when it is writable.
    pub blocked: bool,
    /// File ranges that ended early because their file did (the rest of them was skipped).
    pub short_ranges: u32,
}

/// How long a wait for a blocking target lasts before the owners are asked whether it is
/// still open (a close of a descriptor that another thread polls does not wake the poll).
const WAIT_SLICE: Duration = Duration::from_millis(50);

/// Sends `parts` from `from` on to `target` (a socket or a pipe), in order.
pub fn gather(parts: &[Part], target: &Endpoint, from: Cursor) -> Result<Gathered> {
    if target.kind == Kind::File {
        return Err(Error::new("gather", libc::EINVAL)
            .with_context("a gather sends to a socket or a pipe; files take transfer_to"));
    }
    io::block_sigpipe();
    let corked =
        target.kind == Kind::Socket && small_ranges(&parts[from.part..]) && io::cork_tcp(target.fd);
    let mut done = Gathered { cursor: from, ..Gathered::default() };
    let result = send_parts(parts, target, &mut done);
    if corked {
        io::uncork_tcp(target.fd);
    }
    match result {
        Ok(()) => Ok(done),
        Err(e) => {
            if e.errno == libc::EPIPE {
                io::discard_pending_sigpipe();
            }
            if done.bytes > 0 {
                Ok(done) // the error comes back at the next call
            } else {
                Err(e)
            }
        }
    }
}

/// File ranges of 8 KiB or less on average: worth corking the socket for the call, so that
/// headers and small ranges share full segments. Larger ranges fill their segments anyway, and
/// measured on loopback, corking them cost throughput (it holds every partial segment back);
/// their buffers go with MSG_MORE, which sends each with the start of the range after it.
fn small_ranges(parts: &[Part]) -> bool {
    let (ranges, bytes) = parts.iter().fold((0u64, 0u64), |(n, b), part| match part {
        Part::File { count, .. } => (n + 1, b + count),
        Part::Memory(_) => (n, b),
    });
    ranges > 0 && bytes / ranges <= SMALL_RANGE
}

const SMALL_RANGE: u64 = 8 << 10;

fn send_parts(parts: &[Part], target: &Endpoint, done: &mut Gathered) -> Result<()> {
    let mut slices: Vec<IoSlice> = Vec::new();
    loop {
        let cursor = &mut done.cursor;
        // Skip what is complete (empty parts included).
        while cursor.part < parts.len() && cursor.offset >= parts[cursor.part].len() {
            cursor.part += 1;
            cursor.offset = 0;
        }
        if cursor.part == parts.len() {
            return Ok(());
        }
        let sent = match parts[cursor.part] {
            Part::Memory(_) => {
                slices.clear();
                let mut last = cursor.part;
                for (i, part) in parts[cursor.part..].iter().enumerate() {
                    let Part::Memory(bytes) = part else { break };
                    let skip = if i == 0 { cursor.offset as usize } else { 0 };
                    slices.push(IoSlice::new(&bytes[skip..]));
                    last = cursor.part + i;
                    if slices.len() == io::IOV_MAX {
                        break;
                    }
                }
                if target.kind == Kind::Socket {
                    // More follows: the buffers wait to leave with the start of the next part.
                    let more = if last + 1 < parts.len() { libc::MSG_MORE } else { 0 };
                    io::sendmsg(target.fd, &slices, more)
                } else {
                    io::writev(target.fd, &slices)
                }
            }
            Part::File { fd, position, count } => {
                let mut offset = (position + cursor.offset) as i64;
                let left = count - cursor.offset;
                match target.kind {
                    Kind::Pipe => io::splice(fd, Some(&mut offset), target.fd, None, left),
                    _ => io::sendfile(target.fd, fd, &mut offset, left),
                }
            }
        };
        match sent {
            Ok(0) if matches!(parts[cursor.part], Part::File { .. }) => {
                done.short_ranges += 1; // the file ends before the range: skip its rest
                cursor.part += 1;
                cursor.offset = 0;
            }
            Ok(n) => advance(parts, done, n as u64),
            Err(e) if e.errno == libc::EINTR => check_open(target)?,
            Err(e) if e.errno == libc::EAGAIN && target.blocking => wait_writable(target)?,
            Err(e) if e.errno == libc::EAGAIN => {
                done.blocked = true;
                return Ok(());
            }
            Err(e) => return Err(e),
        }
    }
}

/// Moves the cursor on by `n` bytes sent, across as many parts as they cover.
fn advance(parts: &[Part], done: &mut Gathered, mut n: u64) {
    done.bytes += n;
    while n > 0 {
        let cursor = &mut done.cursor;
        let part = parts[cursor.part];
        let step = n.min(part.len() - cursor.offset);
        if matches!(part, Part::File { .. }) {
            done.file_bytes += step;
        }
        cursor.offset += step;
        n -= step;
        if cursor.offset == part.len() {
            cursor.part += 1;
            cursor.offset = 0;
        }
    }
}

/// Waits until a blocking target whose descriptor is non-blocking can take more.
fn wait_writable(target: &Endpoint) -> Result<()> {
    while !io::poll(target.fd, libc::POLLOUT, WAIT_SLICE)? {
        check_open(target)?;
    }
    Ok(())
}

fn check_open(target: &Endpoint) -> Result<()> {
    if target.still_open.is_some_and(|open| !open()) {
        return Err(Error::new("gather", libc::EBADF)
            .with_context("the target was closed by another thread during the gather"));
    }
    Ok(())
}
