//! What the running kernel offers, probed once.

use std::ffi::CStr;
use std::sync::OnceLock;

/// `cachestat(2)`, Linux 6.5; libc does not name it on every target yet. 451 on all but alpha/mips.
const SYS_CACHESTAT: libc::c_long = 451;

/// The zero-copy and memory features of the running kernel, probed once per process.
///
/// A feature counts as present when the kernel knows the call and lets this process make it
/// (a seccomp filter that answers EPERM or ENOSYS makes it absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// `uname -r`, such as "6.8.0-45-generic".
    pub kernel_release: String,
    pub sendfile: bool,
    pub splice: bool,
    pub copy_file_range: bool,
    /// `madvise(MADV_POPULATE_READ)`, Linux 5.14.
    pub madv_populate_read: bool,
    /// `madvise(MADV_POPULATE_WRITE)`, Linux 5.14.
    pub madv_populate_write: bool,
    /// `cachestat(2)`, Linux 6.5.
    pub cachestat: bool,
    /// `io_uring_setup(2)`, Linux 5.1, unless disabled by `kernel.io_uring_disabled` or seccomp.
    pub io_uring: bool,
    pub page_size: usize,
}

impl Capabilities {
    /// The capabilities of this kernel, probed at the first call.
    pub fn get() -> &'static Capabilities {
        static PROBED: OnceLock<Capabilities> = OnceLock::new();
        PROBED.get_or_init(Capabilities::probe)
    }

    /// Probes the kernel now. Each probe is one cheap call that fails harmlessly.
    pub fn probe() -> Capabilities {
        Capabilities {
            kernel_release: kernel_release(),
            // A call on fd -1 answers EBADF when the kernel has it, ENOSYS (or a seccomp EPERM)
            // when it does not.
            sendfile: answers_ebadf(|| unsafe {
                libc::sendfile(-1, -1, std::ptr::null_mut(), 1) as libc::c_long
            }),
            splice: answers_ebadf(|| unsafe {
                libc::splice(-1, std::ptr::null_mut(), -1, std::ptr::null_mut(), 1, 0)
                    as libc::c_long
            }),
            copy_file_range: answers_ebadf(|| unsafe {
                libc::syscall(
                    libc::SYS_copy_file_range,
                    -1,
                    std::ptr::null_mut::<libc::loff_t>(),
                    -1,
                    std::ptr::null_mut::<libc::loff_t>(),
                    1usize,
                    0u32,
                )
            }),
            madv_populate_read: madvise_works(libc::MADV_POPULATE_READ),
            madv_populate_write: madvise_works(libc::MADV_POPULATE_WRITE),
            cachestat: answers_ebadf(|| unsafe {
                libc::syscall(
                    SYS_CACHESTAT,
                    -1,
                    std::ptr::null_mut::<u8>(),
                    std::ptr::null_mut::<u8>(),
                    0u32,
                )
            }),
            io_uring: io_uring_works(),
            page_size: unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize,
        }
    }
}

fn kernel_release() -> String {
    let mut name: libc::utsname = unsafe { std::mem::zeroed() };
    if super::check(unsafe { libc::uname(&mut name) }, "uname").is_err() {
        return String::from("unknown");
    }
    unsafe { CStr::from_ptr(name.release.as_ptr()) }.to_string_lossy().into_owned()
}

fn answers_ebadf(call: impl FnOnce() -> libc::c_long) -> bool {
    call() == -1 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EBADF)
}

/// Populates one anonymous page with the given advice; EINVAL means the kernel predates it.
fn madvise_works(advice: libc::c_int) -> bool {
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
    let addr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            page,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if addr == libc::MAP_FAILED {
        return false;
    }
    let works = unsafe { libc::madvise(addr, page, advice) } == 0;
    unsafe { libc::munmap(addr, page) };
    works
}

/// Sets up (and closes) a one-entry ring: the only sure test, as a sysctl or seccomp may refuse.
fn io_uring_works() -> bool {
    // struct io_uring_params is 120 bytes; zeroed means "no flags".
    let mut params = [0u8; 120];
    let fd = unsafe { libc::syscall(libc::SYS_io_uring_setup, 1u32, params.as_mut_ptr()) };
    if fd >= 0 {
        unsafe { libc::close(fd as libc::c_int) };
        true
    } else {
        false
    }
}
