//! The JNI bridge: argument checks, descriptor extraction, and errors to exceptions.
//! It makes no system call itself; the core does.

mod channels;
mod errors;
mod gather;
mod mmap;
mod transfer;

use ::jni::objects::{JClass, JObject, JString};
use ::jni::sys::{jint, jlong};
use ::jni::EnvUnowned;

use crate::sys::Capabilities;
use errors::{run, BridgeError};

/// Bumped whenever a native signature changes, so a jar never runs against a stale library.
const ABI_VERSION: jint = 1;

/// Called once by `NativeLibrary` right after loading: installs the panic hook and caches the
/// class and field IDs that later calls need. Returns the ABI version for the jar to check.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zerocopy_internal_Native_init<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> jint {
    run(unowned, |env| {
        errors::install_panic_hook();
        channels::cache_ids(env)?;
        Ok(ABI_VERSION)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zerocopy_internal_Native_kernelRelease<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> JString<'local> {
    run(unowned, |env| Ok(env.new_string(&Capabilities::get().kernel_release)?))
}

/// The boolean capabilities as bits, in the order `io.zerocopy.Capabilities` reads them.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zerocopy_internal_Native_capabilityFlags<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> jlong {
    run(unowned, |_env| {
        let c = Capabilities::get();
        let bits = [
            c.sendfile,
            c.splice,
            c.copy_file_range,
            c.madv_populate_read,
            c.madv_populate_write,
            c.cachestat,
            c.io_uring,
        ];
        Ok(bits.iter().enumerate().fold(0, |acc, (i, &on)| acc | (jlong::from(on) << i)))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zerocopy_internal_Native_pageSize<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> jint {
    run(unowned, |_env| Ok(Capabilities::get().page_size as jint))
}

/// Test hook: panics (kind 0), fails with `errno` from a call named "testcall" (kind 1), throws
/// an IllegalArgumentException (kind 2), or returns `kind`, so tests can prove that neither a
/// panic nor an error escapes into the JVM.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zerocopy_internal_Native_failForTest<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
    kind: jint,
    errno: jint,
) -> jint {
    run(unowned, |_env| match kind {
        0 => panic!("panic requested by a test"),
        1 => Err(BridgeError::Os(crate::Error::new("testcall", errno))),
        2 => Err(BridgeError::throw("java/lang/IllegalArgumentException", "argument check")),
        _ => Ok(kind),
    })
}

/// Test hook: what the bridge sees in a channel object, such as
/// "File { fd: 5, readable: true, writable: false, append: false }".
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zerocopy_internal_Native_describeChannel<'local>(
    unowned: EnvUnowned<'local>,
    _class: JClass<'local>,
    channel: JObject<'local>,
) -> JString<'local> {
    run(unowned, |env| {
        let seen = channels::classify(env, &channel)?;
        Ok(env.new_string(format!("{seen:?}"))?)
    })
}
