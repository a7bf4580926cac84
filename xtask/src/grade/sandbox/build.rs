//! One build for all of a submission's labs: every lab's programs (lab
//! 5's probe among them, which links its library), in one cargo call
//! (`--keep-going`: a lab that does not compile stops itself only), so
//! cargo starts once and compiles the labs side by side on every core.
//! Which lab built and which did not is read from cargo's JSON messages,
//! each of which names its package's manifest. A lab the messages leave
//! undecided (no program of it built, no error of its own), or every lab
//! when the build passed the deadline, is built again on its own
//! ([`super::run_lab`]), with its own deadline, as before: its verdict is
//! the one a build of that lab alone gives.

use super::{Executable, Sandbox, executables, run_captured, target};
use crate::labs::Lab;
use crate::starter::File;
use anyhow::{Context, Result, bail};
use std::path::Path;
use std::time::{Duration, Instant};

/// What the dependency cache holds of one lab's package, built from the
/// instructor's copy.
#[derive(Debug, Clone, Default)]
pub struct Cached {
    /// Its test binaries (paths inside a sandbox; the host file is under
    /// the cache): the judges of every submission run from there.
    pub tests: Vec<Executable>,
    /// The names of its programs (`lab01-server`): what a submission's
    /// build of the lab must produce.
    pub programs: Vec<String>,
}

/// Brings the dependency cache `cache` up to date from the starter laid
/// down in `work` (its `files`): every lab's package built there with all
/// its test files (`cargo test --no-run`, which builds its programs too),
/// then every file made read-only. Returns, per lab, what was built.
///
/// # Errors
///
/// The starter does not build (the instructor's copy is broken).
pub fn cache_starter(
    sandbox: &Sandbox,
    (work, cache): (&Path, &Path),
    files: &[File],
    labs: &[&Lab],
) -> Result<Vec<Cached>> {
    // The starter's own lab files get one fixed time, so the cache stays
    // fresh from one run to the next (a submission's files are always
    // newer, and its lab's programs are built anew anyway).
    let fixed = std::time::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    for file in files.iter().filter(|f| f.student) {
        std::fs::File::options()
            .write(true)
            .open(work.join(&file.path))
            .and_then(|f| f.set_modified(fixed))
            .with_context(|| format!("could not date {}", file.path))?;
    }
    std::fs::create_dir_all(cache)
        .with_context(|| format!("could not create {}", cache.display()))?;
    target::set_read_only(cache, false)?;
    let mut cached = Vec::new();
    for lab in labs {
        let package = lab.package();
        let done = run_captured(
            sandbox.build_command(
                work,
                cache,
                (std::slice::from_ref(&package), &lab.test_files(|_| true)),
                true,
            ),
            Duration::from_secs(3600),
            sandbox.pids.as_deref(),
        )?;
        if !done.status.is_some_and(|s| s.success()) {
            bail!(
                "the starter's {package} does not build in the sandbox:\n{}",
                crate::runner::first_compiler_error(&done.stdout, &done.stderr)
            );
        }
        let (tests, programs): (Vec<_>, Vec<_>) =
            executables(&done.stdout).into_iter().partition(|e| e.test);
        cached.push(Cached {
            tests,
            programs: programs.into_iter().map(|e| e.name).collect(),
        });
    }
    target::set_read_only(cache, true)?;
    Ok(cached)
}

/// Builds the submitted labs of a submission together (two or more; each
/// of `labs` with what the cache holds of it and whether it was
/// submitted) into `target`: per lab, what that build says of it and how
/// long it took (`None`: built on its own), and that time.
///
/// # Errors
///
/// bwrap could not be started.
pub fn prebuild(
    sandbox: &Sandbox,
    (work, target): (&Path, &Path),
    labs: &[(&Lab, &Cached, bool)],
    deadline: Duration,
) -> Result<(Vec<super::Prebuilt>, Option<Duration>)> {
    let mut prebuilt = vec![None; labs.len()];
    let (index, submitted): (Vec<usize>, Vec<_>) = labs
        .iter()
        .enumerate()
        .filter(|(_, (_, _, submitted))| *submitted)
        .map(|(i, (lab, cached, _))| (i, (*lab, *cached)))
        .unzip();
    if submitted.len() < 2 {
        return Ok((prebuilt, None));
    }
    let started = Instant::now();
    let built = build_together(sandbox, (work, target), &submitted, deadline)?;
    let took = started.elapsed();
    for (i, built) in index.into_iter().zip(built.into_iter().flatten()) {
        prebuilt[i] = built.map(|b| (b, took));
    }
    Ok((prebuilt, Some(took)))
}

/// What the shared build says of one lab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Built {
    /// Everything the lab needs was built: its programs.
    Ok(Vec<Executable>),
    /// The lab does not compile: cargo's JSON messages about it.
    Failed(String),
}

/// Builds `labs` (each with what the cache holds of it: the programs its
/// build must produce) in one sandbox within `deadline`, into `target`.
/// Returns, per lab, what the build says of it (`None`: build it on its
/// own), or `None` for all when the build passed the deadline.
///
/// # Errors
///
/// bwrap could not be started.
pub fn build_together(
    sandbox: &Sandbox,
    (work, target): (&Path, &Path),
    labs: &[(&Lab, &Cached)],
    deadline: Duration,
) -> Result<Option<Vec<Option<Built>>>> {
    let packages: Vec<String> = labs.iter().map(|(lab, _)| lab.package()).collect();
    let built = run_captured(
        sandbox.build_command(work, target, (&packages, &[]), false),
        deadline,
        sandbox.pids.as_deref(),
    )?;
    if built.status.is_none() {
        return Ok(None);
    }
    Ok(Some(
        labs.iter()
            .map(|(lab, cached)| of_lab(&built.stdout, lab, cached))
            .collect(),
    ))
}

/// What cargo's JSON messages `json` say of `lab`.
fn of_lab(json: &str, lab: &Lab, cached: &Cached) -> Option<Built> {
    let manifest = format!(
        "/{}/Cargo.toml",
        lab.dir().to_string_lossy().replace('\\', "/")
    );
    let own: Vec<&str> = json
        .lines()
        .filter(|line| {
            serde_json::from_str::<serde_json::Value>(line).is_ok_and(|v| {
                v["manifest_path"]
                    .as_str()
                    .is_some_and(|m| m.ends_with(&manifest))
            })
        })
        .collect();
    let own = own.join("\n");
    let built = executables(&own);
    let complete = cached
        .programs
        .iter()
        .all(|p| built.iter().any(|e| !e.test && e.name == *p));
    if complete && !cached.programs.is_empty() {
        return Some(Built::Ok(built));
    }
    let failed = crate::runner::messages::diagnostics(&own)
        .iter()
        .any(|d| d.level == crate::runner::messages::Level::Error);
    failed.then_some(Built::Failed(own))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(dir: &str, name: &str, test: bool) -> String {
        format!(
            r#"{{"reason":"compiler-artifact","manifest_path":"/grade/work/{dir}/Cargo.toml","target":{{"name":"{name}"}},"profile":{{"test":{test}}},"executable":"/grade/target/debug/{name}"}}"#
        )
    }

    #[test]
    fn each_lab_is_judged_by_its_own_messages() {
        let info = crate::labs::Info::load(&crate::labs::workspace_root().unwrap()).unwrap();
        let (one, five) = (&info.labs[0], &info.labs[4]);
        let cached = |lab: &Lab| Cached {
            tests: Vec::new(),
            programs: vec![
                format!("lab{:02}-server", lab.number),
                format!("lab{:02}-client", lab.number),
            ],
        };
        let dir = |lab: &Lab| lab.dir().to_string_lossy().into_owned();
        let error = format!(
            r#"{{"reason":"compiler-message","manifest_path":"/grade/work/{}/Cargo.toml","message":{{"level":"error","message":"boom","rendered":"error: boom","spans":[]}}}}"#,
            dir(five)
        );
        let json = [
            artifact(&dir(one), "lab01-server", false),
            artifact(&dir(one), "lab01-client", false),
            artifact(&dir(five), "lab05-server", false),
            error,
        ]
        .join("\n");
        let Some(Built::Ok(built)) = of_lab(&json, one, &cached(one)) else {
            panic!("lab 1 built");
        };
        assert_eq!(built.len(), 2);
        let Some(Built::Failed(messages)) = of_lab(&json, five, &cached(five)) else {
            panic!("lab 5 does not compile");
        };
        assert_eq!(
            crate::runner::first_compiler_error(&messages, ""),
            "error: boom"
        );
        // Half built and no error of its own (a killed rustc): undecided.
        let half = artifact(&dir(one), "lab01-server", false);
        assert_eq!(of_lab(&half, one, &cached(one)), None);
        // Lab 5 also needs its probe (a program of its cache).
        let mut five_cached = cached(five);
        five_cached.programs.push("lab05-frame-probe".to_owned());
        let no_probe = [
            artifact(&dir(five), "lab05-server", false),
            artifact(&dir(five), "lab05-client", false),
        ]
        .join("\n");
        assert_eq!(of_lab(&no_probe, five, &five_cached), None);
    }
}
