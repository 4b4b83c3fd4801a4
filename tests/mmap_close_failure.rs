//! A close that can map no placeholder leaves the region open. Its own test binary: it takes
//! every descriptor from the process (RLIMIT_NOFILE 0), which other tests could not bear.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::fd::AsFd;
use std::os::unix::fs::FileExt;

use zerocopy_jni::mmap::{MapMode, MappedRegion, Placeholder};
use zerocopy_jni::sys::page_size;

fn nofile(soft: libc::rlim_t, hard: libc::rlim_t) {
    let limit = libc::rlimit { rlim_cur: soft, rlim_max: hard };
    // Safety: setrlimit reads one struct rlimit.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) }, 0);
}

#[test]
fn a_close_without_placeholder_keeps_the_region_open_and_the_file_mapped() {
    let path = std::env::temp_dir().join(format!("zerocopy-close-failure-{}", std::process::id()));
    let mut file = OpenOptions::new().read(true).write(true).create_new(true).open(&path).unwrap();
    file.write_all(&vec![b'A'; 2 * page_size()]).unwrap();
    // Safety: the test owns the file.
    let mut region =
        unsafe { MappedRegion::map(file.as_fd(), MapMode::ReadWrite, 0, 2 * page_size()) }.unwrap();
    let mut old = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // Safety: getrlimit writes one struct rlimit.
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut old) }, 0);
    nofile(0, old.rlim_max); // memfd_create now fails with EMFILE
    let err = region.close_with(&[Placeholder::Memfd]).unwrap_err();
    nofile(old.rlim_cur, old.rlim_max);
    assert_eq!((err.syscall, err.errno), ("memfd_create", libc::EMFILE), "{err}");
    assert!(err.to_string().contains("the region stays open"), "{err}");
    assert!(region.is_open());
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    assert!(maps.lines().any(|l| l.ends_with(path.to_str().unwrap())), "still the file's mapping");
    region.as_mut_slice().unwrap()[7] = b'Z';
    region.flush().unwrap();
    let mut byte = [0u8];
    file.read_exact_at(&mut byte, 7).unwrap();
    assert_eq!(byte, *b"Z", "an open region writes the file");
    region.close().unwrap();
    assert!(!region.is_open());
    std::fs::remove_file(&path).unwrap();
}
