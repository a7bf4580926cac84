//! `cargo xtask grade SUBMISSIONS --out REPORT`: grades a whole class, the
//! way nbgrader's autograde and feedback steps do for notebooks.
//!
//! For each submission (sorted by student id):
//!
//! 1. [`intake`]: a folder is used as it is; a `.zip` or `.tar.gz` is
//!    unpacked safely; the workspace inside is found (a folder with
//!    `labs/`). Anything else gets a verdict of its own and grading goes on.
//! 2. The student's files, and only those (each lab crate's `src/`), are
//!    laid over the instructor's starter (the instructor's workspace with
//!    every solution stubbed, see [`crate::starter`]): tests, snapshots,
//!    harness, xtask, metadata and Cargo files are always the
//!    instructor's. What the student changed elsewhere is listed in the
//!    feedback as ignored. A lab whose `src/` is missing is "not
//!    submitted" and gets no points (never the instructor's solution).
//! 3. Each lab is built and run on its own ([`crate::runner::run_lab_with`]):
//!    a compile error costs that lab only. All submissions share one
//!    working folder and one target directory, and an instructor's file is
//!    rewritten only when its content changes, so the dependencies and the
//!    shared crates compile once; the labs' `src/` files are always written
//!    fresh, so each lab is rebuilt from the student's code.
//! 4. After each lab the instructor's files in the working folder are
//!    compared with the originals held in memory: a program that rewrote
//!    a test or snapshot gets no points for the lab, and it is said why.
//!    Every process still running in the working or scratch folders is
//!    killed.
//!
//! The reports are written by [`report`]: `grades.csv`, `grades.json`,
//! `feedback/<student>.md`, and on request Exercism's or Gradescope's
//! `results.json`.

pub mod intake;
pub mod report;
pub mod sandbox;
pub mod shard;

use crate::check::{self, LabState, Style};
use crate::labs::{Info, Lab};
use crate::runner::{self, LabOutcome, RunOptions};
use crate::starter::{File, Starter};
use anyhow::{Context, Result, bail};
use harness::report::Status;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The most lines of a transcript diff kept in a report.
const DIFF_LINES: usize = 120;
/// The most entries of the ignored-changes list.
const IGNORED_LIMIT: usize = 50;

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
    /// Run submissions without the sandbox: for trusted code only (every
    /// report says so).
    pub unsafe_no_sandbox: bool,
    /// Grade only this slice of the class (`--shard K/N`).
    pub shard: Option<shard::Shard>,
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

/// One scenario's grade.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioGrade {
    pub name: String,
    /// `pass`, `fail` (the transcript differs, or a `todo!()` is left),
    /// `error` (did not compile, crashed) or `timeout`.
    pub status: &'static str,
    pub points: u32,
    pub max_points: u32,
    pub message: String,
    /// `- expected` / `+ yours`, cut to a readable length.
    pub diff: String,
    /// The start of this run's transcript (for Exercism's `output`).
    #[serde(skip)]
    pub output: String,
}

/// One lab's grade.
#[derive(Debug, Clone, Serialize)]
pub struct LabGrade {
    pub number: u32,
    pub package: String,
    pub title: String,
    /// `passed`, `failing`, `not done yet`, `does not compile`,
    /// `not submitted`, `tampered` or `not graded`.
    pub state: String,
    pub points: u32,
    pub max_points: u32,
    /// The first compiler error, when it does not compile.
    pub compile_error: Option<String>,
    /// Why the lab got no points although it ran (tampering, no `src/`).
    pub note: Option<String>,
    pub scenarios: Vec<ScenarioGrade>,
    #[serde(skip)]
    pub hint: String,
}

/// One student's grade.
#[derive(Debug, Clone, Serialize)]
pub struct StudentGrade {
    pub student: String,
    pub total: u32,
    pub max: u32,
    /// Why nothing could be graded (not a workspace, a corrupt archive).
    pub problem: Option<String>,
    pub labs: Vec<LabGrade>,
    /// Files outside the labs' `src/` that differ from the instructor's:
    /// `changed PATH` or `added PATH`.
    pub ignored_changes: Vec<String>,
    /// Graded with `--unsafe-no-sandbox`: every report says so.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unsandboxed: bool,
    #[serde(skip)]
    pub seconds: f64,
}

fn status_name(status: Status) -> &'static str {
    match status {
        Status::Pass => "pass",
        Status::Fail | Status::NotDone => "fail",
        Status::Error => "error",
        Status::Timeout => "timeout",
    }
}

fn cut_lines(text: &str, limit: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= limit {
        return text.to_owned();
    }
    let mut out = lines[..limit].join("\n");
    out.push_str(&format!("\n… ({} more lines)", lines.len() - limit));
    out
}

/// The grade of one lab from its outcome.
pub fn lab_grade(lab: &Lab, outcome: &LabOutcome) -> LabGrade {
    let state = check::lab_state(outcome);
    let (compile_error, scenarios): (Option<String>, Vec<ScenarioGrade>) = match outcome {
        LabOutcome::DoesNotCompile(error) => (
            Some(cut_lines(error, 40)),
            lab.scenarios
                .iter()
                .map(|s| ScenarioGrade {
                    name: s.name.clone(),
                    status: "error",
                    points: 0,
                    max_points: s.points,
                    message: "the lab does not compile".to_owned(),
                    diff: String::new(),
                    output: String::new(),
                })
                .collect(),
        ),
        LabOutcome::Ran(verdicts) => (
            None,
            lab.scenarios
                .iter()
                .zip(verdicts)
                .map(|(s, v)| {
                    let pass = v.status == Status::Pass;
                    let diff = if pass || v.expected.is_empty() || v.status == Status::NotDone {
                        String::new()
                    } else {
                        let diff = check::transcript_diff(
                            &v.expected,
                            v.actual.trim_end(),
                            Style::plain(),
                        );
                        let diff: Vec<&str> = diff
                            .lines()
                            .map(|l| l.strip_prefix("      ").unwrap_or(l))
                            .collect();
                        cut_lines(&diff.join("\n"), DIFF_LINES)
                    };
                    ScenarioGrade {
                        name: s.name.clone(),
                        status: status_name(v.status),
                        points: if pass { s.points } else { 0 },
                        max_points: s.points,
                        message: v.message.clone(),
                        diff,
                        output: v.actual.chars().take(2000).collect(),
                    }
                })
                .collect(),
        ),
    };
    LabGrade {
        number: lab.number,
        package: lab.package(),
        title: lab.title.clone(),
        state: state.as_str().to_owned(),
        points: scenarios.iter().map(|s| s.points).sum(),
        max_points: lab.max_points(),
        compile_error,
        note: None,
        scenarios,
        hint: lab.hint.trim().to_owned(),
    }
}

/// A lab that was not run, every scenario failing with `message`.
fn lab_not_run(lab: &Lab, state: &str, status: &'static str, message: &str) -> LabGrade {
    LabGrade {
        number: lab.number,
        package: lab.package(),
        title: lab.title.clone(),
        state: state.to_owned(),
        points: 0,
        max_points: lab.max_points(),
        compile_error: None,
        note: Some(message.to_owned()),
        scenarios: lab
            .scenarios
            .iter()
            .map(|s| ScenarioGrade {
                name: s.name.clone(),
                status,
                points: 0,
                max_points: s.points,
                message: message.to_owned(),
                diff: String::new(),
                output: String::new(),
            })
            .collect(),
        hint: lab.hint.trim().to_owned(),
    }
}

/// The grader's state for a whole run.
struct Grader<'a> {
    info: &'a Info,
    labs: Vec<&'a Lab>,
    starter: Starter,
    work: PathBuf,
    unpacked: PathBuf,
    run: RunOptions,
    verbose: bool,
    /// `None` only with `--unsafe-no-sandbox`.
    sandbox: Option<sandbox::Sandbox>,
    /// The dependency cache every submission's target folder links to.
    cache: PathBuf,
    /// Per submission: its own target folder and verdicts.
    scratch: PathBuf,
    lab_timeout: Duration,
}

impl Grader<'_> {
    fn say(&self, text: &str) {
        if self.verbose {
            eprintln!("{text}");
        }
    }

    /// Grades one entry of the submissions folder.
    fn grade(&self, entry: &intake::Entry, progress: &str) -> Result<StudentGrade> {
        let started = Instant::now();
        let mut grade = StudentGrade {
            student: entry.student.clone(),
            total: 0,
            max: self.labs.iter().map(|l| l.max_points()).sum(),
            problem: None,
            labs: Vec::new(),
            ignored_changes: Vec::new(),
            unsandboxed: self.sandbox.is_none(),
            seconds: 0.0,
        };
        let taken = self
            .intake(entry)
            .and_then(|root| self.overlay(&root).context("could not take the lab files"));
        let (files, missing, ignored) = match taken {
            Ok(taken) => taken,
            Err(problem) => {
                let problem = format!("{problem:#}");
                self.say(&format!("{progress} {}: {problem}", entry.student));
                for lab in &self.labs {
                    grade.labs.push(lab_not_run(
                        lab,
                        "not graded",
                        "error",
                        &format!("nothing graded: {problem}"),
                    ));
                }
                grade.problem = Some(problem);
                grade.seconds = started.elapsed().as_secs_f64();
                return Ok(grade);
            }
        };
        grade.ignored_changes = ignored;
        crate::starter::sync_files(
            &self.work,
            files
                .iter()
                .map(|f| (f.path.as_str(), &f.content[..], f.mtime)),
        )?;
        let target = self.scratch.join("target");
        let verdicts = self.scratch.join("verdicts");
        if self.sandbox.is_some() {
            sandbox::private_target(&self.cache, &target)?;
        }
        for (i, lab) in self.labs.iter().enumerate() {
            if missing.contains(&lab.number) {
                grade.labs.push(lab_not_run(
                    lab,
                    "not submitted",
                    "fail",
                    &format!(
                        "your submission has no {}/src/: nothing to grade",
                        lab.dir().display()
                    ),
                ));
                continue;
            }
            self.say(&format!(
                "{progress} {}: lab {} ({}/{}) …",
                entry.student,
                lab.number,
                i + 1,
                self.labs.len()
            ));
            let run = RunOptions {
                test_threads: Some(lab.scenarios.len().clamp(1, 16)),
                ..self.run.clone()
            };
            let outcome = match &self.sandbox {
                Some(sandbox) => sandbox::run_lab(
                    sandbox,
                    &self.work,
                    &target,
                    &verdicts,
                    lab,
                    self.lab_timeout,
                )?,
                None => runner::run_lab_with(&self.work, lab, &run)?,
            };
            let mut lab_grade = lab_grade(lab, &outcome);
            let tampered = self.tampered(&files);
            if !tampered.is_empty() {
                let message = format!(
                    "the instructor's files changed while your programs ran ({}): no points for this lab",
                    tampered.join(", ")
                );
                lab_grade = lab_not_run(lab, "tampered", "error", &message);
                // Put the instructor's files back for the next lab.
                crate::starter::sync_files(
                    &self.work,
                    files
                        .iter()
                        .map(|f| (f.path.as_str(), &f.content[..], f.mtime)),
                )?;
            }
            grade.labs.push(lab_grade);
        }
        let _ = std::fs::remove_dir_all(&self.scratch);
        grade.total = grade.labs.iter().map(|l| l.points).sum();
        grade.seconds = started.elapsed().as_secs_f64();
        Ok(grade)
    }

    /// The workspace folder of a submission.
    fn intake(&self, entry: &intake::Entry) -> Result<PathBuf> {
        let dir = match entry.kind {
            intake::Kind::Folder => entry.path.clone(),
            intake::Kind::Zip | intake::Kind::TarGz => {
                let into = self.unpacked.join(&entry.student);
                intake::unpack(entry, &into).context("could not unpack the archive")?;
                into
            }
            intake::Kind::Other => bail!(
                "not a submission: expected a folder, a .zip or a .tar.gz, found the file {}",
                entry
                    .path
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
            ),
        };
        intake::find_workspace(&dir).with_context(|| {
            "not a workspace: no labs/ folder in the submission (hand in the whole starter folder)".to_owned()
        })
    }

    /// The files to grade: the starter with the student's labs' `src/`
    /// in place of its own. Also the labs whose `src/` is missing, and
    /// the ignored changes.
    fn overlay(&self, root: &Path) -> Result<(Vec<File>, Vec<u32>, Vec<String>)> {
        let submitted = intake::list_files(root).context("could not list the submission")?;
        let mut files: Vec<File> = Vec::new();
        let mut missing = Vec::new();
        let mut taken_from_student = Vec::new();
        for lab in &self.info.labs {
            let prefix = format!("{}/src/", lab.dir().to_string_lossy().replace('\\', "/"));
            let theirs: Vec<&String> = submitted
                .iter()
                .filter(|p| p.starts_with(&prefix))
                .collect();
            if theirs.is_empty() {
                if self.labs.iter().any(|l| l.number == lab.number) {
                    missing.push(lab.number);
                }
                continue;
            }
            taken_from_student.push(prefix.clone());
            let mut bytes = 0u64;
            for path in theirs {
                let content = intake::read_capped(&root.join(path))?;
                bytes += content.len() as u64;
                if bytes > intake::MAX_TOTAL_BYTES {
                    bail!("{prefix} holds more than {} bytes", intake::MAX_TOTAL_BYTES);
                }
                files.push(File {
                    path: path.clone(),
                    content,
                    mtime: None,
                    student: true,
                });
            }
        }
        for file in &self.starter.files {
            if !(file.student && taken_from_student.iter().any(|p| file.path.starts_with(p))) {
                files.push(file.clone());
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));

        let mut ignored = Vec::new();
        for file in files.iter().filter(|f| f.student) {
            let text = String::from_utf8_lossy(&file.content);
            let compact: String = text.split_whitespace().collect();
            if compact.contains("allow(unsafe_code)") {
                ignored.push(format!(
                    "unsafe code allowed in {} (`allow(unsafe_code)`): graded, and reported to your instructor",
                    file.path
                ));
            }
        }
        for path in &submitted {
            if let Some(name) = path.strip_prefix(intake::NOT_UTF8) {
                ignored.push(format!("skipped {name} (its name is not UTF-8)"));
                continue;
            }
            if crate::starter::student_lab(self.info, path).is_some() {
                continue;
            }
            let change = match self.starter.files.iter().find(|f| &f.path == path) {
                None => Some("added"),
                Some(f) => {
                    let same = intake::read_capped(&root.join(path)).is_ok_and(|c| c == f.content);
                    (!same).then_some("changed")
                }
            };
            if let Some(change) = change {
                ignored.push(format!("{change} {path}"));
            }
        }
        if ignored.len() > IGNORED_LIMIT {
            let more = ignored.len() - IGNORED_LIMIT;
            ignored.truncate(IGNORED_LIMIT);
            ignored.push(format!("… and {more} more"));
        }
        Ok((files, missing, ignored))
    }

    /// The instructor's files of the working copy that no longer match
    /// the originals (checked after each lab).
    fn tampered(&self, files: &[File]) -> Vec<String> {
        files
            .iter()
            .filter(|f| !f.student)
            .filter(|f| std::fs::read(self.work.join(&f.path)).map_or(true, |c| c != f.content))
            .map(|f| f.path.clone())
            .take(5)
            .collect()
    }
}

/// `cargo xtask grade`: grades every submission and writes the reports.
/// Returns the grades, sorted by student.
///
/// # Errors
///
/// The submissions folder cannot be read, the starter cannot be built
/// (see [`Starter::build`]), or a report cannot be written. A broken
/// submission is not an error: it gets its verdict.
pub fn grade(root: &Path, info: &Info, options: &Options) -> Result<Vec<StudentGrade>> {
    let started = Instant::now();
    let labs: Vec<&Lab> = if options.labs.is_empty() {
        info.labs.iter().collect()
    } else {
        options
            .labs
            .iter()
            .map(|n| info.find(&n.to_string()))
            .collect::<Result<_>>()?
    };
    let instructor_target = runner::target_dir(root);
    let base = options
        .work_base
        .clone()
        .unwrap_or_else(|| instructor_target.join("socket-labs/grade"));
    let target = options
        .target_dir
        .clone()
        .unwrap_or_else(|| instructor_target.join("socket-labs/grade-target"));
    let starter =
        Starter::build(root, info).context("could not build the starter to grade against")?;
    let _lock = runner::TargetLock::acquire(&target, Duration::from_secs(1800))?;

    // One submission (a workspace itself), or a folder of them.
    let single = intake::find_workspace(&options.submissions)
        .filter(|_| options.submissions.join("labs").is_dir())
        .is_some();
    let entries = if single {
        let name = options
            .submissions
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "submission".to_owned());
        vec![intake::Entry {
            student: intake::safe_id(&name),
            path: options.submissions.clone(),
            kind: intake::Kind::Folder,
        }]
    } else {
        intake::entries(&options.submissions)?
    };
    let entries = match options.shard {
        Some(shard) => shard.select(entries),
        None => entries,
    };

    let sandbox = if options.unsafe_no_sandbox {
        None
    } else {
        Some(sandbox::Sandbox::find()?)
    };
    let grader = Grader {
        info,
        labs,
        starter,
        work: base.join("work"),
        unpacked: base.join("unpacked"),
        run: RunOptions {
            target_dir: Some(target.clone()),
            verdict_dir: Some(base.join("verdicts")),
            run_deadline: options.lab_timeout,
            tmp_dir: Some(base.join("tmp")),
            ..RunOptions::default()
        },
        verbose: options.verbose,
        sandbox,
        cache: target.join("sandbox-cache"),
        scratch: base.join("submission"),
        lab_timeout: options.lab_timeout,
    };
    if let Some(sandbox) = &grader.sandbox {
        // The dependencies and the instructor's crates, built once from
        // the starter alone: every submission links to this.
        grader.say("building the starter in the sandbox (the dependency cache) …");
        crate::starter::sync_files(
            &grader.work,
            grader
                .starter
                .files
                .iter()
                .map(|f| (f.path.as_str(), &f.content[..], f.mtime)),
        )?;
        // The starter's own lab files get one fixed time, so the cache
        // stays fresh from one run to the next (a submission's files are
        // always newer, and its lab's programs are built anew anyway).
        let fixed = std::time::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        for file in grader.starter.files.iter().filter(|f| f.student) {
            std::fs::File::options()
                .write(true)
                .open(grader.work.join(&file.path))
                .and_then(|f| f.set_modified(fixed))
                .with_context(|| format!("could not date {}", file.path))?;
        }
        let packages: Vec<String> = grader.labs.iter().map(|l| l.package()).collect();
        sandbox
            .prepare_cache(
                &grader.work,
                &grader.cache,
                &packages,
                Duration::from_secs(3600),
            )
            .context("could not build the starter in the sandbox")?;
    }
    grader.say(&format!(
        "grading {} submission(s) from {} ({} lab(s); working copy {}, target {})",
        entries.len(),
        options.submissions.display(),
        grader.labs.len(),
        grader.work.display(),
        target.display()
    ));
    let mut grades = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let progress = format!("[{}/{}]", i + 1, entries.len());
        let grade = grader.grade(entry, &progress)?;
        grader.say(&format!(
            "{progress} {}: {}/{} in {:.1} s",
            grade.student, grade.total, grade.max, grade.seconds
        ));
        grades.push(grade);
    }
    let _ = std::fs::remove_dir_all(&grader.unpacked);
    let _ = std::fs::remove_dir_all(base.join("tmp"));
    report::write_all(&options.out, &grader.labs, &grades, options.format, single)?;
    if options.verbose && grader.sandbox.is_none() {
        println!("{}", report::UNSANDBOXED);
    }
    if options.verbose {
        print!("{}", report::summary_table(&grader.labs, &grades));
        println!(
            "graded {} submission(s) in {:.1} s; reports in {}",
            grades.len(),
            started.elapsed().as_secs_f64(),
            options.out.display()
        );
        if let Some(kib) = peak_memory_kib() {
            println!("peak memory of the grader itself: {} MiB", kib / 1024);
        }
    }
    Ok(grades)
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
            "--shard" => shard = Some(shard::Shard::parse(value("--shard")?)?),
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

/// This process's peak resident memory (Linux's `VmHWM`), in KiB.
pub fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Whether a lab state counts as passed (for the summary).
pub fn passed(state: &str) -> bool {
    state == LabState::Passed.as_str()
}
