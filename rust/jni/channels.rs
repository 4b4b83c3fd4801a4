//! File descriptors out of the JDK's channel objects, through JNI field access, and the JDK's
//! own hooks around blocking I/O on them, as method handles for `io.zerocopy.internal.JdkChannels`.
//!
//! JNI reads private fields of `java.base` classes without `--add-opens`. The class and field
//! IDs are looked up once, at load, and so are the hooks. A JDK that lays its classes out
//! differently, or lacks a hook, gets `Channel::Other` for those classes, and the Java side
//! copies through a buffer instead.

use std::os::fd::RawFd;
use std::sync::OnceLock;

use std::ops::Range;

use ::jni::objects::{Global, JClass, JFieldID, JMethodID, JObject, JObjectArray, JValue};
use ::jni::signature::{JavaType, Primitive, ReturnType, RuntimeMethodSignature};
use ::jni::strings::JNIString;
use ::jni::{jni_sig, jni_str, Env, EnvUnowned};

use super::errors::{run, BridgeError, BridgeResult};

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
    /// `java.nio.channels.SocketChannel.isConnected()`.
    is_connected: JMethodID,
    /// The method handles of [`HOOKS`], null where this JDK lacks one.
    hooks: Global<JObjectArray<'static>>,
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

/// The JDK's hooks around a blocking operation, which its own read, write and transfer methods
/// call: a thread inside them is signalled when another thread closes the channel or
/// interrupts this one, and the channel's descriptor is not closed until the thread has left.
/// The last four let a virtual thread wait as the JDK's own I/O does (JDK 21+): make the
/// descriptor non-blocking, and park on the JDK's poller, which close and interrupt wake.
/// `(class, member, signature)`: a method, or a field (read through a getter) when the
/// signature is a type. The order is that of `JdkChannels`; the same in JDK 17 to 25.
const HOOKS: [(&str, &str, &str); 21] = [
    (FILE_CHANNEL, "beginBlocking", "()V"),
    (FILE_CHANNEL, "endBlocking", "(Z)V"),
    (FILE_CHANNEL, "threads", "Lsun/nio/ch/NativeThreadSet;"),
    ("sun/nio/ch/NativeThreadSet", "add", "()I"),
    ("sun/nio/ch/NativeThreadSet", "remove", "(I)V"),
    (SOCKET_CHANNEL, "readLock", LOCK),
    (SOCKET_CHANNEL, "beginRead", "(Z)V"),
    (SOCKET_CHANNEL, "endRead", "(ZZ)V"),
    (SOCKET_CHANNEL, "writeLock", LOCK),
    (SOCKET_CHANNEL, "beginWrite", "(Z)V"),
    (SOCKET_CHANNEL, "endWrite", "(ZZ)V"),
    (PIPE_SINK, "writeLock", LOCK),
    (PIPE_SINK, "beginWrite", "(Z)V"),
    (PIPE_SINK, "endWrite", "(ZZ)V"),
    (PIPE_SOURCE, "readLock", LOCK),
    (PIPE_SOURCE, "beginRead", "(Z)V"),
    (PIPE_SOURCE, "endRead", "(ZZ)V"),
    ("sun/nio/ch/SelChImpl", "park", "(IJ)V"),
    (SOCKET_CHANNEL, NON_BLOCKING_IF_VIRTUAL, "()V"),
    (PIPE_SINK, NON_BLOCKING_IF_VIRTUAL, "()V"),
    (PIPE_SOURCE, NON_BLOCKING_IF_VIRTUAL, "()V"),
];
const FILE_HOOKS: Range<usize> = 0..5;
const SOCKET_HOOKS: Range<usize> = 5..11;
const PIPE_SINK_HOOKS: Range<usize> = 11..14;
const PIPE_SOURCE_HOOKS: Range<usize> = 14..17;

const FILE_CHANNEL: &str = "sun/nio/ch/FileChannelImpl";
const SOCKET_CHANNEL: &str = "sun/nio/ch/SocketChannelImpl";
const PIPE_SINK: &str = "sun/nio/ch/SinkChannelImpl";
const PIPE_SOURCE: &str = "sun/nio/ch/SourceChannelImpl";
const LOCK: &str = "Ljava/util/concurrent/locks/ReentrantLock;";
const NON_BLOCKING_IF_VIRTUAL: &str = "configureSocketNonBlockingIfVirtualThread";

/// Looks up the classes, fields and hooks once. Unknown JDK classes are left out, not an error.
///
/// JNI promises a native method only 16 local references: the lookups run in a frame of their
/// own, and each hook in a smaller one, so that none outlives its use.
pub(crate) fn cache_ids(env: &mut Env) -> BridgeResult<()> {
    if IDS.get().is_some() {
        return Ok(());
    }
    env.with_local_frame(32, |env| -> BridgeResult<()> {
        let channel = env.find_class(jni_str!("java/nio/channels/Channel"))?;
        let is_open = env.get_method_id(&channel, jni_str!("isOpen"), jni_sig!("()Z"))?;
        let socket_channel = env.find_class(jni_str!("java/nio/channels/SocketChannel"))?;
        let is_connected =
            env.get_method_id(&socket_channel, jni_str!("isConnected"), jni_sig!("()Z"))?;
        let descriptor = env.find_class(jni_str!("java/io/FileDescriptor"))?;
        let descriptor_fd = env.get_field_id(&descriptor, jni_str!("fd"), jni_sig!("I"))?;
        let descriptor_append = env.get_field_id(&descriptor, jni_str!("append"), jni_sig!("Z"))?;
        let (hooks, found) = make_hooks(env)?;
        let complete = |range: Range<usize>| found[range].iter().all(|&f| f);
        let file =
            fd_class(env, FILE_CHANNEL).filter(|_| complete(FILE_HOOKS)).and_then(|fd_class| {
                let readable =
                    env.get_field_id(&fd_class.class, jni_str!("readable"), jni_sig!("Z"));
                let writable =
                    env.get_field_id(&fd_class.class, jni_str!("writable"), jni_sig!("Z"));
                Some(FileChannelIds {
                    fd_class,
                    readable: readable.ok()?,
                    writable: writable.ok()?,
                })
            });
        let socket = fd_class(env, SOCKET_CHANNEL).filter(|_| complete(SOCKET_HOOKS));
        let pipe_sink = fd_class(env, PIPE_SINK).filter(|_| complete(PIPE_SINK_HOOKS));
        let pipe_source = fd_class(env, PIPE_SOURCE).filter(|_| complete(PIPE_SOURCE_HOOKS));
        let ids = Ids {
            is_open,
            is_connected,
            hooks: env.new_global_ref(&hooks)?,
            file,
            socket,
            pipe_sink,
            pipe_source,
            descriptor_fd,
            descriptor_append,
        };
        let _ = IDS.set(ids);
        Ok(())
    })
}

/// The method handles of [`HOOKS`], made with the JDK's trusted lookup (which may reach
/// private members) and handed to Java one by one; the lookup itself never leaves native code.
/// Also says which of them this JDK has.
fn make_hooks<'local>(
    env: &mut Env<'local>,
) -> BridgeResult<(JObjectArray<'local>, [bool; HOOKS.len()])> {
    let mut found = [false; HOOKS.len()];
    let handles = env.find_class(jni_str!("java/lang/invoke/MethodHandle"))?;
    let array = env.new_object_array(HOOKS.len() as i32, &handles, JObject::null())?;
    let lookup = env
        .get_static_field(
            jni_str!("java/lang/invoke/MethodHandles$Lookup"),
            jni_str!("IMPL_LOOKUP"),
            jni_sig!("Ljava/lang/invoke/MethodHandles$Lookup;"),
        )
        .and_then(|value| value.l());
    let Ok(lookup) = lookup else {
        env.exception_clear(); // no trusted lookup: no hooks, every transfer is buffered
        return Ok((array, found));
    };
    for (i, &(class, member, signature)) in HOOKS.iter().enumerate() {
        found[i] = env.with_local_frame(8, |env| -> BridgeResult<bool> {
            match hook(env, &lookup, class, member, signature) {
                Ok(handle) => {
                    array.set_element(env, i, &handle)?;
                    Ok(true)
                }
                Err(_) => {
                    env.exception_clear(); // this JDK lacks it: the class is not direct
                    Ok(false)
                }
            }
        })?;
    }
    Ok((array, found))
}

/// One method handle of [`HOOKS`].
fn hook<'local>(
    env: &mut Env<'local>,
    lookup: &JObject,
    class: &str,
    member: &str,
    signature: &str,
) -> ::jni::errors::Result<JObject<'local>> {
    let class = env.find_class(JNIString::from(class))?;
    if signature.starts_with('(') {
        let signature = RuntimeMethodSignature::from_str(signature)?;
        let id =
            env.get_method_id(&class, JNIString::from(member), signature.method_signature())?;
        let method = env.to_reflected_method(&class, id)?;
        env.call_method(
            lookup,
            jni_str!("unreflect"),
            jni_sig!("(Ljava/lang/reflect/Method;)Ljava/lang/invoke/MethodHandle;"),
            &[JValue::Object(&method)],
        )?
        .l()
    } else {
        let field_type = env.find_class(JNIString::from(&signature[1..signature.len() - 1]))?;
        let name = env.new_string(member)?;
        env.call_method(
            lookup,
            jni_str!("findGetter"),
            jni_sig!(
                "(Ljava/lang/Class;Ljava/lang/String;Ljava/lang/Class;)Ljava/lang/invoke/MethodHandle;"
            ),
            &[JValue::Object(&class), JValue::Object(&name), JValue::Object(&field_type)],
        )?
        .l()
    }
}

/// `JdkChannels.hooks()`: the method handles made at load.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zerocopy_internal_JdkChannels_hooks<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> JObjectArray<'local> {
    run(unowned, |env| {
        let ids = IDS.get().expect("the library initialised");
        Ok(env.new_local_ref(&ids.hooks)?)
    })
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

/// `channel.isOpen()`: false from the start of a `close()`, before the JDK signals the threads
/// registered with the channel.
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

/// `channel.isConnected()`, for a socket channel: the JDK's own view, which stays "connected"
/// after the peer has gone (unlike the kernel's).
pub(crate) fn is_connected(env: &mut Env, channel: &JObject) -> BridgeResult<bool> {
    let ids = IDS.get().expect("classify found the IDs");
    // Safety: `isConnected()Z` is a method of SocketChannel, which `channel` is (classify said
    // Socket), and takes no arguments.
    let connected = unsafe {
        env.call_method_unchecked(
            channel,
            ids.is_connected,
            ReturnType::Primitive(Primitive::Boolean),
            &[],
        )
    }?;
    Ok(connected.z()?)
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
