//! The interchange formats a grade can be written in: Exercism's
//! test-runner `results.json` (version 2) and Gradescope's autograder
//! `results.json`, each a typed struct serialised with serde.

use crate::model::Status;
use crate::model::grade::{ScenarioGrade, StudentGrade};
use serde::Serialize;

/// Exercism cuts a test's `output` at 500 characters.
const EXERCISM_OUTPUT: usize = 500;

fn scenario_details(s: &ScenarioGrade) -> String {
    let mut text = s.message.clone();
    let diff = s.diff_text();
    if !diff.is_empty() {
        text.push_str("\n\ntranscript: - expected (the snapshot), + yours\n");
        text.push_str(&diff);
    }
    text
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
}

#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
enum GradescopeStatus {
    Passed,
    Failed,
}

/// Pretty JSON with every object's keys in alphabetical order (through a
/// `Value`, whose maps sort them), as these files have always been.
fn to_json(value: &impl Serialize) -> String {
    serde_json::to_value(value)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_default()
        + "\n"
}

/// Exercism's test-runner `results.json`, version 2: one test per
/// scenario, named `LAB/SCENARIO`.
pub fn exercism(grade: &StudentGrade) -> String {
    let compile_errors: Vec<String> = grade
        .labs
        .iter()
        .filter_map(|l| {
            l.compile_error
                .as_ref()
                .map(|e| format!("{}: {e}", l.package))
        })
        .collect();
    let status = if grade.problem.is_some() || !compile_errors.is_empty() {
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
        .map(|(lab, s)| ExercismTest {
            name: format!("{}/{}", lab.package, s.name),
            status: match s.status {
                Status::Pass => ExercismStatus::Pass,
                Status::Error => ExercismStatus::Error,
                Status::Fail | Status::Timeout | Status::NotDone => ExercismStatus::Fail,
            },
            message: (s.status != Status::Pass).then(|| scenario_details(s)),
            output: (!s.output.is_empty())
                .then(|| s.output.chars().take(EXERCISM_OUTPUT).collect()),
        })
        .collect();
    let message = (status == ExercismStatus::Error).then(|| {
        grade
            .problem
            .clone()
            .unwrap_or_else(|| compile_errors.join("\n\n"))
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

/// Gradescope's autograder `results.json`: one test per scenario.
pub fn gradescope(grade: &StudentGrade) -> String {
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
            output: match &lab.compile_error {
                Some(error) => format!("does not compile:\n{error}"),
                None => scenario_details(s),
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
        score: grade.total,
        max_score: grade.max,
        output,
        tests,
    })
}
