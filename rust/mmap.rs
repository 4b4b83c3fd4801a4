//! Memory-mapped file regions, for Rust callers and for the Java class `io.zerocopy.MappedRegion`.
//!
//! memmap2 creates and removes the mapping; libc does what memmap2 lacks: `mincore`, the
//! placeholder that [`MappedRegion::close`] leaves behind, and the populated remap that `load`
//! falls back on. No function here reads or writes the mapped bytes, so a file truncated by
//! another process cannot make them fault: they return or fail with an errno.
//!
//! ```no_run
//! use std::os::fd::AsFd;
//! use zerocopy_jni::mmap::{MapMode, MappedRegion};
//!
//! let file = std::fs::OpenOptions::new().read(true).write(true).open("data.bin")?;
//! zerocopy_jni::mmap::grow_file(file.as_fd(), 1 << 20)?;
//! // Safety: no other process truncates or changes data.bin while it is mapped.
//! let mut region = unsafe { MappedRegion::map(file.as_fd(), MapMode::ReadWrite, 100, 4096)? };
//! region.as_mut_slice().unwrap()[0] = 42;
//! region.flush()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fs::File;
use std::mem::ManuallyDrop;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError, RwLock, RwLockReadGuard};

use memmap2::{MmapOptions, MmapRaw};

use crate::error::{Error, Result};
use crate::sys::{self, mem, Capabilities};

/// How the file is mapped; the modes of `FileChannel.MapMode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapMode {
    /// Shared, read-only: `PROT_READ`, `MAP_SHARED`.
    ReadOnly,
    /// Shared, read-write: writes reach the file.
    ReadWrite,
    /// Copy-on-write: writes stay in this process and never reach the file.
    Private,
}

/// Advice for `madvise(2)` on a region or a part of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advice {
    Normal,
    Sequential,
    Random,
    WillNeed,
    /// Drops the pages from this mapping. On a [`MapMode::Private`] region that discards the
    /// private changes, so [`MappedRegion::advise`] refuses it there.
    DontNeed,
    HugePage,
}

impl Advice {
    fn flag(self) -> libc::c_int {
        match self {
            Advice::Normal => libc::MADV_NORMAL,
            Advice::Sequential => libc::MADV_SEQUENTIAL,
            Advice::Random => libc::MADV_RANDOM,
            Advice::WillNeed => libc::MADV_WILLNEED,
            Advice::DontNeed => libc::MADV_DONTNEED,
            Advice::HugePage => libc::MADV_HUGEPAGE,
        }
    }
}

/// How [`MappedRegion::load`] brings the pages in. Chosen at map time from the kernel's
/// capabilities; public only so that tests can force the fallback on new kernels.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadStrategy {
    /// `madvise(MADV_POPULATE_READ)`, Linux 5.14.
    PopulateRead,
    /// `madvise(MADV_WILLNEED)`, then the same file range mapped again over the region with
    /// `MAP_POPULATE`. Needs the descriptor, so the region keeps a duplicate of it.
    WillNeedAndRemap,
}

impl LoadStrategy {
    pub fn for_this_kernel() -> LoadStrategy {
        if Capabilities::get().madv_populate_read {
            LoadStrategy::PopulateRead
        } else {
            LoadStrategy::WillNeedAndRemap
        }
    }
}

/// What [`MappedRegion::close`] puts in place of the file mapping, in this order until one
/// works; public only so that tests can run the fallback alone.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    /// Private anonymous memory with MAP_NORESERVE: one call, and neighbours merge into one
    /// entry of /proc/self/maps. `vm.overcommit_memory=2` charges it in full, and may refuse.
    Anonymous,
    /// A shared mapping of a memfd as long as the region, charged only as stale views write.
    Memfd,
}

impl Placeholder {
    const IN_ORDER: [Placeholder; 2] = [Placeholder::Anonymous, Placeholder::Memfd];

    /// # Safety
    /// `[addr, addr + len)` must be a mapping the caller owns; its contents are gone after.
    unsafe fn replace(self, addr: usize, len: usize) -> Result<()> {
        // Safety: the caller's contract.
        match self {
            Placeholder::Anonymous => unsafe { mem::map_anonymous_placeholder(addr, len) },
            Placeholder::Memfd => unsafe { mem::map_memfd_placeholder(addr, len) },
        }
    }
}

/// Placeholders of dropped regions whose addresses are not given back yet: see
/// [`MappedRegion::drop_deferred`].
static DEFERRED_PLACEHOLDERS: Mutex<Vec<(usize, usize)>> = Mutex::new(Vec::new());

/// Deferred placeholders beyond which a drop unmaps them itself: as many as the Java side
/// lets wait for the collector, so that the two together stay within half the default
/// vm.max_map_count.
const MAX_DEFERRED_PLACEHOLDERS: usize = 16_384;

/// Pages per `mincore` call: the residency vector stays at 64 KiB whatever the region's size.
const MINCORE_BATCH: usize = 64 * 1024;

/// A mapped range of a file: any offset, any length (also above 2 GiB, also 0).
///
/// Every method takes `&self` and may be called from many threads. [`close`](Self::close)
/// replaces the mapping with zero-filled memory at the same addresses and releases the file
/// at once; dropping the region gives the address range back. The methods of a closed region
/// fail with `EBADF`, with context "the region is closed".
#[derive(Debug)]
pub struct MappedRegion {
    /// None for an empty region, which maps nothing.
    map: Option<MmapRaw>,
    len: usize,
    mode: MapMode,
    /// The file offset of the first mapped page: the position rounded down to a page.
    page_offset: u64,
    strategy: LoadStrategy,
    /// Set by `lock`, cleared by `unlock`: a remap in `load` must lock the new mapping again.
    locked: AtomicBool,
    /// Operations take it shared; `close` and the remap in `load` take it exclusively, so that
    /// nothing maps the file again after close.
    state: RwLock<State>,
}

#[derive(Debug)]
struct State {
    closed: bool,
    /// A duplicate of the descriptor, kept only for the remap fallback of `load`.
    fd: Option<OwnedFd>,
}

impl MappedRegion {
    /// Maps `len` bytes of the file behind `fd` from byte `position` on. The position need not
    /// be page-aligned. The file's length is not changed: see [`grow_file`]. `fd` may be closed
    /// afterwards; the mapping keeps the file.
    ///
    /// # Safety
    /// As for memmap2: while mapped, the file must not be truncated below the region and its
    /// bytes must not change under a slice obtained from [`as_slice`](Self::as_slice); an
    /// access to pages past the end of the file raises SIGBUS.
    pub unsafe fn map(
        fd: BorrowedFd<'_>,
        mode: MapMode,
        position: u64,
        len: usize,
    ) -> Result<MappedRegion> {
        // Safety: the caller's contract.
        unsafe { Self::map_with_strategy(fd, mode, position, len, LoadStrategy::for_this_kernel()) }
    }

    /// [`map`](Self::map) with a chosen load strategy, so that tests can run the fallback.
    ///
    /// # Safety
    /// As for [`map`](Self::map).
    #[doc(hidden)]
    pub unsafe fn map_with_strategy(
        fd: BorrowedFd<'_>,
        mode: MapMode,
        position: u64,
        len: usize,
        strategy: LoadStrategy,
    ) -> Result<MappedRegion> {
        unmap_deferred_placeholders();
        let map = if len == 0 {
            None
        } else {
            let mut options = MmapOptions::new();
            options.offset(position).len(len);
            let raw = fd.as_raw_fd();
            let mapped = match mode {
                MapMode::ReadOnly => options.map_raw_read_only(raw),
                MapMode::ReadWrite => options.map_raw(raw),
                // Safety: the caller's contract; the raw view never hands out references.
                MapMode::Private => unsafe { options.map_copy(raw) }.map(MmapRaw::from),
            };
            Some(mapped.map_err(|e| io_error("mmap", e))?)
        };
        // A private mapping is never remapped (that would drop its changes): no descriptor.
        let keep_fd = map.is_some() && strategy == LoadStrategy::WillNeedAndRemap;
        let fd = if keep_fd && mode != MapMode::Private {
            Some(fd.try_clone_to_owned().map_err(|e| io_error("fcntl", e))?)
        } else {
            None
        };
        Ok(MappedRegion {
            map,
            len,
            mode,
            page_offset: position - position % sys::page_size() as u64,
            strategy,
            locked: AtomicBool::new(false),
            state: RwLock::new(State { closed: false, fd }),
        })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn mode(&self) -> MapMode {
        self.mode
    }

    /// False once [`close`](Self::close) has run.
    pub fn is_open(&self) -> bool {
        !self.read_state().closed
    }

    /// The address of byte 0 of the region (dangling for an empty region).
    pub fn as_ptr(&self) -> *const u8 {
        self.as_mut_ptr()
    }

    /// The address of byte 0 of the region. Writing through it is allowed for
    /// [`MapMode::ReadWrite`] and [`MapMode::Private`] only; a read-only mapping faults.
    pub fn as_mut_ptr(&self) -> *mut u8 {
        self.map.as_ref().map_or(NonNull::dangling().as_ptr(), |m| m.as_mut_ptr())
    }

    /// The region's bytes. After [`close`](Self::close), zeros where nothing was written
    /// through a stale pointer since, else what was written; never the file.
    pub fn as_slice(&self) -> &[u8] {
        // Safety: the mapping is `len` bytes and lives as long as `self`; the file's contract
        // is the caller's promise at map time.
        unsafe { std::slice::from_raw_parts(self.as_ptr(), self.len) }
    }

    /// The region's bytes, writable; None for [`MapMode::ReadOnly`].
    pub fn as_mut_slice(&mut self) -> Option<&mut [u8]> {
        if self.mode == MapMode::ReadOnly {
            return None;
        }
        // Safety: as for as_slice; `&mut self` makes this the only reference.
        Some(unsafe { std::slice::from_raw_parts_mut(self.as_mut_ptr(), self.len) })
    }

    /// Writes the region's changes to the file and waits: `msync(MS_SYNC)`. Does nothing for
    /// [`MapMode::ReadOnly`] and [`MapMode::Private`] regions, which have nothing to write.
    pub fn flush(&self) -> Result<()> {
        self.flush_range(0, self.len)
    }

    /// [`flush`](Self::flush) for `len` bytes from `index`, rounded out to whole pages.
    pub fn flush_range(&self, index: usize, len: usize) -> Result<()> {
        let _state = self.open_state("msync")?;
        let Some((addr, len)) = self.pages(index, len, "msync")? else { return Ok(()) };
        if self.mode != MapMode::ReadWrite {
            return Ok(());
        }
        mem::msync(addr, len)
    }

    /// Brings every page of the region into memory without touching it:
    /// `madvise(MADV_POPULATE_READ)`, or on kernels before 5.14 `MADV_WILLNEED` and a remap
    /// with `MAP_POPULATE` (a private region then gets only `MADV_WILLNEED`). The remap is a new
    /// mapping: it drops the advice given before ([`advise`](Self::advise)) on its pages.
    ///
    /// Never `MADV_POPULATE_WRITE`: on a shared file mapping that would dirty every page, and
    /// the next `msync` or write-back would write the whole region to the file.
    ///
    /// Fails with `EFAULT` where the file no longer covers the region (it was truncated).
    pub fn load(&self) -> Result<()> {
        let state = self.open_state("madvise")?;
        let Some(pages) = self.pages(0, self.len, "madvise")? else { return Ok(()) };
        match self.strategy {
            LoadStrategy::PopulateRead => populate_read(pages),
            LoadStrategy::WillNeedAndRemap => {
                drop(state);
                self.load_by_remap(&[pages])
            }
        }
    }

    /// `madvise(MADV_POPULATE_READ)` on the pages that cover `[index, index + len)`; false,
    /// with nothing done, on kernels before 5.14. For the Java side's `load`, which times this
    /// against reading one byte per 64 KiB and loads the rest of a large range the faster way.
    pub fn populate_range(&self, index: usize, len: usize) -> Result<bool> {
        if self.strategy != LoadStrategy::PopulateRead {
            return Ok(false);
        }
        let _state = self.open_state("madvise")?;
        if let Some(pages) = self.pages(index, len, "madvise")? {
            populate_read(pages)?;
        }
        Ok(true)
    }

    /// Loads the pages of the region that are not resident (`mincore`), the way
    /// [`load`](Self::load) does, run by run. The Java side first reads one byte per 64 KiB,
    /// which maps whatever the page cache holds a fault-around window or a large folio at a
    /// time, far faster than the kernel's populate walks page by page; this fills what is left.
    pub fn load_missing(&self) -> Result<()> {
        self.load_missing_range(0, self.len)
    }

    /// [`load_missing`](Self::load_missing) for the pages that cover `[index, index + len)`;
    /// on kernels before 5.14 only those runs are remapped, and only they lose their advice.
    pub fn load_missing_range(&self, index: usize, len: usize) -> Result<()> {
        let page = sys::page_size();
        let mut missing: Vec<(usize, usize)> = Vec::new();
        self.residency(index, len, |first, pages| {
            for (i, _) in pages.iter().enumerate().filter(|(_, p)| *p & 1 == 0) {
                let at = first + i * page;
                match missing.last_mut() {
                    Some((start, len)) if *start + *len == at => *len += page,
                    _ => missing.push((at, page)),
                }
            }
            true
        })?;
        if self.strategy == LoadStrategy::WillNeedAndRemap {
            return self.load_by_remap(&missing);
        }
        let _state = self.open_state("madvise")?;
        missing.into_iter().try_for_each(populate_read)
    }

    /// `MADV_WILLNEED` and a populated remap of each run of pages, locked again if the region
    /// is. Holds the state exclusively, so that close, and a `lock` between the remap and the
    /// check of `locked`, wait.
    fn load_by_remap(&self, runs: &[(usize, usize)]) -> Result<()> {
        let state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        if state.closed {
            return Err(closed("madvise"));
        }
        let first_page = self.as_ptr() as usize - self.as_ptr() as usize % sys::page_size();
        for &(addr, len) in runs {
            // Safety: WILLNEED starts read-ahead; it changes no contents.
            unsafe { mem::madvise(addr, len, libc::MADV_WILLNEED) }?;
            let Some(fd) = state.fd.as_ref() else { continue }; // private: WILLNEED only
            let writable = self.mode == MapMode::ReadWrite;
            let offset = self.page_offset + (addr - first_page) as u64;
            // Safety: the same file range, shared, over our own mapping: the contents are the
            // page cache's either way, and dirty pages stay dirty in it.
            unsafe { mem::remap_populated(addr, len, writable, fd.as_fd(), offset) }?;
            if self.locked.load(Ordering::SeqCst) {
                lock_pages(addr, len)?; // the new mapping is not
            }
        }
        Ok(())
    }

    /// True if every page of the region is resident in memory (`mincore`).
    pub fn is_loaded(&self) -> Result<bool> {
        self.is_loaded_range(0, self.len)
    }

    /// True if every page that holds a byte of `[index, index + len)` is resident.
    pub fn is_loaded_range(&self, index: usize, len: usize) -> Result<bool> {
        let mut all = true;
        self.residency(index, len, |_, pages| {
            all = pages.iter().all(|p| p & 1 != 0);
            all
        })?;
        Ok(all)
    }

    /// How many bytes of `[index, index + len)` lie on resident pages.
    pub fn resident_bytes(&self, index: usize, len: usize) -> Result<u64> {
        let page = sys::page_size();
        let start = (self.as_ptr() as usize).wrapping_add(index);
        let end = start.wrapping_add(len);
        let mut bytes = 0u64;
        self.residency(index, len, |first, pages| {
            for (i, _) in pages.iter().enumerate().filter(|(_, p)| *p & 1 != 0) {
                let at = first + i * page;
                bytes += (end.min(at + page) - start.max(at)) as u64;
            }
            true
        })?;
        Ok(bytes)
    }

    /// Calls `visit(address, residency)` for batches of the pages that cover the range, until
    /// it returns false.
    fn residency(
        &self,
        index: usize,
        len: usize,
        mut visit: impl FnMut(usize, &[u8]) -> bool,
    ) -> Result<()> {
        let _state = self.open_state("mincore")?;
        let Some((addr, len)) = self.pages(index, len, "mincore")? else { return Ok(()) };
        let page = sys::page_size();
        let total = len / page;
        let mut vector = vec![0u8; total.min(MINCORE_BATCH)];
        let mut done = 0;
        while done < total {
            let count = (total - done).min(MINCORE_BATCH);
            let at = addr + done * page;
            mem::mincore(at, count * page, &mut vector[..count])?;
            if !visit(at, &vector[..count]) {
                break;
            }
            done += count;
        }
        Ok(())
    }

    /// `madvise` on the whole region. See [`advise_range`](Self::advise_range).
    pub fn advise(&self, advice: Advice) -> Result<()> {
        self.advise_range(advice, 0, self.len)
    }

    /// `madvise` on the pages that cover `[index, index + len)`. [`Advice::DontNeed`] on a
    /// private region fails with `EINVAL`: it would discard the private changes under
    /// `&self`; [`advise_unchecked`](Self::advise_unchecked) does it.
    pub fn advise_range(&self, advice: Advice, index: usize, len: usize) -> Result<()> {
        if advice == Advice::DontNeed && self.mode == MapMode::Private {
            return Err(Error::new("madvise", libc::EINVAL).with_context(
                "MADV_DONTNEED would discard this private region's changes; use advise_unchecked",
            ));
        }
        // Safety: only DontNeed on a private mapping changes contents, excluded above.
        unsafe { self.advise_unchecked(advice, index, len) }
    }

    /// `madvise` with any advice.
    ///
    /// # Safety
    /// [`Advice::DontNeed`] on a [`MapMode::Private`] region resets its pages to the file's
    /// contents: no slice of the region may be in use.
    pub unsafe fn advise_unchecked(&self, advice: Advice, index: usize, len: usize) -> Result<()> {
        let _state = self.open_state("madvise")?;
        let Some((addr, len)) = self.pages(index, len, "madvise")? else { return Ok(()) };
        // Safety: the caller's contract for DontNeed; the others change no contents.
        unsafe { mem::madvise(addr, len, advice.flag()) }
    }

    /// Locks the region's pages in memory (`mlock`). Beyond RLIMIT_MEMLOCK, without
    /// CAP_IPC_LOCK, it fails with `ENOMEM` or `EPERM`, and the error names the limit; pages
    /// past the end of a truncated file fail with `ENOMEM` too, and the error says so. After a
    /// failure the region is not locked, not even in part.
    pub fn lock(&self) -> Result<()> {
        let _state = self.open_state("mlock")?;
        let Some((addr, len)) = self.pages(0, self.len, "mlock")? else { return Ok(()) };
        let result = lock_pages(addr, len);
        self.locked.store(result.is_ok(), Ordering::SeqCst);
        result
    }

    /// Undoes [`lock`](Self::lock) (`munlock`).
    pub fn unlock(&self) -> Result<()> {
        let _state = self.open_state("munlock")?;
        let Some((addr, len)) = self.pages(0, self.len, "munlock")? else { return Ok(()) };
        mem::munlock(addr, len)?;
        self.locked.store(false, Ordering::SeqCst);
        Ok(())
    }

    /// Releases the file now: the mapping is replaced, in one step, by zero-filled memory at
    /// the same addresses (private anonymous memory, or if the kernel refuses that, a shared
    /// memfd), so that a pointer kept from before reads back only what was written through
    /// such pointers since, and never reaches the file. The addresses themselves are given
    /// back when the region is dropped. Idempotent. If neither placeholder can be mapped, the
    /// region stays open, still mapping the file, and the error says why.
    pub fn close(&mut self) -> Result<()> {
        self.close_in_place().map(drop)
    }

    /// [`close`](Self::close) for the Java bridge, where other threads may still call methods
    /// of the region (they wait for it, then fail) and views may still read its addresses.
    /// Returns the bytes of the placeholder now in place (0 if there was nothing to replace).
    pub(crate) fn close_in_place(&self) -> Result<usize> {
        self.close_with(&Placeholder::IN_ORDER)
    }

    /// [`close`](Self::close) trying these placeholders in turn; for tests.
    #[doc(hidden)]
    pub fn close_with(&self, placeholders: &[Placeholder]) -> Result<usize> {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        if state.closed {
            return Ok(0);
        }
        let mut failures: Vec<Error> = Vec::new();
        let replaced = match self.pages(0, self.len, "mmap")? {
            None => 0,
            Some((addr, len)) => {
                for placeholder in placeholders {
                    // Safety: our own mapping; nothing may reach the file through it after close.
                    match unsafe { placeholder.replace(addr, len) } {
                        Ok(()) => break,
                        Err(e) => failures.push(e),
                    }
                }
                if failures.len() == placeholders.len() {
                    // A failed MAP_FIXED leaves the old mapping in place (Linux 6.12 and later
                    // restore it even when the failure comes after the unmap).
                    return Err(not_replaced(failures));
                }
                len
            }
        };
        state.closed = true;
        state.fd = None;
        Ok(replaced)
    }

    /// Drops the region, but if a placeholder is in place (it was closed), leaves the unmap of
    /// its addresses to the next [`map`](Self::map) in this process (or to
    /// [`unmap_deferred_placeholders`]); a drop that finds more than 16,384 waiting unmaps them all. For
    /// the Java bridge, where the last holder is often a buffer and the drop runs on the JDK's
    /// Cleaner thread: an munmap there contended with the application's next map for the mmap
    /// lock and made each TLB flush interrupt the other CPU (perf, map + one read + close).
    pub fn drop_deferred(mut self) {
        if !self.read_state().closed {
            return;
        }
        let Ok(Some(range)) = self.pages(0, self.len, "munmap") else {
            return;
        };
        std::mem::forget(self.map.take()); // its drop would munmap now
        let mut deferred = DEFERRED_PLACEHOLDERS.lock().unwrap_or_else(PoisonError::into_inner);
        deferred.push(range);
        if deferred.len() > MAX_DEFERRED_PLACEHOLDERS {
            drop(deferred);
            unmap_deferred_placeholders();
        }
    }

    fn read_state(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn open_state(&self, syscall: &'static str) -> Result<RwLockReadGuard<'_, State>> {
        let state = self.read_state();
        if state.closed {
            return Err(closed(syscall));
        }
        Ok(state)
    }

    /// The page-aligned address range that covers `[index, index + len)` of the region, or
    /// None when `len` is 0; EINVAL when the range is not inside the region.
    fn pages(
        &self,
        index: usize,
        len: usize,
        syscall: &'static str,
    ) -> Result<Option<(usize, usize)>> {
        if index.checked_add(len).is_none_or(|end| end > self.len) {
            return Err(Error::new(syscall, libc::EINVAL).with_context(format!(
                "range of {len} bytes at {index} is outside the region of {} bytes",
                self.len
            )));
        }
        if len == 0 {
            return Ok(None);
        }
        let page = sys::page_size();
        let start = self.as_ptr() as usize + index;
        let first = start - start % page;
        let end = (start + len).next_multiple_of(page);
        Ok(Some((first, end - first)))
    }
}

/// Gives back the addresses of the placeholders that [`MappedRegion::drop_deferred`] left.
pub fn unmap_deferred_placeholders() {
    let ranges =
        std::mem::take(&mut *DEFERRED_PLACEHOLDERS.lock().unwrap_or_else(PoisonError::into_inner));
    for (addr, len) in ranges {
        // Safety: the placeholder of a dropped region, which nothing reaches any more.
        unsafe { mem::munmap(addr, len) };
    }
}

/// The length of the file behind `fd` (`fstat`).
pub fn file_len(fd: BorrowedFd<'_>) -> Result<u64> {
    Ok(borrow_file(fd).metadata().map_err(|e| io_error("fstat", e))?.len())
}

/// Makes the file behind `fd` at least `len` bytes long (`ftruncate`), as `FileChannel.map`
/// does for a short file. Returns whether it grew. The descriptor must be open for writing.
pub fn grow_file(fd: BorrowedFd<'_>, len: u64) -> Result<bool> {
    if file_len(fd)? >= len {
        return Ok(false);
    }
    borrow_file(fd).set_len(len).map_err(|e| io_error("ftruncate", e))?;
    Ok(true)
}

/// The descriptor as a `File` that never closes it.
fn borrow_file(fd: BorrowedFd<'_>) -> ManuallyDrop<File> {
    // Safety: the descriptor is open for the borrow's lifetime, and ManuallyDrop never closes it.
    ManuallyDrop::new(unsafe { File::from_raw_fd(fd.as_raw_fd()) })
}

fn closed(syscall: &'static str) -> Error {
    Error::new(syscall, libc::EBADF).with_context("the region is closed")
}

fn io_error(syscall: &'static str, e: std::io::Error) -> Error {
    match e.raw_os_error() {
        Some(errno) => Error::new(syscall, errno),
        None => Error::new(syscall, libc::EINVAL).with_context(e.to_string()),
    }
}

fn not_replaced(failures: Vec<Error>) -> Error {
    let all: Vec<String> = failures.iter().map(Error::to_string).collect();
    let first = failures.into_iter().next().unwrap_or_else(|| Error::new("mmap", libc::EINVAL));
    first.with_context(format!(
        "no placeholder could replace the mapping ({}); the region stays open",
        all.join("; ")
    ))
}

/// `madvise(MADV_POPULATE_READ)` on a run of pages.
fn populate_read((addr, len): (usize, usize)) -> Result<()> {
    // Safety: populating changes no contents.
    unsafe { mem::madvise(addr, len, libc::MADV_POPULATE_READ) }.map_err(explain_populate)
}

/// `mlock`, undone on failure: when populating fails part way (pages past the end of a
/// truncated file), the kernel leaves the range marked locked and counted against the limit.
fn lock_pages(addr: usize, len: usize) -> Result<()> {
    mem::mlock(addr, len).map_err(|e| {
        let _ = mem::munlock(addr, len);
        explain_mlock(e, len)
    })
}

fn explain_populate(e: Error) -> Error {
    if e.errno != libc::EFAULT {
        return e;
    }
    e.with_context("part of the region lies past the end of the file (was it truncated?)")
}

/// Says why `mlock` of `len` bytes failed: RLIMIT_MEMLOCK and its value when the limit is the
/// cause (no CAP_IPC_LOCK, and `len` plus what the process has locked exceeds it), else that the
/// pages could not be locked. Called after [`lock_pages`] undid the attempt.
fn explain_mlock(e: Error, len: usize) -> Error {
    if ![libc::ENOMEM, libc::EPERM, libc::EAGAIN].contains(&e.errno) {
        return e;
    }
    let locked = mem::locked_bytes().unwrap_or(0);
    match sys::memlock_limit() {
        Ok((soft, hard))
            if !mem::has_cap_ipc_lock() && (len as u64).saturating_add(locked) > soft =>
        {
            e.with_context(format!(
                "RLIMIT_MEMLOCK is {} (hard limit {}); this region needs {} locked, on top of \
                 the {} this process has locked already, and without CAP_IPC_LOCK no process \
                 can lock beyond the limit (raise it with `ulimit -l` or systemd's \
                 LimitMEMLOCK=)",
                size(soft),
                size(hard),
                size(len as u64),
                size(locked)
            ))
        }
        _ => e.with_context(
            "the pages could not be locked: part of the region may lie past the end of the file \
             (was it truncated?), or memory is short",
        ),
    }
}

fn size(bytes: u64) -> String {
    match bytes {
        u64::MAX => "unlimited".into(),
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{b} bytes ({} MiB)", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{b} bytes ({} KiB)", b >> 10),
        b => format!("{b} bytes"),
    }
}
