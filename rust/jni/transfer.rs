//! Natives of `io.zerocopy.internal.TransferNatives`: the JDK's argument checks, in the order
//! of the running JDK (whose feature version, `jdk`, each call passes), then the core's
//! transfer under that JDK's [`Contract`]. The result packs the bytes moved, the path and the
//! end that would block (see [`packed`]); [`NOT_DIRECT`] tells Java that a channel has no
//! descriptor, and that it must copy through a buffer itself.

use std::cell::RefCell;
use std::os::fd::{BorrowedFd, RawFd};

use ::jni::objects::{JByteArray, JByteBuffer, JClass, JObject};
use ::jni::sys::{jboolean, jint, jlong};
use ::jni::{Env, EnvUnowned};

use super::channels::{self, Channel};
use super::errors::{run, BridgeError, BridgeResult};
use crate::transfer::{self, Contract, Endpoint, Kind, Path, Side, Transferred};

/// "Copy in Java": some channel is not backed by a descriptor we can read.
const NOT_DIRECT: jlong = -1;

/// Bytes in the high bits; then the end that would block (0 none, 1 the source, 2 the target);
/// then in the low two the path's ordinal (that of `io.zerocopy.TransferPath`).
fn packed(t: Transferred) -> jlong {
    let path = match t.path {
        Path::Sendfile => 0,
        Path::Splice => 1,
        Path::CopyFileRange => 2,
        Path::Buffered => 3,
    };
    let blocked = match t.blocked_on {
        None => 0,
        Some(Side::Source) => 1,
        Some(Side::Target) => 2,
    };
    ((t.bytes as jlong) << 4) | (blocked << 2) | path
}

/// What the `FileChannel` of JDK `jdk` (a feature version: 17, 21, 25) does where JDKs differ.
fn contract(jdk: jint) -> Contract {
    if jdk < 21 {
        Contract::JDK17
    } else {
        Contract::LATEST
    }
}

/// Whether the JDK would have thrown NotYetConnectedException for this `transferTo` into a
/// socket that is not connected: JDK 22+ checks before its direct path into a non-empty file's
/// range, and JDK 21+ writes an empty-sized file's bytes through the channel, which checks.
/// Asked only when a transfer into a socket moved nothing or failed (sendfile's EPIPE), so
/// that a transfer that works pays nothing for it.
fn not_yet_connected(
    env: &mut Env,
    target: &JObject,
    (from, to): (Described, Described),
    position: jlong,
    count: jlong,
    jdk: jint,
) -> BridgeResult<bool> {
    if to.kind != Kind::Socket || channels::is_connected(env, target)? {
        return Ok(false);
    }
    // Safety: the number of an open channel that Java registered this thread with.
    let size = transfer::file_size(unsafe { BorrowedFd::borrow_raw(from.fd) })?;
    let position = position as u64;
    Ok(position <= size && (if size > 0 { jdk >= 22 } else { jdk >= 21 && count > 0 }))
}

/// [`not_yet_connected`] applied to a transfer's result.
fn unless_not_yet_connected(
    env: &mut Env,
    result: crate::Result<Transferred>,
    target: &JObject,
    ends: (Described, Described),
    (position, count, jdk): (jlong, jlong, jint),
) -> BridgeResult<Transferred> {
    let moved_nothing = result.as_ref().map_or(true, |t| t.bytes == 0);
    if moved_nothing && not_yet_connected(env, target, ends, position, count, jdk)? {
        return Err(BridgeError::exception("java/nio/channels/NotYetConnectedException"));
    }
    Ok(result?)
}

fn check_non_negative(position: jlong, count: jlong) -> BridgeResult<()> {
    if position < 0 {
        return Err(BridgeError::illegal_argument(format!("negative position: {position}")));
    }
    if count < 0 {
        return Err(BridgeError::illegal_argument(format!("negative count: {count}")));
    }
    Ok(())
}

/// A channel as the core sees it; None for a channel without a descriptor.
#[derive(Clone, Copy)]
struct Described {
    fd: RawFd,
    kind: Kind,
    append: bool,
}

fn describe(channel: Channel) -> BridgeResult<Option<Described>> {
    let (fd, kind, append) = match channel {
        Channel::File { fd, append, .. } => (fd, Kind::File, append),
        Channel::Socket { fd } => (fd, Kind::Socket, false),
        Channel::Pipe { fd } => (fd, Kind::Pipe, false),
        Channel::Other => return Ok(None),
    };
    if fd < 0 {
        return Err(BridgeError::closed_channel()); // closed since Java looked
    }
    Ok(Some(Described { fd, kind, append }))
}

/// Answers the core's "still open?" about the channels of one call, through `isOpen()`.
pub(crate) struct Owners<'e, 'local> {
    env: RefCell<&'e mut Env<'local>>,
}

impl<'e, 'local> Owners<'e, 'local> {
    pub(crate) fn new(env: &'e mut Env<'local>) -> Self {
        Owners { env: RefCell::new(env) }
    }

    /// A failed call counts as closed: the transfer stops, and a pending Java exception wins.
    pub(crate) fn is_open(&self, channel: &JObject) -> bool {
        channels::is_open(&mut self.env.borrow_mut(), channel).unwrap_or(false)
    }
}

/// The core's endpoint for a described channel whose owner answers `still_open`.
fn endpoint<'a>(d: Described, blocking: bool, still_open: &'a dyn Fn() -> bool) -> Endpoint<'a> {
    Endpoint {
        // Safety: the channel is open (Java and `describe` checked), and Java registered this
        // thread with it (JdkChannels): the JDK does not close a registered thread's descriptor,
        // so its number cannot be reused, before the transfer has returned.
        fd: unsafe { BorrowedFd::borrow_raw(d.fd) },
        kind: d.kind,
        blocking,
        append: d.append,
        still_open: Some(still_open),
    }
}

/// Classifies the source and target of `FileChannel.transferTo` and checks them in the JDK's
/// order: readable source, writable file target, non-negative arguments. None when one of
/// them has no descriptor.
fn transfer_to_ends(
    env: &mut Env,
    source: &JObject,
    position: jlong,
    count: jlong,
    target: &JObject,
) -> BridgeResult<Option<(Described, Described)>> {
    let source = channels::classify(env, source)?;
    let target = channels::classify(env, target)?;
    if let Channel::File { readable: false, .. } = source {
        return Err(BridgeError::non_readable());
    }
    if let Channel::File { writable: false, .. } = target {
        return Err(BridgeError::non_writable());
    }
    check_non_negative(position, count)?;
    if !matches!(source, Channel::File { .. }) {
        return Ok(None);
    }
    Ok(describe(source)?.zip(describe(target)?))
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zerocopy_internal_TransferNatives_transferTo<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
    source: JObject<'local>,
    position: jlong,
    count: jlong,
    target: JObject<'local>,
    target_blocking: jboolean,
    jdk: jint,
) -> jlong {
    run(unowned, |env| {
        let Some((from, to)) = transfer_to_ends(env, &source, position, count, &target)? else {
            return Ok(NOT_DIRECT);
        };
        let owners = Owners::new(env);
        let (source_open, target_open) = (|| owners.is_open(&source), || owners.is_open(&target));
        let moved = transfer::transfer_to_as(
            &contract(jdk),
            &endpoint(from, true, &source_open),
            position as u64,
            count as u64,
            &endpoint(to, target_blocking, &target_open),
        );
        let moved =
            unless_not_yet_connected(env, moved, &target, (from, to), (position, count, jdk))?;
        Ok(packed(moved))
    })
}

#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)] // the Java signature
pub extern "system" fn Java_io_zerocopy_internal_TransferNatives_transferToWithHeader<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
    direct_header: JByteBuffer<'local>,
    heap_header: JByteArray<'local>,
    header_offset: jint,
    header_length: jint,
    source: JObject<'local>,
    position: jlong,
    count: jlong,
    target: JObject<'local>,
    target_blocking: jboolean,
    jdk: jint,
) -> jlong {
    run(unowned, |env| {
        let Some((from, to)) = transfer_to_ends(env, &source, position, count, &target)? else {
            return Ok(NOT_DIRECT);
        };
        let copy;
        let header: &[u8] = if !direct_header.is_null() {
            let base = env.get_direct_buffer_address(&direct_header)?;
            // Safety: Java checked offset and length against the buffer, and holds the buffer
            // (so its memory) for the whole call.
            unsafe {
                std::slice::from_raw_parts(base.add(header_offset as usize), header_length as usize)
            }
        } else {
            // A heap array may move: copy it (headers are small).
            let mut bytes = vec![0i8; header_length as usize];
            heap_header.get_region(env, header_offset, &mut bytes)?;
            copy = bytes.into_iter().map(|b| b as u8).collect::<Vec<u8>>();
            &copy
        };
        let owners = Owners::new(env);
        let (source_open, target_open) = (|| owners.is_open(&source), || owners.is_open(&target));
        let moved = transfer::transfer_to_with_header_as(
            &contract(jdk),
            header,
            &endpoint(from, true, &source_open),
            position as u64,
            count as u64,
            &endpoint(to, target_blocking, &target_open),
        )
        .map(|(sent, file)| Transferred { bytes: sent as u64 + file.bytes, ..file });
        let moved =
            unless_not_yet_connected(env, moved, &target, (from, to), (position, count, jdk))?;
        Ok(packed(moved))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zerocopy_internal_TransferNatives_transferFrom<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
    source: JObject<'local>,
    source_blocking: jboolean,
    target: JObject<'local>,
    position: jlong,
    count: jlong,
    jdk: jint,
) -> jlong {
    run(unowned, |env| {
        let contract = contract(jdk);
        let source_channel = channels::classify(env, &source)?;
        let target_channel = channels::classify(env, &target)?;
        let unreadable = matches!(source_channel, Channel::File { readable: false, .. });
        // JDK 21+ checks: readable source, writable target, arguments. JDK 17: writable
        // target, arguments, position past the end (0), readable source.
        if unreadable && contract.grow_past_end {
            return Err(BridgeError::non_readable());
        }
        if let Channel::File { writable: false, .. } = target_channel {
            return Err(BridgeError::non_writable());
        }
        check_non_negative(position, count)?;
        let Some(to) = describe(target_channel)? else { return Ok(NOT_DIRECT) };
        if unreadable {
            // Safety: the number of an open channel, used for one fstat now.
            let target_fd = unsafe { BorrowedFd::borrow_raw(to.fd) };
            if transfer::is_past_end(target_fd, position as u64)? {
                return Ok(0);
            }
            return Err(BridgeError::non_readable());
        }
        let Some(from) = describe(source_channel)? else { return Ok(NOT_DIRECT) };
        let owners = Owners::new(env);
        let (source_open, target_open) = (|| owners.is_open(&source), || owners.is_open(&target));
        let moved = transfer::transfer_from_as(
            &contract,
            &endpoint(from, source_blocking, &source_open),
            &endpoint(to, true, &target_open),
            position as u64,
            count as u64,
        )?;
        Ok(packed(moved))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zerocopy_internal_TransferNatives_relay<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
    source: JObject<'local>,
    source_blocking: jboolean,
    target: JObject<'local>,
    target_blocking: jboolean,
    count: jlong,
) -> jlong {
    run(unowned, |env| {
        if count < 0 {
            return Err(BridgeError::illegal_argument(format!("negative count: {count}")));
        }
        let stream = |c: Channel| matches!(c, Channel::Socket { .. } | Channel::Pipe { .. });
        let (source_channel, target_channel) =
            (channels::classify(env, &source)?, channels::classify(env, &target)?);
        if !stream(source_channel) || !stream(target_channel) {
            return Ok(NOT_DIRECT);
        }
        let Some((from, to)) = describe(source_channel)?.zip(describe(target_channel)?) else {
            return Ok(NOT_DIRECT);
        };
        let owners = Owners::new(env);
        let (source_open, target_open) = (|| owners.is_open(&source), || owners.is_open(&target));
        let moved = transfer::relay(
            &endpoint(from, source_blocking, &source_open),
            &endpoint(to, target_blocking, &target_open),
            count as u64,
        )?;
        Ok(packed(moved))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zerocopy_internal_TransferNatives_releaseThreadPipe<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
) {
    run(unowned, |_env| {
        transfer::release_thread_pipe();
        Ok(())
    })
}

/// Test hook: TCP_INFO's count of data segments sent on a socket channel.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zerocopy_internal_TransferNatives_tcpDataSegmentsOut<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
    socket: JObject<'local>,
) -> jlong {
    run(unowned, |env| match channels::classify(env, &socket)? {
        Channel::Socket { fd } if fd >= 0 => {
            // Safety: the number of an open socket channel, used for one getsockopt now.
            let fd = unsafe { BorrowedFd::borrow_raw(fd) };
            Ok(jlong::from(transfer::tcp_data_segments_out(fd)?))
        }
        _ => Err(BridgeError::illegal_argument("not an open socket channel")),
    })
}
