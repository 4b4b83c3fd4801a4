//! The one place where Rust errors and panics become Java exceptions.

use std::cell::RefCell;

use ::jni::errors::ErrorPolicy;
use ::jni::objects::{JObject, JValue};
use ::jni::strings::JNIString;
use ::jni::{jni_sig, jni_str, Env, EnvUnowned};

/// Everything a native entry point can fail with.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BridgeError {
    /// A failed system call from the core; mapped to an exception by errno.
    #[error(transparent)]
    Os(#[from] crate::Error),
    /// A JNI failure. When it left a Java exception pending, Java sees that exception.
    #[error("JNI: {0}")]
    Jni(#[from] ::jni::errors::Error),
    /// A Java exception chosen by an argument check, thrown as it is.
    #[error("{class}: {message:?}")]
    Throw {
        /// JNI class name, such as "java/lang/IllegalArgumentException".
        class: &'static str,
        /// `None` for exceptions without a message constructor (ClosedChannelException).
        message: Option<String>,
    },
}

pub(crate) type BridgeResult<T> = Result<T, BridgeError>;

impl BridgeError {
    pub(crate) fn throw(class: &'static str, message: impl Into<String>) -> Self {
        BridgeError::Throw { class, message: Some(message.into()) }
    }

    pub(crate) fn illegal_argument(message: impl Into<String>) -> Self {
        Self::throw("java/lang/IllegalArgumentException", message)
    }

    /// An exception without a message, as the JDK throws its channel exceptions.
    pub(crate) fn exception(class: &'static str) -> Self {
        BridgeError::Throw { class, message: None }
    }

    pub(crate) fn closed_channel() -> Self {
        Self::exception("java/nio/channels/ClosedChannelException")
    }

    pub(crate) fn non_readable() -> Self {
        Self::exception("java/nio/channels/NonReadableChannelException")
    }

    pub(crate) fn non_writable() -> Self {
        Self::exception("java/nio/channels/NonWritableChannelException")
    }
}

/// Runs the body of a native method: errors and panics become Java exceptions, and the method
/// returns `T::default()` to Java, which ignores it because an exception is pending.
pub(crate) fn run<'local, T: Default>(
    mut unowned: EnvUnowned<'local>,
    body: impl FnOnce(&mut Env<'local>) -> BridgeResult<T>,
) -> T {
    unowned.with_env(body).resolve::<ThrowJava>()
}

/// The error policy of every entry point.
pub(crate) struct ThrowJava;

impl<T: Default> ErrorPolicy<T, BridgeError> for ThrowJava {
    type Captures<'unowned_env_local: 'native_method, 'native_method> = ();

    fn on_error<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _: &mut (),
        err: BridgeError,
    ) -> ::jni::errors::Result<T> {
        throw(env, err);
        Ok(T::default())
    }

    fn on_panic<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _: &mut (),
        payload: Box<dyn std::any::Any + Send + 'static>,
    ) -> ::jni::errors::Result<T> {
        let message = LAST_PANIC
            .with(|last| last.borrow_mut().take())
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into());
        // Dropping a payload can itself panic; forget it instead, it is tiny.
        std::mem::forget(payload);
        if !env.exception_check() {
            let _ = env.throw_new(
                jni_str!("java/lang/IllegalStateException"),
                JNIString::from(format!("zerocopy-jni native code {message}")),
            );
        }
        Ok(T::default())
    }
}

thread_local! {
    /// The message and location of this thread's last panic, kept by the hook for `on_panic`.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Records panics instead of printing them: the Java exception carries the message and place.
/// This hook belongs to this library's own copy of std, so it affects no other code.
pub(crate) fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let text = info.to_string().replace('\n', ": ");
        LAST_PANIC.with(|last| *last.borrow_mut() = Some(text));
    }));
}

/// Throws the Java exception for `err`, unless an exception is already pending.
fn throw(env: &mut Env, err: BridgeError) {
    if env.exception_check() {
        return; // a Java exception raised during the call wins: it is the first cause
    }
    let thrown = match err {
        BridgeError::Os(os) => throw_os(env, &os),
        BridgeError::Jni(jni) => env.throw_new(
            jni_str!("java/lang/IllegalStateException"),
            JNIString::from(format!("zerocopy-jni JNI failure: {jni}")),
        ),
        BridgeError::Throw { class, message: Some(message) } => {
            env.throw_new(JNIString::from(class), JNIString::from(message))
        }
        BridgeError::Throw { class, message: None } => env.throw_new_void(JNIString::from(class)),
    };
    debug_assert!(matches!(thrown, Err(::jni::errors::Error::JavaException)));
}

/// Errno to exception: the JDK's types and wording where the JDK has them, else
/// `io.zerocopy.NativeIOException` carrying errno and the call's name. A failure that lost
/// bytes taken from a stream is an `io.zerocopy.IncompleteTransferException` with the counts,
/// caused by that exception.
fn throw_os(env: &mut Env, err: &crate::Error) -> ::jni::errors::Result<()> {
    let exception = os_exception(env, &crate::Error { incomplete: None, ..err.clone() })?;
    let exception = match err.incomplete {
        None => exception,
        Some(incomplete) => env.new_object(
            jni_str!("io/zerocopy/IncompleteTransferException"),
            jni_sig!("(JJLjava/lang/Throwable;)V"),
            &[
                JValue::Long(incomplete.transferred as i64),
                JValue::Long(incomplete.lost as i64),
                JValue::Object(&exception),
            ],
        )?,
    };
    let exception = ::jni::objects::JThrowable::cast_local(env, exception)?;
    env.throw(exception)
}

/// The exception for one failed system call, not thrown.
fn os_exception<'local>(
    env: &mut Env<'local>,
    err: &crate::Error,
) -> ::jni::errors::Result<JObject<'local>> {
    let (class, message) = match err.errno {
        libc::EBADF => (jni_str!("java/nio/channels/ClosedChannelException"), None),
        libc::ENOTCONN => (jni_str!("java/nio/channels/NotYetConnectedException"), None),
        libc::EPIPE => (jni_str!("java/io/IOException"), Some("Broken pipe")),
        libc::ECONNRESET => (jni_str!("java/io/IOException"), Some("Connection reset by peer")),
        _ => {
            let message: JObject = env.new_string(err.to_string())?.into();
            let syscall: JObject = env.new_string(err.syscall)?.into();
            return env.new_object(
                jni_str!("io/zerocopy/NativeIOException"),
                jni_sig!("(Ljava/lang/String;Ljava/lang/String;I)V"),
                &[JValue::Object(&message), JValue::Object(&syscall), JValue::Int(err.errno)],
            );
        }
    };
    match message {
        None => env.new_object(class, jni_sig!("()V"), &[]),
        Some(message) => {
            let message: JObject = env.new_string(message)?.into();
            env.new_object(class, jni_sig!("(Ljava/lang/String;)V"), &[JValue::Object(&message)])
        }
    }
}
