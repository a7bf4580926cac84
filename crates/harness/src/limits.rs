//! Resource limits on programs under test (Linux).
//!
//! Set in the child between `fork` and `exec` (`pre_exec`), so they hold
//! from the program's first instruction, and are inherited by anything it
//! starts:
//!
//! - [`ADDRESS_SPACE`] (RLIMIT_AS): Linux overcommits memory, so without a
//!   limit `vec![0u8; 4294967295]` succeeds at once and touches nothing: a
//!   server that allocates what a peer's length header asks for, before
//!   comparing it with its maximum, would pass. Under the limit the same
//!   allocation fails and Rust aborts with `memory allocation of 4294967295
//!   bytes failed`, every run. 1 GiB, not less: each thread that allocates
//!   reserves a 64 MiB glibc arena and its stack, so a correct server with
//!   a dozen threads still fits, while any 4 GiB request fails.
//! - [`FILE_SIZE`] (RLIMIT_FSIZE): a program that writes files (in its
//!   scratch directory) cannot fill the disk.
//! - RLIMIT_CORE 0: a crash leaves no core file.
//!
//! No process-count limit: RLIMIT_NPROC counts every process of the user
//! (the student's editor and browser included, so a limit low enough to
//! stop a fork bomb would make a correct program's `thread::spawn` fail on
//! a busy desktop), and it does not bind root at all. The harness instead
//! kills the program's whole process group at the end of each scenario;
//! the grader's sandbox bounds process counts with a cgroup.
//!
//! On Windows and macOS no limit is set (macOS does not enforce
//! RLIMIT_AS), and the verdict carries [`FALLBACK_NOTE`].

use std::process::Command;

/// The address-space limit of a program under test: 1 GiB.
pub const ADDRESS_SPACE: u64 = 1 << 30;
/// The largest file a program under test may write: 64 MiB.
pub const FILE_SIZE: u64 = 64 << 20;

/// What the verdict says where no limit is set.
pub(crate) const FALLBACK_NOTE: &str = "On this system the harness does not limit a program's \
     memory, so a server that allocates what a length header asks for before checking it may \
     pass here, and fails on Linux. / 本系统上 harness 不限制程序的内存, 所以先按长度头分配内存\
     再检查长度的服务器在这里可能通过, 在 Linux 上会失败。";

/// Makes `command` start its program under the limits; returns whether
/// this system has them.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
pub(crate) fn apply(command: &mut Command) -> bool {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs in the forked child before exec, where only
    // async-signal-safe calls are allowed: it calls getrlimit and
    // setrlimit (plain system calls) on local values, allocates nothing
    // and takes no lock.
    unsafe {
        command.pre_exec(|| {
            lower(libc::RLIMIT_AS, ADDRESS_SPACE);
            lower(libc::RLIMIT_FSIZE, FILE_SIZE);
            lower(libc::RLIMIT_CORE, 0);
            Ok(())
        });
    }
    true
}

/// Lowers a limit (soft and hard) to `value`, never raising it; a failure
/// leaves it as it was, which `apply`'s callers accept.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn lower(resource: libc::__rlimit_resource_t, value: u64) {
    let mut current = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one `rlimit` into the local we pass a
    // pointer to; setrlimit reads one from a local.
    unsafe {
        if libc::getrlimit(resource, &raw mut current) != 0 {
            return;
        }
        let value = value.min(current.rlim_max);
        let limit = libc::rlimit {
            rlim_cur: value,
            rlim_max: value,
        };
        libc::setrlimit(resource, &raw const limit);
    }
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn apply(_command: &mut Command) -> bool {
    false
}
