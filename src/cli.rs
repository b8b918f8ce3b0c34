//! The thin command-line layer. (Being written.)

pub fn run() -> i32 {
    0
}
