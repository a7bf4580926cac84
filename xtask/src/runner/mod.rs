//! Builds a lab and runs its scenarios, then reads their verdicts.
//!
//! The scenarios are ordinary tests (`cargo test -p labNN-NAME --test
//! scenarios --test properties`): stories judged by insta against the
//! committed snapshots, property scenarios by their own checks with the
//! seed given in [`SEED_ENV`]. This module runs them with snapshot writing
//! switched off (`CI=true`, `INSTA_UPDATE=no`) and asks the harness to
//! leave one verdict file per scenario in a fresh directory
//! ([`harness::report::REPORT_DIR_ENV`]); it never compares, writes or
//! accepts a snapshot itself. Unit test files listed with points
//! ([`unit_tests`]) run after them, and their verdict is read from their
//! output.

#[cfg(feature = "instructor")]
mod lock;
pub mod messages;
mod process;
pub mod unit_tests;

use crate::labs::{Kind, Lab};
pub use crate::model::LabOutcome;
use crate::model::{Status, Verdict};
use anyhow::{Context, Result};
use harness::report::REPORT_DIR_ENV;
use harness::seed::SEED_ENV;
#[cfg(feature = "instructor")]
pub use lock::TargetLock;
pub use messages::Warning;
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

/// This copy's own files (the last check, the verdicts): always under
/// `ROOT/target/socket-labs`, never in a `CARGO_TARGET_DIR` that other
/// copies of the course may share.
pub fn own_dir(root: &Path) -> PathBuf {
    root.join("target").join("socket-labs")
}

/// Where `check-lab` builds the labs of the copy at `root`: its own
/// `target/`, whatever `CARGO_TARGET_DIR` says.
pub fn own_target_dir(root: &Path) -> PathBuf {
    root.join("target")
}

/// When `CARGO_TARGET_DIR` points elsewhere, prints (to stderr, through
/// `style`) the line that says the labs are built in this copy's own
/// `target/` all the same, and why.
pub fn print_own_target_note(root: &Path, lang: crate::lang::Lang, style: impl Fn(&str) -> String) {
    if let Some(note) = own_target_note(root, lang) {
        eprintln!("{}", style(&note));
    }
}

/// The line [`print_own_target_note`] prints, if any.
pub fn own_target_note(root: &Path, lang: crate::lang::Lang) -> Option<String> {
    let shared = PathBuf::from(std::env::var_os("CARGO_TARGET_DIR")?);
    let own = own_target_dir(root);
    if shared == own || shared.canonicalize().ok() == own.canonicalize().ok() {
        return None;
    }
    Some(match lang {
        crate::lang::Lang::En => format!(
            "note: CARGO_TARGET_DIR is {}, but the labs are built in {}: a target folder shared by two copies of the course would check one copy with the other's programs",
            shared.display(),
            own.display()
        ),
        crate::lang::Lang::Zh => format!(
            "注意：CARGO_TARGET_DIR 是 {}，但实验仍构建在 {} 中：两份课程共用一个 target 文件夹时，检查一份会用到另一份的程序",
            shared.display(),
            own.display()
        ),
    })
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
    /// `CARGO_TARGET_DIR` for cargo (default: the copy's own, see
    /// [`own_target_dir`], never a shared `CARGO_TARGET_DIR`). The grader
    /// shares one between submissions so the dependencies compile once
    /// (it grades each in the same working folder).
    pub target_dir: Option<PathBuf>,
    /// Where the verdict files go (default: this copy's own, see
    /// [`own_dir`]).
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
    /// The seed of the property scenarios ([`SEED_ENV`]); `None` lets
    /// the test process pick a fresh one.
    pub seed: Option<u64>,
    /// Run only this scenario (`check-lab N --scenario NAME`); the lab
    /// passed in then lists just that scenario.
    pub scenario: Option<String>,
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
            seed: None,
            scenario: None,
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
    run_lab_reporting(root, lab, options).map(|(outcome, _)| outcome)
}

/// [`run_lab_with`], and rustc's warnings about the lab's own `src/`
/// files (`check-lab` shows a few).
///
/// # Errors
///
/// As [`run_lab`].
pub fn run_lab_reporting(
    root: &Path,
    lab: &Lab,
    options: &RunOptions,
) -> Result<(LabOutcome, Vec<messages::Warning>)> {
    let package = lab.package();
    // Never a `CARGO_TARGET_DIR` shared with another copy of the course:
    // cargo names a lab's build the same in every copy (it hashes a
    // workspace member's path relative to its workspace) and judges it
    // fresh from the files' times, so a copy whose files are older than
    // the other copy's last build would be checked with the other copy's
    // programs (see `own_target_note`).
    let target = options
        .target_dir
        .clone()
        .unwrap_or_else(|| own_target_dir(root));
    let with_target = |mut command: Command| {
        command.env("CARGO_TARGET_DIR", &target);
        command
    };
    // `--test scenarios --test properties` (the files that leave verdict
    // files), then the unit test files: all built at once.
    let targets = |files: Vec<&str>| -> Vec<String> {
        files
            .into_iter()
            .flat_map(|file| ["--test".to_owned(), file.to_owned()])
            .collect()
    };
    let scenario_targets = targets(lab.test_files(Kind::writes_verdicts));
    let unit_files = lab.test_files(|kind| kind == Kind::Unit);
    let mut build = with_target(cargo(root));
    build
        .args(["test", "--package", &package])
        .args(&scenario_targets)
        .args(targets(unit_files.clone()))
        .args(["--no-run", "--message-format", "json", "--color", "never"]);
    let built = run_capturing_output(build, options.build_deadline, false)?;
    let src = format!("{}/src/", lab.dir().display()).replace('\\', "/");
    let warnings = messages::warnings_in(&built.stdout, &src);
    match built.status {
        Some(status) if status.success() => {}
        Some(_) => {
            return Ok((
                LabOutcome::DoesNotCompile(first_compiler_error(&built.stdout, &built.stderr)),
                warnings,
            ));
        }
        None => {
            return Ok((
                LabOutcome::DoesNotCompile(format!(
                    "building took more than {} s and was stopped",
                    options.build_deadline.as_secs()
                )),
                warnings,
            ));
        }
    }

    let report_dir = options
        .verdict_dir
        .clone()
        .unwrap_or_else(|| own_dir(root).join("verdicts").join(&package));
    let _ = std::fs::remove_dir_all(&report_dir);
    std::fs::create_dir_all(&report_dir)
        .with_context(|| format!("could not create {}", report_dir.display()))?;
    // The test binary's own output is not shown: the verdict files say
    // everything, in the learner's terms. Its exit status is not needed
    // either: a scenario without a verdict file is reported as an error.
    let started = std::time::Instant::now();
    let test_command = |files: &[String], quiet: bool| -> Result<Command> {
        let mut test = with_target(cargo(root));
        test.args(["test", "--package", &package])
            .args(files)
            .args(["--no-fail-fast", "--color", "never"])
            .args(quiet.then_some("--quiet"))
            .env(REPORT_DIR_ENV, &report_dir);
        if let Some(seed) = options.seed {
            test.env(SEED_ENV, seed.to_string());
        }
        let mut harness_args = Vec::new();
        if let Some(threads) = options.test_threads {
            harness_args.push(format!("--test-threads={}", threads.max(1)));
        }
        // One scenario (`check-lab N --scenario NAME`): its test alone, in
        // the (quiet) run of the stories and properties; a unit entry's
        // name is its file, whose tests all run.
        if let (Some(name), true) = (&options.scenario, quiet) {
            harness_args.extend(["--exact".to_owned(), name.clone()]);
        }
        if !harness_args.is_empty() {
            test.arg("--").args(harness_args);
        }
        if let Some(tmp) = &options.tmp_dir {
            std::fs::create_dir_all(tmp)
                .with_context(|| format!("could not create {}", tmp.display()))?;
            test.env("TMPDIR", tmp).env("TMP", tmp).env("TEMP", tmp);
        }
        Ok(test)
    };
    // The grader runs the scenarios in a process group of their own, so a
    // deadline kills cargo, the test binary and all. So does `check-lab` on
    // Linux, where its Ctrl-C handler stops them ([`crate::interrupt`]):
    // they end only after it has taken over. Elsewhere `check-lab` keeps
    // them in the terminal's group, so Ctrl-C stops them too.
    let own_group = options.tmp_dir.is_some() || cfg!(target_os = "linux");
    // Without stories or properties (one unit entry, `--scenario`), a
    // bare `cargo test --package` would run every test: nothing runs.
    let finished = scenario_targets.is_empty()
        || run_with_deadline(
            test_command(&scenario_targets, true)?,
            options.run_deadline,
            false,
            own_group,
        )?
        .status
        .is_some();
    if let Some(tmp) = &options.tmp_dir {
        kill_processes_in(&[tmp.as_path(), root]);
    }
    // Unit tests leave no verdict file: their verdict is read from what
    // the test binary prints, one file at a time, within what is left of
    // the deadline.
    let mut unit_verdicts = Vec::new();
    for file in unit_files {
        let left = options.run_deadline.saturating_sub(started.elapsed());
        let (stdout, finished) = if left.is_zero() {
            (String::new(), false)
        } else {
            let mut command = test_command(&targets(vec![file]), false)?;
            // The panic messages are read from the output: no backtraces.
            command.env("RUST_BACKTRACE", "0");
            let run = run_capturing_output(command, left, own_group)?;
            (run.stdout, run.status.is_some())
        };
        if let Some(tmp) = &options.tmp_dir {
            kill_processes_in(&[tmp.as_path(), root]);
        }
        unit_verdicts.push(unit_tests::verdict(
            file,
            &format!("{}/tests/{file}.rs", lab.dir().display()),
            &stdout,
            finished,
        ));
    }
    let mut verdicts = read_verdicts(lab, &report_dir, unit_verdicts);
    if !finished {
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
    Ok((LabOutcome::Ran(verdicts), warnings))
}

/// One verdict per scenario of the metadata, in its order: from its
/// verdict file, or for unit tests from `units`. A scenario that left no
/// verdict file did not run to its assertion.
pub fn read_verdicts(lab: &Lab, dir: &Path, units: Vec<Verdict>) -> Vec<Verdict> {
    let mut units = units.into_iter();
    lab.scenarios
        .iter()
        .map(|scenario| {
            if scenario.kind == Kind::Unit {
                if let Some(verdict) = units.next() {
                    return verdict;
                }
            }
            let path = dir.join(format!("{}.json", scenario.name));
            std::fs::read_to_string(&path)
                .ok()
                .and_then(|text| serde_json::from_str::<Verdict>(&text).ok())
                .unwrap_or_else(|| Verdict {
                    scenario: scenario.name.clone(),
                    status: Status::Error,
                    message: format!(
                        "the scenario did not run to its end: no test `{}` in {}/tests/{}.rs, or its test crashed",
                        scenario.name,
                        lab.dir().display(),
                        scenario.test_file()
                    ),
                    expected: String::new(),
                    actual: String::new(),
                    stuck: Vec::new(),
                })
        })
        .collect()
}
