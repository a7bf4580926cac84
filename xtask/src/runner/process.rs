//! Commands run with a deadline, and the processes they leave behind.

use anyhow::{Context, Result};
use harness::child::{Exit, kill_process, kill_tree, new_process_group};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// What a command did within its deadline.
pub struct Finished {
    /// `None`: the deadline passed and its process group was killed.
    pub status: Option<std::process::ExitStatus>,
    /// Its stderr (the first megabyte), when captured.
    pub stderr: String,
    /// Its stdout (the first [`STDOUT_LIMIT`] bytes), when captured.
    pub stdout: String,
}

/// The most of a command's stderr kept.
const STDERR_LIMIT: u64 = 1 << 20;
/// The most of a command's stdout kept (cargo's JSON messages).
pub const STDOUT_LIMIT: u64 = 16 << 20;

/// Reads `pipe` in a thread of its own: the first `limit` bytes are kept,
/// the rest drained, so the command never blocks on a full pipe.
fn read_in_thread(
    pipe: Option<impl std::io::Read + Send + 'static>,
    limit: u64,
) -> Option<std::thread::JoinHandle<String>> {
    pipe.map(|mut pipe| {
        std::thread::spawn(move || {
            use std::io::Read;
            let mut text = Vec::new();
            let _ = pipe.by_ref().take(limit).read_to_end(&mut text);
            let _ = std::io::copy(&mut pipe, &mut std::io::sink());
            String::from_utf8_lossy(&text).into_owned()
        })
    })
}

/// Runs `command` with stdin closed and stdout dropped, stderr captured
/// or dropped; stops it if it runs past `deadline`. With `own_group` it
/// runs in a process group of its own, and the whole group is killed;
/// otherwise only the command itself is.
///
/// # Errors
///
/// The command could not be started.
pub fn run_with_deadline(
    command: Command,
    deadline: Duration,
    capture_stderr: bool,
    own_group: bool,
) -> Result<Finished> {
    run(command, deadline, (false, capture_stderr), own_group)
}

/// [`run_with_deadline`], capturing stdout and stderr (for cargo's
/// `--message-format json`).
///
/// # Errors
///
/// The command could not be started.
pub fn run_capturing_output(
    command: Command,
    deadline: Duration,
    own_group: bool,
) -> Result<Finished> {
    run(command, deadline, (true, true), own_group)
}

fn run(
    mut command: Command,
    deadline: Duration,
    (capture_stdout, capture_stderr): (bool, bool),
    own_group: bool,
) -> Result<Finished> {
    let pipe = |capture: bool| {
        if capture {
            Stdio::piped()
        } else {
            Stdio::null()
        }
    };
    command
        .stdin(Stdio::null())
        .stdout(pipe(capture_stdout))
        .stderr(pipe(capture_stderr));
    if own_group {
        new_process_group(&mut command);
    }
    let mut child = crate::interrupt::spawn(&mut command).context("could not run cargo")?;
    let stderr = read_in_thread(child.stderr.take(), STDERR_LIMIT);
    let stdout = read_in_thread(child.stdout.take(), STDOUT_LIMIT);
    // The harness's waiter thread owns the child; the deadline is a receive
    // timeout on its exit status, and killing the group ends the wait.
    let exit = Exit::watch(child);
    let status = match exit.wait(deadline) {
        Some(status) => Some(status.context("could not wait for cargo")?),
        None => {
            if own_group {
                kill_tree(exit.pid());
            } else {
                kill_process(exit.pid());
            }
            let _ = exit.wait(Duration::from_secs(10));
            None
        }
    };
    let text = |reader: Option<std::thread::JoinHandle<String>>| {
        reader.and_then(|r| r.join().ok()).unwrap_or_default()
    };
    Ok(Finished {
        status,
        stderr: text(stderr),
        stdout: text(stdout),
    })
}

/// Kills every process (but this one) whose working directory is inside
/// one of `dirs`: what a student's program left running, even when it
/// escaped its process group. Linux only (it reads `/proc`); elsewhere the
/// harness's process-group kill is all there is.
pub fn kill_processes_in(dirs: &[&Path]) {
    for pid in processes_in(dirs) {
        kill_process(pid);
    }
}

/// The processes (but this one) whose working directory is inside one of
/// `dirs` (Linux; empty elsewhere).
pub fn processes_in(dirs: &[&Path]) -> Vec<u32> {
    let mut found = Vec::new();
    if !cfg!(target_os = "linux") {
        return found;
    }
    let dirs: Vec<PathBuf> = dirs
        .iter()
        .map(|d| d.canonicalize().unwrap_or_else(|_| d.to_path_buf()))
        .collect();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == std::process::id() {
            continue;
        }
        let Ok(cwd) = std::fs::read_link(entry.path().join("cwd")) else {
            continue;
        };
        let cwd = cwd.to_string_lossy();
        let cwd = Path::new(cwd.trim_end_matches(" (deleted)"));
        if dirs.iter().any(|d| cwd.starts_with(d)) {
            found.push(pid);
        }
    }
    found
}
