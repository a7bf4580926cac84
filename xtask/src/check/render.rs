//! One lab's report as the learner reads it, in their language: a line
//! per scenario; for the first failing scenario the transcript diff
//! (runs of identical lines folded, at most [`DIFF_LINES`] lines when the
//! lab has other scenarios); for every failing one its first difference
//! and, after a timeout, what each program was doing; then the summary
//! and the lab's first hint. Transcript lines stay as the snapshots have
//! them (English); the words around them are translated.

use super::Style;
use super::words::{message, note_in, status_word};
use crate::labs::{Kind, Lab};
use crate::lang::Lang;
use crate::model::diff::{Side, TranscriptDiff, grouped};
use crate::model::stuck::describe;
use crate::model::{LabOutcome, LabState, Status, Verdict, lab_state};
use std::fmt::Write as _;

/// The most lines of a diff shown when the lab has other scenarios
/// (`--scenario NAME` shows one scenario's whole diff).
const DIFF_LINES: usize = 24;
/// How many lines of a property scenario's failing case are shown.
const TAIL_LINES: usize = 12;

/// A unified diff, `-` for the snapshot (expected) and `+` for this run,
/// indented under the scenario's line; at most `limit` lines, then how to
/// see the rest.
fn transcript_diff(diff: &TranscriptDiff, limit: Option<usize>, style: Style) -> Vec<String> {
    let mut lines = Vec::new();
    for hunk in &diff.hunks {
        for line in hunk {
            let mut text = format!("{} {}", line.mark(), line.text);
            if line.more > 0 {
                let n = grouped(line.more);
                text.push_str(&match style.lang {
                    Lang::En => format!("   (× {n} more)"),
                    Lang::Zh => format!("   （另有 {n} 行相同）"),
                });
            }
            lines.push(match line.side {
                Side::Expected => style.red(&text),
                Side::Actual => style.green(&text),
                Side::Both => style.dim(&text),
            });
        }
        lines.push("…".to_owned());
    }
    if let Some(limit) = limit.filter(|l| lines.len() > *l) {
        let more = lines.len() - limit;
        lines.truncate(limit);
        lines.push(style.dim(&match style.lang {
            Lang::En => format!("… and {more} more lines of this diff"),
            Lang::Zh => format!("……这个差异还有 {more} 行"),
        }));
    }
    lines
}

/// The end of the transcript of the case that broke a property (it has no
/// snapshot to compare with).
fn transcript_tail(actual: &str, style: Style) -> Vec<String> {
    let lines: Vec<&str> = actual.lines().collect();
    if lines.is_empty() {
        return Vec::new();
    }
    let start = lines.len().saturating_sub(TAIL_LINES);
    let mut out = vec![style.dim(if start > 0 {
        style.pick(
            "the end of that case's transcript:",
            "该用例的场景记录的结尾：",
        )
    } else {
        style.pick("that case's transcript:", "该用例的场景记录：")
    })];
    out.extend(lines[start..].iter().map(|l| format!("  {l}")));
    out
}

/// The report of one lab, as the learner reads it.
pub fn render_lab(lab: &Lab, outcome: &LabOutcome, style: Style) -> String {
    render_lab_void(lab, outcome, style, None)
}

/// [`render_lab`], for a lab whose results do not count (`void`: why,
/// from [`crate::guard::void_reason`]): its verdict line is never a pass
/// (`✗`, not `✓`) and says why, after the summary; a lab still at its
/// stubs keeps its one line.
pub fn render_lab_void(
    lab: &Lab,
    outcome: &LabOutcome,
    style: Style,
    void: Option<&str>,
) -> String {
    let mut out = String::new();
    let lang = style.lang;
    let state = lab_state(outcome);
    let header = format!(
        "{} {} · {}",
        lang.pick("lab", "实验"),
        lab.number,
        lab.title_in(lang)
    );
    match outcome {
        LabOutcome::DoesNotCompile(error) => {
            let _ = writeln!(out, "{} {}", style.red("✗"), style.bold(&header));
            let _ = writeln!(
                out,
                "  {}",
                style.pick(
                    "your code does not compile; the first error:",
                    "你的代码无法编译；第一个错误："
                )
            );
            for line in error.lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
        LabOutcome::Ran(verdicts) if state == LabState::NotDone => {
            let first = lab
                .scenarios
                .iter()
                .zip(verdicts)
                .find(|(_, v)| v.status == Status::NotDone)
                .map_or(String::new(), |(s, v)| message(v, s.kind, lang));
            let _ = writeln!(
                out,
                "{} {}: {first}",
                style.red("…"),
                style.bold(&lab.label_in(lang))
            );
        }
        LabOutcome::Ran(verdicts) => {
            render_scenarios(&mut out, lab, verdicts, state, void.is_some(), style);
        }
    }
    if let Some(why) = void.filter(|_| state != LabState::NotDone) {
        let _ = writeln!(out, "  {}", style.red(why));
    }
    if state != LabState::Passed && state != LabState::NotDone {
        let _ = writeln!(
            out,
            "  {} {}",
            style.bold(style.pick("hint:", "提示：")),
            lab.hint_in(lang).trim().replace('\n', "\n        ")
        );
        let _ = writeln!(
            out,
            "  {}",
            style.dim(&match lang {
                Lang::En => format!(
                    "more hints, one at a time: `cargo xtask hint {}`",
                    lab.number
                ),
                Lang::Zh => format!("更多提示，一次一条：`cargo xtask hint {}`", lab.number),
            })
        );
    }
    out
}

/// The scenario lines, the summary and the notes of a lab that ran.
fn render_scenarios(
    out: &mut String,
    lab: &Lab,
    verdicts: &[Verdict],
    state: LabState,
    void: bool,
    style: Style,
) {
    let lang = style.lang;
    let mark = if state == LabState::Passed && !void {
        style.green("✓")
    } else {
        style.red("✗")
    };
    let _ = writeln!(
        out,
        "{mark} {}",
        style.bold(&format!(
            "{} {} · {}",
            lang.pick("lab", "实验"),
            lab.number,
            lab.title_in(lang)
        ))
    );
    // Only the first failing scenario shows its transcript: one thing to
    // look at, not a flood.
    let mut shown = false;
    let mut others_failing = false;
    let limit = (lab.scenarios.len() > 1).then_some(DIFF_LINES);
    for (info, verdict) in lab.scenarios.iter().zip(verdicts) {
        let pts = match (info.points, lang) {
            (1, Lang::En) => "1 point".to_owned(),
            (n, Lang::En) => format!("{n} points"),
            (n, Lang::Zh) => format!("{n} 分"),
        };
        let name = match (info.kind, lang) {
            (Kind::Unit, Lang::En) => format!(
                "{} (every test of tests/{}.rs)",
                verdict.scenario, info.name
            ),
            (Kind::Unit, Lang::Zh) => {
                format!("{}（tests/{}.rs 的每个测试）", verdict.scenario, info.name)
            }
            _ => verdict.scenario.clone(),
        };
        let _ = writeln!(
            out,
            "  {} {name} {}",
            status_word(verdict.status, style),
            style.dim(&format!("({pts})"))
        );
        if verdict.status == Status::Pass {
            continue;
        }
        let mut lines: Vec<String> = message(verdict, info.kind, lang)
            .lines()
            .map(str::to_owned)
            .collect();
        lines.extend(verdict.stuck.iter().map(|s| describe(s, lang)));
        if verdict.status != Status::NotDone && !shown {
            shown = true;
            if info.kind == Kind::Property {
                lines.extend(transcript_tail(&verdict.actual, style));
            }
            if !verdict.expected.is_empty() {
                lines.push(style.dim(style.pick(
                    "transcript: - expected (the snapshot), + yours",
                    "场景记录：- 期望的（快照），+ 你的",
                )));
                let diff = TranscriptDiff::new(&verdict.expected, verdict.actual.trim_end());
                lines.extend(transcript_diff(&diff, limit, style));
            }
        } else if verdict.status != Status::NotDone {
            others_failing = true;
        }
        for line in lines {
            let _ = writeln!(out, "      {line}");
        }
    }
    let passed = verdicts.iter().filter(|v| v.status == Status::Pass).count();
    let (total, max) = (verdicts.len(), lab.max_points());
    let pts: u32 = lab
        .scenarios
        .iter()
        .zip(verdicts)
        .filter(|(_, v)| v.status == Status::Pass)
        .map(|(s, _)| s.points)
        .sum();
    let _ = writeln!(
        out,
        "  {}",
        match lang {
            Lang::En => format!("{passed} of {total} scenarios pass, {pts} of {max} points"),
            Lang::Zh => format!("{total} 个场景通过 {passed} 个，得 {pts} 分（满分 {max}）"),
        }
    );
    if others_failing {
        let _ = writeln!(
            out,
            "  {}",
            style.dim(&match lang {
                Lang::En => format!(
                    "the transcript of another failing scenario: `cargo xtask check-lab {} --scenario NAME`",
                    lab.number
                ),
                Lang::Zh => format!(
                    "其他未通过场景的场景记录：`cargo xtask check-lab {} --scenario 场景名`",
                    lab.number
                ),
            })
        );
    }
    // What the harness could not force on this system (Windows, macOS):
    // said once per lab, not per scenario.
    let mut notes: Vec<&str> = Vec::new();
    for verdict in verdicts.iter().filter(|v| v.status == Status::Pass) {
        for note in verdict.message.lines().filter(|n| !n.is_empty()) {
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
    }
    for note in notes {
        let note = note_in(note, lang);
        let _ = writeln!(
            out,
            "  {} {}",
            style.bold(style.pick("note:", "注：")),
            style.dim(note)
        );
    }
}

#[cfg(test)]
mod tests;
