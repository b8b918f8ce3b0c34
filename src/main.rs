// mimalloc: rendering is allocation-bound (many short strings and maps), and
// glibc's malloc/free took a third of a build's time.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    no_huge_pages();
    std::process::exit(deployc::cli::run());
}

/// Turns transparent huge pages off for this process. mimalloc asks for
/// them on its arenas, and the kernel then zeroes 2 MiB at the first touch
/// of any byte: in a one-spec build that zeroing was 45% of the samples
/// (perf), for a heap of a few megabytes. A build is short-lived, so small
/// pages cost nothing in TLB misses worth having.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes no pointers; on a kernel without it
    // the call fails with EINVAL, and huge pages stay as they were.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
