//! The Rust API of mapped regions against real files and real system calls.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use zerocopy_jni::mmap::{self, Advice, LoadStrategy, MapMode, MappedRegion, Placeholder};
use zerocopy_jni::sys::{evict_page_cache, page_size};

/// A file under the temp dir, removed on drop.
struct TempFile {
    path: PathBuf,
    file: File,
}

impl TempFile {
    fn with_bytes(bytes: &[u8]) -> TempFile {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name =
            format!("zerocopy-mmap-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst));
        let path = std::env::temp_dir().join(name);
        let mut file =
            OpenOptions::new().read(true).write(true).create_new(true).open(&path).unwrap();
        file.write_all(bytes).unwrap();
        TempFile { path, file }
    }

    fn read_at(&self, offset: u64, len: usize) -> Vec<u8> {
        let mut buf = vec![0; len];
        self.file.read_exact_at(&mut buf, offset).unwrap();
        buf
    }

    /// The mapping as the kernel lists it in /proc/self/maps, if any.
    fn is_mapped(&self) -> bool {
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
        maps.lines().any(|l| l.ends_with(self.path.to_str().unwrap()))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Bytes that differ at every offset, so that a wrong offset shows.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

fn map(file: &TempFile, mode: MapMode, position: u64, len: usize) -> MappedRegion {
    // Safety: the tests own their files; the truncation test never touches the bytes.
    unsafe { MappedRegion::map(file.file.as_fd(), mode, position, len) }.unwrap()
}

/// The "Locked:" size in kB of the mapping that starts at `addr`, from /proc/self/smaps.
fn locked_kb(addr: usize) -> u64 {
    let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
    let header = format!("{addr:x}-");
    let mut lines = smaps.lines().skip_while(|l| !l.starts_with(&header));
    assert!(lines.next().is_some(), "no mapping at {addr:x}");
    let line = lines.find(|l| l.starts_with("Locked:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// The /proc/self/smaps entry of the mapping that holds `addr`: its header line (range, ...,
/// path) and its VmFlags.
fn mapping_at(addr: usize) -> (String, String) {
    let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
    let mut lines = smaps.lines();
    while let Some(line) = lines.next() {
        let Some((start, rest)) = line.split_once('-') else { continue };
        let (Ok(start), Some(end)) = (usize::from_str_radix(start, 16), rest.split(' ').next())
        else {
            continue;
        };
        let Ok(end) = usize::from_str_radix(end, 16) else { continue };
        if (start..end).contains(&addr) {
            let flags = lines.find(|l| l.starts_with("VmFlags:")).unwrap();
            return (line.to_string(), flags.to_string());
        }
    }
    panic!("no mapping holds {addr:x}");
}

fn page_start(ptr: *const u8) -> usize {
    ptr as usize - ptr as usize % page_size()
}

#[test]
fn read_only_sees_the_file_at_an_unaligned_offset() {
    let bytes = pattern(5 * page_size());
    let file = TempFile::with_bytes(&bytes);
    let position = page_size() as u64 + 13;
    let region = map(&file, MapMode::ReadOnly, position, 2 * page_size() + 100);
    assert_eq!(region.len(), 2 * page_size() + 100);
    assert_eq!(region.mode(), MapMode::ReadOnly);
    assert_eq!(region.as_ptr() as usize % page_size(), 13);
    assert_eq!(region.as_slice(), &bytes[position as usize..][..region.len()]);
    let mut region = region;
    assert!(region.as_mut_slice().is_none(), "a read-only region hands out no &mut");
}

#[test]
fn read_write_writes_reach_the_file_and_private_writes_do_not() {
    let file = TempFile::with_bytes(&pattern(3 * page_size()));
    let mut shared = map(&file, MapMode::ReadWrite, 7, 2 * page_size());
    let mut private = map(&file, MapMode::Private, 7, 2 * page_size());
    shared.as_mut_slice().unwrap()[..5].copy_from_slice(b"HELLO");
    shared.flush_range(0, 5).unwrap();
    assert_eq!(file.read_at(7, 5), b"HELLO");
    private.as_mut_slice().unwrap()[100..105].copy_from_slice(b"WORLD");
    private.flush().unwrap(); // nothing to write for a private region
    assert_eq!(file.read_at(107, 5), &pattern(200)[107..112]);
    assert_eq!(&private.as_slice()[..5], b"HELLO", "a private page not yet copied shows the file");
    assert_eq!(&private.as_slice()[100..105], b"WORLD");
}

#[test]
fn flush_writes_a_range_across_pages() {
    let file = TempFile::with_bytes(&vec![0; 4 * page_size()]);
    let mut region = map(&file, MapMode::ReadWrite, 0, 4 * page_size());
    let at = page_size() - 2;
    region.as_mut_slice().unwrap()[at..at + 4].copy_from_slice(&[1, 2, 3, 4]);
    region.flush_range(at, 4).unwrap();
    region.flush().unwrap();
    assert_eq!(file.read_at(at as u64, 4), [1, 2, 3, 4]);
    let err = region.flush_range(4 * page_size() - 1, 2).unwrap_err();
    assert_eq!((err.syscall, err.errno), ("msync", libc::EINVAL), "{err}");
}

#[test]
fn a_region_above_2_gib_on_a_sparse_file() {
    let file = TempFile::with_bytes(&[]);
    let len: usize = 3 << 30;
    assert!(mmap::grow_file(file.file.as_fd(), len as u64).unwrap());
    assert!(!mmap::grow_file(file.file.as_fd(), 10).unwrap(), "grow_file never shrinks");
    assert_eq!(mmap::file_len(file.file.as_fd()).unwrap(), len as u64);
    let mut region = map(&file, MapMode::ReadWrite, 0, len);
    let at = (5usize << 30) / 2 - 3; // 2.5 GiB, less 3 bytes: across a page boundary too
    region.as_mut_slice().unwrap()[at..at + 8]
        .copy_from_slice(&0x0102030405060708u64.to_ne_bytes());
    region.flush_range(at, 8).unwrap();
    assert_eq!(file.read_at(at as u64, 8), 0x0102030405060708u64.to_ne_bytes());
    let resident = region.resident_bytes(0, len).unwrap();
    assert!(resident < 16 << 20, "{resident} bytes resident: sparse pages stay unloaded");
}

#[test]
fn load_is_loaded_and_resident_bytes_after_eviction() {
    let len = 8 << 20;
    let file = TempFile::with_bytes(&pattern(len));
    evict_page_cache(file.file.as_fd()).unwrap();
    let region = map(&file, MapMode::ReadOnly, 0, len);
    let before = region.resident_bytes(0, len).unwrap();
    assert!(before < len as u64 / 4, "{before} of {len} bytes resident right after eviction");
    assert!(!region.is_loaded().unwrap());
    region.load().unwrap();
    assert!(region.is_loaded().unwrap());
    assert!(region.is_loaded_range(100, 5000).unwrap());
    assert_eq!(region.resident_bytes(0, len).unwrap(), len as u64);
    assert_eq!(region.resident_bytes(100, 5000).unwrap(), 5000, "counts only the asked bytes");
    assert_eq!(region.resident_bytes(len - 1, 1).unwrap(), 1);
    assert_eq!(region.resident_bytes(7, 0).unwrap(), 0);
    assert!(region.is_loaded_range(7, 0).unwrap());
    let err = region.resident_bytes(len - 1, 2).unwrap_err();
    assert_eq!((err.syscall, err.errno), ("mincore", libc::EINVAL), "{err}");
}

#[test]
fn load_missing_loads_only_what_is_not_resident() {
    let len = 8 << 20;
    let file = TempFile::with_bytes(&pattern(len));
    evict_page_cache(file.file.as_fd()).unwrap();
    let region = map(&file, MapMode::ReadOnly, 0, len);
    // Make a middle part resident first: load_missing must fill the rest around it.
    region.advise_range(Advice::WillNeed, 2 << 20, 1 << 20).unwrap();
    region.load_missing().unwrap();
    assert!(region.is_loaded().unwrap());
    assert_eq!(region.resident_bytes(0, len).unwrap(), len as u64);
    region.load_missing().unwrap(); // nothing missing: a mincore pass, no populate
}

#[test]
fn resident_bytes_counts_partial_pages() {
    // A sparse file: its holes are in no cache until read; pages 3 and 4 are, once written.
    let page = page_size();
    let file = TempFile::with_bytes(&[]);
    file.file.set_len(16 * page as u64).unwrap();
    file.file.write_all_at(&pattern(2 * page), 3 * page as u64).unwrap();
    let region = map(&file, MapMode::ReadOnly, 0, 16 * page);
    assert!(region.is_loaded_range(3 * page, 2 * page).unwrap());
    assert!(!region.is_loaded_range(2 * page, 2 * page).unwrap());
    assert!(!region.is_loaded().unwrap());
    // From the middle of page 2 to the middle of page 5: all of page 3, 4, no hole.
    assert_eq!(region.resident_bytes(2 * page + page / 2, 3 * page).unwrap(), 2 * page as u64);
    // From the middle of page 3 to the middle of page 4: one page's worth.
    assert_eq!(region.resident_bytes(3 * page + page / 2, page).unwrap(), page as u64);
    assert_eq!(region.resident_bytes(4 * page + 1, 10).unwrap(), 10);
    assert_eq!(region.resident_bytes(0, 16 * page).unwrap(), 2 * page as u64);
}

#[test]
fn load_fallback_remaps_populated_and_keeps_the_file_mapping() {
    let len = 4 << 20;
    let file = TempFile::with_bytes(&pattern(len));
    evict_page_cache(file.file.as_fd()).unwrap();
    // Safety: as in `map`.
    let mut region = unsafe {
        MappedRegion::map_with_strategy(
            file.file.as_fd(),
            MapMode::ReadWrite,
            page_size() as u64 + 5,
            len - page_size() - 5,
            LoadStrategy::WillNeedAndRemap,
        )
    }
    .unwrap();
    let before = region.as_ptr();
    region.lock().unwrap();
    region.load().unwrap();
    assert_eq!(region.as_ptr(), before, "the remap keeps the addresses");
    assert!(region.is_loaded().unwrap());
    assert!(locked_kb(page_start(region.as_ptr())) > 0, "the remapped pages are locked again");
    assert_eq!(region.as_slice(), &pattern(len)[page_size() + 5..]);
    // Still the file, shared: writes reach it.
    region.as_mut_slice().unwrap()[..3].copy_from_slice(b"abc");
    region.flush_range(0, 3).unwrap();
    assert_eq!(file.read_at(page_size() as u64 + 5, 3), b"abc");
    region.unlock().unwrap();
}

#[test]
fn load_fallback_remaps_only_the_missing_pages_of_the_range() {
    let page = page_size();
    let len = 16 << 20;
    let file = TempFile::with_bytes(&pattern(len));
    evict_page_cache(file.file.as_fd()).unwrap();
    // Safety: as in `map`.
    let region = unsafe {
        MappedRegion::map_with_strategy(
            file.file.as_fd(),
            MapMode::ReadOnly,
            0,
            len,
            LoadStrategy::WillNeedAndRemap,
        )
    }
    .unwrap();
    region.advise(Advice::Random).unwrap(); // "rr" in VmFlags; a remap drops it
    let (from, count) = (4 << 20, 2 << 20);
    assert!(!region.is_loaded_range(from, count).unwrap());
    region.load_missing_range(from + 100, count - 200).unwrap();
    assert!(region.is_loaded_range(from, count).unwrap());
    let resident = region.resident_bytes(0, len).unwrap();
    assert!(resident < 8 << 20, "{resident} bytes resident: only the range was loaded");
    let base = region.as_ptr() as usize;
    let flags = |at: usize| mapping_at(base + at).1;
    assert!(flags(0).contains(" rr"), "before the range: {}", flags(0));
    assert!(flags(from + count + page).contains(" rr"), "after it: {}", flags(from + count + page));
    assert!(!flags(from).contains(" rr"), "the range is a new mapping: {}", flags(from));
    assert_eq!(region.as_slice()[from..from + count], pattern(len)[from..from + count]);
}

#[test]
fn load_fallback_never_remaps_a_private_region() {
    let file = TempFile::with_bytes(&pattern(4 * page_size()));
    // Safety: as in `map`.
    let mut region = unsafe {
        MappedRegion::map_with_strategy(
            file.file.as_fd(),
            MapMode::Private,
            0,
            4 * page_size(),
            LoadStrategy::WillNeedAndRemap,
        )
    }
    .unwrap();
    region.as_mut_slice().unwrap()[10] = 0xAB;
    region.load().unwrap();
    assert_eq!(region.as_slice()[10], 0xAB, "the private change survives load");
}

#[test]
fn close_leaves_a_placeholder_that_never_reaches_the_file() {
    let len = 3 * page_size();
    let file = TempFile::with_bytes(&vec![b'A'; len]);
    let mut region = map(&file, MapMode::ReadWrite, 10, len - 10);
    let ptr = region.as_mut_ptr();
    region.as_mut_slice().unwrap()[0] = b'X';
    assert!(file.is_mapped());
    region.close().unwrap();
    region.close().unwrap(); // idempotent
    assert!(!region.is_open());
    assert!(!file.is_mapped(), "the file is released at close, before the region is dropped");
    // A stale pointer reads zeros, and its writes stay in private memory.
    // Safety: the test owns the addresses until the region is dropped.
    unsafe {
        assert_eq!(*ptr, 0);
        *ptr.add(5) = b'B';
        assert_eq!(*ptr.add(5), b'B');
    }
    let mut content = Vec::new();
    let mut f = &file.file;
    f.seek(SeekFrom::Start(0)).unwrap();
    f.read_to_end(&mut content).unwrap();
    let mut expected = vec![b'A'; len];
    expected[10] = b'X';
    assert_eq!(content, expected, "the file has the write before close and none after");
    for err in [
        region.load().unwrap_err(),
        region.flush().unwrap_err(),
        region.lock().unwrap_err(),
        region.advise(Advice::Random).unwrap_err(),
        region.resident_bytes(0, 1).unwrap_err(),
    ] {
        assert_eq!(err.errno, libc::EBADF, "{err}");
        assert!(err.to_string().contains("the region is closed"), "{err}");
    }
}

#[test]
fn the_memfd_placeholder_behaves_as_the_anonymous_one() {
    let len = 3 * page_size();
    let file = TempFile::with_bytes(&vec![b'A'; len]);
    let region = map(&file, MapMode::ReadWrite, 10, len - 10);
    let ptr = region.as_mut_ptr();
    assert_eq!(region.close_with(&[Placeholder::Memfd]).unwrap(), len);
    assert!(!region.is_open());
    assert!(!file.is_mapped());
    let (header, _) = mapping_at(ptr as usize);
    assert!(header.contains("/memfd:zerocopy-closed-region"), "{header}");
    assert!(header.contains(" rw-s "), "{header}");
    // Safety: the test owns the addresses until the region is dropped.
    unsafe {
        assert_eq!(*ptr.add(len - 11), 0);
        *ptr.add(5) = b'B';
        assert_eq!(*ptr.add(5), b'B', "a stale write reads back");
    }
    assert_eq!(file.read_at(0, len), vec![b'A'; len], "never in the file");
    assert_eq!(region.close_with(&[]).unwrap(), 0, "closed already: nothing to replace");
    drop(region);
    assert!(std::fs::read_to_string("/proc/self/maps")
        .unwrap()
        .lines()
        .all(|l| !l.starts_with(&format!("{:x}-", page_start(ptr)))));
}

#[test]
fn drop_without_close_unmaps() {
    let file = TempFile::with_bytes(&pattern(page_size()));
    let region = map(&file, MapMode::ReadOnly, 0, page_size());
    assert!(file.is_mapped());
    drop(region);
    assert!(!file.is_mapped());
}

#[test]
fn lock_and_unlock() {
    let len = 64 * page_size();
    let file = TempFile::with_bytes(&pattern(len));
    let region = map(&file, MapMode::ReadOnly, 0, len);
    let start = page_start(region.as_ptr());
    assert_eq!(locked_kb(start), 0);
    region.lock().unwrap();
    assert_eq!(locked_kb(start), (len / 1024) as u64);
    assert!(region.is_loaded().unwrap(), "mlock faults the pages in");
    region.unlock().unwrap();
    assert_eq!(locked_kb(start), 0);
}

#[test]
fn advice_of_every_kind() {
    let len = 8 * page_size();
    let file = TempFile::with_bytes(&pattern(len));
    let region = map(&file, MapMode::ReadWrite, 1, len - 1);
    for advice in
        [Advice::Normal, Advice::Sequential, Advice::Random, Advice::WillNeed, Advice::DontNeed]
    {
        region.advise(advice).unwrap();
        region.advise_range(advice, 5, page_size()).unwrap();
    }
    // Transparent huge pages for file mappings depend on the kernel's build and settings.
    if let Err(e) = region.advise(Advice::HugePage) {
        assert_eq!(e.errno, libc::EINVAL, "{e}");
    }
    let err = region.advise_range(Advice::Normal, len - 1, 1).unwrap_err();
    assert_eq!(err.errno, libc::EINVAL, "{err}");
}

#[test]
fn dont_need_on_a_private_region_is_refused_unless_unchecked() {
    let file = TempFile::with_bytes(&pattern(2 * page_size()));
    let mut region = map(&file, MapMode::Private, 0, 2 * page_size());
    region.as_mut_slice().unwrap()[0] = !pattern(1)[0];
    let err = region.advise(Advice::DontNeed).unwrap_err();
    assert_eq!(err.errno, libc::EINVAL, "{err}");
    assert_eq!(region.as_slice()[0], !pattern(1)[0]);
    // Safety: no slice of the region is alive across the call.
    unsafe { region.advise_unchecked(Advice::DontNeed, 0, 1) }.unwrap();
    assert_eq!(region.as_slice()[0], pattern(1)[0], "the private change is gone");
}

#[test]
fn truncated_file_fails_cleanly_without_a_signal() {
    let len = 1 << 20;
    let file = TempFile::with_bytes(&pattern(len));
    let mut region = map(&file, MapMode::ReadWrite, 0, len);
    file.file.set_len(0).unwrap();
    let err = region.load().unwrap_err();
    assert_eq!((err.syscall, err.errno), ("madvise", libc::EFAULT), "{err}");
    assert!(err.to_string().contains("past the end of the file"), "{err}");
    assert!(!region.is_loaded().unwrap());
    assert_eq!(region.resident_bytes(0, len).unwrap(), 0);
    region.flush().unwrap();
    region.advise(Advice::WillNeed).unwrap();
    let err = region.lock().unwrap_err();
    assert_eq!((err.syscall, err.errno), ("mlock", libc::ENOMEM), "{err}");
    assert!(err.to_string().contains("the pages could not be locked"), "{err}");
    assert!(!err.to_string().contains("RLIMIT_MEMLOCK"), "not the limit: {err}");
    let (_, flags) = mapping_at(region.as_ptr() as usize);
    assert!(!flags.contains(" lo"), "the failed lock is undone: {flags}");
    region.unlock().unwrap();
    region.close().unwrap();
}

#[test]
fn an_empty_region_maps_nothing() {
    let file = TempFile::with_bytes(&[]);
    let mut region = map(&file, MapMode::ReadWrite, 1 << 40, 0);
    assert!(region.is_empty());
    assert_eq!(region.as_slice(), &[] as &[u8]);
    region.load().unwrap();
    region.flush().unwrap();
    region.lock().unwrap();
    region.unlock().unwrap();
    region.advise(Advice::DontNeed).unwrap();
    assert!(region.is_loaded().unwrap());
    assert_eq!(region.resident_bytes(0, 0).unwrap(), 0);
    region.close().unwrap();
    assert!(!region.is_open());
}

#[test]
fn mapping_a_read_only_descriptor_for_writing_fails_with_the_errno() {
    let file = TempFile::with_bytes(&pattern(page_size()));
    let read_only = File::open(&file.path).unwrap();
    // Safety: as in `map`.
    let err =
        unsafe { MappedRegion::map(read_only.as_fd(), MapMode::ReadWrite, 0, 10) }.unwrap_err();
    assert_eq!((err.syscall, err.errno), ("mmap", libc::EACCES), "{err}");
}
