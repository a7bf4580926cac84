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
    /// Per lab: how long building it and running its scenarios may take
    /// in all.
    pub lab_timeout: Duration,
    /// The grader's own folders (working copy, scratch, unpacked
    /// archives); default: `target/socket-labs/grade/` of the instructor.
    pub work_base: Option<PathBuf>,
    /// The shared target directory; default:
    /// `target/socket-labs/grade-target/` of the instructor.
    pub target_dir: Option<PathBuf>,
    /// Print progress on stderr and the summary on stdout.
    pub verbose: bool,
    /// Run submissions without the sandbox: for trusted code only (every
    /// report says so).
    pub unsafe_no_sandbox: bool,
    /// Grade only this slice of the class (`--shard K/N`).
    pub shard: Option<super::shard::Shard>,
}

/// The default of `--lab-timeout`: building and running one lab. A correct
/// submission takes seconds.
pub const LAB_TIMEOUT: Duration = Duration::from_secs(300);

impl Options {
    pub fn new(submissions: impl Into<PathBuf>, out: impl Into<PathBuf>) -> Options {
        Options {
            submissions: submissions.into(),
            out: out.into(),
            labs: Vec::new(),
            format: None,
            lab_timeout: LAB_TIMEOUT,
            work_base: None,
            target_dir: None,
            verbose: false,
            unsafe_no_sandbox: false,
            shard: None,
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
    let mut lab_timeout = LAB_TIMEOUT;
    let mut unsafe_no_sandbox = false;
    let mut shard = None;
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
            "--unsafe-no-sandbox" => unsafe_no_sandbox = true,
            "--shard" => shard = Some(super::shard::Shard::parse(value("--shard")?)?),
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
    options.unsafe_no_sandbox = unsafe_no_sandbox;
    options.shard = shard;
    options.verbose = true;
    Ok(options)
}
