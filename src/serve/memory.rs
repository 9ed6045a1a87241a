//! Keeps `serve`'s resident memory near what the site in memory needs.
//!
//! A long `serve` session allocates and frees large buffers over and over: every update lays out
//! pages and the site-wide outputs (the print views of a 1,000-page site are tens of MB), and the
//! HTTP side serves them. The allocator keeps what is freed for reuse, per thread; after each
//! update the free pages of every thread are handed back.

/// Hands the memory freed by an update back to the OS. Called off the request path, after the
/// new snapshot is published.
pub fn release_freed() {
    // Each thread's heap is its own: the update's work ran on the rayon workers.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    rayon::broadcast(|_| collect());
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    collect();
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn collect() {
    // SAFETY: mi_collect only returns this thread's free memory to the OS.
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
}
