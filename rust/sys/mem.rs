//! Calls on mapped address ranges: madvise, mincore, msync, mlock, and the fixed mappings that
//! replace a range in place. None of them reads or writes the mapped bytes, so none can fault.
//!
//! The callers pass ranges of mappings they own, already rounded to whole pages.

use std::os::fd::{BorrowedFd, RawFd};

use super::{check, retry};
use crate::error::{Error, Result};

/// `madvise(2)`. Retried on EINTR, which MADV_POPULATE_* return when a signal arrives.
///
/// # Safety
/// `[addr, addr + len)` must belong to a mapping the caller owns; advice such as
/// MADV_DONTNEED discards the contents of private pages.
pub(crate) unsafe fn madvise(addr: usize, len: usize, advice: libc::c_int) -> Result<()> {
    retry("madvise", || unsafe { libc::madvise(addr as *mut libc::c_void, len, advice) })?;
    Ok(())
}

/// `mincore(2)`: one byte per page of `[addr, addr + len)` into `pages`; bit 0 is "resident".
pub(crate) fn mincore(addr: usize, len: usize, pages: &mut [u8]) -> Result<()> {
    assert!(pages.len() >= len.div_ceil(super::page_size()), "mincore vector too short");
    // Safety: the kernel writes at most one byte per page into `pages`, which is long enough.
    check(unsafe { libc::mincore(addr as *mut libc::c_void, len, pages.as_mut_ptr()) }, "mincore")?;
    Ok(())
}

/// `msync(MS_SYNC)`: writes the dirty pages of a shared file mapping back and waits.
pub(crate) fn msync(addr: usize, len: usize) -> Result<()> {
    // Safety: msync only writes back; it changes no memory.
    retry("msync", || unsafe { libc::msync(addr as *mut libc::c_void, len, libc::MS_SYNC) })?;
    Ok(())
}

/// `mlock(2)`: faults the pages in and keeps them in memory.
pub(crate) fn mlock(addr: usize, len: usize) -> Result<()> {
    // Safety: mlock changes no memory contents.
    check(unsafe { libc::mlock(addr as *const libc::c_void, len) }, "mlock")?;
    Ok(())
}

/// `munlock(2)`.
pub(crate) fn munlock(addr: usize, len: usize) -> Result<()> {
    // Safety: as for mlock.
    check(unsafe { libc::munlock(addr as *const libc::c_void, len) }, "munlock")?;
    Ok(())
}

/// Replaces `[addr, addr + len)` in one step with private anonymous memory: the placeholder a
/// closed region leaves behind. Reads then see zeros, or what stale writes put there; writes
/// land in this memory, never in the file; the file's pages and its reference are released now.
///
/// Readable and writable on purpose: a fault in a stale view would be a SIGSEGV, which the JVM
/// does not survive. MAP_NORESERVE: nothing is charged until a stale view writes, except under
/// `vm.overcommit_memory=2`, which ignores the flag and may refuse with ENOMEM.
///
/// # Safety
/// The range must be a mapping the caller owns; its contents are gone afterwards.
pub(crate) unsafe fn map_anonymous_placeholder(addr: usize, len: usize) -> Result<()> {
    let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE | libc::MAP_FIXED;
    // Safety: MAP_FIXED over a range the caller owns, as the contract says.
    unsafe { map_fixed(addr, len, flags, -1) }
}

/// [`map_anonymous_placeholder`] with a shared mapping of a new memfd of `len` bytes instead:
/// shared memory is charged page by page as it is written, never up front, whatever the
/// overcommit policy. Three more calls, and the placeholder merges with no neighbour.
///
/// # Safety
/// As for [`map_anonymous_placeholder`].
pub(crate) unsafe fn map_memfd_placeholder(addr: usize, len: usize) -> Result<()> {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    // Safety: a new descriptor, owned from here on; the mapping keeps the memfd after it closes.
    let fd = check(
        unsafe { libc::memfd_create(c"zerocopy-closed-region".as_ptr(), libc::MFD_CLOEXEC) },
        "memfd_create",
    )?;
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    retry("ftruncate", || unsafe { libc::ftruncate(fd.as_raw_fd(), len as libc::off_t) })?;
    // Safety: MAP_FIXED over a range the caller owns, as the contract says.
    unsafe { map_fixed(addr, len, libc::MAP_SHARED | libc::MAP_FIXED, fd.as_raw_fd()) }
}

/// `munmap(2)`. Its only errors are for ranges that are not page-aligned, which the callers
/// never pass, so it returns nothing.
///
/// # Safety
/// Nothing may reach `[addr, addr + len)` afterwards; the range must be one the caller owns.
pub(crate) unsafe fn munmap(addr: usize, len: usize) {
    // Safety: the caller's contract.
    unsafe { libc::munmap(addr as *mut libc::c_void, len) };
}

/// `mmap(addr, len, PROT_READ | PROT_WRITE, flags, fd, 0)`, where `flags` has MAP_FIXED.
unsafe fn map_fixed(addr: usize, len: usize, flags: libc::c_int, fd: RawFd) -> Result<()> {
    let prot = libc::PROT_READ | libc::PROT_WRITE;
    // Safety: the callers' contract.
    let got = unsafe { libc::mmap(addr as *mut libc::c_void, len, prot, flags, fd, 0) };
    if got == libc::MAP_FAILED {
        return Err(Error::last("mmap"));
    }
    Ok(())
}

/// Maps `len` bytes of `fd` from `offset` (page-aligned) again over `[addr, addr + len)`,
/// shared, with MAP_POPULATE: the kernel reads the pages in and never signals, even past
/// the end of the file. The fallback of `load` on kernels without MADV_POPULATE_READ.
///
/// # Safety
/// The range must be a shared mapping of the same file range that the caller owns.
pub(crate) unsafe fn remap_populated(
    addr: usize,
    len: usize,
    writable: bool,
    fd: BorrowedFd<'_>,
    offset: u64,
) -> Result<()> {
    use std::os::fd::AsRawFd;
    let prot = if writable { libc::PROT_READ | libc::PROT_WRITE } else { libc::PROT_READ };
    let flags = libc::MAP_SHARED | libc::MAP_FIXED | libc::MAP_POPULATE;
    let fd: RawFd = fd.as_raw_fd();
    // Safety: MAP_FIXED over a range the caller owns, with the same file range as before.
    let got = unsafe {
        libc::mmap64(addr as *mut libc::c_void, len, prot, flags, fd, offset as libc::off64_t)
    };
    if got == libc::MAP_FAILED {
        return Err(Error::last("mmap"));
    }
    Ok(())
}

/// The soft and hard RLIMIT_MEMLOCK of this process, in bytes (`u64::MAX` for unlimited).
pub fn memlock_limit() -> Result<(u64, u64)> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // Safety: getrlimit writes one struct rlimit.
    check(unsafe { libc::getrlimit(libc::RLIMIT_MEMLOCK, &mut limit) }, "getrlimit")?;
    let bytes = |v: libc::rlim_t| if v == libc::RLIM_INFINITY { u64::MAX } else { v };
    Ok((bytes(limit.rlim_cur), bytes(limit.rlim_max)))
}

/// The bytes this process has locked in memory: VmLck of /proc/self/status.
pub(crate) fn locked_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb = status.lines().find_map(|line| line.strip_prefix("VmLck:"))?;
    kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok().map(|kb| kb << 10)
}

/// Whether this thread has CAP_IPC_LOCK, which lifts RLIMIT_MEMLOCK (from /proc).
pub(crate) fn has_cap_ipc_lock() -> bool {
    const CAP_IPC_LOCK: u32 = 14;
    let status = std::fs::read_to_string("/proc/thread-self/status").unwrap_or_default();
    let effective = status.lines().find_map(|line| line.strip_prefix("CapEff:"));
    effective
        .and_then(|caps| u64::from_str_radix(caps.trim(), 16).ok())
        .is_some_and(|caps| caps >> CAP_IPC_LOCK & 1 == 1)
}

/// Drops the file's clean pages from the page cache: `fdatasync`, so that none is dirty, then
/// `posix_fadvise(POSIX_FADV_DONTNEED)`. Pages that some process keeps mapped may stay.
pub fn evict_page_cache(fd: BorrowedFd<'_>) -> Result<()> {
    use std::os::fd::AsRawFd;
    let fd = fd.as_raw_fd();
    // Safety: plain calls on a descriptor; no memory is passed.
    retry("fdatasync", || unsafe { libc::fdatasync(fd) })?;
    // posix_fadvise returns the errno instead of setting it.
    match unsafe { libc::posix_fadvise(fd, 0, 0, libc::POSIX_FADV_DONTNEED) } {
        0 => Ok(()),
        errno => Err(Error::new("posix_fadvise", errno)),
    }
}
