//! The native of `io.zerocopy.internal.TransferNatives.gather`: the parts of a
//! `io.zerocopy.Gather` from its current one on, in one crossing, to the core's gather.
//!
//! Parts come as parallel arrays: a kind (0 a direct buffer, 1 a heap array, 2 a FileChannel),
//! the object, a position (in the buffer, array or file) and a length. Heap arrays may move, so
//! their bytes are copied into a buffer kept per thread (headers: small). File descriptors are
//! duplicated for the call, so that a file channel closed meanwhile by another thread cannot
//! have its number reused under the gather (only the target is registered with the JDK).

use std::cell::RefCell;
use std::os::fd::{BorrowedFd, OwnedFd};

use ::jni::objects::{JByteArray, JByteBuffer, JClass, JLongArray, JObject, JObjectArray};
use ::jni::sys::{jboolean, jint, jlong};
use ::jni::{Env, EnvUnowned};

use super::channels::{self, Channel};
use super::errors::{run, BridgeError, BridgeResult};
use super::transfer::Owners;
use crate::gather::{self, Cursor, Part};
use crate::transfer::{Endpoint, Kind};

/// "Copy in Java": the target has no descriptor of a socket or pipe.
const NOT_DIRECT: jlong = -1;

const DIRECT: i8 = 0;
const HEAP: i8 = 1;
const FILE: i8 = 2;

thread_local! {
    /// The bytes of heap-array parts, copied for one call; its capacity is kept.
    static HEAP_BYTES: RefCell<Vec<i8>> = const { RefCell::new(Vec::new()) };
}

/// A part as read from Java, before the slices that point into the copies are made.
enum Spec {
    Memory { address: *const u8, length: usize },
    Heap { start: usize, length: usize },
    File { dup: usize, position: u64, count: u64 },
}

#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)] // the Java signature
pub extern "system" fn Java_io_zerocopy_internal_TransferNatives_gather<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
    kinds: JByteArray<'local>,
    objects: JObjectArray<'local>,
    positions: JLongArray<'local>,
    lengths: JLongArray<'local>,
    from: jint,
    to: jint,
    offset: jlong,
    target: JObject<'local>,
    target_blocking: jboolean,
    result: JLongArray<'local>,
) -> jlong {
    run(unowned, |env| {
        let (fd, kind) = match channels::classify(env, &target)? {
            Channel::Socket { fd } => (fd, Kind::Socket),
            Channel::Pipe { fd } => (fd, Kind::Pipe),
            _ => return Ok(NOT_DIRECT),
        };
        if fd < 0 {
            return Err(BridgeError::closed_channel());
        }
        let n = (to - from) as usize;
        let mut kind_of = vec![0i8; n];
        let (mut position, mut length) = (vec![0i64; n], vec![0i64; n]);
        kinds.get_region(env, from, &mut kind_of)?;
        positions.get_region(env, from, &mut position)?;
        lengths.get_region(env, from, &mut length)?;
        HEAP_BYTES.with(|cell| {
            let heap = &mut *cell.borrow_mut();
            heap.clear();
            let mut dups: Vec<(i32, OwnedFd)> = Vec::new();
            let mut specs = Vec::with_capacity(n);
            for i in 0..n {
                let spec = env.with_local_frame(4, |env| -> BridgeResult<Spec> {
                    let object = objects.get_element(env, from as usize + i)?;
                    part_spec(env, object, kind_of[i], position[i], length[i], heap, &mut dups)
                })?;
                specs.push(spec);
            }
            let heap_bytes: &[u8] =
                // Safety: i8 and u8 have the same layout.
                unsafe { std::slice::from_raw_parts(heap.as_ptr().cast(), heap.len()) };
            let parts: Vec<Part> = specs
                .iter()
                .map(|spec| match *spec {
                    // Safety: Java holds the buffer (so its memory) in the gather for the call,
                    // and checked position and length against it.
                    Spec::Memory { address, length } => {
                        Part::Memory(unsafe { std::slice::from_raw_parts(address, length) })
                    }
                    Spec::Heap { start, length } => {
                        Part::Memory(&heap_bytes[start..start + length])
                    }
                    Spec::File { dup, position, count } => {
                        Part::File { fd: std::os::fd::AsFd::as_fd(&dups[dup].1), position, count }
                    }
                })
                .collect();
            let sent = {
                let owners = Owners::new(env);
                let target_open = || owners.is_open(&target);
                let endpoint = Endpoint {
                    // Safety: Java registered this thread with the open target (JdkChannels),
                    // so the JDK keeps its number from reuse until the call returns.
                    fd: unsafe { BorrowedFd::borrow_raw(fd) },
                    kind,
                    blocking: target_blocking,
                    append: false,
                    still_open: Some(&target_open),
                };
                gather::gather(&parts, &endpoint, Cursor { part: 0, offset: offset as u64 })?
            };
            let out = [
                from as i64 + sent.cursor.part as i64,
                sent.cursor.offset as i64,
                sent.blocked as i64,
                sent.short_ranges as i64,
                sent.file_bytes as i64,
                if kind == Kind::Pipe { 1 } else { 0 },
            ];
            result.set_region(env, 0, &out)?;
            Ok(sent.bytes as jlong)
        })
    })
}

/// Reads one part; a file channel is checked (open, readable) and its descriptor duplicated
/// once per call.
fn part_spec(
    env: &mut Env,
    object: JObject,
    kind: i8,
    position: i64,
    length: i64,
    heap: &mut Vec<i8>,
    dups: &mut Vec<(i32, OwnedFd)>,
) -> BridgeResult<Spec> {
    match kind {
        DIRECT => {
            let buffer = env.cast_local::<JByteBuffer>(object)?;
            let base = env.get_direct_buffer_address(&buffer)?;
            // Safety: Java checked position + length against the buffer's limit.
            Ok(Spec::Memory {
                address: unsafe { base.add(position as usize) },
                length: length as usize,
            })
        }
        HEAP => {
            let array = env.cast_local::<JByteArray>(object)?;
            let start = heap.len();
            heap.resize(start + length as usize, 0);
            array.get_region(env, position as i32, &mut heap[start..])?;
            Ok(Spec::Heap { start, length: length as usize })
        }
        FILE => match channels::classify(env, &object)? {
            Channel::File { fd, .. } if fd < 0 => Err(BridgeError::closed_channel()),
            Channel::File { readable: false, .. } => Err(BridgeError::non_readable()),
            Channel::File { fd, .. } => {
                let dup = match dups.iter().position(|(raw, _)| *raw == fd) {
                    Some(i) => i,
                    None => {
                        // Safety: the channel is open (checked just now); the duplicate is ours.
                        let owned = unsafe { BorrowedFd::borrow_raw(fd) }
                            .try_clone_to_owned()
                            .map_err(|e| {
                                crate::Error::new("fcntl", e.raw_os_error().unwrap_or(libc::EBADF))
                            })?;
                        dups.push((fd, owned));
                        dups.len() - 1
                    }
                };
                Ok(Spec::File { dup, position: position as u64, count: length as u64 })
            }
            _ => Err(BridgeError::illegal_argument(
                "a gather's file part must be a FileChannel of the JDK",
            )),
        },
        _ => Err(BridgeError::illegal_argument(format!("unknown part kind {kind}"))),
    }
}
