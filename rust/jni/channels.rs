//! File descriptors out of the JDK's channel objects, through JNI field access.
//!
//! JNI reads private fields of `java.base` classes without `--add-opens`. The class and field
//! IDs are looked up once, at load. A JDK that lays its classes out differently gets
//! `Channel::Other` for those classes, and the Java side copies through a buffer instead.

use std::os::fd::RawFd;
use std::sync::OnceLock;

use ::jni::objects::{Global, JClass, JFieldID, JMethodID, JObject};
use ::jni::signature::{JavaType, Primitive, ReturnType};
use ::jni::strings::JNIString;
use ::jni::{jni_sig, jni_str, Env};

use super::errors::{BridgeError, BridgeResult};

/// What a channel object is, as far as the kernel is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Channel {
    /// `sun.nio.ch.FileChannelImpl`. `fd` is -1 once the channel is closed.
    File { fd: RawFd, readable: bool, writable: bool, append: bool },
    /// `sun.nio.ch.SocketChannelImpl`.
    Socket { fd: RawFd },
    /// `sun.nio.ch.SinkChannelImpl` or `SourceChannelImpl`: an end of a `Pipe`.
    Pipe { fd: RawFd },
    /// Anything else: a user's channel, a wrapper, or a JDK class whose fields are unknown.
    Other,
}

/// A JDK channel class and its `FileDescriptor fd` field.
struct FdClass {
    class: Global<JClass<'static>>,
    fd: JFieldID,
}

struct FileChannelIds {
    fd_class: FdClass,
    readable: JFieldID,
    writable: JFieldID,
}

struct Ids {
    /// `java.nio.channels.Channel.isOpen()`.
    is_open: JMethodID,
    file: Option<FileChannelIds>,
    socket: Option<FdClass>,
    pipe_sink: Option<FdClass>,
    pipe_source: Option<FdClass>,
    /// `java.io.FileDescriptor.fd`: -1 after close, unlike the channels' cached `fdVal`.
    descriptor_fd: JFieldID,
    /// `java.io.FileDescriptor.append`: set for files opened in append mode.
    descriptor_append: JFieldID,
}

static IDS: OnceLock<Ids> = OnceLock::new();

/// Looks up the classes and fields once. Unknown JDK classes are left out, not an error.
pub(crate) fn cache_ids(env: &mut Env) -> BridgeResult<()> {
    if IDS.get().is_some() {
        return Ok(());
    }
    let channel = env.find_class(jni_str!("java/nio/channels/Channel"))?;
    let is_open = env.get_method_id(&channel, jni_str!("isOpen"), jni_sig!("()Z"))?;
    let descriptor = env.find_class(jni_str!("java/io/FileDescriptor"))?;
    let descriptor_fd = env.get_field_id(&descriptor, jni_str!("fd"), jni_sig!("I"))?;
    let descriptor_append = env.get_field_id(&descriptor, jni_str!("append"), jni_sig!("Z"))?;
    let file = fd_class(env, "sun/nio/ch/FileChannelImpl").and_then(|fd_class| {
        let readable = env.get_field_id(&fd_class.class, jni_str!("readable"), jni_sig!("Z"));
        let writable = env.get_field_id(&fd_class.class, jni_str!("writable"), jni_sig!("Z"));
        Some(FileChannelIds { fd_class, readable: readable.ok()?, writable: writable.ok()? })
    });
    let ids = Ids {
        is_open,
        file,
        socket: fd_class(env, "sun/nio/ch/SocketChannelImpl"),
        pipe_sink: fd_class(env, "sun/nio/ch/SinkChannelImpl"),
        pipe_source: fd_class(env, "sun/nio/ch/SourceChannelImpl"),
        descriptor_fd,
        descriptor_append,
    };
    let _ = IDS.set(ids);
    Ok(())
}

/// The class and its `fd` field, or None when this JDK has no such class or field.
fn fd_class(env: &mut Env, name: &str) -> Option<FdClass> {
    let class = env.find_class(JNIString::from(name)).ok()?;
    let fd = env.get_field_id(&class, jni_str!("fd"), jni_sig!("Ljava/io/FileDescriptor;")).ok()?;
    Some(FdClass { class: env.new_global_ref(&class).ok()?, fd })
}

/// What `channel` is and its descriptor now.
pub(crate) fn classify(env: &mut Env, channel: &JObject) -> BridgeResult<Channel> {
    if channel.is_null() {
        return Err(BridgeError::throw("java/lang/NullPointerException", "channel is null"));
    }
    let Some(ids) = IDS.get() else { return Ok(Channel::Other) };
    if let Some(file) = &ids.file {
        if env.is_instance_of(channel, &file.fd_class.class)? {
            let descriptor = object_field(env, channel, file.fd_class.fd)?;
            return Ok(Channel::File {
                fd: int_field(env, &descriptor, ids.descriptor_fd)?,
                readable: bool_field(env, channel, file.readable)?,
                writable: bool_field(env, channel, file.writable)?,
                append: bool_field(env, &descriptor, ids.descriptor_append)?,
            });
        }
    }
    if let Some(socket) = &ids.socket {
        if env.is_instance_of(channel, &socket.class)? {
            return Ok(Channel::Socket { fd: descriptor_fd(env, channel, socket, ids)? });
        }
    }
    for pipe in [&ids.pipe_sink, &ids.pipe_source].into_iter().flatten() {
        if env.is_instance_of(channel, &pipe.class)? {
            return Ok(Channel::Pipe { fd: descriptor_fd(env, channel, pipe, ids)? });
        }
    }
    Ok(Channel::Other)
}

/// `channel.isOpen()`. Its `closed` flag is set before the JDK closes the descriptor, so a
/// channel still open after its descriptor was duplicated proves that the duplicate is of the
/// channel's own file, not of a later file that reused the number.
pub(crate) fn is_open(env: &mut Env, channel: &JObject) -> BridgeResult<bool> {
    let ids = IDS.get().expect("classify found the IDs");
    // Safety: `isOpen()Z` is a method of every Channel, and takes no arguments.
    let open = unsafe {
        env.call_method_unchecked(
            channel,
            ids.is_open,
            ReturnType::Primitive(Primitive::Boolean),
            &[],
        )
    }?;
    Ok(open.z()?)
}

fn descriptor_fd(
    env: &mut Env,
    channel: &JObject,
    class: &FdClass,
    ids: &Ids,
) -> BridgeResult<RawFd> {
    let descriptor = object_field(env, channel, class.fd)?;
    int_field(env, &descriptor, ids.descriptor_fd)
}

fn object_field<'local>(
    env: &mut Env<'local>,
    obj: &JObject,
    field: JFieldID,
) -> BridgeResult<JObject<'local>> {
    // Safety: the field ID was looked up on the class that `obj` is an instance of, with this type.
    Ok(unsafe { env.get_field_unchecked(obj, field, JavaType::Object) }?.l()?)
}

fn int_field(env: &mut Env, obj: &JObject, field: JFieldID) -> BridgeResult<i32> {
    // Safety: as above; a null FileDescriptor is refused by get_field_unchecked.
    Ok(unsafe { env.get_field_unchecked(obj, field, JavaType::Primitive(Primitive::Int)) }?.i()?)
}

fn bool_field(env: &mut Env, obj: &JObject, field: JFieldID) -> BridgeResult<bool> {
    // Safety: as above.
    Ok(unsafe { env.get_field_unchecked(obj, field, JavaType::Primitive(Primitive::Boolean)) }?
        .z()?)
}
