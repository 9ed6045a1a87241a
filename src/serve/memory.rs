//! Keeps `serve`'s resident memory near what the site in memory needs.
//!
//! A long `serve` session allocates and frees large buffers over and over: every update lays out
//! pages and the site-wide outputs (the print views of a 1,000-page site are tens of MB), and the
//! HTTP side serves them. The allocator (mimalloc on Linux with glibc, see Cargo.toml) keeps what
//! a thread frees for that thread's reuse; after each update every thread hands its free pages
//! back.

/// Hands the memory freed by an update back to the OS. Called off the request path, after the
/// new snapshot is published.
pub fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // The update's work ran on the rayon workers, each with a heap of its own.
        rayon::broadcast(|_| collect());
        collect();
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn collect() {
    // SAFETY: mi_collect only returns the calling thread's free memory to the OS.
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
}
