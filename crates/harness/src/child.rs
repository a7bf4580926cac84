//! A child process's life, done one way for the harness and for xtask:
//! started in a process group of its own, its exit awaited with a
//! deadline, killed with every process it started.
//!
//! - On Unix the child is the leader of a new process group
//!   (`setpgid(0, 0)` through `CommandExt::process_group`), so one
//!   `kill(-pgid, SIGKILL)` also reaches the children it forked.
//! - On Windows, `taskkill /T /F` kills the tree.
//!
//! std's `Child::wait` has no timeout, so a waiter thread owns the child
//! and reports its exit status on a channel; the deadline is a receive
//! timeout, and killing the child ends the wait. Nothing polls or sleeps.

use std::io;
use std::process::{Child, Command, ExitStatus};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

/// The exit status after Ctrl-C (128 + SIGINT, as shells report it): xtask's
/// and the harness's Ctrl-C handlers both exit with it.
pub const INTERRUPTED: i32 = 130;

/// Makes `command` start in a process group of its own (Unix; on Windows
/// [`kill_tree`] finds the children without one).
pub fn new_process_group(command: &mut Command) {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    #[cfg(not(unix))]
    let _ = command;
}

/// The exit of a child process, awaited on a thread of its own.
#[derive(Debug)]
pub struct Exit {
    pid: u32,
    status: Receiver<io::Result<ExitStatus>>,
}

impl Exit {
    /// Hands `child` to a waiter thread.
    pub fn watch(mut child: Child) -> Exit {
        let pid = child.id();
        let (tx, status) = mpsc::channel();
        thread::spawn(move || {
            let _ = tx.send(child.wait());
        });
        Exit { pid, status }
    }

    /// The child's process id (and, with [`new_process_group`], its group's).
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Waits at most `timeout` for the child to exit. `None`: it is still
    /// running, or its exit was already returned once.
    pub fn wait(&self, timeout: Duration) -> Option<io::Result<ExitStatus>> {
        self.status.recv_timeout(timeout).ok()
    }
}

/// Kills the process `pid` and every process in its group (Unix), or its
/// process tree (Windows). A process that is already gone is no error.
#[cfg(unix)]
pub fn kill_tree(pid: u32) {
    send_kill(pid, true);
}

/// Kills the process `pid` and every process in its group (Unix), or its
/// process tree (Windows). A process that is already gone is no error.
#[cfg(windows)]
pub fn kill_tree(pid: u32) {
    taskkill(&["/T", "/F", "/PID", &pid.to_string()]);
}

/// Kills the one process `pid`. A process that is already gone is no error.
#[cfg(unix)]
pub fn kill_process(pid: u32) {
    send_kill(pid, false);
}

/// Kills the one process `pid`. A process that is already gone is no error.
#[cfg(windows)]
pub fn kill_process(pid: u32) {
    taskkill(&["/F", "/PID", &pid.to_string()]);
}

#[cfg(not(any(unix, windows)))]
compile_error!("the harness knows how to kill a process tree on Unix and Windows only");

/// SIGKILL to the process `pid`, or to its whole process `group`.
#[cfg(unix)]
#[allow(unsafe_code)]
fn send_kill(pid: u32, group: bool) {
    // 0 and -1 would address this process's own group or every process.
    let Some(pid) = libc::pid_t::try_from(pid).ok().filter(|pid| *pid > 0) else {
        return;
    };
    let target = if group { -pid } else { pid };
    // SAFETY: kill(2) takes plain integers and touches no memory of ours. A
    // negative target addresses the process group that `process_group(0)`
    // created; if the process or group is already gone this fails with
    // ESRCH, which is fine.
    unsafe {
        libc::kill(target, libc::SIGKILL);
    }
}

#[cfg(windows)]
fn taskkill(args: &[&str]) {
    use std::process::Stdio;
    let _ = Command::new("taskkill")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}
