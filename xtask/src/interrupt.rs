//! Ctrl-C (and SIGTERM, SIGHUP) while `check-lab` or `watch` runs: one
//! way out for both, with no lab program left behind.
//!
//! Ctrl-C sends SIGINT to the terminal's foreground process group: xtask,
//! cargo and the test process. The programs a scenario starts are not in
//! it: the harness puts each in a process group of its own (so that a
//! deadline kills it with its children), out of the terminal's reach. When
//! the test process dies they would run on, holding their ports. So xtask
//! catches the signal ([`catch`], the `ctrlc` crate: SIGINT, SIGTERM and
//! SIGHUP on Unix, the console's Ctrl-C on Windows), stops them
//! ([`stop_lab_programs`]), says so and exits with status 130, as a shell
//! reports Ctrl-C. The check that was cut short is neither shown nor
//! recorded: it says nothing about the code, and the last check's results
//! stay as they were.
//!
//! The handler runs on a thread of its own while the check goes on, so it
//! holds one lock ([`GATE`]) from its start to the exit, and the check
//! takes that lock before it starts a command ([`spawn`]) and before it
//! shows a lab's results ([`hold_if_stopping`]): once the handler runs,
//! nothing new starts and no cut-short report is printed. On Linux the
//! runner puts cargo in a process group of its own, so the terminal's
//! Ctrl-C reaches xtask alone, and cargo ends only when the handler, lock
//! taken, kills it.
//!
//! Where the programs are found: Linux only, through `/proc`. On Windows
//! the programs share the console and its Ctrl-C ends them too; on macOS
//! (no `/proc`) the test process gets the terminal's Ctrl-C itself, and the
//! harness's own handler (its `interrupt` module) kills the programs it
//! started before the test process exits.

use crate::lang::Lang;
use anyhow::{Context, Result};
use std::io::Write;
use std::process::{Child, Command};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The exit status after Ctrl-C (128 + SIGINT, as shells report it).
pub use harness::child::INTERRUPTED;

/// Held by the handler from its start until the process exits.
static GATE: Mutex<()> = Mutex::new(());

fn gate() -> MutexGuard<'static, ()> {
    GATE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Starts `command`, unless Ctrl-C's handler runs: then waits for it to
/// end the process. A command started before is one of this process's
/// children by the time the handler looks for them.
///
/// # Errors
///
/// As [`Command::spawn`].
pub fn spawn(command: &mut Command) -> std::io::Result<Child> {
    let _gate = gate();
    command.spawn()
}

/// Returns at once, unless Ctrl-C's handler runs: then waits for it to
/// end the process (a check cut short is not shown).
pub fn hold_if_stopping() {
    drop(gate());
}

/// From now on, Ctrl-C (or SIGTERM, SIGHUP) stops what the check started
/// ([`stop_lab_programs`]), prints `farewell` on a line of its own and
/// exits with [`INTERRUPTED`]. Once per process; an error is said in
/// `lang`.
///
/// # Errors
///
/// The handler could not be set (it was set before, or the system
/// refused).
pub fn catch(lang: Lang, farewell: String) -> Result<()> {
    ctrlc::set_handler(move || {
        // Held until the exit: see the module's documentation.
        let _gate = gate();
        stop_lab_programs();
        println!("\n{farewell}");
        let _ = std::io::stdout().flush();
        std::process::exit(INTERRUPTED);
    })
    .context(lang.pick("could not catch Ctrl-C", "无法捕获 Ctrl-C"))
}

/// Stops every process this one started (cargo, the test process, the
/// programs under test) and the programs under test that an ended test
/// process left behind. Linux only; elsewhere nothing (see the module).
///
/// The order matters: first every descendant is killed, and once none of
/// them runs (no test process is left to start another program), the
/// programs already handed to init are found by their working folder:
/// the harness runs each in a scratch folder `socket-labs-PID-N` of the
/// temporary folder, PID being its test process's.
pub fn stop_lab_programs() {
    #[cfg(target_os = "linux")]
    linux::stop_lab_programs();
}

#[cfg(target_os = "linux")]
mod linux {
    use harness::child::kill_process;
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};
    use std::time::{Duration, Instant};

    /// The longest wait for the killed processes to end (SIGKILL ends a
    /// process within milliseconds; this bounds a wait that has no event).
    const GONE_WITHIN: Duration = Duration::from_secs(5);

    pub(super) fn stop_lab_programs() {
        let ours = descendants(std::process::id());
        for pid in &ours {
            kill_process(*pid);
        }
        wait_gone(&ours);
        let scratch: Vec<PathBuf> = scratch_folders()
            .into_iter()
            .filter(|(pid, _)| ours.contains(pid) || !running(*pid))
            .map(|(_, dir)| dir)
            .collect();
        let orphans = working_in(&scratch);
        for pid in &orphans {
            kill_process(*pid);
        }
        wait_gone(&orphans);
        for dir in &scratch {
            let _ = std::fs::remove_dir_all(dir);
        }
    }

    /// Waits until none of `pids` runs, within [`GONE_WITHIN`]. Linux has
    /// no event for "a process that is not my child ended" (short of a
    /// pidfd, which needs FFI): it looks at `/proc` (the real condition)
    /// until it holds.
    fn wait_gone(pids: &BTreeSet<u32>) {
        let deadline = Instant::now() + GONE_WITHIN;
        while pids.iter().any(|pid| running(*pid)) && Instant::now() < deadline {
            std::thread::yield_now();
        }
    }

    /// The processes (but this one) whose working folder is inside one of
    /// `dirs`. (The runner's `processes_in` does the same for the grader;
    /// this module does not use the runner, which uses it.)
    fn working_in(dirs: &[PathBuf]) -> BTreeSet<u32> {
        let mut found = BTreeSet::new();
        if dirs.is_empty() {
            return found;
        }
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return found;
        };
        for entry in entries.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
                continue;
            };
            let Ok(cwd) = std::fs::read_link(entry.path().join("cwd")) else {
                continue;
            };
            let cwd = cwd.to_string_lossy();
            let cwd = Path::new(cwd.trim_end_matches(" (deleted)"));
            if pid != std::process::id() && dirs.iter().any(|d| cwd.starts_with(d)) {
                found.insert(pid);
            }
        }
        found
    }

    /// The parent of each process, from `/proc/PID/stat` (its fourth
    /// field, after the command name in parentheses).
    fn parents() -> BTreeMap<u32, u32> {
        let mut out = BTreeMap::new();
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return out;
        };
        for entry in entries.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            let parent = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse().ok());
            if let Some(parent) = parent {
                out.insert(pid, parent);
            }
        }
        out
    }

    /// Every process descended from `root` (children, theirs, …).
    fn descendants(root: u32) -> BTreeSet<u32> {
        let parents = parents();
        let mut found = BTreeSet::new();
        let mut todo = vec![root];
        while let Some(pid) = todo.pop() {
            for (child, _) in parents.iter().filter(|(_, p)| **p == pid) {
                if found.insert(*child) {
                    todo.push(*child);
                }
            }
        }
        found
    }

    /// Whether `pid` is a process that can still do something (not gone,
    /// not a zombie waiting to be reaped).
    fn running(pid: u32) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
            stat.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .is_some_and(|state| !matches!(state, "Z" | "X"))
        })
    }

    /// The harness's scratch folders in the temporary folder, with the
    /// process id of the test process that made each.
    fn scratch_folders() -> Vec<(u32, PathBuf)> {
        let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|entry| {
                let name = entry.file_name();
                let pid = name
                    .to_str()?
                    .strip_prefix("socket-labs-")?
                    .split('-')
                    .next()?
                    .parse()
                    .ok()?;
                // As the processes see it (`/tmp` may be a link).
                Some((pid, entry.path().canonicalize().ok()?))
            })
            .collect()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_child_is_a_descendant_and_runs_until_it_is_killed() {
            let mut child = std::process::Command::new("sleep")
                .arg("30")
                .spawn()
                .unwrap();
            let pid = child.id();
            assert!(descendants(std::process::id()).contains(&pid));
            assert!(running(pid));
            kill_process(pid);
            let _ = child.wait();
            assert!(!running(pid));
            assert!(!descendants(std::process::id()).contains(&pid));
        }
    }
}
