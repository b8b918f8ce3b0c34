fn main() {
    std::process::exit(deployc::cli::run());
}
