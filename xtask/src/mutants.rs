//! Mutants: the typical mistakes of each lab, kept and proven caught.
//!
//! Each lab lists, in `labs/NN-NAME/mutants.toml`, known-wrong versions of
//! its solution: one text replacement each, named for the mistake a student
//! makes, with the scenarios expected to catch it:
//!
//! ```toml
//! [[mutant]]
//! name = "reply_with_write"
//! mistake = "replies with write() and ignores how many bytes it took"
//! file = "src/bin/lab01-server.rs"   # relative to the lab's folder
//! find = "conn.write_all(REPLY.as_bytes())"  # occurs exactly once in file
//! replace = "conn.write(REPLY.as_bytes())"
//! caught_by = ["server_normal_exchange"]
//! ```
//!
//! `cargo xtask check-solutions` (and `cargo xtask mutants` for one lab, or
//! to run each mutant many times) applies each mutant to a scratch copy of
//! the workspace, runs the lab's scenarios and prints one line per mutant:
//! the scenario that caught it and its first failing line. It fails when a
//! mutant passes every scenario, when a scenario of `caught_by` passes,
//! when `find` does not occur exactly once, or when a mutant does not
//! compile (a mutant that does not build proves nothing about the
//! scenarios).
//!
//! The scratch copy (`target/socket-labs/check-solutions/mutants`) shares
//! the grader's target directory, where `check-solutions` has just built
//! the dependencies: a mutant costs one rebuild of its lab and one run of
//! its scenarios. The mutated file is restored after each mutant. The file
//! `mutants.toml` is never copied into the students' starter.

use crate::labs::{Info, Lab};
use crate::runner::{self, LabOutcome, RunOptions};
use anyhow::{Context, Result, bail};
use harness::report::{Status, Verdict};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The file of a lab's mutants, relative to the lab's folder.
pub const MUTANTS_FILE: &str = "mutants.toml";

/// A lab's `mutants.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MutantsFile {
    #[serde(rename = "mutant", default)]
    mutants: Vec<Mutant>,
}

/// One known-wrong version of a lab's solution.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mutant {
    /// Names the mistake, in snake case: `reply_with_write`.
    pub name: String,
    /// The mistake in a sentence, as a student would make it.
    pub mistake: String,
    /// The file it changes, relative to the lab's folder.
    pub file: String,
    /// The text it replaces: occurs exactly once in `file`.
    pub find: String,
    /// What replaces it.
    pub replace: String,
    /// The scenarios that must fail with this mistake.
    pub caught_by: Vec<String>,
}

/// The mutants of `lab` (none when it has no `mutants.toml`).
///
/// # Errors
///
/// The file is not valid, or a mutant names a scenario the lab does not
/// have, repeats a name, or its `find` does not occur exactly once.
pub fn load(root: &Path, lab: &Lab) -> Result<Vec<Mutant>> {
    let path = root.join(lab.dir()).join(MUTANTS_FILE);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("could not read {}", path.display()))?;
    let file: MutantsFile =
        toml::from_str(&text).with_context(|| format!("{} is not valid", path.display()))?;
    let mut problems = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    for m in &file.mutants {
        if !names.insert(m.name.as_str()) {
            problems.push(format!("mutant `{}` is listed twice", m.name));
        }
        if m.caught_by.is_empty() {
            problems.push(format!("mutant `{}`: caught_by names no scenario", m.name));
        }
        for s in &m.caught_by {
            if !lab.scenarios.iter().any(|x| &x.name == s) {
                problems.push(format!(
                    "mutant `{}`: caught_by names `{s}`, which is not a scenario of {} in labs/info.toml",
                    m.name,
                    lab.label()
                ));
            }
        }
        if let Err(e) = m.apply(root, lab) {
            problems.push(format!("mutant `{}`: {e:#}", m.name));
        }
    }
    if !problems.is_empty() {
        bail!("{}:\n  {}", path.display(), problems.join("\n  "));
    }
    Ok(file.mutants)
}

impl Mutant {
    /// The file's original text and its mutated text.
    ///
    /// # Errors
    ///
    /// The file cannot be read, or `find` does not occur in it exactly once.
    pub fn apply(&self, root: &Path, lab: &Lab) -> Result<(String, String)> {
        let path = root.join(lab.dir()).join(&self.file);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("could not read {}", path.display()))?;
        match text.matches(&self.find).count() {
            1 => {}
            0 => bail!(
                "`find` no longer occurs in {}: the solution changed; update the mutant",
                self.file
            ),
            n => bail!(
                "`find` occurs {n} times in {}: make it longer so that it names one place",
                self.file
            ),
        }
        let mutated = text.replacen(&self.find, &self.replace, 1);
        Ok((text, mutated))
    }
}

/// How one run of a mutant went.
struct RunResult {
    /// The scenarios that did not pass, with their verdicts.
    failed: Vec<Verdict>,
    /// The `caught_by` scenarios that passed.
    missed: Vec<String>,
    /// The first compiler error, if the mutant did not compile.
    compile_error: Option<String>,
}

impl RunResult {
    fn caught(&self) -> bool {
        self.compile_error.is_none() && !self.failed.is_empty() && self.missed.is_empty()
    }
}

fn judge(mutant: &Mutant, outcome: LabOutcome) -> RunResult {
    match outcome {
        LabOutcome::DoesNotCompile(error) => RunResult {
            failed: Vec::new(),
            missed: Vec::new(),
            compile_error: Some(error),
        },
        LabOutcome::Ran(verdicts) => {
            let failed: Vec<Verdict> = verdicts
                .into_iter()
                .filter(|v| v.status != Status::Pass)
                .collect();
            let missed = mutant
                .caught_by
                .iter()
                .filter(|s| !failed.iter().any(|v| &&v.scenario == s))
                .cloned()
                .collect();
            RunResult {
                failed,
                missed,
                compile_error: None,
            }
        }
    }
}

/// One line: `scenario (fail: line 6: expected …, got …)`, shortened.
fn describe(verdict: &Verdict) -> String {
    const MAX: usize = 200;
    let status = match verdict.status {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::Timeout => "timeout",
        Status::Error => "error",
        Status::NotDone => "not done",
    };
    let mut message = verdict.message.replace('\n', " ");
    if message.chars().count() > MAX {
        message = message.chars().take(MAX).collect::<String>() + "…";
    }
    format!("{} ({status}: {message})", verdict.scenario)
}

/// The scratch workspace: a copy of the instructor's files (less what the
/// starter excludes), the labs' sources written fresh so cargo rebuilds
/// them.
fn scratch_workspace(root: &Path, dir: &Path) -> Result<()> {
    let files = crate::starter::workspace_files(root)?;
    let mut contents = Vec::new();
    for path in files {
        let full = root.join(&path);
        let content =
            std::fs::read(&full).with_context(|| format!("could not read {}", full.display()))?;
        let fresh = path.starts_with("labs/") && path.contains("/src/");
        let mtime = if fresh {
            None
        } else {
            std::fs::metadata(&full).and_then(|m| m.modified()).ok()
        };
        contents.push((path, content, mtime));
    }
    crate::files::sync(
        dir,
        contents
            .iter()
            .map(|(p, c, t)| (p.as_str(), c.as_slice(), *t)),
    )
}

/// Where the mutants run, under the `socket-labs` folder of the target
/// directory.
fn scratch_dir(socket_labs: &Path) -> PathBuf {
    socket_labs.join("check-solutions/mutants")
}

/// Runs every mutant of `labs` `repeat` times in a row; prints one line per
/// mutant; returns whether each was caught every time. The caller holds the
/// lock of the grader's target directory (`socket_labs/grade-target`).
///
/// # Errors
///
/// A `mutants.toml` is broken (see [`load`]), a file cannot be written, or
/// cargo cannot be run.
pub fn check(root: &Path, labs: &[&Lab], repeat: usize, socket_labs: &Path) -> Result<bool> {
    let started = Instant::now();
    let dir = scratch_dir(socket_labs);
    scratch_workspace(root, &dir)?;
    let mut ok = true;
    let mut count = 0;
    for lab in labs {
        let mutants = load(root, lab)?;
        if mutants.is_empty() {
            ok = false;
            println!(
                "✗ {}: no mutants: list the lab's typical mistakes in {}/{MUTANTS_FILE}",
                lab.label(),
                lab.dir().display()
            );
            continue;
        }
        // Scenarios mostly wait (on sockets, and a mutant that hangs on a
        // deadline): run them all at once, as the grader does.
        let options = RunOptions {
            target_dir: Some(socket_labs.join("grade-target")),
            verdict_dir: Some(socket_labs.join("check-solutions/mutant-verdicts")),
            tmp_dir: Some(socket_labs.join("check-solutions/mutant-tmp")),
            test_threads: Some(lab.scenarios.len()),
            run_deadline: Duration::from_secs(60),
            ..RunOptions::default()
        };
        for mutant in &mutants {
            count += 1;
            let (original, mutated) = mutant.apply(root, lab)?;
            let path = dir.join(lab.dir()).join(&mutant.file);
            std::fs::write(&path, &mutated)
                .with_context(|| format!("could not write {}", path.display()))?;
            let mut runs = Vec::new();
            for _ in 0..repeat.max(1) {
                let outcome = runner::run_lab_with(&dir, lab, &options);
                let result = outcome.map(|o| judge(mutant, o));
                let stop = result.as_ref().map_or(true, |r| r.compile_error.is_some());
                runs.push(result);
                if stop {
                    break;
                }
            }
            std::fs::write(&path, &original)
                .with_context(|| format!("could not write {}", path.display()))?;
            let runs = runs.into_iter().collect::<Result<Vec<_>>>()?;
            ok &= report(lab, mutant, &runs, repeat.max(1));
        }
    }
    println!(
        "{count} mutant(s) × {} run(s) in {:.1} s",
        repeat.max(1),
        started.elapsed().as_secs_f64()
    );
    Ok(ok)
}

/// Prints the line of one mutant; returns whether it was caught every run.
fn report(lab: &Lab, mutant: &Mutant, runs: &[RunResult], repeat: usize) -> bool {
    let label = format!("lab {} · {}", lab.number, mutant.name);
    if let Some(error) = runs.iter().find_map(|r| r.compile_error.as_ref()) {
        println!(
            "✗ {label}: the mutant does not compile, so it proves nothing:\n    {}",
            error.replace('\n', "\n    ")
        );
        return false;
    }
    let caught = runs.iter().filter(|r| r.caught()).count();
    let times = if repeat > 1 {
        format!(" {caught}/{repeat} runs;")
    } else {
        String::new()
    };
    let first = &runs[0];
    if caught == repeat {
        // The first scenario of `caught_by` with its first failing line;
        // the others by name.
        let first_by = mutant
            .caught_by
            .iter()
            .find_map(|s| first.failed.iter().find(|v| &v.scenario == s));
        let also: Vec<&str> = first
            .failed
            .iter()
            .map(|v| v.scenario.as_str())
            .filter(|s| first_by.is_none_or(|v| v.scenario != *s))
            .collect();
        let also = if also.is_empty() {
            String::new()
        } else {
            format!("; also {}", also.join(", "))
        };
        println!(
            "✓ {label}:{times} caught by {}{also}",
            first_by.map(describe).unwrap_or_default()
        );
        return true;
    }
    println!("✗ {label} ({}):{times} NOT caught", mutant.mistake);
    for (i, run) in runs.iter().enumerate().filter(|(_, r)| !r.caught()) {
        if run.failed.is_empty() {
            println!("    run {}: the mutant passes every scenario", i + 1);
        } else {
            println!(
                "    run {}: expected to fail but passed: {}; failed: {}",
                i + 1,
                run.missed.join(", "),
                run.failed
                    .iter()
                    .map(|v| v.scenario.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    false
}

/// `cargo xtask mutants [LAB] [--repeat N]`: the mutants of one lab (or of
/// all), each run N times in a row.
///
/// # Errors
///
/// Bad arguments, or see [`check`].
pub fn run(root: &Path, info: &Info, args: &[&str]) -> Result<bool> {
    let mut repeat = 1;
    let mut labs: Vec<&Lab> = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if *arg == "--repeat" {
            let n = args.next().context("--repeat needs a number")?;
            repeat = n
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .with_context(|| format!("--repeat needs a number above 0, not `{n}`"))?;
        } else {
            labs.push(info.find(arg)?);
        }
    }
    if labs.is_empty() {
        labs = info.labs.iter().collect();
    }
    let socket_labs = runner::target_dir(root).join("socket-labs");
    let _lock =
        runner::TargetLock::acquire(&socket_labs.join("grade-target"), Duration::from_secs(1800))?;
    check(root, &labs, repeat, &socket_labs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labs::workspace_root;

    /// Fast: every lab has mutants, and each still applies (its `find`
    /// occurs exactly once) and names real scenarios; `check-solutions`
    /// then proves they are caught.
    #[test]
    fn every_lab_has_mutants_that_still_apply() {
        let root = workspace_root();
        let info = Info::load(&root).expect("labs/info.toml must load");
        for lab in &info.labs {
            let mutants = load(&root, lab).unwrap_or_else(|e| panic!("{e:#}"));
            assert!(
                !mutants.is_empty(),
                "{}: list the lab's typical mistakes in {MUTANTS_FILE}",
                lab.label()
            );
            for m in &mutants {
                let (original, mutated) = m.apply(&root, lab).expect("checked by load");
                assert_ne!(original, mutated, "mutant `{}` changes nothing", m.name);
            }
        }
    }
}
