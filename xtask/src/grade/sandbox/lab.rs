//! One lab of one submission: built, then judged, in sandboxes.

use super::{MAX_TASKS, Sandbox, TARGET, WORK, run_captured};
use crate::labs::{Kind, Lab};
use crate::model::{Status, Verdict};
use crate::runner::LabOutcome;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Where a run stands: its sandbox, folders and deadline.
pub struct LabRun<'a> {
    pub sandbox: &'a Sandbox,
    /// Which submission, for the progress lines (`[3/30] alice`).
    pub who: &'a str,
    /// The grading copy (read-only inside).
    pub work: &'a Path,
    /// The submission's own target folder.
    pub target: &'a Path,
    /// The dependency cache, and the lab's test binaries built there from
    /// the instructor's copy ([`super::Sandbox::prepare_cache`]).
    pub cache: (&'a Path, &'a super::Cached),
    /// The host folder the judges' verdict files go to.
    pub verdicts: &'a Path,
    /// Building and running the lab, in all (`--lab-timeout`).
    pub deadline: Duration,
    /// The seed of the property scenarios.
    pub seed: u64,
    /// Say on stderr how long building, judging and unit tests took.
    pub verbose: bool,
}

/// What the submission's shared build ([`super::build_together`]) said of
/// a lab, and how long that build took (counted in the lab's deadline).
pub type Prebuilt = Option<(super::Built, Duration)>;

/// Builds `lab`'s programs (lab 5's probe among them) from the grading
/// copy into the submission's own target, then runs its stories and
/// properties and its unit test files (the judges: the instructor's test
/// binaries, built once into the dependency cache, whose programs under
/// test are the submission's, bound where the judges expect them, and
/// jailed; a unit file in a sandbox of its own, its libtest output read);
/// all within one deadline. The verdicts are read once the sandboxes are
/// gone, as the unsandboxed runner reads them.
///
/// # Errors
///
/// bwrap could not be started, or a folder of the grader's could not be
/// written. A lab that does not build or fails is an `Ok` outcome.
pub fn run_lab(run: &LabRun, lab: &Lab, prebuilt: Prebuilt) -> Result<LabOutcome> {
    let started = prebuilt
        .as_ref()
        .and_then(|(_, took)| Instant::now().checked_sub(*took))
        .unwrap_or_else(Instant::now);
    let stopped = || {
        format!(
            "lab {}: stopped: building and running it took more than {} s (the lab deadline, `--lab-timeout`)",
            lab.number,
            run.deadline.as_secs()
        )
    };
    let judges = lab.test_files(Kind::writes_verdicts);
    let units = lab.test_files(|kind| kind == Kind::Unit);
    let pids = run.sandbox.pids.as_deref();
    let own = format!("{}/src/", lab.dir().to_string_lossy().replace('\\', "/"));
    let does_not_compile = |stdout: &str, stderr: &str| {
        let error = crate::runner::first_compiler_error(stdout, stderr);
        LabOutcome::DoesNotCompile(own_lines_only(&error, &own))
    };
    let built_here = match prebuilt {
        Some((super::Built::Ok(built), _)) => built,
        Some((super::Built::Failed(messages), _)) => {
            return Ok(does_not_compile(&messages, ""));
        }
        None => {
            let built = run_captured(
                run.sandbox.build_command(
                    run.work,
                    run.target,
                    (std::slice::from_ref(&lab.package()), &[]),
                    false,
                ),
                run.deadline,
                pids,
            )?;
            match built.status {
                Some(status) if status.success() => {}
                Some(_) => return Ok(does_not_compile(&built.stdout, &built.stderr)),
                None => {
                    // Stopped like a run that takes too long: every
                    // scenario a timeout, saying why.
                    let timeouts = lab
                        .scenarios
                        .iter()
                        .map(|s| Verdict {
                            scenario: s.name.clone(),
                            status: Status::Timeout,
                            message: stopped(),
                            expected: String::new(),
                            actual: String::new(),
                            stuck: Vec::new(),
                        })
                        .collect();
                    return Ok(LabOutcome::Ran(timeouts));
                }
            }
            executables(&built.stdout)
        }
    };
    let built_in = started.elapsed();
    // What every run sees: the lab's programs, from the submission's own
    // target, at the path cargo built them to (the judges were built with
    // the same path, `CARGO_BIN_EXE_…`).
    let programs: Vec<(PathBuf, String)> = built_here
        .iter()
        .filter(|e| !e.test)
        .map(|e| (in_host(run.target, &e.path), e.path.clone()))
        .collect();
    let with = |tests: Vec<(PathBuf, String)>| -> (Vec<(PathBuf, String)>, Vec<String>) {
        let paths = tests.iter().map(|(_, inside)| inside.clone()).collect();
        (programs.iter().cloned().chain(tests).collect(), paths)
    };
    let (cache, cached) = run.cache;
    let cached_tests = &cached.tests;
    let tests_in = |names: &[&str], built: &[Executable], host: &Path| {
        names
            .iter()
            .filter_map(|name| built.iter().find(|e| e.test && e.name == *name))
            .map(|e| (in_host(host, &e.path), e.path.clone()))
            .collect::<Vec<_>>()
    };
    let threads = lab.scenarios.len().clamp(1, 16);

    let _ = std::fs::remove_dir_all(run.verdicts);
    std::fs::create_dir_all(run.verdicts)
        .with_context(|| format!("could not create {}", run.verdicts.display()))?;
    let mut too_many_processes = false;
    let mut finished = true;
    let (binds, judge_binaries) = with(tests_in(&judges, cached_tests, cache));
    if !judge_binaries.is_empty() {
        let judge_binaries: Vec<&str> = judge_binaries.iter().map(String::as_str).collect();
        let ran = run_captured(
            run.sandbox.run_command(
                run.work,
                (&binds, &judge_binaries),
                Some(run.verdicts),
                &lab.dir(),
                (threads, run.seed),
            ),
            run.deadline.saturating_sub(started.elapsed()),
            pids,
        )?;
        too_many_processes |= ran.too_many_processes;
        finished &= ran.status.is_some();
    }
    let judged_in = started.elapsed() - built_in;
    // Unit test files: judges too (from the cache; lab 5's `frame` runs
    // the submission's probe, jailed), one sandbox per file, their verdict
    // read from libtest's output within what is left of the deadline.
    let mut unit_verdicts = Vec::new();
    for file in &units {
        let left = run.deadline.saturating_sub(started.elapsed());
        let (binds, binary) = with(tests_in(&[file], cached_tests, cache));
        let (stdout, done) = if left.is_zero() || binary.is_empty() {
            (String::new(), false)
        } else {
            let binary: Vec<&str> = binary.iter().map(String::as_str).collect();
            let ran = run_captured(
                run.sandbox.run_command(
                    run.work,
                    (&binds, &binary),
                    None,
                    &lab.dir(),
                    (threads, run.seed),
                ),
                left,
                pids,
            )?;
            too_many_processes |= ran.too_many_processes;
            (ran.stdout, ran.status.is_some())
        };
        let mut verdict = crate::runner::unit_tests::verdict(
            file,
            &format!("{}/tests/{file}.rs", lab.dir().display()),
            &stdout,
            done,
        );
        if let Some(line) = unit_memory_line(lab, &stdout) {
            verdict.status = Status::Error;
            verdict.message = line;
        }
        unit_verdicts.push(verdict);
    }
    if run.verbose {
        eprintln!(
            "    {}: lab {}: built in {:.1} s, judged in {:.1} s, unit tests in {:.1} s",
            run.who,
            lab.number,
            built_in.as_secs_f64(),
            judged_in.as_secs_f64(),
            (started.elapsed() - built_in - judged_in).as_secs_f64()
        );
    }
    let mut verdicts = crate::runner::read_verdicts(lab, run.verdicts, unit_verdicts);
    if too_many_processes {
        // A fork bomb: the sandbox's pids cgroup refused a fork, and what
        // ran after it is anyone's guess. The lab is stopped as a whole.
        let line = format!(
            "lab {}: stopped: started more than {MAX_TASKS} processes and threads at once",
            lab.number
        );
        for verdict in &mut verdicts {
            verdict.status = Status::Error;
            verdict.message.clone_from(&line);
        }
    } else if !finished {
        for verdict in &mut verdicts {
            if verdict.expected.is_empty() && verdict.actual.is_empty() {
                verdict.status = Status::Timeout;
                verdict.message = stopped();
            }
        }
    }
    for verdict in &mut verdicts {
        if let Some(line) = memory_line(lab, verdict) {
            verdict.message = line;
        } else if verdict.status == Status::Error && verdict.message.starts_with("stopped: ") {
            // Another limit the harness saw fire (a jailed program's disk
            // filled): its line, naming the lab.
            verdict.message = format!("lab {}: {}", lab.number, verdict.message);
        }
    }
    Ok(LabOutcome::Ran(verdicts))
}

/// The host file of `inside`, a path under [`TARGET`] in a sandbox whose
/// target folder is the host's `target`.
fn in_host(target: &Path, inside: &str) -> PathBuf {
    target.join(
        inside
            .strip_prefix(TARGET)
            .unwrap_or(inside)
            .trim_start_matches('/'),
    )
}

/// The one line for a program stopped by the address-space limit
/// (`harness::limits`): Rust's "memory allocation of N bytes failed".
fn memory_line(lab: &Lab, verdict: &Verdict) -> Option<String> {
    let aborted = verdict
        .message
        .strip_prefix("the program aborted: memory allocation of ")?;
    (verdict.status == Status::Error).then(|| memory_stop(lab, aborted))
}

/// `lab N: stopped: used more than 1 GiB of memory (memory allocation
/// of REST`.
fn memory_stop(lab: &Lab, rest: &str) -> String {
    format!(
        "lab {}: stopped: used more than {} GiB of memory (memory allocation of {rest}",
        lab.number,
        harness::limits::ADDRESS_SPACE >> 30
    )
}

/// The one line for unit tests whose program was stopped by the
/// address-space limit: lab 5's probe (which runs the student's library)
/// aborted with Rust's `memory allocation of N bytes failed`, which the
/// test prints in its failure section (libtest's output).
fn unit_memory_line(lab: &Lab, stdout: &str) -> Option<String> {
    let failed = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("memory allocation of "))?;
    Some(memory_stop(lab, &format!("{failed})")))
}

/// A compiler message cut to the student's own files: the code lines
/// rustc quotes from any other file (the instructor's tests, the harness,
/// another lab, a dependency) are left out, the location stays.
pub fn own_lines_only(message: &str, own: &str) -> String {
    let mut out = Vec::new();
    let mut theirs = true;
    for line in message.lines() {
        let trimmed = line.trim_start();
        if let Some(location) = trimmed
            .strip_prefix("--> ")
            .or_else(|| trimmed.strip_prefix("::: "))
        {
            let path = location
                .trim()
                .trim_start_matches(WORK)
                .trim_start_matches('/');
            theirs = path.starts_with(own);
            out.push(if theirs {
                line.to_owned()
            } else {
                format!("{line} (not your file: its lines are not shown)")
            });
            continue;
        }
        // rustc's quoted source: `12 |     code`, `   |     ^^^`.
        let quoted = trimmed
            .split_once('|')
            .is_some_and(|(n, _)| n.trim().chars().all(|c| c.is_ascii_digit()));
        if quoted && !theirs {
            continue;
        }
        out.push(line.to_owned());
    }
    out.join("\n")
}

/// An executable cargo reported building: a test binary (under `deps/`)
/// or a program of the lab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Executable {
    /// The target's name: the test file (`scenarios`) or the program.
    pub name: String,
    /// Whether it is a test binary.
    pub test: bool,
    /// Its path inside the sandbox.
    pub path: String,
}

/// The executables cargo reported building (`"executable":"…"` of its
/// JSON messages).
pub fn executables(json: &str) -> Vec<Executable> {
    json.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|v| v["reason"] == "compiler-artifact")
        .filter_map(|v| {
            Some(Executable {
                name: v["target"]["name"].as_str()?.to_owned(),
                test: v["profile"]["test"].as_bool().unwrap_or(false),
                path: v["executable"].as_str()?.to_owned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_test_binary_stopped_by_the_memory_limit_is_one_line() {
        let info = crate::labs::Info::load(&crate::labs::workspace_root().unwrap()).unwrap();
        let five = &info.labs[4];
        let stdout = "---- step2 stdout ----\nthe probe's stderr:\nmemory allocation of 4294967295 bytes failed\n";
        assert_eq!(
            unit_memory_line(five, stdout).as_deref(),
            Some(
                "lab 5: stopped: used more than 1 GiB of memory (memory allocation of 4294967295 bytes failed)"
            )
        );
        assert_eq!(unit_memory_line(five, "test a ... FAILED\n"), None);
    }

    #[test]
    fn compiler_messages_quote_only_the_students_files() {
        let message = "error[E0061]: this function takes 2 arguments but 1 argument was supplied
  --> labs/01-tcp-once/tests/scenarios.rs:12:5
   |
12 |     secret_test_code(1);
   |     ^^^^^^^^^^^^^^^^---
note: function defined here
  --> labs/01-tcp-once/src/bin/lab01-server.rs:3:4
   |
3  | fn mine(a: u8, b: u8) {}
   |    ^^^^";
        let cut = own_lines_only(message, "labs/01-tcp-once/src/");
        assert!(!cut.contains("secret_test_code"), "{cut}");
        assert!(cut.contains("scenarios.rs:12:5 (not your file: its lines are not shown)"));
        assert!(cut.contains("3  | fn mine(a: u8, b: u8) {}"), "{cut}");
    }
}
