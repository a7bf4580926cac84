//! A grade: the model of a result as the grader keeps it, per scenario,
//! lab and student. `grades.json` is these types serialised; the other
//! reports are rendered from them by `grade::report`.

use super::diff::TranscriptDiff;
use super::{LabOutcome, LabState, Status, lab_state};
use crate::labs::Lab;
use serde::{Serialize, Serializer};

/// The most lines of a transcript diff kept in a report.
const DIFF_LINES: usize = 120;
/// The most lines of a compiler error kept in a report.
const COMPILE_ERROR_LINES: usize = 40;
/// The most characters of a run's transcript kept (for Exercism's
/// `output`).
const OUTPUT_CHARS: usize = 2000;

/// One scenario's grade.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioGrade {
    pub name: String,
    /// `Pass`, `Fail` (the transcript differs, or a `todo!()` is left:
    /// never `NotDone` here), `Error` (did not compile, crashed) or
    /// `Timeout`.
    pub status: Status,
    pub points: u32,
    pub max_points: u32,
    pub message: String,
    /// `- expected` / `+ yours`; written cut to a readable length.
    #[serde(serialize_with = "diff_text")]
    pub diff: Option<TranscriptDiff>,
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
    pub state: LabState,
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

impl StudentGrade {
    /// Every scenario's grade with its lab's, in order.
    pub fn scenarios(&self) -> impl Iterator<Item = (&LabGrade, &ScenarioGrade)> {
        self.labs
            .iter()
            .flat_map(|lab| lab.scenarios.iter().map(move |s| (lab, s)))
    }
}

impl ScenarioGrade {
    /// The diff as report text, at most [`DIFF_LINES`] lines; empty when
    /// there is none.
    pub fn diff_text(&self) -> String {
        report_text(self.diff.as_ref())
    }
}

fn report_text(diff: Option<&TranscriptDiff>) -> String {
    diff.map_or_else(String::new, |d| {
        cut_lines(&d.plain_lines().join("\n"), DIFF_LINES)
    })
}

fn diff_text<S: Serializer>(diff: &Option<TranscriptDiff>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&report_text(diff.as_ref()))
}

/// A verdict's message, and on a timeout what each program was doing
/// (`lab01-server is waiting in read (recvfrom) for more bytes`).
fn with_stuck(verdict: &super::Verdict) -> String {
    let mut message = verdict.message.clone();
    for stuck in &verdict.stuck {
        message.push('\n');
        message.push_str(&super::stuck::describe(stuck, crate::lang::Lang::En));
    }
    message
}

/// `text` with at most `limit` lines, saying how many more there were.
pub fn cut_lines(text: &str, limit: usize) -> String {
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
    let (compile_error, scenarios): (Option<String>, Vec<ScenarioGrade>) = match outcome {
        LabOutcome::DoesNotCompile(error) => (
            Some(cut_lines(error, COMPILE_ERROR_LINES)),
            lab.scenarios
                .iter()
                .map(|s| ScenarioGrade {
                    name: s.name.clone(),
                    status: Status::Error,
                    points: 0,
                    max_points: s.points,
                    message: "the lab does not compile".to_owned(),
                    diff: None,
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
                    let diff = (!pass && !v.expected.is_empty() && v.status != Status::NotDone)
                        .then(|| TranscriptDiff::new(&v.expected, v.actual.trim_end()));
                    ScenarioGrade {
                        name: s.name.clone(),
                        status: match v.status {
                            Status::NotDone => Status::Fail,
                            status => status,
                        },
                        points: if pass { s.points } else { 0 },
                        max_points: s.points,
                        message: with_stuck(v),
                        diff,
                        output: v.actual.chars().take(OUTPUT_CHARS).collect(),
                    }
                })
                .collect(),
        ),
    };
    LabGrade {
        number: lab.number,
        package: lab.package(),
        title: lab.title.clone(),
        state: lab_state(outcome),
        points: scenarios.iter().map(|s| s.points).sum(),
        max_points: lab.max_points(),
        compile_error,
        note: None,
        scenarios,
        hint: lab.hint.trim().to_owned(),
    }
}

/// A lab that was not run, every scenario getting `status` with
/// `message`.
pub fn lab_not_run(lab: &Lab, state: LabState, status: Status, message: &str) -> LabGrade {
    LabGrade {
        number: lab.number,
        package: lab.package(),
        title: lab.title.clone(),
        state,
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
                diff: None,
                output: String::new(),
            })
            .collect(),
        hint: lab.hint.trim().to_owned(),
    }
}
