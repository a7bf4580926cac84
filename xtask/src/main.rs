//! `cargo xtask COMMAND`: see [`xtask::cli::USAGE`].

fn main() -> std::process::ExitCode {
    xtask::cli::main()
}
