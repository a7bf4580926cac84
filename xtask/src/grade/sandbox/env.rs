//! What a sandbox's environment holds, in one place: inside, it is
//! cleared and set from these alone.

use super::{CARGO_HOME, SCRATCH, TARGET, VERDICTS, WORK};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The environment of a build, in one place: the toolchain, cargo's home
/// inside the sandbox, snapshots never written, and no debug info
/// (`CARGO_PROFILE_DEV_DEBUG=0`, the cache's and every submission's):
/// nothing of grading reads it (panics are read without backtraces), and
/// without it linking a submission's fourteen programs takes a third less
/// CPU (README, "How fast grading is").
pub fn build_env(sysroot: &Path) -> Vec<(&'static str, OsString)> {
    let mut path = sysroot.join("bin").into_os_string();
    path.push(":/usr/bin:/bin");
    vec![
        ("PATH", path),
        ("HOME", "/tmp".into()),
        ("CARGO_HOME", CARGO_HOME.into()),
        ("CARGO_TARGET_DIR", TARGET.into()),
        ("CARGO_INCREMENTAL", "0".into()),
        ("CARGO_PROFILE_DEV_DEBUG", "0".into()),
        ("CARGO_TERM_COLOR", "never".into()),
        ("CI", "true".into()),
        ("INSTA_UPDATE", "no".into()),
    ]
}

/// The environment of a run, in one place: the seed of the property
/// scenarios, snapshots read and never written, the jail that starts
/// programs under test (with a process limit of its own when the sandbox
/// has no pids cgroup, `jail_nproc`); for the judges that write verdict
/// files (`judging`: stories and properties) where they go.
pub fn run_env(
    bwrap: &Path,
    judging: bool,
    seed: u64,
    jail_nproc: bool,
) -> Vec<(&'static str, OsString)> {
    let mut env: Vec<(&'static str, OsString)> = vec![
        ("PATH", "/usr/bin:/bin".into()),
        ("HOME", "/tmp".into()),
        ("TMPDIR", "/tmp".into()),
        ("CI", "true".into()),
        ("INSTA_UPDATE", "no".into()),
        ("INSTA_WORKSPACE_ROOT", WORK.into()),
        ("RUST_BACKTRACE", "0".into()),
        (harness::seed::SEED_ENV, seed.to_string().into()),
    ];
    if judging {
        env.push((harness::report::REPORT_DIR_ENV, VERDICTS.into()));
    }
    env.push((harness::jail::JAIL_ENV, bwrap.as_os_str().to_owned()));
    env.push((harness::jail::SCRATCH_ENV, SCRATCH.into()));
    if jail_nproc {
        env.push((harness::jail::NPROC_ENV, "1".into()));
    }
    env
}

/// The first program named `name` on `path` (a `PATH` value).
pub(super) fn find_in_path(name: &str, path: Option<OsString>) -> Option<PathBuf> {
    std::env::split_paths(&path?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}
