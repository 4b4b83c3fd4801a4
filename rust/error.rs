//! The one error type of the crate: a failed system call, named, with its errno.

use std::fmt;

/// A failed system call (or a request the kernel would refuse), with the call's name and errno.
///
/// `context` adds what the errno alone cannot say, such as the RLIMIT_MEMLOCK value after a
/// failed `mlock`; `incomplete` counts the bytes of a transfer that lost data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{syscall}: {}{}{}", Errno(*errno),
    context.as_deref().map(|c| format!("; {c}")).unwrap_or_default(),
    incomplete.map(|i| format!("; {i}")).unwrap_or_default())]
pub struct Error {
    /// Name of the system call that failed, such as `"sendfile"`.
    pub syscall: &'static str,
    /// The errno it returned.
    pub errno: i32,
    /// Optional explanation beyond the errno.
    pub context: Option<String>,
    /// Set when the failure lost bytes that a transfer had already taken from a stream.
    pub incomplete: Option<Incomplete>,
}

/// What a transfer that lost data did: it wrote `transferred` bytes to the target, in order,
/// and then lost `lost` more bytes that it had read from its (stream) source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Incomplete {
    pub transferred: u64,
    pub lost: u64,
}

impl fmt::Display for Incomplete {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} bytes were written, then {} more bytes read from the source were lost",
            self.transferred, self.lost
        )
    }
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(syscall: &'static str, errno: i32) -> Self {
        Error { syscall, errno, context: None, incomplete: None }
    }

    /// The error of the call that just failed: reads `errno` now.
    pub fn last(syscall: &'static str) -> Self {
        Error::new(syscall, std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO))
    }

    pub fn with_context(mut self, context: impl Into<String>) -> Self {
        self.context = Some(context.into());
        self
    }

    /// This error, having lost `lost` bytes read from a stream after `transferred` were written.
    pub fn incomplete(mut self, transferred: u64, lost: u64) -> Self {
        self.incomplete = Some(Incomplete { transferred, lost });
        self
    }
}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        std::io::Error::new(std::io::Error::from_raw_os_error(e.errno).kind(), e)
    }
}

/// Formats an errno as "Broken pipe (EPIPE)": the text users search for, and the name.
pub struct Errno(pub i32);

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = std::io::Error::from_raw_os_error(self.0).to_string();
        // std appends " (os error N)"; keep only the text.
        let text = text.split(" (os error").next().unwrap_or(&text);
        match errno_name(self.0) {
            Some(name) => write!(f, "{text} ({name})"),
            None => write!(f, "{text} (errno {})", self.0),
        }
    }
}

/// Symbolic names of the errnos these calls return; others print as numbers.
pub fn errno_name(errno: i32) -> Option<&'static str> {
    Some(match errno {
        libc::EPERM => "EPERM",
        libc::ENOENT => "ENOENT",
        libc::EINTR => "EINTR",
        libc::EIO => "EIO",
        libc::EBADF => "EBADF",
        libc::EAGAIN => "EAGAIN",
        libc::ENOMEM => "ENOMEM",
        libc::EACCES => "EACCES",
        libc::EFAULT => "EFAULT",
        libc::EBUSY => "EBUSY",
        libc::EEXIST => "EEXIST",
        libc::EXDEV => "EXDEV",
        libc::ENODEV => "ENODEV",
        libc::EISDIR => "EISDIR",
        libc::EINVAL => "EINVAL",
        libc::ENFILE => "ENFILE",
        libc::EMFILE => "EMFILE",
        libc::ETXTBSY => "ETXTBSY",
        libc::EFBIG => "EFBIG",
        libc::ENOSPC => "ENOSPC",
        libc::ESPIPE => "ESPIPE",
        libc::EROFS => "EROFS",
        libc::EPIPE => "EPIPE",
        libc::ENOSYS => "ENOSYS",
        libc::EOVERFLOW => "EOVERFLOW",
        libc::ENOTSOCK => "ENOTSOCK",
        libc::EOPNOTSUPP => "EOPNOTSUPP",
        libc::ECONNRESET => "ECONNRESET",
        libc::ENOTCONN => "ENOTCONN",
        libc::ETIMEDOUT => "ETIMEDOUT",
        libc::ECONNREFUSED => "ECONNREFUSED",
        libc::EDQUOT => "EDQUOT",
        _ => return None,
    })
}
