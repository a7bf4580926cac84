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

/// Builds `lab` and runs all its scenarios.
///
/// # Errors
///
/// Cargo could not be started, or the verdict directory could not be made.
/// A lab that does not compile or fails is an `Ok` outcome.
pub fn run_lab(root: &Path, lab: &Lab) -> Result<LabOutcome> {
    let package = lab.package();
    let build = cargo(root)
        .args([
            "test",
            "--package",
            &package,
            "--test",
            "scenarios",
            "--no-run",
            "--color",
            "never",
        ])
        .stdin(Stdio::null())
        .output()
        .context("could not run cargo")?;
    if !build.status.success() {
        let stderr = String::from_utf8_lossy(&build.stderr);
        return Ok(LabOutcome::DoesNotCompile(first_compiler_error(&stderr)));
    }

    let report_dir = target_dir(root).join("socket-labs/verdicts").join(&package);
    let _ = std::fs::remove_dir_all(&report_dir);
    std::fs::create_dir_all(&report_dir)
        .with_context(|| format!("could not create {}", report_dir.display()))?;
    // The test binary's own output is not shown: the verdict files say
    // everything, in the learner's terms (a scenario without a verdict file
    // is reported as an error).
    let tests = cargo(root)
        .args([
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
        .env(REPORT_DIR_ENV, &report_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .context("could not run cargo")?;
    let mut verdicts = read_verdicts(lab, &report_dir);
    // insta decides whether a test passes; the verdict files are written
    // beside that decision. If they ever disagree, say so rather than
    // report a pass that `cargo test` would not give.
    if !tests.success() && verdicts.iter().all(|v| v.status == Status::Pass) {
        if let Some(v) = verdicts.first_mut() {
            v.status = Status::Error;
            v.message = format!(
                "every transcript matched, but `cargo test -p {package} --test scenarios` failed: run it to see why"
            );
        }
    }
    Ok(LabOutcome::Ran(verdicts))
}

/// One verdict per scenario of the metadata, in its order. A scenario that
/// left no verdict file did not run to its assertion.
fn read_verdicts(lab: &Lab, dir: &Path) -> Vec<Verdict> {
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
