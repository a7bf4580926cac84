//! The model of a result: what a lab's run found, before anyone shows it.
//!
//! Everything above reads these types: [`crate::runner`] produces a
//! [`LabOutcome`], [`crate::check`] renders it for a terminal,
//! [`crate::grade`] turns it into a [`grade::LabGrade`] and its report
//! writes files, [`crate::state`] keeps the last [`LabState`] for `list`.
//! This module imports none of them (`tests/tidy.rs` checks the layering).

pub mod diff;
pub mod grade;
pub mod stuck;

use crate::labs::Lab;
pub use harness::report::{Status, Verdict};
use serde::{Deserialize, Serialize};

/// How a lab went.
#[derive(Debug)]
pub enum LabOutcome {
    /// The lab's code did not compile; the first compiler error.
    DoesNotCompile(String),
    /// The scenarios ran; one verdict per scenario of the metadata, in its
    /// order.
    Ran(Vec<Verdict>),
}

/// The state of a whole lab, as `check-lab`, `list` and the grader name
/// it. The first four come from a run ([`lab_state`]); the others only
/// from the grader, for a lab it did not (fully) run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LabState {
    #[serde(rename = "passed")]
    Passed,
    #[serde(rename = "not done yet")]
    NotDone,
    #[serde(rename = "failing")]
    Failing,
    #[serde(rename = "does not compile")]
    DoesNotCompile,
    /// The submission has no `src/` for the lab.
    #[serde(rename = "not submitted")]
    NotSubmitted,
    /// The instructor's files changed while the lab ran.
    #[serde(rename = "tampered")]
    Tampered,
    /// Nothing of the submission could be graded.
    #[serde(rename = "not graded")]
    NotGraded,
}

impl LabState {
    /// The words a person reads (and the files hold).
    pub fn as_str(self) -> &'static str {
        match self {
            LabState::Passed => "passed",
            LabState::NotDone => "not done yet",
            LabState::Failing => "failing",
            LabState::DoesNotCompile => "does not compile",
            LabState::NotSubmitted => "not submitted",
            LabState::Tampered => "tampered",
            LabState::NotGraded => "not graded",
        }
    }
}

/// The word a grade file uses for a scenario's status (the serde name of
/// [`Status`]).
pub fn status_word(status: Status) -> &'static str {
    match status {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::Timeout => "timeout",
        Status::Error => "error",
        Status::NotDone => "not_done",
    }
}

/// The state of a lab from its outcome.
pub fn lab_state(outcome: &LabOutcome) -> LabState {
    match outcome {
        LabOutcome::DoesNotCompile(_) => LabState::DoesNotCompile,
        LabOutcome::Ran(verdicts) if verdicts.iter().all(|v| v.status == Status::Pass) => {
            LabState::Passed
        }
        LabOutcome::Ran(verdicts)
            if verdicts.iter().all(|v| v.status != Status::Pass)
                && verdicts.iter().any(|v| v.status == Status::NotDone) =>
        {
            LabState::NotDone
        }
        LabOutcome::Ran(_) => LabState::Failing,
    }
}

/// Points earned: the points of each passing scenario.
pub fn points(lab: &Lab, outcome: &LabOutcome) -> u32 {
    match outcome {
        LabOutcome::DoesNotCompile(_) => 0,
        LabOutcome::Ran(verdicts) => lab
            .scenarios
            .iter()
            .zip(verdicts)
            .filter(|(_, v)| v.status == Status::Pass)
            .map(|(s, _)| s.points)
            .sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_serde_names_of_a_state_are_its_words() {
        for state in [
            LabState::Passed,
            LabState::NotDone,
            LabState::Failing,
            LabState::DoesNotCompile,
            LabState::NotSubmitted,
            LabState::Tampered,
            LabState::NotGraded,
        ] {
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(json, format!("\"{}\"", state.as_str()));
            assert_eq!(serde_json::from_str::<LabState>(&json).unwrap(), state);
        }
        for status in [
            Status::Pass,
            Status::Fail,
            Status::Timeout,
            Status::Error,
            Status::NotDone,
        ] {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status_word(status)));
        }
    }
}
