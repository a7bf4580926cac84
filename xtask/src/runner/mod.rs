//! Builds a lab and runs its scenarios, then reads their verdicts.
//!
//! The scenarios are ordinary tests (`cargo test -p labNN-NAME --test
//! scenarios`), judged by insta against the committed snapshots. This
//! module runs them with snapshot writing switched off (`CI=true`,
//! `INSTA_UPDATE=no`) and asks the harness to leave one verdict file per
//! scenario in a fresh directory ([`harness::report::REPORT_DIR_ENV`]); it
//! never compares, writes or accepts a snapshot itself.

mod lock;
pub mod messages;
mod process;

use crate::labs::Lab;
pub use crate::model::LabOutcome;
use crate::model::{Status, Verdict};
use anyhow::{Context, Result};
use harness::report::REPORT_DIR_ENV;
pub use lock::TargetLock;
pub use messages::first_compiler_error;
pub use process::{
    Finished, kill_processes_in, processes_in, run_capturing_output, run_with_deadline,
};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Where a workspace's cargo puts things; honours `CARGO_TARGET_DIR`.
pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
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
        "--message-format",
        "json",
        "--color",
        "never",
    ]);
    let built = run_capturing_output(build, options.build_deadline, false)?;
    match built.status {
        Some(status) if status.success() => {}
        Some(_) => {
            return Ok(LabOutcome::DoesNotCompile(first_compiler_error(
                &built.stdout,
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
