//! `cargo xtask check-lab N|--all`: runs a lab's scenarios and tells the
//! learner, one line per scenario, what passed, and for what failed: the
//! first differing line, the expected-vs-actual transcript diff, the lab's
//! hint and the command to run next.

use crate::labs::{Info, Kind, Lab};
use crate::model::diff::{Side, TranscriptDiff};
use crate::model::{LabOutcome, LabState, Status, lab_state, points};
use crate::runner::{RunOptions, run_lab_with};
use anyhow::Result;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

/// ANSI colours, only on a terminal and only without `NO_COLOR`.
#[derive(Clone, Copy)]
pub struct Style {
    on: bool,
}

impl Style {
    pub fn detect() -> Style {
        Style {
            on: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }

    pub fn plain() -> Style {
        Style { on: false }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    pub fn red(self, text: &str) -> String {
        self.paint("31", text)
    }

    pub fn green(self, text: &str) -> String {
        self.paint("32", text)
    }

    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }
}

/// The word a scenario's line starts with.
fn status_word(status: Status, style: Style) -> String {
    match status {
        Status::Pass => style.green("pass   "),
        Status::Fail => style.red("FAIL   "),
        Status::Timeout => style.red("TIMEOUT"),
        Status::Error => style.red("ERROR  "),
        Status::NotDone => style.red("TODO   "),
    }
}

/// A unified diff, `-` for the snapshot (expected) and `+` for this run,
/// indented under the scenario's line.
pub fn transcript_diff(expected: &str, actual: &str, style: Style) -> String {
    let mut out = String::new();
    for hunk in TranscriptDiff::new(expected, actual).hunks {
        for line in hunk {
            let text = line.plain();
            let text = match line.side {
                Side::Expected => style.red(&text),
                Side::Actual => style.green(&text),
                Side::Both => style.dim(&text),
            };
            out.push_str("      ");
            out.push_str(&text);
            out.push('\n');
        }
        out.push_str("      …\n");
    }
    out
}

/// How many lines of a property scenario's failing case are shown.
const TAIL_LINES: usize = 12;

/// The end of the transcript of the case that broke a property (it has no
/// snapshot to compare with), indented under the scenario's line.
fn transcript_tail(actual: &str, style: Style) -> String {
    let lines: Vec<&str> = actual.lines().collect();
    if lines.is_empty() {
        return String::new();
    }
    let start = lines.len().saturating_sub(TAIL_LINES);
    let mut out = format!(
        "      {}\n",
        style.dim(if start > 0 {
            "the end of that case's transcript:"
        } else {
            "that case's transcript:"
        })
    );
    for line in &lines[start..] {
        out.push_str(&format!("        {line}\n"));
    }
    out
}

/// The line that tells which seed the property scenarios drew their
/// inputs from, and how to draw the same again.
pub fn seed_line(lab: &Lab, seed: u64, style: Style) -> String {
    format!(
        "  {} {seed}: the property scenarios' inputs; `cargo xtask check-lab {} --seed {seed}` runs the same again\n",
        style.bold("seed"),
        lab.number
    )
}

/// The report of one lab, as the learner reads it.
pub fn render_lab(lab: &Lab, outcome: &LabOutcome, style: Style) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let state = lab_state(outcome);
    let header = format!("lab {} · {}", lab.number, lab.title);
    match outcome {
        LabOutcome::DoesNotCompile(error) => {
            let _ = writeln!(out, "{} {}", style.red("✗"), style.bold(&header));
            let _ = writeln!(out, "  your code does not compile; the first error:");
            for line in error.lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
        LabOutcome::Ran(verdicts) if state == LabState::NotDone => {
            let first = verdicts
                .iter()
                .find(|v| v.status == Status::NotDone)
                .map_or(String::new(), |v| v.message.clone());
            let _ = writeln!(
                out,
                "{} {}: {first}",
                style.red("…"),
                style.bold(&format!("lab {} ({})", lab.number, lab.name))
            );
        }
        LabOutcome::Ran(verdicts) => {
            let mark = if state == LabState::Passed {
                style.green("✓")
            } else {
                style.red("✗")
            };
            let _ = writeln!(out, "{mark} {}", style.bold(&header));
            for (info, verdict) in lab.scenarios.iter().zip(verdicts) {
                let pts = if info.points == 1 {
                    "1 point".to_owned()
                } else {
                    format!("{} points", info.points)
                };
                let name = if info.kind == Kind::Unit {
                    format!(
                        "{} (every test of tests/{}.rs)",
                        verdict.scenario, info.name
                    )
                } else {
                    verdict.scenario.clone()
                };
                let _ = writeln!(
                    out,
                    "  {} {name} {}",
                    status_word(verdict.status, style),
                    style.dim(&format!("({pts})"))
                );
                if verdict.status != Status::Pass {
                    // A unit test file's message names each failing test
                    // on a line of its own.
                    let _ = writeln!(out, "      {}", verdict.message.replace('\n', "\n      "));
                    if info.kind == Kind::Property && verdict.status != Status::NotDone {
                        out.push_str(&transcript_tail(&verdict.actual, style));
                    }
                    if !verdict.expected.is_empty() && verdict.status != Status::NotDone {
                        let _ = writeln!(
                            out,
                            "      {}",
                            style.dim("transcript: - expected (the snapshot), + yours")
                        );
                        out.push_str(&transcript_diff(
                            &verdict.expected,
                            verdict.actual.trim_end(),
                            style,
                        ));
                    }
                }
            }
            let _ = writeln!(
                out,
                "  {} of {} scenarios pass, {} of {} points",
                verdicts.iter().filter(|v| v.status == Status::Pass).count(),
                verdicts.len(),
                points(lab, outcome),
                lab.max_points()
            );
            // What the harness could not force on this system (Windows,
            // macOS): said once per lab, not per scenario.
            let mut notes: Vec<&str> = Vec::new();
            for verdict in verdicts.iter().filter(|v| v.status == Status::Pass) {
                for note in verdict.message.lines().filter(|n| !n.is_empty()) {
                    if !notes.contains(&note) {
                        notes.push(note);
                    }
                }
            }
            for note in notes {
                let _ = writeln!(out, "  {} {}", style.bold("note:"), style.dim(note));
            }
        }
    }
    if state != LabState::Passed && state != LabState::NotDone {
        let _ = writeln!(
            out,
            "  {} {}",
            style.bold("hint:"),
            lab.hint.trim().replace('\n', "\n        ")
        );
    }
    out
}

/// `check-lab`: returns whether every lab checked passed.
///
/// # Errors
///
/// Cargo could not be run.
///
/// The property scenarios draw their inputs from `seed`, or from a fresh
/// seed when it is `None`; the report says which.
pub fn check(
    root: &Path,
    info: &Info,
    labs: &[&Lab],
    style: Style,
    seed: Option<u64>,
) -> Result<bool> {
    let started = Instant::now();
    let seed = seed.unwrap_or_else(harness::seed::fresh_seed);
    let options = RunOptions {
        seed: Some(seed),
        ..RunOptions::default()
    };
    let mut all_passed = true;
    let mut states = crate::state::State::load(root);
    for lab in labs {
        eprintln!(
            "{}",
            style.dim(&format!("building and running {} …", lab.package()))
        );
        let outcome = run_lab_with(root, lab, &options)?;
        print!("{}", render_lab(lab, &outcome, style));
        if lab.has_properties() && !matches!(outcome, LabOutcome::DoesNotCompile(_)) {
            print!("{}", seed_line(lab, seed, style));
        }
        let state = lab_state(&outcome);
        states.record(lab, &outcome);
        all_passed &= state == LabState::Passed;
    }
    states.save(root);
    let elapsed = started.elapsed().as_secs_f64();
    println!("{}", style.dim(&format!("checked in {elapsed:.1}s")));
    if let Some(lab) = labs
        .iter()
        .find(|l| states.get(l) != Some(LabState::Passed))
    {
        println!(
            "next: work on lab {} in {}, then run `cargo xtask check-lab {}` (stuck? `cargo xtask hint {}`)",
            lab.number,
            lab.dir().display(),
            lab.number,
            lab.number
        );
    } else if let Some(next) = info
        .labs
        .iter()
        .find(|l| states.get(l) != Some(LabState::Passed))
    {
        println!(
            "next: lab {} ({}): `cargo xtask check-lab {}`",
            next.number, next.title, next.number
        );
    } else {
        println!("every lab passes: well done!");
    }
    Ok(all_passed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labs::{Kind, ScenarioInfo};
    use harness::report::Verdict;
    use pretty_assertions::assert_eq;

    fn lab() -> Lab {
        Lab {
            number: 1,
            name: "tcp-once".into(),
            title: "Single-shot TCP".into(),
            hint: "Use write_all.".into(),
            scenarios: vec![
                ScenarioInfo {
                    name: "a".into(),
                    points: 2,
                    kind: Kind::Story,
                    ..ScenarioInfo::default()
                },
                ScenarioInfo {
                    name: "b".into(),
                    points: 1,
                    kind: Kind::Story,
                    ..ScenarioInfo::default()
                },
            ],
            ..Lab::default()
        }
    }

    fn verdict(name: &str, status: Status, message: &str, expected: &str, actual: &str) -> Verdict {
        Verdict {
            scenario: name.into(),
            status,
            message: message.into(),
            expected: expected.into(),
            actual: actual.into(),
        }
    }

    #[test]
    fn a_failing_scenario_shows_its_first_difference_diff_and_the_hint() {
        let outcome = LabOutcome::Ran(vec![
            verdict("a", Status::Pass, "", "x\n", "x\n"),
            verdict(
                "b",
                Status::Fail,
                "line 2: expected `b`, got `c`",
                "a\nb",
                "a\nc\n",
            ),
        ]);
        assert_eq!(
            render_lab(&lab(), &outcome, Style::plain()),
            "✗ lab 1 · Single-shot TCP\n  pass    a (2 points)\n  FAIL    b (1 point)\n      line 2: expected `b`, got `c`\n      transcript: - expected (the snapshot), + yours\n        a\n      - b\n      + c\n      …\n  1 of 2 scenarios pass, 2 of 3 points\n  hint: Use write_all.\n"
        );
        assert_eq!(points(&lab(), &outcome), 2);
        assert_eq!(lab_state(&outcome), LabState::Failing);
    }

    #[test]
    fn what_the_harness_could_not_force_is_noted_once_per_lab() {
        let note = "On this system the harness cannot pace deliveries.";
        let outcome = LabOutcome::Ran(vec![
            verdict("a", Status::Pass, note, "x", "x"),
            verdict("b", Status::Pass, note, "x", "x"),
        ]);
        assert_eq!(
            render_lab(&lab(), &outcome, Style::plain()),
            format!(
                "✓ lab 1 · Single-shot TCP\n  pass    a (2 points)\n  pass    b (1 point)\n  \
                 2 of 2 scenarios pass, 3 of 3 points\n  note: {note}\n"
            )
        );
    }

    #[test]
    fn a_lab_still_at_todo_is_one_line() {
        let todo = "not done yet: todo!() at labs/01-tcp-once/src/bin/lab01-server.rs:42";
        let outcome = LabOutcome::Ran(vec![
            verdict("a", Status::NotDone, todo, "x", ""),
            verdict("b", Status::NotDone, todo, "x", ""),
        ]);
        assert_eq!(
            render_lab(&lab(), &outcome, Style::plain()),
            format!("… lab 1 (tcp-once): {todo}\n")
        );
        assert_eq!(lab_state(&outcome), LabState::NotDone);
    }

    #[test]
    fn a_compile_error_is_shown_with_the_hint() {
        let outcome = LabOutcome::DoesNotCompile("error[E0425]: cannot find value `x`".into());
        let text = render_lab(&lab(), &outcome, Style::plain());
        assert!(
            text.contains("your code does not compile; the first error:\n    error[E0425]"),
            "{text}"
        );
        assert!(text.contains("hint: Use write_all."), "{text}");
        assert_eq!(points(&lab(), &outcome), 0);
    }
}
