//! `cargo xtask COMMAND`: see [`xtask::cli::usage`].

fn main() -> std::process::ExitCode {
    xtask::cli::main()
}
