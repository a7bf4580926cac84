//! Builds a lab and runs its scenarios, then reads their verdicts.
//!
//! The scenarios are ordinary tests (`cargo test -p labNN-NAME --test
//! scenarios`), judged by insta against the committed snapshots. This
//! module runs them with snapshot writing switched off (`CI=true`,
//! `INSTA_UPDATE=no`) and asks the harness to leave one verdict file per
//! scenario in a fresh directory ([`harness::report::REPORT_DIR_ENV`]); it
//! never compares, writes or accepts a snapshot itself.

use crate::labs::Lab;
use anyhow::{Context, Result};
use harness::report::{REPORT_DIR_ENV, Status, Verdict};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Where a workspace's cargo puts things; honours `CARGO_TARGET_DIR`.
pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

/// How a lab went.
#[derive(Debug)]
pub enum LabOutcome {
    /// The lab's code did not compile; the first compiler error.
    DoesNotCompile(String),
    /// The scenarios ran; one verdict per scenario of the metadata, in its
    /// order.
    Ran(Vec<Verdict>),
}

/// Runs cargo from the workspace `root` with the environment a check needs:
/// snapshots are read, never written, whatever the caller's environment
/// says.
pub fn cargo(root: &Path) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .env("CI", "true")
        .env("INSTA_UPDATE", "no")
        .env_remove("INSTA_FORCE_PASS")
        .env_remove("INSTA_FORCE_UPDATE")
        .env_remove("INSTA_GLOB_FILTER");
    command
}

/// How [`run_lab_with`] runs a lab. The default is what `check-lab` needs.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// `CARGO_TARGET_DIR` for cargo (default: the workspace's own, see
    /// [`target_dir`]). The grader shares one between submissions so the
    /// dependencies compile once.
    pub target_dir: Option<PathBuf>,
    /// Where the verdict files go (default: under the target directory).
    pub verdict_dir: Option<PathBuf>,
    /// How long building may take.
    pub build_deadline: Duration,
    /// How long running all the scenarios may take; then cargo, the test
    /// binary and every program they started are killed, and the
    /// scenarios without a verdict are timeouts.
    pub run_deadline: Duration,
    /// `TMPDIR` for the scenarios: the programs under test run in scratch
    /// folders below it. When set, any process still working in it (or
    /// in the workspace) after the run is killed.
    pub tmp_dir: Option<PathBuf>,
    /// How many scenarios run at once (`--test-threads`; default: the
    /// test harness's choice, one per core). Scenarios mostly wait on
    /// sockets and deadlines, so the grader runs them all at once: a
    /// submission that times out costs one deadline, not one per
    /// scenario.
    pub test_threads: Option<usize>,
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions {
            target_dir: None,
            verdict_dir: None,
            build_deadline: Duration::from_secs(600),
            run_deadline: Duration::from_secs(120),
            tmp_dir: None,
            test_threads: None,
        }
    }
}

/// Builds `lab` and runs all its scenarios.
///
/// # Errors
///
/// Cargo could not be started, or the verdict directory could not be made.
/// A lab that does not compile or fails is an `Ok` outcome.
pub fn run_lab(root: &Path, lab: &Lab) -> Result<LabOutcome> {
    run_lab_with(root, lab, &RunOptions::default())
}

/// [`run_lab`] with a chosen target directory, deadlines and scratch
/// folder (the grader's way).
///
/// # Errors
///
/// As [`run_lab`].
pub fn run_lab_with(root: &Path, lab: &Lab, options: &RunOptions) -> Result<LabOutcome> {
    let package = lab.package();
    let with_target = |mut command: Command| {
        if let Some(dir) = &options.target_dir {
            command.env("CARGO_TARGET_DIR", dir);
        }
        command
    };
    let mut build = with_target(cargo(root));
    build.args([
        "test",
        "--package",
        &package,
        "--test",
        "scenarios",
        "--no-run",
        "--color",
        "never",
    ]);
    let built = run_with_deadline(build, options.build_deadline, true, false)?;
    match built.status {
        Some(status) if status.success() => {}
        Some(_) => {
            return Ok(LabOutcome::DoesNotCompile(first_compiler_error(
                &built.stderr,
            )));
        }
        None => {
            return Ok(LabOutcome::DoesNotCompile(format!(
                "building took more than {} s and was stopped",
                options.build_deadline.as_secs()
            )));
        }
    }

    let report_dir = options.verdict_dir.clone().unwrap_or_else(|| {
        options
            .target_dir
            .clone()
            .unwrap_or_else(|| target_dir(root))
            .join("socket-labs/verdicts")
            .join(&package)
    });
    let _ = std::fs::remove_dir_all(&report_dir);
    std::fs::create_dir_all(&report_dir)
        .with_context(|| format!("could not create {}", report_dir.display()))?;
    // The test binary's own output is not shown: the verdict files say
    // everything, in the learner's terms. Its exit status is not needed
    // either: a scenario without a verdict file is reported as an error.
    let mut test = with_target(cargo(root));
    test.args([
        "test",
        "--package",
        &package,
        "--test",
        "scenarios",
        "--no-fail-fast",
        "--quiet",
        "--color",
        "never",
    ])
    .env(REPORT_DIR_ENV, &report_dir);
    if let Some(threads) = options.test_threads {
        test.args(["--", &format!("--test-threads={}", threads.max(1))]);
    }
    if let Some(tmp) = &options.tmp_dir {
        std::fs::create_dir_all(tmp)
            .with_context(|| format!("could not create {}", tmp.display()))?;
        test.env("TMPDIR", tmp).env("TMP", tmp).env("TEMP", tmp);
    }
    // The grader runs the scenarios in a process group of their own, so a
    // deadline kills cargo, the test binary and all; `check-lab` keeps them
    // in the terminal's group, so Ctrl-C stops them too.
    let own_group = options.tmp_dir.is_some();
    let ran = run_with_deadline(test, options.run_deadline, false, own_group)?;
    if let Some(tmp) = &options.tmp_dir {
        kill_processes_in(&[tmp.as_path(), root]);
    }
    let mut verdicts = read_verdicts(lab, &report_dir);
    if ran.status.is_none() {
        for verdict in &mut verdicts {
            if verdict.expected.is_empty() && verdict.actual.is_empty() {
                verdict.status = Status::Timeout;
                verdict.message = format!(
                    "the scenarios of {} did not finish within {} s: they were stopped before this one ended",
                    lab.label(),
                    options.run_deadline.as_secs()
                );
            }
        }
    }
    Ok(LabOutcome::Ran(verdicts))
}

/// What a command did within its deadline.
pub struct Finished {
    /// `None`: the deadline passed and its process group was killed.
    pub status: Option<std::process::ExitStatus>,
    /// Its stderr (the first megabyte), when captured.
    pub stderr: String,
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
    mut command: Command,
    deadline: Duration,
    capture_stderr: bool,
    own_group: bool,
) -> Result<Finished> {
    const STDERR_LIMIT: u64 = 1 << 20;
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(if capture_stderr {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    #[cfg(unix)]
    if own_group {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    let mut child = command.spawn().context("could not run cargo")?;
    let reader = child.stderr.take().map(|stderr| {
        std::thread::spawn(move || {
            use std::io::Read;
            let mut text = Vec::new();
            let mut stderr = stderr;
            let _ = stderr.by_ref().take(STDERR_LIMIT).read_to_end(&mut text);
            // Keep draining, so cargo never blocks on a full pipe.
            let _ = std::io::copy(&mut stderr, &mut std::io::sink());
            String::from_utf8_lossy(&text).into_owned()
        })
    });
    // A waiter thread owns the child; the deadline is a receive timeout on
    // its exit status, and killing the group ends the wait.
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let status = match rx.recv_timeout(deadline) {
        Ok(status) => Some(status.context("could not wait for cargo")?),
        Err(_) => {
            if own_group {
                kill_group(pid);
            } else {
                kill_process(pid);
            }
            let _ = rx.recv_timeout(Duration::from_secs(10));
            None
        }
    };
    let stderr = reader.and_then(|r| r.join().ok()).unwrap_or_default();
    Ok(Finished { status, stderr })
}

/// Kills one process.
fn kill_process(pid: u32) {
    #[cfg(unix)]
    let _ = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    #[cfg(windows)]
    let _ = Command::new("taskkill")
        .args(["/F", "/PID", &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Kills the process group `pgid` (the group leader's pid).
fn kill_group(pgid: u32) {
    #[cfg(unix)]
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    #[cfg(windows)]
    let _ = Command::new("taskkill")
        .args(["/T", "/F", "/PID", &pgid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
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

/// One verdict per scenario of the metadata, in its order. A scenario that
/// left no verdict file did not run to its assertion.
pub fn read_verdicts(lab: &Lab, dir: &Path) -> Vec<Verdict> {
    lab.scenarios
        .iter()
        .map(|scenario| {
            let path = dir.join(format!("{}.json", scenario.name));
            std::fs::read_to_string(&path)
                .ok()
                .and_then(|text| serde_json::from_str::<Verdict>(&text).ok())
                .unwrap_or_else(|| Verdict {
                    scenario: scenario.name.clone(),
                    status: Status::Error,
                    message: format!(
                        "the scenario did not run to its end: no test `{}` in {}/tests/scenarios.rs, or its test crashed",
                        scenario.name,
                        lab.dir().display()
                    ),
                    expected: String::new(),
                    actual: String::new(),
                })
        })
        .collect()
}

/// The first `error` block of rustc's output (up to the next blank line),
/// without cargo's closing summary.
pub fn first_compiler_error(stderr: &str) -> String {
    let mut lines = stderr.lines().skip_while(|l| !l.starts_with("error"));
    let mut block: Vec<&str> = Vec::new();
    for line in lines.by_ref() {
        if line.trim().is_empty() && !block.is_empty() {
            break;
        }
        block.push(line);
    }
    if block.is_empty() {
        // Not a rustc error: a cargo problem (a broken Cargo.toml, say).
        stderr
            .lines()
            .filter(|l| !l.trim_start().starts_with("Compiling"))
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        block.join("\n")
    }
}

/// Exclusive use of a shared target directory by this process.
///
/// The grader decides what cargo must rebuild by writing each lab's files
/// with a fresh modification time; two graders (or `check-solutions`)
/// building labs in the same target directory at once could each get the
/// other's binaries. So whoever uses the grader's target directory holds
/// this lock, a file naming its process; a lock left by a process that is
/// gone is taken over.
#[derive(Debug)]
pub struct TargetLock {
    path: PathBuf,
}

impl TargetLock {
    /// Waits (at most `patience`) for the lock of `target`, then takes it.
    ///
    /// # Errors
    ///
    /// Another process still holds it after `patience`, or the lock file
    /// cannot be written.
    pub fn acquire(target: &Path, patience: Duration) -> Result<TargetLock> {
        std::fs::create_dir_all(target)
            .with_context(|| format!("could not create {}", target.display()))?;
        let path = target.join("socket-labs-grader.lock");
        let started = std::time::Instant::now();
        let mut told = false;
        loop {
            match std::fs::File::options()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    use std::io::Write;
                    let _ = write!(file, "{}", std::process::id());
                    return Ok(TargetLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder = std::fs::read_to_string(&path).unwrap_or_default();
                    let alive = holder.trim().parse::<u32>().is_ok_and(process_alive);
                    if !alive {
                        let _ = std::fs::remove_file(&path);
                        continue;
                    }
                    if started.elapsed() >= patience {
                        anyhow::bail!(
                            "another grader (process {}) is using {}; wait for it to finish",
                            holder.trim(),
                            target.display()
                        );
                    }
                    if !told {
                        eprintln!(
                            "waiting for another grader (process {}) to finish with {} …",
                            holder.trim(),
                            target.display()
                        );
                        told = true;
                    }
                    // No event tells when another process deletes a file:
                    // look again in a moment.
                    std::thread::park_timeout(Duration::from_millis(200));
                }
                Err(e) => {
                    return Err(e).with_context(|| format!("could not create {}", path.display()));
                }
            }
        }
    }
}

impl Drop for TargetLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whether process `pid` still runs (Linux: `/proc/PID`; elsewhere a lock
/// is always taken as held, and a stale one must be deleted by hand).
fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_compiler_error_keeps_only_the_first_block() {
        let stderr = "   Compiling lab01 v0.1.0\nerror[E0425]: cannot find value `x`\n --> src/main.rs:1:1\n  |\n\nerror: aborting\n";
        assert_eq!(
            first_compiler_error(stderr),
            "error[E0425]: cannot find value `x`\n --> src/main.rs:1:1\n  |"
        );
    }
}
