// mimalloc: rendering is allocation-bound (many short strings and maps), and
// glibc's malloc/free took a third of a build's time.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(deployc::cli::run());
}

/// Turns transparent huge pages off for this process. mimalloc asks for
/// them on its arenas, and the kernel then zeroes 2 MiB at the first touch
/// of any byte: in a one-spec build that zeroing was 45% of the samples
/// (perf), for a heap of a few megabytes. A build is short-lived, so small
/// pages cost nothing in TLB misses worth having. It runs as a constructor,
/// before `main`: the Rust runtime's first allocation, before `main`, is
/// what makes mimalloc reserve and touch its first arena.
#[cfg(target_os = "linux")]
extern "C" fn no_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes no pointers; on a kernel without it
    // the call fails with EINVAL, and huge pages stay as they were.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static NO_HUGE_PAGES: extern "C" fn() = no_huge_pages;
