//! Raw Linux system calls through libc, each returning the crate's [`Error`] with the call's name.
//! Nothing here knows about Java.

pub mod io;
pub(crate) mod mem;
mod probe;

pub use mem::{evict_page_cache, memlock_limit};
pub use probe::Capabilities;

use crate::error::{Error, Result};

/// Turns a libc return value into a `Result`: -1 means the call failed and errno says why.
pub(crate) fn check<T: Copy + PartialEq + From<i8>>(ret: T, syscall: &'static str) -> Result<T> {
    if ret == T::from(-1) {
        Err(Error::last(syscall))
    } else {
        Ok(ret)
    }
}

/// Runs a call again while it fails with EINTR: a signal is no reason to give up.
pub(crate) fn retry<T: Copy + PartialEq + From<i8>>(
    syscall: &'static str,
    mut call: impl FnMut() -> T,
) -> Result<T> {
    loop {
        match check(call(), syscall) {
            Err(e) if e.errno == libc::EINTR => continue,
            other => return other,
        }
    }
}

/// The size of a memory page, from the kernel.
pub fn page_size() -> usize {
    Capabilities::get().page_size
}
