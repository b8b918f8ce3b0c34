// mimalloc: rendering is allocation-bound (many short strings and maps), and
// glibc's malloc/free took a third of a build's time.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(deployc::cli::run());
}
