//! Keeps `serve`'s resident memory near what the site in memory needs.
//!
//! A long `serve` session allocates and frees large buffers over and over: every update lays out
//! pages and the site-wide outputs (the print page of a 1,000-page site is tens of MB), and the
//! HTTP side serves them. glibc's allocator keeps what is freed for reuse, per thread arena, and
//! raises its threshold for giving large blocks their own mapping each time one is freed, so
//! after a while large buffers come from the arenas and stay there: resident memory only grows.
//! Two settings bound it: large blocks always get their own mapping (returned to the OS when
//! freed), and after each update the free pages of every arena are handed back.

/// Blocks this large or larger are mapped on their own and unmapped when freed. 1 MiB: pages and
/// site-wide outputs are above it; the many small strings of a site are far below.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const OWN_MAPPING: libc::c_int = 1 << 20;

/// Called once, before the site is built.
pub fn configure() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; it is called before other threads start.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, OWN_MAPPING);
    }
}

/// Hands the memory freed by an update back to the OS. Called off the request path, after the
/// new snapshot is published.
pub fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim is thread-safe and only releases free pages.
    unsafe {
        libc::malloc_trim(0);
    }
}
