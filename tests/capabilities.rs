//! The probe agrees with what the kernel says about itself.

use zerocopy_jni::Capabilities;

fn kernel_at_least(release: &str, major: u32, minor: u32) -> bool {
    let mut parts = release.split(['.', '-']).map(|p| p.parse::<u32>().unwrap_or(0));
    let (ma, mi) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (ma, mi) >= (major, minor)
}

#[test]
fn probe_matches_the_running_kernel() {
    let caps = Capabilities::probe();
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    assert_eq!(caps.kernel_release, release.trim());
    assert_eq!(caps.page_size, unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize);
    assert!(caps.sendfile && caps.splice, "{caps:?}");
    assert_eq!(caps.copy_file_range, kernel_at_least(&caps.kernel_release, 4, 5), "{caps:?}");
    assert_eq!(caps.madv_populate_read, kernel_at_least(&caps.kernel_release, 5, 14), "{caps:?}");
    assert_eq!(caps.madv_populate_write, kernel_at_least(&caps.kernel_release, 5, 14), "{caps:?}");
    assert_eq!(caps.cachestat, kernel_at_least(&caps.kernel_release, 6, 5), "{caps:?}");
    match std::fs::read_to_string("/proc/sys/kernel/io_uring_disabled").as_deref().map(str::trim) {
        Ok("0") => assert!(caps.io_uring, "{caps:?}"),
        Ok("2") => assert!(!caps.io_uring, "{caps:?}"),
        _ => {}
    }
    assert_eq!(Capabilities::get(), &caps, "the cached probe is the same");
}
