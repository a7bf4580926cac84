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
//! 3. Each lab is built and judged on its own, in bubblewrap sandboxes
//!    ([`sandbox`]; see ARCHITECTURE.md, "How grading is sandboxed"): a
//!    compile error costs that lab only. The starter is built once into a
//!    read-only dependency cache; each submission builds into its own
//!    target folder linked to it, and its programs run in a nested jail.
//!    One deadline (`--lab-timeout`) covers a lab's build and run.
//! 4. After each lab the instructor's files in the working folder are
//!    compared with the originals held in memory (read-only in the
//!    sandbox, so this never fires unless `--unsafe-no-sandbox`).
//!
//! The reports are written by [`report`]: `grades.csv`, `grades.json`,
//! `feedback/<student>.md`, and on request Exercism's or Gradescope's
//! `results.json`.

mod formats;
pub mod intake;
pub mod lms;
mod options;
mod overlay;
mod pool;
pub mod report;
pub mod sandbox;
pub mod shard;
mod test_code;

use crate::labs::{Info, Lab};
use crate::model::grade::lab_not_run;
pub use crate::model::grade::{LabGrade, ScenarioGrade, StudentGrade, lab_grade};
use crate::model::{LabState, Status};
use crate::runner::{self, RunOptions};
use crate::starter::{File, Starter};
use anyhow::{Context, Result, bail};
pub use options::{Format, HELP, LAB_TIMEOUT, Options, parse_args};
use pool::Slot;
pub use report::peak_memory_kib;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The most entries of the ignored-changes list.
const IGNORED_LIMIT: usize = 50;

/// Makes the working copy `work` hold exactly `files`.
fn lay_down(work: &Path, files: &[File]) -> Result<()> {
    crate::files::sync(
        work,
        files
            .iter()
            .map(|f| (f.path.as_str(), &f.content[..], f.mtime)),
    )
}

/// The grader's state for a whole run.
struct Grader<'a> {
    info: &'a Info,
    labs: Vec<&'a Lab>,
    starter: Starter,
    unpacked: PathBuf,
    run: RunOptions,
    verbose: bool,
    /// `None` only with `--unsafe-no-sandbox`.
    sandbox: Option<sandbox::Sandbox>,
    /// The dependency cache every submission's target folder links to.
    cache: PathBuf,
    /// Per lab (as `labs`), what the cache holds of it.
    cached: Vec<sandbox::Cached>,
    /// Held while a submission is built: one build at a time, each on
    /// every core (cargo compiles a submission's programs side by side),
    /// while the other submissions graded at once are judged (mostly
    /// waiting on sockets and their deadlines).
    building: std::sync::Mutex<()>,
    lab_timeout: Duration,
}

impl Grader<'_> {
    fn say(&self, text: &str) {
        if self.verbose {
            eprintln!("{text}");
        }
    }

    /// Grades one entry of the submissions folder in the folders of
    /// `slot`.
    fn grade(&self, entry: &intake::Entry, slot: &Slot, progress: &str) -> Result<StudentGrade> {
        let who = format!("{progress} {}", entry.student);
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
                self.say(&format!("{who}: {problem}"));
                for lab in &self.labs {
                    grade.labs.push(lab_not_run(
                        lab,
                        LabState::NotGraded,
                        Status::Error,
                        &format!("nothing graded: {problem}"),
                    ));
                }
                grade.problem = Some(problem);
                grade.seconds = started.elapsed().as_secs_f64();
                return Ok(grade);
            }
        };
        grade.ignored_changes = ignored;
        lay_down(&slot.work, &files)?;
        let target = slot.scratch.join("target");
        let verdicts = slot.scratch.join("verdicts");
        // Waiting for this lock counts in no lab's deadline.
        let building = self.building.lock().unwrap_or_else(|e| e.into_inner());
        if self.sandbox.is_some() {
            let linking = Instant::now();
            sandbox::private_target(&self.cache, &target)?;
            self.say(&format!(
                "    {who}: its own target folder linked in {:.1} s",
                linking.elapsed().as_secs_f64()
            ));
        }
        let mut prebuilt = self.build_together(&slot.work, &target, &missing, &who)?;
        drop(building);
        for (i, lab) in self.labs.iter().enumerate() {
            if missing.contains(&lab.number) {
                grade.labs.push(lab_not_run(
                    lab,
                    LabState::NotSubmitted,
                    Status::Fail,
                    &format!(
                        "your submission has no {}/src/: nothing to grade",
                        lab.dir().display()
                    ),
                ));
                continue;
            }
            self.say(&format!(
                "{who}: lab {} ({}/{}) …",
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
                    &sandbox::LabRun {
                        sandbox,
                        who: &who,
                        work: &slot.work,
                        target: &target,
                        cache: (&self.cache, &self.cached[i]),
                        verdicts: &verdicts,
                        deadline: self.lab_timeout,
                        seed: self.run.seed.unwrap_or_default(),
                        verbose: self.verbose,
                    },
                    lab,
                    prebuilt[i].take(),
                )?,
                None => runner::run_lab_with(&slot.work, lab, &run)?,
            };
            let mut lab_grade = lab_grade(lab, &outcome);
            let tampered = self.tampered(&slot.work, &files);
            if !tampered.is_empty() {
                let message = format!(
                    "the instructor's files changed while your programs ran ({}): no points for this lab",
                    tampered.join(", ")
                );
                lab_grade = lab_not_run(lab, LabState::Tampered, Status::Error, &message);
                // Put the instructor's files back for the next lab.
                lay_down(&slot.work, &files)?;
            }
            grade.labs.push(lab_grade);
        }
        let _ = std::fs::remove_dir_all(&slot.scratch);
        grade.total = grade.labs.iter().map(|l| l.points).sum();
        grade.seconds = started.elapsed().as_secs_f64();
        Ok(grade)
    }

    /// Builds every submitted lab in one sandbox ([`sandbox::prebuild`]).
    fn build_together(
        &self,
        work: &Path,
        target: &Path,
        missing: &[u32],
        who: &str,
    ) -> Result<Vec<sandbox::Prebuilt>> {
        let Some(sandbox) = &self.sandbox else {
            return Ok(vec![None; self.labs.len()]);
        };
        let labs: Vec<_> = (self.labs.iter().zip(&self.cached))
            .map(|(lab, cached)| (*lab, cached, !missing.contains(&lab.number)))
            .collect();
        let (prebuilt, took) = sandbox::prebuild(sandbox, (work, target), &labs, self.lab_timeout)?;
        if let Some(took) = took {
            self.say(&format!(
                "    {who}: its labs built together in {:.1} s",
                took.as_secs_f64()
            ));
        }
        Ok(prebuilt)
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

    /// The instructor's files of the working copy that no longer match
    /// the originals (checked after each lab).
    fn tampered(&self, work: &Path, files: &[File]) -> Vec<String> {
        files
            .iter()
            .filter(|f| !f.student)
            .filter(|f| std::fs::read(work.join(&f.path)).map_or(true, |c| c != f.content))
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

    // One seed for the whole class: every submission's property scenarios
    // draw the same inputs, and grades.json records them.
    let seed = options.seed.unwrap_or_else(harness::seed::fresh_seed);
    // Unsandboxed, programs share this machine's ports: one at a time.
    let jobs = if sandbox.is_some() {
        options.jobs.clamp(1, entries.len().max(1))
    } else {
        1
    };
    let slots: Vec<Slot> = (0..jobs).map(|k| Slot::new(&base, k)).collect();
    let mut grader = Grader {
        info,
        labs,
        starter,
        unpacked: base.join("unpacked"),
        run: RunOptions {
            target_dir: Some(target.clone()),
            verdict_dir: Some(base.join("verdicts")),
            run_deadline: options.lab_timeout,
            tmp_dir: Some(base.join("tmp")),
            seed: Some(seed),
            ..RunOptions::default()
        },
        verbose: options.verbose,
        sandbox,
        cache: target.join("sandbox-cache"),
        cached: Vec::new(),
        building: std::sync::Mutex::new(()),
        lab_timeout: options.lab_timeout,
    };
    if let Some(sandbox) = &grader.sandbox {
        // The dependencies, the instructor's crates and the judges, built
        // once from the starter alone: every submission links to this.
        grader.say("building the starter in the sandbox (the dependency cache) …");
        let (work, files) = (&slots[0].work, &grader.starter.files);
        lay_down(work, files)?;
        grader.cached = sandbox::cache_starter(sandbox, (work, &grader.cache), files, &grader.labs)
            .context("could not build the starter in the sandbox")?;
    }
    grader.say(&format!(
        "grading {} submission(s) from {}, {jobs} at a time ({} lab(s); working copies {}, target {}; seed {seed})",
        entries.len(),
        options.submissions.display(),
        grader.labs.len(),
        slots[0].work.display(),
        target.display()
    ));
    let grades = grader.grade_all(&entries, &slots)?;
    let _ = std::fs::remove_dir_all(&grader.unpacked);
    let _ = std::fs::remove_dir_all(base.join("tmp"));
    report::write_all(
        &options.out,
        &grader.labs,
        &grades,
        seed,
        options.format,
        single,
    )?;
    if let (Some(format), Some(roster)) = (options.format, &options.roster) {
        lms::write(&options.out, format, &grader.labs, &grades, roster)?;
    }
    if options.verbose {
        let unsandboxed = grader.sandbox.is_none();
        report::print_summary(&grader.labs, &grades, &options.out, started, unsandboxed);
    }
    Ok(grades)
}
