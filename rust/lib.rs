//! zerocopy-jni: zero-copy file transfers and safe memory-mapped regions for Linux.
//!
//! The core (`sys`, `transfer`, `mmap`) is plain Rust and knows nothing of Java; the `jni`
//! module is the bridge that the Java package `io.zerocopy` calls.

pub mod error;
pub mod gather;
pub mod mmap;
pub mod sys;
pub mod transfer;

#[path = "jni/mod.rs"]
mod bridge;

pub use error::{Error, Result};
pub use sys::Capabilities;
