//! Natives of `io.zerocopy.internal.TransferNatives`: the JDK's argument checks, in the JDK's
//! order, then the core's transfer. The result packs the bytes moved and the path (see
//! [`packed`]); [`NOT_DIRECT`] tells Java that a channel has no descriptor, and that it must
//! copy through a buffer itself.

use std::os::fd::BorrowedFd;

use ::jni::objects::{JByteArray, JByteBuffer, JClass, JObject};
use ::jni::sys::{jboolean, jint, jlong};
use ::jni::{Env, EnvUnowned};

use super::channels::{self, Channel};
use super::errors::{run, BridgeError, BridgeResult};
use crate::transfer::{self, Endpoint, Kind, Path, Transferred};

/// "Copy in Java": some channel is not backed by a descriptor we can read.
const NOT_DIRECT: jlong = -1;

/// Bytes in the high bits, the path's ordinal (that of `io.zerocopy.TransferPath`) in the low two.
fn packed(t: Transferred) -> jlong {
    let path = match t.path {
        Path::Sendfile => 0,
        Path::Splice => 1,
        Path::CopyFileRange => 2,
        Path::Buffered => 3,
    };
    ((t.bytes as jlong) << 2) | path
}

fn non_readable() -> BridgeError {
    BridgeError::Throw { class: "java/nio/channels/NonReadableChannelException", message: None }
}

fn non_writable() -> BridgeError {
    BridgeError::Throw { class: "java/nio/channels/NonWritableChannelException", message: None }
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

/// The descriptor of an open channel. A channel closed since Java checked has fd -1.
fn borrow<'a>(fd: i32) -> BridgeResult<BorrowedFd<'a>> {
    if fd < 0 {
        return Err(BridgeError::closed_channel());
    }
    // Safety: the channel object owns the descriptor and stays reachable for the whole call
    // (Java holds it); the borrow ends when the native method returns.
    Ok(unsafe { BorrowedFd::borrow_raw(fd) })
}

/// The endpoint for a classified channel, or None for a channel without a descriptor.
fn endpoint<'a>(channel: Channel, blocking: bool) -> BridgeResult<Option<Endpoint<'a>>> {
    let (fd, kind, append) = match channel {
        Channel::File { fd, append, .. } => (fd, Kind::File, append),
        Channel::Socket { fd } => (fd, Kind::Socket, false),
        Channel::Pipe { fd } => (fd, Kind::Pipe, false),
        Channel::Other => return Ok(None),
    };
    Ok(Some(Endpoint { fd: borrow(fd)?, kind, blocking, append }))
}

/// Classifies the source and target of `FileChannel.transferTo` and checks them in the JDK's
/// order: readable source, writable file target, non-negative arguments.
fn transfer_to_ends<'a>(
    env: &mut Env,
    source: &JObject,
    position: jlong,
    count: jlong,
    target: &JObject,
    blocking: jboolean,
) -> BridgeResult<Option<(BorrowedFd<'a>, Endpoint<'a>)>> {
    let source = channels::classify(env, source)?;
    let target = channels::classify(env, target)?;
    if let Channel::File { readable: false, .. } = source {
        return Err(non_readable());
    }
    if let Channel::File { writable: false, .. } = target {
        return Err(non_writable());
    }
    check_non_negative(position, count)?;
    let Channel::File { fd: source_fd, .. } = source else { return Ok(None) };
    let Some(target) = endpoint(target, blocking)? else { return Ok(None) };
    Ok(Some((borrow(source_fd)?, target)))
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
) -> jlong {
    run(unowned, |env| {
        let Some((source, target)) =
            transfer_to_ends(env, &source, position, count, &target, target_blocking)?
        else {
            return Ok(NOT_DIRECT);
        };
        Ok(packed(transfer::transfer_to(source, position as u64, count as u64, &target)?))
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
) -> jlong {
    run(unowned, |env| {
        let Some((source, target)) =
            transfer_to_ends(env, &source, position, count, &target, target_blocking)?
        else {
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
        let (sent, file) = transfer::transfer_to_with_header(
            header,
            source,
            position as u64,
            count as u64,
            &target,
        )?;
        Ok(packed(Transferred { bytes: sent as u64 + file.bytes, path: file.path }))
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
) -> jlong {
    run(unowned, |env| {
        // JDK 17's order: writable target, arguments, position past the end, readable source.
        let source = channels::classify(env, &source)?;
        let target = channels::classify(env, &target)?;
        if let Channel::File { writable: false, .. } = target {
            return Err(non_writable());
        }
        check_non_negative(position, count)?;
        let Some(target) = endpoint(target, true)? else { return Ok(NOT_DIRECT) };
        if let Channel::File { readable: false, .. } = source {
            if transfer::is_past_end(target.fd, position as u64)? {
                return Ok(0);
            }
            return Err(non_readable());
        }
        let Some(source) = endpoint(source, source_blocking)? else { return Ok(NOT_DIRECT) };
        Ok(packed(transfer::transfer_from(&source, &target, position as u64, count as u64)?))
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
        let source = channels::classify(env, &source)?;
        let target = channels::classify(env, &target)?;
        let streams = |c: Channel| matches!(c, Channel::Socket { .. } | Channel::Pipe { .. });
        if !streams(source) || !streams(target) {
            return Ok(NOT_DIRECT);
        }
        let (Some(source), Some(target)) =
            (endpoint(source, source_blocking)?, endpoint(target, target_blocking)?)
        else {
            return Ok(NOT_DIRECT);
        };
        Ok(packed(transfer::relay(&source, &target, count as u64)?))
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
        Channel::Socket { fd } => Ok(jlong::from(transfer::tcp_data_segments_out(borrow(fd)?)?)),
        _ => Err(BridgeError::illegal_argument("not a socket channel")),
    })
}
