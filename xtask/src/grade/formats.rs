//! The interchange formats a grade can be written in: Exercism's
//! test-runner `results.json` (version 2) and Gradescope's autograder
//! `results.json`, each a typed struct serialised with serde.
//!
//! Exercism: <https://exercism.org/docs/building/tooling/test-runners/interface>
//! (top-level `status` is `error` only when no test ran, and only then
//! has a `message`; each test has `name`, `status`, `test_code`, `message`
//! when it did not pass, `output` of at most 500 characters).
//! Gradescope: <https://gradescope-autograders.readthedocs.io/en/latest/specs/>
//! (`score`, `max_score`, `execution_time`, `output`, `tests` with `name`,
//! `score`, `max_score`, `status`, `output`, `visibility`).

use crate::labs::Lab;
use crate::model::grade::{LabGrade, ScenarioGrade, StudentGrade};
use crate::model::{LabState, Status};
use serde::Serialize;
use std::collections::HashMap;

/// Exercism: a test's `output` "must be limited to 500 chars".
pub const EXERCISM_OUTPUT: usize = 500;
/// Exercism: the top-level `message` is limited to 65535 characters.
const EXERCISM_MESSAGE: usize = 65535;
/// What ends an `output` that was cut (the spec's own wording).
pub const EXERCISM_CUT: &str = "\n… Output was truncated. Please limit to 500 chars";

fn scenario_details(lab: &LabGrade, s: &ScenarioGrade) -> String {
    if let Some(error) = &lab.compile_error {
        return format!(
            "{} does not compile; the first error:\n{error}",
            lab.package
        );
    }
    let mut text = s.message.clone();
    let diff = s.diff_text();
    if !diff.is_empty() {
        text.push_str("\n\ntranscript: - expected (the snapshot), + yours\n");
        text.push_str(&diff);
    }
    text
}

/// `text` in at most `limit` characters: cut, it ends with `notice`.
fn cut_chars(text: &str, limit: usize, notice: &str) -> String {
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let keep = limit.saturating_sub(notice.chars().count());
    text.chars().take(keep).collect::<String>() + notice
}

/// Exercism's test-runner `results.json`, version 2.
#[derive(Serialize)]
struct ExercismResults {
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    status: ExercismStatus,
    tests: Vec<ExercismTest>,
    version: u32,
}

#[derive(Serialize)]
struct ExercismTest {
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<String>,
    status: ExercismStatus,
    test_code: String,
}

#[derive(Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum ExercismStatus {
    Pass,
    Fail,
    Error,
}

/// Gradescope's autograder `results.json`.
#[derive(Serialize)]
struct GradescopeResults {
    execution_time: u64,
    max_score: u32,
    output: String,
    score: u32,
    tests: Vec<GradescopeTest>,
}

#[derive(Serialize)]
struct GradescopeTest {
    max_score: u32,
    name: String,
    output: String,
    score: u32,
    status: GradescopeStatus,
    visibility: Visibility,
}

#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
enum GradescopeStatus {
    Passed,
    Failed,
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum Visibility {
    Visible,
    AfterDueDate,
}

/// Pretty JSON with every object's keys in alphabetical order (through a
/// `Value`, whose maps sort them), as these files have always been.
fn to_json(value: &impl Serialize) -> String {
    serde_json::to_value(value)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_default()
        + "\n"
}

/// Whether any scenario of the lab ran (it compiled, was submitted and
/// graded).
fn ran(lab: &LabGrade) -> bool {
    !matches!(
        lab.state,
        LabState::DoesNotCompile | LabState::NotSubmitted | LabState::NotGraded
    )
}

/// Exercism's test-runner `results.json`, version 2: one test per
/// scenario, named `LAB/SCENARIO`, in `info.toml`'s order. `codes` holds
/// each scenario's `test_code` by `LAB/SCENARIO` (see
/// [`super::test_code`]).
pub fn exercism(grade: &StudentGrade, codes: &HashMap<String, String>) -> String {
    let status = if grade.problem.is_some() || !grade.labs.iter().any(ran) {
        ExercismStatus::Error
    } else if grade
        .labs
        .iter()
        .all(|l| l.points == l.max_points && l.note.is_none())
    {
        ExercismStatus::Pass
    } else {
        ExercismStatus::Fail
    };
    let tests = grade
        .scenarios()
        .map(|(lab, s)| {
            let name = format!("{}/{}", lab.package, s.name);
            ExercismTest {
                test_code: codes.get(&name).cloned().unwrap_or_else(|| {
                    format!(
                        "// the test `{}` of {}/tests/scenarios.rs",
                        s.name, lab.package
                    )
                }),
                name,
                status: match s.status {
                    Status::Pass => ExercismStatus::Pass,
                    Status::Error => ExercismStatus::Error,
                    Status::Fail | Status::Timeout | Status::NotDone => ExercismStatus::Fail,
                },
                message: (s.status != Status::Pass).then(|| scenario_details(lab, s)),
                output: (!s.output.is_empty())
                    .then(|| cut_chars(&s.output, EXERCISM_OUTPUT, EXERCISM_CUT)),
            }
        })
        .collect();
    let message = (status == ExercismStatus::Error).then(|| {
        let text = grade.problem.clone().unwrap_or_else(|| {
            grade
                .labs
                .iter()
                .map(|l| match (&l.compile_error, &l.note) {
                    (Some(error), _) => {
                        format!("{} does not compile; the first error:\n{error}", l.package)
                    }
                    (None, Some(note)) => format!("{}: {note}", l.package),
                    (None, None) => format!("{}: {}", l.package, l.state.as_str()),
                })
                .collect::<Vec<_>>()
                .join("\n\n")
        });
        cut_chars(&text, EXERCISM_MESSAGE, "\n… (cut)")
    });
    let message = match (grade.unsandboxed, message) {
        (true, Some(m)) => Some(format!("{}\n\n{m}", super::report::UNSANDBOXED)),
        (true, None) => Some(super::report::UNSANDBOXED.to_owned()),
        (false, m) => m,
    };
    to_json(&ExercismResults {
        message,
        status,
        tests,
        version: 2,
    })
}

/// Gradescope's autograder `results.json`: one test per scenario; a
/// scenario marked `after_due_date = true` in `info.toml` is shown to the
/// student only after the due date.
pub fn gradescope(grade: &StudentGrade, labs: &[&Lab]) -> String {
    let after_due_date = |lab: &LabGrade, s: &ScenarioGrade| {
        labs.iter()
            .filter(|l| l.number == lab.number)
            .flat_map(|l| &l.scenarios)
            .any(|info| info.name == s.name && info.after_due_date)
    };
    let tests = grade
        .scenarios()
        .map(|(lab, s)| GradescopeTest {
            name: format!("lab {} · {}", lab.number, s.name),
            score: s.points,
            max_score: s.max_points,
            status: if s.status == Status::Pass {
                GradescopeStatus::Passed
            } else {
                GradescopeStatus::Failed
            },
            output: scenario_details(lab, s),
            visibility: if after_due_date(lab, s) {
                Visibility::AfterDueDate
            } else {
                Visibility::Visible
            },
        })
        .collect();
    let output = grade.problem.clone().unwrap_or_else(|| {
        grade
            .labs
            .iter()
            .map(|l| {
                format!(
                    "lab {}: {} ({} / {})",
                    l.number,
                    l.state.as_str(),
                    l.points,
                    l.max_points
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    let output = if grade.unsandboxed {
        format!("{}\n\n{output}", super::report::UNSANDBOXED)
    } else {
        output
    };
    to_json(&GradescopeResults {
        execution_time: grade.seconds.round() as u64,
        score: grade.total,
        max_score: grade.max,
        output,
        tests,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_output_ends_with_the_notice_within_the_limit() {
        let long = "x".repeat(2000);
        let cut = cut_chars(&long, EXERCISM_OUTPUT, EXERCISM_CUT);
        assert_eq!(cut.chars().count(), EXERCISM_OUTPUT);
        assert!(cut.ends_with(EXERCISM_CUT));
        assert_eq!(cut_chars("short", EXERCISM_OUTPUT, EXERCISM_CUT), "short");
    }
}
