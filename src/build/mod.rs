//! Writing generated files: the only module that touches the file system. (Being written.)
