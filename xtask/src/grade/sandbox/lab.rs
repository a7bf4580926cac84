//! One lab of one submission: built, then judged, in sandboxes.

use super::{MAX_TASKS, Sandbox, WORK, run_captured};
use anyhow::{Context, Result};
use std::path::Path;
use std::time::Duration;

/// Builds `lab` from the grading copy `work` into the submission's own
/// `target`, then runs its scenarios; both in sandboxes, both within one
/// `deadline`. The verdicts are read from `verdicts` once the sandbox is
/// gone.
///
/// # Errors
///
/// bwrap could not be started, or a folder of the grader's could not be
/// written. A lab that does not build or fails is an `Ok` outcome.
pub fn run_lab(
    sandbox: &Sandbox,
    work: &Path,
    target: &Path,
    verdicts: &Path,
    lab: &crate::labs::Lab,
    deadline: Duration,
) -> Result<crate::runner::LabOutcome> {
    use crate::runner::LabOutcome;
    let started = std::time::Instant::now();
    let stopped = || {
        format!(
            "lab {}: stopped: building and running it took more than {} s (the lab deadline, `--lab-timeout`)",
            lab.number,
            deadline.as_secs()
        )
    };
    let built = run_captured(
        sandbox.build_command(work, target, &lab.package()),
        deadline,
        sandbox.pids.as_deref(),
    )?;
    match built.status {
        Some(status) if status.success() => {}
        Some(_) => {
            let error = crate::runner::first_compiler_error(&built.stdout, &built.stderr);
            let own = format!("{}/src/", lab.dir().to_string_lossy().replace('\\', "/"));
            return Ok(LabOutcome::DoesNotCompile(own_lines_only(&error, &own)));
        }
        None => {
            // Stopped like a run that takes too long: every scenario a
            // timeout, saying why.
            let timeouts = lab
                .scenarios
                .iter()
                .map(|s| harness::report::Verdict {
                    scenario: s.name.clone(),
                    status: harness::report::Status::Timeout,
                    message: stopped(),
                    expected: String::new(),
                    actual: String::new(),
                })
                .collect();
            return Ok(LabOutcome::Ran(timeouts));
        }
    }
    let executables = executables(&built.stdout);

    let _ = std::fs::remove_dir_all(verdicts);
    std::fs::create_dir_all(verdicts)
        .with_context(|| format!("could not create {}", verdicts.display()))?;
    let left = deadline.saturating_sub(started.elapsed());
    let ran = run_captured(
        sandbox.run_command(
            work,
            target,
            &executables,
            verdicts,
            &lab.dir(),
            lab.scenarios.len().clamp(1, 16),
        ),
        left,
        sandbox.pids.as_deref(),
    )?;
    let mut verdicts = crate::runner::read_verdicts(lab, verdicts);
    if ran.too_many_processes {
        let line = format!(
            "lab {}: stopped: started more than {MAX_TASKS} processes and threads at once",
            lab.number
        );
        for verdict in verdicts
            .iter_mut()
            .filter(|v| v.status != harness::report::Status::Pass)
        {
            verdict.message = format!("{line}; {}", verdict.message);
        }
    }
    if ran.status.is_none() {
        for verdict in &mut verdicts {
            if verdict.expected.is_empty() && verdict.actual.is_empty() {
                verdict.status = harness::report::Status::Timeout;
                verdict.message = stopped();
            }
        }
    }
    Ok(LabOutcome::Ran(verdicts))
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

/// The executables cargo reported building (`"executable":"…"` of its
/// JSON messages), as paths inside the sandbox.
pub fn executables(json: &str) -> Vec<String> {
    json.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|v| v["reason"] == "compiler-artifact")
        .filter_map(|v| v["executable"].as_str().map(str::to_owned))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
