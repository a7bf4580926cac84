//! The jail: when the grader asks for it, every program under test runs one
//! step further removed than the test that judges it.
//!
//! `cargo xtask grade` runs a lab's scenario test (the judge) inside a
//! bubblewrap sandbox, and sets [`JAIL_ENV`] to the path of `bwrap` there.
//! The harness then starts each program under test through a second,
//! nested `bwrap`:
//!
//! - its own user namespace, as uid/gid 1000 without capabilities;
//! - its own PID namespace: the judge and every other process of the
//!   sandbox are invisible and cannot be signalled (`kill -9 -1` reaches
//!   only the program's own children), and everything it starts dies with
//!   it (`--die-with-parent`, PID 1 of the namespace reaps);
//! - an empty `/proc`: no parent's environment, file descriptors or
//!   working folder to read;
//! - the whole file system read-only, except its scratch folder (a
//!   tmpfs of [`SCRATCH_BYTES`], one of those the grader mounted when one
//!   is free, so that filling it is said in the verdict: `jail/disk.rs`);
//!   the grader's other such folders and the verdict folder named by
//!   [`crate::report::REPORT_DIR_ENV`] is hidden;
//! - an environment cleared to what [`crate::process`] sets, plus `PATH`:
//!   this variable and the verdict folder's are not passed on;
//! - at most [`MAX_PROCESSES`] processes (`RLIMIT_NPROC`, counted in the
//!   jail's own user namespace) when the grader has no pids cgroup
//!   ([`NPROC_ENV`]); with one, the cgroup counts the whole sandbox and the
//!   grader says when it fired.
//!
//! Without [`JAIL_ENV`] (`check-lab` on a student's laptop, any OS) programs
//! start directly, as before.

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

/// Names the `bwrap` that starts programs under test (set by the grader
/// inside its sandbox; unset, programs start directly).
pub const JAIL_ENV: &str = "SOCKET_LABS_JAIL";

/// Set (by the grader) when the sandbox has no pids cgroup: each jail then
/// limits its own process count ([`MAX_PROCESSES`], `RLIMIT_NPROC`).
pub const NPROC_ENV: &str = "SOCKET_LABS_JAIL_NPROC";

mod disk;

pub(crate) use disk::Slot;
pub use disk::{FILLED, SCRATCH_BYTES, SCRATCH_ENV, SLOTS};

/// How a jailed program ended, from bwrap's exit code: bwrap exits with
/// 128 + N when the program was killed by signal N.
pub(crate) fn exit_code(code: i32) -> crate::ExitHow {
    if std::env::var_os(JAIL_ENV).is_some() && (129..=128 + 64).contains(&code) {
        crate::ExitHow::Signal(code - 128)
    } else {
        crate::ExitHow::Code(code)
    }
}

/// util-linux's `prlimit`, which sets a limit and runs the program.
const PRLIMIT: &str = "/usr/bin/prlimit";

/// The most processes (threads included) a jailed program may have.
pub const MAX_PROCESSES: u32 = 256;

/// The only variable a jailed program gets besides the harness's own.
const JAIL_PATH: &str = "/usr/bin:/bin";

/// The command that starts `program` with `args` in `scratch`: directly, or
/// through the jail when [`JAIL_ENV`] is set (Linux only: elsewhere it is
/// ignored, as bubblewrap does not exist there).
pub(crate) fn command(
    program: &Path,
    args: &[String],
    scratch: &Path,
    disk: Option<&Slot>,
) -> Command {
    let jail = std::env::var_os(JAIL_ENV).filter(|_| cfg!(target_os = "linux"));
    let Some(bwrap) = jail else {
        let mut command = Command::new(program);
        command.args(args).current_dir(scratch);
        return command;
    };
    let mut command = Command::new(bwrap);
    command.env_clear().env("PATH", JAIL_PATH);
    command.args(jail_args(scratch, disk)).arg("--");
    if std::env::var_os(NPROC_ENV).is_some() && Path::new(PRLIMIT).is_file() {
        // Inside the jail's own user namespace, RLIMIT_NPROC counts the
        // jail's processes only: a fork bomb stops there. (A grader running
        // as root is exempt from it; the grader's pids cgroup caps it.)
        command
            .arg(PRLIMIT)
            .arg(format!("--nproc={MAX_PROCESSES}"))
            .arg("--");
    }
    command.arg(program).args(args);
    command.current_dir(scratch);
    command
}

/// The process whose `/proc` shows the program started as `pid`: `pid`
/// itself, or in the jail the program that bwrap (`pid`) started through
/// the jail's first process (its grandchild). The process group is still
/// `pid`'s: signals to the group reach the program. (Read from `/proc`:
/// Linux only.)
#[cfg(target_os = "linux")]
pub(crate) fn program_pid(pid: u32) -> u32 {
    if std::env::var_os(JAIL_ENV).is_none() {
        return pid;
    }
    let first_child = |pid: u32| {
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
            .ok()
            .and_then(|c| c.split_whitespace().next()?.parse::<u32>().ok())
    };
    first_child(pid).and_then(first_child).unwrap_or(pid)
}

/// bwrap's arguments for one program (before `--`).
fn jail_args(scratch: &Path, disk: Option<&Slot>) -> Vec<OsString> {
    let mut out: Vec<OsString> = [
        "--unshare-user",
        "--uid",
        "1000",
        "--gid",
        "1000",
        "--unshare-pid",
        "--die-with-parent",
        "--ro-bind",
        "/",
        "/",
        "--dev",
        "/dev",
        "--remount-ro",
        "/dev",
        "--tmpfs",
        "/proc",
        "--remount-ro",
        "/proc",
    ]
    .iter()
    .map(OsString::from)
    .collect();
    if let Some(verdicts) = std::env::var_os(crate::report::REPORT_DIR_ENV) {
        for arg in [
            OsString::from("--tmpfs"),
            verdicts.clone(),
            OsString::from("--remount-ro"),
            verdicts,
        ] {
            out.push(arg);
        }
    }
    // Its own small disk at the scratch folder's path, smaller than the
    // largest file a program may write (see `limits`), so a disk bomb
    // meets "no space left" the same way every run: one of the grader's
    // folders (the others hidden), or a private tmpfs.
    if let (Some(slot), Some(all)) = (disk, std::env::var_os(SCRATCH_ENV)) {
        for arg in [
            "--tmpfs".as_ref(),
            all.as_os_str(),
            "--bind".as_ref(),
            slot.dir().as_os_str(),
            scratch.as_os_str(),
            "--chdir".as_ref(),
            scratch.as_os_str(),
        ] {
            out.push(std::ffi::OsStr::to_owned(arg));
        }
        return out;
    }
    let scratch = scratch.as_os_str();
    let size = SCRATCH_BYTES.to_string();
    for arg in [
        "--size".as_ref(),
        size.as_ref(),
        "--tmpfs".as_ref(),
        scratch,
        "--chdir".as_ref(),
        scratch,
    ] {
        out.push(std::ffi::OsStr::to_owned(arg));
    }
    out
}
