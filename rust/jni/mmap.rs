//! Natives of `io.zerocopy.internal.MappedNatives`: argument checks, the descriptor out of the
//! channel, and [`MappedRegion`] handles for Java.
//!
//! A handle is a `Box<MappedRegion>` as a `long`. `io.zerocopy.internal.MappedMemory` counts
//! who can still reach the region (itself, each ByteBuffer made here that Java keeps, each
//! running call, which covers the views that `load` uses only inside it) and calls `free`
//! once, when the count drops to zero; these functions trust that.

use std::os::fd::BorrowedFd;

use ::jni::objects::{JByteBuffer, JClass, JObject, JString};
use ::jni::sys::{jboolean, jint, jlong};
use ::jni::{jni_sig, jni_str, Env, EnvUnowned};

use super::channels::{self, Channel};
use super::errors::{run, BridgeError, BridgeResult};
use crate::mmap::{self, Advice, MapMode, MappedRegion};

/// `FileChannel.map`'s checks after the ones Java makes (null mode, negative or overflowing
/// position and size), in the JDK's order, then the mapping. `mode`: 0 READ_ONLY,
/// 1 READ_WRITE, 2 PRIVATE.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zerocopy_internal_MappedNatives_map<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
    channel: JObject<'local>,
    mode: jint,
    position: jlong,
    size: jlong,
) -> jlong {
    run(unowned, |env| {
        let mode = match mode {
            0 => MapMode::ReadOnly,
            1 => MapMode::ReadWrite,
            2 => MapMode::Private,
            _ => return Err(illegal_argument(format!("unknown map mode {mode}"))),
        };
        let Some(end) = position.checked_add(size).filter(|_| position >= 0 && size >= 0) else {
            return Err(illegal_argument(format!("position {position}, size {size}")));
        };
        let Channel::File { fd, readable, writable, .. } = channels::classify(env, &channel)?
        else {
            return Err(not_a_file_channel(env, &channel));
        };
        if fd < 0 {
            return Err(BridgeError::closed_channel());
        }
        if mode != MapMode::ReadOnly && !writable {
            return Err(BridgeError::non_writable());
        }
        if !readable {
            return Err(BridgeError::non_readable());
        }
        // Safety: the channel is open, and Java registered this thread with it (JdkChannels):
        // the JDK does not close its descriptor before this call has returned.
        let fd = unsafe { BorrowedFd::borrow_raw(fd) };
        // As the JDK: a short file is extended if the channel (not the mode) is writable.
        if mmap::file_len(fd)? < end as u64 {
            if !writable {
                return Err(BridgeError::throw(
                    "java/io/IOException",
                    "Channel not open for writing - cannot extend file to required size",
                ));
            }
            mmap::grow_file(fd, end as u64)?;
        }
        // Safety: what the JDK's MappedByteBuffer also accepts: the Java side never dereferences
        // the mapping in native code, and HotSpot turns SIGBUS in buffer accesses into an
        // InternalError.
        let region = unsafe { MappedRegion::map(fd, mode, position as u64, size as usize) }?;
        Ok(Box::into_raw(Box::new(region)) as jlong)
    })
}

/// A direct ByteBuffer (big-endian, as JNI makes them) over `length` bytes from `index`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zerocopy_internal_MappedNatives_buffer<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    index: jlong,
    length: jint,
) -> JByteBuffer<'local> {
    run(unowned, |env| {
        let region = region(handle)?;
        let (index, length) = range(region, index, jlong::from(length))?;
        if length == 0 || !region.is_open() {
            return Err(BridgeError::throw(
                "java/lang/IllegalStateException",
                "no buffer over an empty or closed MappedRegion",
            ));
        }
        // Safety: the bytes are the region's; Java keeps the region (its addresses, at least)
        // until this buffer's Cleaner has run.
        let buffer = unsafe { env.new_direct_byte_buffer(region.as_mut_ptr().add(index), length) }?;
        Ok(buffer)
    })
}

/// Replaces the file mapping with a placeholder; see `MappedRegion::close`. Returns the
/// placeholder's bytes. If none could be mapped, throws and the region stays open.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zerocopy_internal_MappedNatives_close<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> jlong {
    run(unowned, |_env| Ok(region(handle)?.close_in_place()? as jlong))
}

/// Unmaps and drops the region. Called exactly once, when nothing can reach it any more.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zerocopy_internal_MappedNatives_free<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    run(unowned, |_env| {
        region(handle)?;
        // Safety: the handle came from Box::into_raw in `map`, and Java frees it once.
        unsafe { Box::from_raw(handle as *mut MappedRegion) }.drop_deferred();
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zerocopy_internal_MappedNatives_force<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    index: jlong,
    length: jlong,
) {
    run(unowned, |_env| {
        let region = region(handle)?;
        let (index, length) = range(region, index, length)?;
        op(region, region.flush_range(index, length))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zerocopy_internal_MappedNatives_loadMissing<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    index: jlong,
    length: jlong,
) {
    run(unowned, |_env| {
        let region = region(handle)?;
        let (index, length) = range(region, index, length)?;
        op(region, region.load_missing_range(index, length))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zerocopy_internal_MappedNatives_populate<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    index: jlong,
    length: jlong,
) -> jboolean {
    run(unowned, |_env| {
        let region = region(handle)?;
        let (index, length) = range(region, index, length)?;
        op(region, region.populate_range(index, length))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zerocopy_internal_MappedNatives_isLoaded<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    index: jlong,
    length: jlong,
) -> jboolean {
    run(unowned, |_env| {
        let region = region(handle)?;
        let (index, length) = range(region, index, length)?;
        op(region, region.is_loaded_range(index, length))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zerocopy_internal_MappedNatives_residentBytes<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    index: jlong,
    length: jlong,
) -> jlong {
    run(unowned, |_env| {
        let region = region(handle)?;
        let (index, length) = range(region, index, length)?;
        Ok(op(region, region.resident_bytes(index, length))? as jlong)
    })
}

/// `advice` is the ordinal of `MappedRegion.Advice`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zerocopy_internal_MappedNatives_advise<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    advice: jint,
    index: jlong,
    length: jlong,
) {
    run(unowned, |_env| {
        let advice = match advice {
            0 => Advice::Normal,
            1 => Advice::Sequential,
            2 => Advice::Random,
            3 => Advice::WillNeed,
            4 => Advice::DontNeed,
            5 => Advice::HugePage,
            _ => return Err(illegal_argument(format!("unknown advice {advice}"))),
        };
        let region = region(handle)?;
        let (index, length) = range(region, index, length)?;
        // Safety: no Rust reference to the region's bytes exists; Java's views see what the
        // kernel does, which the Java documentation of DONT_NEED describes.
        op(region, unsafe { region.advise_unchecked(advice, index, length) })
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zerocopy_internal_MappedNatives_lock<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    run(unowned, |_env| {
        let region = region(handle)?;
        op(region, region.lock())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zerocopy_internal_MappedNatives_unlock<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    run(unowned, |_env| {
        let region = region(handle)?;
        op(region, region.unlock())
    })
}

/// Test hook: `fdatasync` and `posix_fadvise(DONTNEED)` on the channel's file.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zerocopy_internal_MappedNatives_evictPageCache<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
    channel: JObject<'local>,
) {
    run(unowned, |env| match channels::classify(env, &channel)? {
        Channel::File { fd, .. } if fd >= 0 => {
            // Safety: the channel is open for the length of this call.
            Ok(crate::sys::evict_page_cache(unsafe { BorrowedFd::borrow_raw(fd) })?)
        }
        Channel::File { .. } => Err(BridgeError::closed_channel()),
        _ => Err(not_a_file_channel(env, &channel)),
    })
}

/// The region behind a handle.
fn region<'a>(handle: jlong) -> BridgeResult<&'a MappedRegion> {
    if handle == 0 {
        return Err(BridgeError::throw("java/lang/NullPointerException", "null region handle"));
    }
    // Safety: a live handle from `map`; Java holds the region for the length of the call.
    Ok(unsafe { &*(handle as *const MappedRegion) })
}

/// `[index, index + length)` as the core takes it; the core checks the upper bound again.
fn range(region: &MappedRegion, index: jlong, length: jlong) -> BridgeResult<(usize, usize)> {
    match (usize::try_from(index), usize::try_from(length)) {
        (Ok(i), Ok(n)) if i.checked_add(n).is_some_and(|end| end <= region.len()) => Ok((i, n)),
        _ => Err(BridgeError::throw(
            "java/lang/IndexOutOfBoundsException",
            format!(
                "range [{index}, {index} + {length}) out of bounds for length {}",
                region.len()
            ),
        )),
    }
}

/// The result of a region call: a region closed meanwhile is an IllegalStateException.
fn op<T>(region: &MappedRegion, result: crate::Result<T>) -> BridgeResult<T> {
    result.map_err(|e| {
        if e.errno == libc::EBADF && !region.is_open() {
            BridgeError::throw("java/lang/IllegalStateException", "MappedRegion is closed")
        } else {
            BridgeError::Os(e)
        }
    })
}

fn illegal_argument(message: String) -> BridgeError {
    BridgeError::throw("java/lang/IllegalArgumentException", message)
}

fn not_a_file_channel(env: &mut Env, channel: &JObject) -> BridgeError {
    let name = match class_name(env, channel) {
        Ok(name) => name,
        Err(e) => return e.into(),
    };
    illegal_argument(format!(
        "{name} is not the JDK's FileChannel (from FileChannel.open, RandomAccessFile, \
         FileInputStream or FileOutputStream): zerocopy-jni cannot read its file descriptor"
    ))
}

fn class_name(env: &mut Env, object: &JObject) -> ::jni::errors::Result<String> {
    let class = env.get_object_class(object)?;
    let name =
        env.call_method(&class, jni_str!("getName"), jni_sig!("()Ljava/lang/String;"), &[])?;
    let name = JString::cast_local(env, name.l()?)?;
    name.try_to_string(env)
}
