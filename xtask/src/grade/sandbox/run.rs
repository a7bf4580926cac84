//! Running one sandbox: its output captured, its deadline, its process
//! limit, and its PID namespace recorded.

use anyhow::{Context, Result};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::Duration;

/// The pid namespaces of every sandbox started by this process (as
/// `pid:[INODE]`), so a test can prove none of them has a process left.
static NAMESPACES: Mutex<Vec<(String, std::fs::File)>> = Mutex::new(Vec::new());

/// The pid namespaces of the sandboxes this process started (the latest
/// [`HELD_NAMESPACES`]), as `/proc/PID/ns/pid` names them.
pub fn namespaces() -> Vec<String> {
    NAMESPACES
        .lock()
        .map(|n| n.iter().map(|(name, _)| name.clone()).collect())
        .unwrap_or_default()
}

/// What a sandboxed command did.
pub struct Captured {
    /// `None`: the deadline passed and the sandbox was killed.
    pub status: Option<ExitStatus>,
    /// Its stdout (capped), without bwrap's status lines.
    pub stdout: String,
    /// Its stderr (capped).
    pub stderr: String,
    /// The process-count limit refused a fork.
    pub too_many_processes: bool,
}

/// The most output kept from a sandboxed command, per stream.
const CAPTURE_LIMIT: u64 = 4 << 20;

/// Runs a sandbox (stdin closed, stdout and stderr captured up to a cap)
/// and kills it when `deadline` passes: killing bwrap ends the sandbox's
/// PID namespace, and every process in it.
///
/// # Errors
///
/// bwrap could not be started.
pub fn run_captured(
    mut command: Command,
    deadline: Duration,
    pids: Option<&Path>,
) -> Result<Captured> {
    let limit = pids.and_then(ProcessLimit::new);
    // bwrap reports the sandbox's namespaces as a JSON line on a file
    // descriptor of the grader's choosing, closed inside the sandbox: a
    // shell hands it bwrap's stderr, and the first such line is taken
    // out of it. Its PID namespace is recorded for the no-process-left
    // check.
    // With a process limit, the shell first moves itself into the
    // sandbox's own pids cgroup: everything the sandbox starts is counted.
    let script = match &limit {
        Some(limit) => format!(
            "echo $$ > '{}/cgroup.procs' && exec \"$0\" --json-status-fd 3 \"$@\" 3>&2",
            limit.dir.display()
        ),
        None => "exec \"$0\" --json-status-fd 3 \"$@\" 3>&2".to_owned(),
    };
    let mut with_status = Command::new("/bin/sh");
    with_status
        .env_clear()
        .args(["-c", &script])
        .arg(command.get_program())
        .args(command.get_args());
    command = with_status;
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().context("could not run bwrap")?;
    let stdout = child.stdout.take().context("no stdout")?;
    let stderr = child.stderr.take().context("no stderr")?;
    let out_reader = std::thread::spawn(move || capped(stdout));
    let err_reader = std::thread::spawn(move || {
        // Line by line: the status line is handled while the sandbox runs.
        let mut reader = std::io::BufReader::new(stderr);
        let mut kept = Vec::new();
        let mut line = Vec::new();
        let mut recorded = false;
        loop {
            line.clear();
            match std::io::BufRead::read_until(&mut reader, b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            if line.starts_with(b"{ \"child-pid\"") || line.starts_with(b"{ \"exit-code\"") {
                if !recorded {
                    record_namespace(&String::from_utf8_lossy(&line));
                    recorded = true;
                }
                continue;
            }
            if (kept.len() as u64) < CAPTURE_LIMIT {
                kept.extend_from_slice(&line);
            }
        }
        String::from_utf8_lossy(&kept).into_owned()
    });
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let status = match rx.recv_timeout(deadline) {
        Ok(status) => Some(status.context("could not wait for bwrap")?),
        Err(_) => {
            // bwrap's sandbox dies with it (--die-with-parent), and with
            // the namespace's first process, every process inside.
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            let _ = rx.recv_timeout(Duration::from_secs(10));
            None
        }
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    let too_many_processes = limit.as_ref().is_some_and(ProcessLimit::reached);
    Ok(Captured {
        status,
        stdout,
        stderr,
        too_many_processes,
    })
}

/// The most processes and threads one sandbox may hold at once (the judge's
/// threads and every program under test included).
pub const MAX_TASKS: u32 = 512;

/// A pids cgroup of one sandbox, removed when dropped.
struct ProcessLimit {
    dir: PathBuf,
}

impl ProcessLimit {
    fn new(root: &Path) -> Option<ProcessLimit> {
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = root.join(format!("socket-labs-{}-{n}", std::process::id()));
        std::fs::create_dir(&dir).ok()?;
        let limit = ProcessLimit { dir };
        std::fs::write(limit.dir.join("pids.max"), MAX_TASKS.to_string()).ok()?;
        Some(limit)
    }

    /// Whether a fork was refused for the limit (`pids.events`: `max N`).
    fn reached(&self) -> bool {
        std::fs::read_to_string(self.dir.join("pids.events")).is_ok_and(|events| {
            events.lines().any(|l| {
                l.strip_prefix("max ")
                    .is_some_and(|n| n.trim().parse::<u64>().is_ok_and(|n| n > 0))
            })
        })
    }
}

impl Drop for ProcessLimit {
    fn drop(&mut self) {
        // Empty once the sandbox's PID namespace is gone; the kernel may
        // still be reaping it, so one more try later is not needed: an
        // empty cgroup left behind holds nothing.
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// A pids cgroup this process can create children in: cgroup v1's
/// `pids` hierarchy, or this process's own v2 cgroup when it delegates
/// the `pids` controller. `None` elsewhere (most non-root graders, where
/// the programs' `RLIMIT_NPROC` counts per sandbox instead).
pub(super) fn pids_root() -> Option<PathBuf> {
    let mut candidates = vec![PathBuf::from("/sys/fs/cgroup/pids")];
    if let Ok(own) = std::fs::read_to_string("/proc/self/cgroup") {
        if let Some(path) = own.lines().find_map(|l| l.strip_prefix("0::")) {
            candidates.push(Path::new("/sys/fs/cgroup").join(path.trim_start_matches('/')));
        }
    }
    candidates.into_iter().find(|dir| {
        let probe = dir.join(format!("socket-labs-probe-{}", std::process::id()));
        let usable = std::fs::create_dir(&probe).is_ok()
            && probe.join("pids.max").exists()
            && std::fs::write(probe.join("pids.max"), "64").is_ok();
        let _ = std::fs::remove_dir(&probe);
        usable
    })
}

/// Reads a stream to its end, keeping at most [`CAPTURE_LIMIT`] bytes.
fn capped(mut stream: impl Read) -> String {
    let mut text = Vec::new();
    let _ = stream.by_ref().take(CAPTURE_LIMIT).read_to_end(&mut text);
    let _ = std::io::copy(&mut stream, &mut std::io::sink());
    String::from_utf8_lossy(&text).into_owned()
}

/// Records the PID namespace of bwrap's status line
/// `{ "child-pid": 12, …, "pid-namespace": 4026532184, … }`, and holds it
/// open: a namespace's number is reused once it is freed, and a held one
/// is not, so [`namespaces`] never names another program's.
fn record_namespace(line: &str) {
    let Ok(status) = serde_json::from_str::<serde_json::Value>(line) else {
        return;
    };
    let (Some(pid), Some(ns)) = (
        status["child-pid"].as_u64(),
        status["pid-namespace"].as_u64(),
    ) else {
        return;
    };
    // The sandbox may be gone already (then so is everything in it).
    let Ok(held) = std::fs::File::open(format!("/proc/{pid}/ns/pid")) else {
        return;
    };
    if let Ok(mut all) = NAMESPACES.lock() {
        if all.len() >= HELD_NAMESPACES {
            all.remove(0);
        }
        all.push((format!("pid:[{ns}]"), held));
    }
}

/// How many sandboxes' namespaces are held (the latest ones).
const HELD_NAMESPACES: usize = 2048;

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn bwrap_status_lines_are_read() {
        let own = std::fs::read_link("/proc/self/ns/pid").unwrap();
        let own = own.to_string_lossy().into_owned();
        let ns: u64 = own[5..own.len() - 1].parse().unwrap();
        let line = format!(
            "{{ \"child-pid\": {}, \"pid-namespace\": {ns}, \"uts-namespace\": 1 }}\n",
            std::process::id()
        );
        record_namespace(&line);
        assert!(namespaces().contains(&own), "{own}");
    }
}
