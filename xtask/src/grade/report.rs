//! The grader's reports: `grades.csv` (one row per student, one column per
//! lab), `grades.json` (everything, per scenario), `feedback/<student>.md`
//! (what a student reads), the terminal summary, and on request Exercism's
//! test-runner `results.json` (version 2) or Gradescope's `results.json`
//! (written by [`super::formats`]).
//!
//! Everything is written in the order of the students' ids and of the
//! labs, with no time stamps, so grading the same folder twice writes the
//! same `grades.csv`.

use super::{Format, formats, test_code};
use crate::labs::Lab;
use crate::model::grade::{LabGrade, ScenarioGrade, StudentGrade};
use crate::model::{LabState, Status, status_word};
use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

/// `grades.json`.
#[derive(Serialize)]
struct GradesFile<'a> {
    labs: Vec<LabInfo<'a>>,
    /// The seed every property scenario of this run drew its inputs from:
    /// `cargo xtask check-lab N --seed SEED` replays a student's run.
    seed: u64,
    students: &'a [StudentGrade],
}

/// A lab as `grades.json` lists it.
#[derive(Serialize)]
struct LabInfo<'a> {
    max_points: u32,
    number: u32,
    package: String,
    title: &'a str,
}

fn write(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("could not create {}", dir.display()))?;
    }
    // Written whole or not at all: a new file renamed over the old one.
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let partial = path.with_file_name(format!(".{name}.partial"));
    std::fs::write(&partial, text)
        .and_then(|()| std::fs::rename(&partial, path))
        .with_context(|| format!("could not write {}", path.display()))
}

/// Writes every report under `out`. With `single` (one submission), the
/// interchange format's `results.json` goes straight into `out`, as
/// Exercism's and Gradescope's runners expect.
///
/// # Errors
///
/// A file could not be written.
pub fn write_all(
    out: &Path,
    labs: &[&Lab],
    grades: &[StudentGrade],
    seed: u64,
    format: Option<Format>,
    single: bool,
) -> Result<()> {
    write(&out.join("grades.csv"), &csv(labs, grades))?;
    if grades.iter().any(|g| g.unsandboxed) {
        // grades.csv has no room for a note: a file beside it says so.
        write(&out.join("UNSANDBOXED.txt"), &format!("{UNSANDBOXED}\n"))?;
    }
    // Through a `Value`, whose maps sort their keys: the file lists every
    // object's fields in alphabetical order.
    let json = serde_json::to_string_pretty(&serde_json::to_value(GradesFile {
        labs: labs
            .iter()
            .map(|l| LabInfo {
                max_points: l.max_points(),
                number: l.number,
                package: l.package(),
                title: &l.title,
            })
            .collect(),
        seed,
        students: grades,
    })?)?;
    write(&out.join("grades.json"), &(json + "\n"))?;
    // Exercism's `test_code`: the scenarios' scripts, from the
    // instructor's tests (never a submission's).
    let codes: HashMap<String, String> = if format == Some(Format::Exercism) {
        // The instructor's copy, where the grader runs.
        let root = crate::labs::workspace_root().unwrap_or_default();
        labs.iter()
            .flat_map(|lab| {
                test_code::test_codes(&root, lab)
                    .into_iter()
                    .map(|(name, code)| (format!("{}/{name}", lab.package()), code))
            })
            .collect()
    } else {
        HashMap::new()
    };
    for grade in grades {
        write(
            &out.join("feedback").join(format!("{}.md", grade.student)),
            &feedback(grade, seed),
        )?;
        if let Some(format) = format {
            let (name, text) = match format {
                Format::Exercism => ("exercism", formats::exercism(grade, &codes)),
                Format::Gradescope => ("gradescope", formats::gradescope(grade, labs)),
                // One gradebook for the class: see `super::lms`.
                Format::Canvas | Format::Moodle => continue,
            };
            let path = if single {
                out.join("results.json")
            } else {
                out.join(name).join(&grade.student).join("results.json")
            };
            write(&path, &text)?;
        }
    }
    Ok(())
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// `student,lab01-tcp-once,…,total,max`.
pub fn csv(labs: &[&Lab], grades: &[StudentGrade]) -> String {
    let mut out = String::from("student");
    for lab in labs {
        out.push(',');
        out.push_str(&lab.package());
    }
    out.push_str(",total,max\n");
    for grade in grades {
        out.push_str(&csv_field(&grade.student));
        for lab in labs {
            let points = grade
                .labs
                .iter()
                .find(|l| l.number == lab.number)
                .map_or(0, |l| l.points);
            let _ = write!(out, ",{points}");
        }
        let _ = writeln!(out, ",{},{}", grade.total, grade.max);
    }
    out
}

/// What `grade` prints at the end (with progress on): the summary table,
/// how long it took, and the grader's own peak memory.
pub fn print_summary(
    labs: &[&Lab],
    grades: &[StudentGrade],
    out: &Path,
    started: std::time::Instant,
    unsandboxed: bool,
) {
    if unsandboxed {
        println!("{UNSANDBOXED}");
    }
    print!("{}", summary_table(labs, grades));
    println!(
        "graded {} submission(s) in {:.1} s; reports in {}",
        grades.len(),
        started.elapsed().as_secs_f64(),
        out.display()
    );
    if let Some(kib) = peak_memory_kib() {
        println!("peak memory of the grader itself: {} MiB", kib / 1024);
    }
}

/// This process's peak resident memory (Linux's `VmHWM`), in KiB.
pub fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The table printed at the end of a run.
pub fn summary_table(labs: &[&Lab], grades: &[StudentGrade]) -> String {
    let width = grades
        .iter()
        .map(|g| g.student.chars().count())
        .max()
        .unwrap_or(7)
        .max(7);
    let mut out = format!("\n{:<width$}", "student");
    for lab in labs {
        let _ = write!(out, "  {:>7}", format!("lab {}", lab.number));
    }
    out.push_str("    total  note\n");
    for grade in grades {
        let _ = write!(out, "{:<width$}", grade.student);
        for lab in &grade.labs {
            let _ = write!(out, "  {:>7}", format!("{}/{}", lab.points, lab.max_points));
        }
        let note = grade.problem.clone().unwrap_or_else(|| {
            let mut notes: Vec<String> = grade
                .labs
                .iter()
                .filter(|l| l.state != LabState::Passed)
                .map(|l| format!("lab {}: {}", l.number, l.state.as_str()))
                .collect();
            if !grade.ignored_changes.is_empty() {
                notes.push(format!("{} ignored change(s)", grade.ignored_changes.len()));
            }
            notes.join("; ")
        });
        let _ = writeln!(
            out,
            "  {:>7}  {note}",
            format!("{}/{}", grade.total, grade.max)
        );
    }
    out
}

fn scenario_line(s: &ScenarioGrade) -> String {
    let mark = if s.status == Status::Pass {
        "✓"
    } else {
        "✗"
    };
    format!(
        "- {mark} `{}`: {} ({}/{})",
        s.name,
        status_word(s.status),
        s.points,
        s.max_points
    )
}

/// What every report of an unsandboxed run says (`--unsafe-no-sandbox`).
pub const UNSANDBOXED: &str = "WARNING: graded with --unsafe-no-sandbox: the submission's code ran unconfined, as the grader's user; this grade is only as trustworthy as that code";

/// The Markdown feedback a student reads.
pub fn feedback(grade: &StudentGrade, seed: u64) -> String {
    let mut out = format!(
        "# Feedback for {}\n\n**Total: {} / {}**\n\n",
        grade.student, grade.total, grade.max
    );
    if grade.unsandboxed {
        let _ = writeln!(out, "**{UNSANDBOXED}**\n");
    }
    if let Some(problem) = &grade.problem {
        let _ = writeln!(out, "Nothing could be graded: {problem}\n");
    }
    out.push_str("| lab | points | state |\n|-----|--------|-------|\n");
    for lab in &grade.labs {
        let _ = writeln!(
            out,
            "| {} · {} | {} / {} | {} |",
            lab.number,
            lab.title.replace('|', "\\|"),
            lab.points,
            lab.max_points,
            lab.state.as_str()
        );
    }
    if grade.problem.is_none() {
        for lab in &grade.labs {
            lab_feedback(&mut out, lab, seed);
        }
    }
    if !grade.ignored_changes.is_empty() {
        out.push_str(
            "\n## Ignored changes\n\nOnly the `src/` folders of the labs are yours: for everything else the grader used \
             the instructor's files. These changes of yours were ignored:\n\n",
        );
        for change in &grade.ignored_changes {
            let _ = writeln!(out, "- {change}");
        }
    }
    out
}

fn lab_feedback(out: &mut String, lab: &LabGrade, seed: u64) {
    let _ = writeln!(
        out,
        "\n## Lab {} · {}: {} / {}\n",
        lab.number, lab.title, lab.points, lab.max_points
    );
    if let Some(note) = &lab.note {
        let _ = writeln!(out, "{note}\n");
    }
    if let Some(error) = &lab.compile_error {
        let _ = writeln!(
            out,
            "Your code does not compile; the first error:\n\n```text\n{error}\n```\n"
        );
    } else if lab.note.is_none() {
        for s in &lab.scenarios {
            out.push_str(&scenario_line(s));
            out.push('\n');
            if s.status != Status::Pass {
                if !s.message.is_empty() {
                    let _ = writeln!(out, "  - {}", s.message);
                }
                let diff = s.diff_text();
                if !diff.is_empty() {
                    let _ = writeln!(
                        out,
                        "\n  Transcript, `-` expected (the snapshot), `+` yours:\n\n  ```diff\n{}\n  ```\n",
                        diff.lines()
                            .map(|l| format!("  {l}"))
                            .collect::<Vec<_>>()
                            .join("\n")
                    );
                }
            }
        }
    }
    if lab.state != LabState::Passed {
        let _ = writeln!(out, "\n**Hint:** {}", lab.hint.replace('\n', " "));
        let _ = writeln!(
            out,
            "\nCheck it yourself: `cargo xtask check-lab {}` (with `--seed {seed}`, the property scenarios draw the inputs they drew here).",
            lab.number
        );
    }
}
