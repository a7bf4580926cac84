//! What `grade` is asked to do: its options and their parsing.

use anyhow::{Context, Result, bail};
use std::path::PathBuf;
use std::time::Duration;

/// An interchange format written besides the usual reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Exercism,
    Gradescope,
}

/// What `grade` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The submissions folder, or one submission (a folder with `labs/`).
    pub submissions: PathBuf,
    pub out: PathBuf,
    /// Lab numbers to grade; empty: all.
    pub labs: Vec<u32>,
    pub format: Option<Format>,
    /// Per lab: how long its scenarios may run in all.
    pub lab_timeout: Duration,
    /// The grader's own folders (working copy, scratch, unpacked
    /// archives); default: `target/socket-labs/grade/` of the instructor.
    pub work_base: Option<PathBuf>,
    /// The shared target directory; default:
    /// `target/socket-labs/grade-target/` of the instructor.
    pub target_dir: Option<PathBuf>,
    /// Print progress on stderr and the summary on stdout.
    pub verbose: bool,
    /// The seed of the property scenarios, one for the whole class (in
    /// `grades.json`); `None`: a fresh one.
    pub seed: Option<u64>,
}

impl Options {
    pub fn new(submissions: impl Into<PathBuf>, out: impl Into<PathBuf>) -> Options {
        Options {
            submissions: submissions.into(),
            out: out.into(),
            labs: Vec::new(),
            format: None,
            lab_timeout: Duration::from_secs(120),
            work_base: None,
            target_dir: None,
            verbose: false,
            seed: None,
        }
    }
}

/// Parses `grade`'s arguments (after the command name).
///
/// # Errors
///
/// A usage error.
pub fn parse_args(args: &[&str]) -> Result<Options> {
    let mut submissions = None;
    let mut out = None;
    let mut labs = Vec::new();
    let mut format = None;
    let mut lab_timeout = Duration::from_secs(120);
    let mut seed = None;
    let mut rest = args.iter();
    while let Some(&arg) = rest.next() {
        let mut value = |name: &str| {
            rest.next()
                .copied()
                .with_context(|| format!("{name} needs a value"))
        };
        match arg {
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--labs" => {
                for n in value("--labs")?.split(',') {
                    labs.push(n.trim().parse::<u32>().with_context(|| {
                        format!("--labs takes lab numbers such as 1,3, not `{n}`")
                    })?);
                }
            }
            "--format" => {
                format = Some(match value("--format")? {
                    "exercism" => Format::Exercism,
                    "gradescope" => Format::Gradescope,
                    other => bail!("--format is exercism or gradescope, not `{other}`"),
                });
            }
            "--lab-timeout" => {
                let secs: u64 = value("--lab-timeout")?
                    .parse()
                    .context("--lab-timeout takes whole seconds")?;
                lab_timeout = Duration::from_secs(secs.max(1));
            }
            "--seed" => {
                let text = value("--seed")?;
                seed = Some(harness::seed::parse_seed(text).map_err(|_| {
                    anyhow::anyhow!("--seed takes a whole number such as 1234, not `{text}`")
                })?);
            }
            other if other.starts_with("--") => bail!("grade has no option `{other}`"),
            other if submissions.is_none() => submissions = Some(PathBuf::from(other)),
            other => bail!("grade takes one SUBMISSIONS folder; `{other}` is one too many"),
        }
    }
    let submissions = submissions.context("grade needs the SUBMISSIONS folder")?;
    let out = out.context("grade needs --out REPORT, the folder for the reports")?;
    let mut options = Options::new(submissions, out);
    options.labs = labs;
    options.format = format;
    options.lab_timeout = lab_timeout;
    options.seed = seed;
    options.verbose = true;
    Ok(options)
}
