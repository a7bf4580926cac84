//! `cargo xtask check-solutions`: proves, for every lab, that the
//! instructor's solution passes every scenario AND the generated starter
//! fails every one of them, so no lab can be passed by its stub (rustlings'
//! `dev check` plays this role). It also checks that the starter can be
//! generated (markers well placed, no solution leaked) and builds without
//! a warning.
//!
//! The starter is written to `target/socket-labs/check-solutions/starter`
//! and built in the grader's shared target directory, so only the lab
//! crates compile again from one run to the next.

use crate::labs::{Info, Lab};
use crate::model::Status;
use crate::runner::messages::{self, Level};
use crate::runner::{self, LabOutcome, RunOptions};
use crate::starter::Starter;
use anyhow::{Context, Result};
use std::path::Path;
use std::time::{Duration, Instant};

/// Why a lab's solution or starter is wrong, one line each.
fn solution_problems(lab: &Lab, outcome: &LabOutcome) -> Vec<String> {
    match outcome {
        LabOutcome::DoesNotCompile(error) => {
            vec![format!("the solution does not compile:\n{error}")]
        }
        LabOutcome::Ran(verdicts) => verdicts
            .iter()
            .filter(|v| v.status != Status::Pass)
            .map(|v| format!("the solution fails `{}`: {}", v.scenario, v.message))
            .chain(
                lab.scenarios
                    .is_empty()
                    .then(|| "the lab has no scenarios in labs/info.toml".to_owned()),
            )
            .collect(),
    }
}

fn starter_problems(outcome: &LabOutcome) -> Vec<String> {
    match outcome {
        LabOutcome::DoesNotCompile(error) => {
            vec![format!("the starter does not compile:\n{error}")]
        }
        LabOutcome::Ran(verdicts) => verdicts
            .iter()
            .filter(|v| v.status == Status::Pass)
            .map(|v| {
                format!(
                    "the starter passes `{}`: the stub alone earns its points; make the scenario need the student's code",
                    v.scenario
                )
            })
            .collect(),
    }
}

/// The warnings of building the starter (`cargo build --workspace
/// --all-targets`), one per line: the compiler's diagnostics from cargo's
/// JSON messages, in rustc's short form, and cargo's own errors.
fn starter_warnings(dir: &Path, options: &RunOptions) -> Result<Vec<String>> {
    let mut build = runner::cargo(dir);
    build.args([
        "build",
        "--workspace",
        "--all-targets",
        "--message-format",
        "json-diagnostic-short",
        "--color",
        "never",
    ]);
    if let Some(target) = &options.target_dir {
        build.env("CARGO_TARGET_DIR", target);
    }
    let built = runner::run_capturing_output(build, options.build_deadline, false)?;
    let mut lines: Vec<String> = messages::diagnostics(&built.stdout)
        .into_iter()
        .filter(|d| matches!(d.level, Level::Warning | Level::Error))
        .filter_map(|d| d.rendered)
        .map(|text| text.trim_end().to_owned())
        .chain(
            built
                .stderr
                .lines()
                .filter(|l| l.starts_with("error"))
                .map(str::to_owned),
        )
        .collect();
    if built.status.is_none_or(|s| !s.success()) && lines.is_empty() {
        lines.push(format!(
            "`cargo build --workspace` failed in the starter:\n{}",
            built.stderr
        ));
    }
    Ok(lines)
}

/// Runs the check; returns whether every lab is right.
///
/// # Errors
///
/// The starter cannot be generated (the message names FILE:LINE), or cargo
/// cannot be run.
pub fn check_solutions(root: &Path, info: &Info) -> Result<bool> {
    let started = Instant::now();
    let starter = Starter::build(root, info)?;
    let target = runner::target_dir(root).join("socket-labs");
    let dir = target.join("check-solutions/starter");
    let _lock =
        runner::TargetLock::acquire(&target.join("grade-target"), Duration::from_secs(1800))?;
    starter.sync_to(&dir)?;
    let options = RunOptions {
        target_dir: Some(target.join("grade-target")),
        verdict_dir: Some(target.join("check-solutions/verdicts")),
        tmp_dir: Some(target.join("check-solutions/tmp")),
        ..RunOptions::default()
    };
    let mut ok = true;

    eprintln!("building the starter ({}) …", dir.display());
    let warnings = starter_warnings(&dir, &options).context("could not build the starter")?;
    if warnings.is_empty() {
        println!("✓ the starter builds without warnings");
    } else {
        ok = false;
        println!(
            "✗ building the starter warns (move `use` lines the solution needs into its region):"
        );
        for w in &warnings {
            println!("    {w}");
        }
    }

    for lab in &info.labs {
        let stubs = starter.stubs.get(&lab.package()).copied().unwrap_or(0);
        eprintln!("checking {} …", lab.package());
        let solution = runner::run_lab(root, lab)?;
        let mut problems = solution_problems(lab, &solution);
        if stubs == 0 {
            problems.push(format!(
                "{}/src has no `// BEGIN SOLUTION` region: the starter would hand out the solution",
                lab.dir().display()
            ));
        }
        let stub = runner::run_lab_with(&dir, lab, &options)?;
        problems.extend(starter_problems(&stub));
        if problems.is_empty() {
            println!(
                "✓ {}: the solution passes {} scenario(s), the starter ({stubs} todo!()) fails each",
                lab.label(),
                lab.scenarios.len()
            );
        } else {
            ok = false;
            println!("✗ {}:", lab.label());
            for p in problems {
                println!("    {}", p.replace('\n', "\n    "));
            }
        }
    }
    let labs: Vec<&Lab> = info.labs.iter().collect();
    ok &= crate::mutants::check(root, &labs, 1, &target)?;
    println!(
        "{} in {:.1} s",
        if ok {
            "every solution passes, every starter and every mutant fails"
        } else {
            "check-solutions FAILED"
        },
        started.elapsed().as_secs_f64()
    );
    Ok(ok)
}
