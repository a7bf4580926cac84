//! What `grade` is asked to do: its options and their parsing.

use anyhow::{Context, Result, bail};
use std::path::PathBuf;
use std::time::Duration;

/// A format written besides the usual reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Exercism's test-runner `results.json` (version 2), per submission.
    Exercism,
    /// Gradescope's autograder `results.json`, per submission.
    Gradescope,
    /// Canvas's gradebook import CSV, one for the class (needs a roster).
    Canvas,
    /// Moodle's grade import CSV, one for the class (needs a roster).
    Moodle,
}

/// `cargo xtask grade --help`.
pub const HELP: &str = "\
usage: cargo xtask grade SUBMISSIONS --out REPORT [options]

Grades every submission in SUBMISSIONS (a folder of folders, .zip or .tar.gz
files, one per student, named by its id), or SUBMISSIONS itself when it is
one workspace (a folder with labs/). Only each lab's src/ is taken from a
submission; everything else is the instructor's. Writes REPORT/grades.csv,
REPORT/grades.json and REPORT/feedback/ID.md.

options:
  --out REPORT        the folder for the reports (required)
  --labs 1,3          grade only these labs (default: all)
  --lab-timeout SECS  how long building one lab and running its scenarios may
                      take in all (default 300)
  --seed S            the seed of the property scenarios, one for the whole
                      class (default: a fresh one; grades.json records it)
  --format FORMAT     also write:
                        exercism    REPORT/exercism/ID/results.json (Exercism v2)
                        gradescope  REPORT/gradescope/ID/results.json
                        canvas      REPORT/canvas.csv (Canvas gradebook import)
                        moodle      REPORT/moodle.csv (Moodle grade import)
                      (for one workspace, results.json goes straight in REPORT)
  --roster FILE       a CSV mapping submission ids to LMS identities (needed
                      by canvas and moodle): a header row with `submission`
                      and, for Canvas, Student, ID, SIS User ID, SIS Login ID,
                      Section; for Moodle, Email address or Username.
                      Unmatched ids are listed on stderr.
  --shard K/N         grade only the K-th of N deterministic slices of the class
                      (one machine each); then `cargo xtask grade merge`
  --jobs N            grade N submissions at once, each in its own sandbox
                      (default 2: one's judging mostly waits, and another's
                      build uses the cores meanwhile); the reports are the
                      same for any N
  --unsafe-no-sandbox run submissions unconfined, as your user: for trusted code
                      only (every report then says so); one at a time (their
                      programs would share this machine's ports), so no --jobs
  -h, --help          this help

Every submission is built and run in a bubblewrap sandbox (Linux, `bwrap`).

usage: cargo xtask grade merge REPORT… --out DIR
  joins the reports of the shards into one, as one machine would have written it

example: cargo xtask grade collected/ --out report --format canvas --roster roster.csv
";

/// What `grade` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The submissions folder, or one submission (a folder with `labs/`).
    pub submissions: PathBuf,
    pub out: PathBuf,
    /// Lab numbers to grade; empty: all.
    pub labs: Vec<u32>,
    pub format: Option<Format>,
    /// `--roster FILE`: submission ids to LMS identities (Canvas, Moodle).
    pub roster: Option<PathBuf>,
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
    /// The seed of the property scenarios, one for the whole class (in
    /// `grades.json`); `None`: a fresh one.
    pub seed: Option<u64>,
    /// Run submissions without the sandbox: for trusted code only (every
    /// report says so).
    pub unsafe_no_sandbox: bool,
    /// Grade only this slice of the class (`--shard K/N`).
    pub shard: Option<super::shard::Shard>,
    /// How many submissions are graded at once (`--jobs N`; always 1
    /// with `--unsafe-no-sandbox`).
    pub jobs: usize,
}

/// The default of `--jobs`: how many submissions are graded at once.
/// Measured on 2 cores: see README, "How fast grading is".
pub const JOBS: usize = 2;

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
            roster: None,
            lab_timeout: LAB_TIMEOUT,
            work_base: None,
            target_dir: None,
            verbose: false,
            seed: None,
            unsafe_no_sandbox: false,
            shard: None,
            jobs: JOBS,
        }
    }
}

/// Parses `grade`'s arguments (after the command name).
///
/// # Errors
///
/// A usage error, which says what to type instead.
pub fn parse_args(args: &[&str]) -> Result<Options> {
    let see = "see `cargo xtask grade --help`";
    let mut submissions = None;
    let mut out = None;
    let mut labs = Vec::new();
    let mut format = None;
    let mut roster = None;
    let mut lab_timeout = LAB_TIMEOUT;
    let mut seed = None;
    let mut unsafe_no_sandbox = false;
    let mut shard = None;
    let mut jobs = None;
    let mut parser = lexopt::Parser::from_args(args.iter().copied());
    let text = |v: std::ffi::OsString| v.to_string_lossy().into_owned();
    let value =
        |parser: &mut lexopt::Parser| parser.value().map(text).with_context(|| see.to_owned());
    while let Some(arg) = parser.next().with_context(|| see.to_owned())? {
        use lexopt::Arg::{Long, Value};
        match arg {
            Long("out") => out = Some(PathBuf::from(value(&mut parser)?)),
            Long("roster") => roster = Some(PathBuf::from(value(&mut parser)?)),
            Long("labs") => {
                for n in value(&mut parser)?.split(',') {
                    labs.push(n.trim().parse::<u32>().with_context(|| {
                        format!("--labs takes lab numbers such as 1,3, not `{n}`")
                    })?);
                }
            }
            Long("format") => {
                format = Some(match value(&mut parser)?.as_str() {
                    "exercism" => Format::Exercism,
                    "gradescope" => Format::Gradescope,
                    "canvas" => Format::Canvas,
                    "moodle" => Format::Moodle,
                    other => bail!(
                        "--format is exercism, gradescope, canvas or moodle, not `{other}`; {see}"
                    ),
                });
            }
            Long("lab-timeout") => {
                let secs: u64 = value(&mut parser)?
                    .parse()
                    .context("--lab-timeout takes whole seconds, such as 120")?;
                lab_timeout = Duration::from_secs(secs.max(1));
            }
            Long("seed") => {
                let text = value(&mut parser)?;
                seed = Some(harness::seed::parse_seed(&text).map_err(|_| {
                    anyhow::anyhow!("--seed takes a whole number such as 1234, not `{text}`")
                })?);
            }
            Long("unsafe-no-sandbox") => unsafe_no_sandbox = true,
            Long("jobs") => {
                let text = value(&mut parser)?;
                jobs = Some(
                    text.parse::<usize>()
                        .ok()
                        .filter(|&n| (1..=64).contains(&n))
                        .with_context(|| {
                            format!("--jobs takes a number of submissions from 1 to 64, such as 2, not `{text}`; {see}")
                        })?,
                );
            }
            Long("shard") => shard = Some(super::shard::Shard::parse(&value(&mut parser)?)?),
            Value(v) if submissions.is_none() => submissions = Some(PathBuf::from(v)),
            Value(v) => bail!(
                "grade takes one SUBMISSIONS folder; `{}` is one too many; {see}",
                text(v)
            ),
            Long(name) => bail!("grade has no option `--{name}`; {see}"),
            lexopt::Arg::Short(c) => bail!("grade has no option `-{c}`; {see}"),
        }
    }
    let submissions = submissions
        .with_context(|| format!("grade needs the SUBMISSIONS folder: `cargo xtask grade SUBMISSIONS --out REPORT`; {see}"))?;
    let out = out
        .with_context(|| format!("grade needs --out REPORT, the folder for the reports; {see}"))?;
    if matches!(format, Some(Format::Canvas | Format::Moodle)) && roster.is_none() {
        bail!(
            "--format canvas and moodle need --roster FILE, the CSV that maps each submission id to the student's LMS identity; {see}"
        );
    }
    if unsafe_no_sandbox && jobs.is_some_and(|n| n > 1) {
        bail!(
            "--unsafe-no-sandbox grades one submission at a time: unsandboxed, their programs would share this machine's ports; drop --jobs; {see}"
        );
    }
    let mut options = Options::new(submissions, out);
    options.jobs = if unsafe_no_sandbox {
        1
    } else {
        jobs.unwrap_or(JOBS)
    };
    options.labs = labs;
    options.format = format;
    options.roster = roster;
    options.lab_timeout = lab_timeout;
    options.seed = seed;
    options.unsafe_no_sandbox = unsafe_no_sandbox;
    options.shard = shard;
    options.verbose = true;
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_parsed_and_mistakes_point_at_the_help() {
        let o = parse_args(&[
            "subs",
            "--out",
            "r",
            "--labs",
            "1,3",
            "--format=canvas",
            "--roster",
            "x.csv",
        ])
        .unwrap();
        assert_eq!(o.labs, [1, 3]);
        assert_eq!(o.format, Some(Format::Canvas));
        assert_eq!(o.roster, Some(PathBuf::from("x.csv")));
        assert_eq!(o.jobs, JOBS);
        assert!(HELP.contains(&format!("(default {JOBS}:")), "{HELP}");
        assert_eq!(
            parse_args(&["s", "--out", "r", "--jobs", "3"])
                .unwrap()
                .jobs,
            3
        );
        let unsafe_run = parse_args(&["s", "--out", "r", "--unsafe-no-sandbox"]).unwrap();
        assert_eq!(unsafe_run.jobs, 1);
        for (args, says) in [
            (&["subs"][..], "grade needs --out REPORT"),
            (
                &["subs", "--out", "r", "--bogus"],
                "grade has no option `--bogus`",
            ),
            (
                &["subs", "--out", "r", "--format", "moodle"],
                "need --roster FILE",
            ),
            (&["subs", "--out"], "--out"),
            (
                &["subs", "--out", "r", "--jobs", "0"],
                "--jobs takes a number",
            ),
            (
                &["subs", "--out", "r", "--jobs", "2", "--unsafe-no-sandbox"],
                "one submission at a time",
            ),
        ] {
            let e = format!("{:#}", parse_args(args).unwrap_err());
            assert!(e.contains(says), "{args:?}: {e}");
            assert!(e.contains("cargo xtask grade --help"), "{args:?}: {e}");
        }
    }
}
