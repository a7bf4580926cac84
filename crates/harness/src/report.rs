//! Verdicts: how a scenario's transcript compares with its snapshot, written
//! where `cargo xtask check-lab` and the grader can read it.
//!
//! The test itself is judged by insta (`assert_snapshot!`), so `cargo test`
//! and insta's review flow work as usual. When the environment variable
//! [`REPORT_DIR_ENV`] names a directory, [`assert_transcript!`] also writes
//! `<dir>/<scenario>.json`: a [`Verdict`] with the expected and actual
//! transcript. The presenters read those files; they never compare or
//! write snapshots themselves.

use crate::Transcript;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Names the directory where verdict files are written.
pub const REPORT_DIR_ENV: &str = "SOCKET_LABS_REPORT_DIR";

/// How a scenario went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The transcript matches the snapshot.
    Pass,
    /// The transcript differs from the snapshot.
    Fail,
    /// A step ran out of time (the program hung or never answered).
    Timeout,
    /// A program under test crashed (panicked or was killed by a signal),
    /// or the scenario has no snapshot.
    Error,
    /// A program under test reached a `todo!()`: the student has not
    /// written this part yet.
    NotDone,
}

/// The verdict file of one scenario.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub scenario: String,
    pub status: Status,
    /// One line for a person: what went wrong; on a pass, empty or what the
    /// harness could not check on this system, one note a line (see
    /// `Transcript::notes`).
    pub message: String,
    /// The snapshot's transcript (empty when there is no snapshot).
    pub expected: String,
    /// The transcript of this run.
    pub actual: String,
    /// When a step timed out: what each program under test was doing
    /// (empty when nothing timed out or this system cannot tell).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stuck: Vec<crate::stuck::Stuck>,
}

/// The text of a committed insta snapshot, as insta compares it (read by
/// `insta::Snapshot::from_file`: what follows the metadata header, line
/// ends normalised, trailing white space removed). `None` when there is no
/// readable text snapshot at `path`.
pub fn read_snapshot(path: &Path) -> Option<String> {
    let snapshot = insta::Snapshot::from_file(path).ok()?;
    Some(snapshot.contents().as_text()?.to_string())
}

/// Where insta keeps the snapshot named `name` of the test file `test_file`
/// (the file's stem, two underscores, the name: `scenarios__normal.snap`).
pub fn snapshot_path(manifest_dir: &str, test_file: &str, name: &str) -> PathBuf {
    let test_file = Path::new(test_file);
    let stem = test_file
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let dir = Path::new(manifest_dir).join("tests").join("snapshots");
    dir.join(format!("{stem}__{name}.snap"))
}

/// Compares a transcript with the expected text and says how it went.
pub fn judge(scenario: &str, expected: Option<&str>, transcript: &Transcript) -> Verdict {
    let actual = transcript.render();
    let expected_text = expected.unwrap_or_default().to_owned();
    let (status, message) = if let Some(line) = transcript.limit_stopped() {
        // A limit fired (a disk filled): that is the verdict, even when
        // the program went on to do the rest right.
        (Status::Error, line.to_owned())
    } else if expected.is_some_and(|e| e == actual.trim_end()) {
        // A pass says what this system kept the harness from checking.
        (Status::Pass, transcript.notes().join("\n"))
    } else if let Some(location) = transcript.todo_location() {
        (
            Status::NotDone,
            format!("not done yet: todo!() at {location}"),
        )
    } else if expected.is_none() {
        (
            Status::Error,
            format!("no snapshot for scenario `{scenario}`: run `cargo insta test` and review it"),
        )
    } else if let Some(panic) = transcript.panic_message() {
        (Status::Error, format!("the program panicked: {panic}"))
    } else if let Some(failed) = transcript.allocation_failure() {
        (
            Status::Error,
            format!(
                "the program aborted: {failed} (a program under test may use {} MiB of address \
                 space: did it allocate what a length asked for before checking it?)",
                crate::limits::ADDRESS_SPACE >> 20
            ),
        )
    } else if let Some(event) = transcript.timeout_event() {
        (Status::Timeout, transcript.redact(&event.to_string()))
    } else {
        (Status::Fail, first_difference(&expected_text, &actual))
    };
    Verdict {
        scenario: scenario.to_owned(),
        status,
        message,
        expected: expected_text,
        actual,
        stuck: transcript.stuck().to_vec(),
    }
}

/// Where two transcripts first differ, line by line (found with
/// `similar`'s diff: the first change after the common lines).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirstDifference {
    /// 1-based.
    pub line: usize,
    /// The expected line there, `None` past the expected end.
    pub expected: Option<String>,
    /// This run's line there, `None` past the transcript's end.
    pub actual: Option<String>,
}

impl FirstDifference {
    /// The first differing line, or `None` when the lines are the same
    /// (the texts may still differ in white space at line ends).
    pub fn find(expected: &str, actual: &str) -> Option<FirstDifference> {
        let exp: Vec<&str> = expected.lines().collect();
        let act: Vec<&str> = actual.lines().collect();
        let ops = similar::capture_diff_slices(similar::Algorithm::Myers, &exp, &act);
        let change = ops.iter().find(|op| op.tag() != similar::DiffTag::Equal)?;
        let at = change.old_range().start;
        Some(FirstDifference {
            line: at + 1,
            expected: exp.get(at).map(|l| (*l).to_owned()),
            actual: act.get(change.new_range().start).map(|l| (*l).to_owned()),
        })
    }
}

impl std::fmt::Display for FirstDifference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.line;
        match (&self.expected, &self.actual) {
            (Some(e), Some(a)) => write!(f, "line {n}: expected `{e}`, got `{a}`"),
            (Some(e), None) => write!(f, "line {n}: expected `{e}`, but the transcript ends there"),
            (None, Some(a)) => write!(f, "line {n}: found extra line `{a}`"),
            (None, None) => write!(f, "line {n}: both transcripts end here"),
        }
    }
}

/// Names the first line where two transcripts differ.
pub fn first_difference(expected: &str, actual: &str) -> String {
    FirstDifference::find(expected, actual).map_or_else(
        || "the transcripts differ only in white space".to_owned(),
        |d| d.to_string(),
    )
}

/// What a scenario that fails under a plain `cargo test` says before
/// insta's report: where the student's feedback is, and that the
/// snapshot is the specification (insta may suggest updating it).
pub const NOT_CHECK_LAB: &str = "\
this scenario's transcript differs from its snapshot. Check your lab with `cargo xtask check-lab N`: it says what differs, in your terms. The snapshot is the specification: do not update it.
这个场景的记录与快照不同。请用 `cargo xtask check-lab N` 检查你的实验：它会说明哪里不同。快照就是标准答案：不要更新它。";

/// Writes the verdict file if [`REPORT_DIR_ENV`] is set (check-lab, the
/// grader); otherwise, when the scenario fails, prints [`NOT_CHECK_LAB`].
/// Called by [`assert_transcript!`]; errors are reported on stderr and
/// otherwise ignored, because the snapshot assertion that follows still
/// decides.
#[doc(hidden)]
pub fn record(manifest_dir: &str, test_file: &str, name: &str, transcript: &Transcript) {
    let expected = read_snapshot(&snapshot_path(manifest_dir, test_file, name));
    let verdict = judge(name, expected.as_deref(), transcript);
    let Some(dir) = std::env::var_os(REPORT_DIR_ENV) else {
        if verdict.status != Status::Pass {
            eprintln!("{NOT_CHECK_LAB}");
        }
        return;
    };
    write_verdict(Path::new(&dir), &verdict);
}

/// Records a pass, with `note` as its message, for a story this system
/// cannot tell (see [`crate::sees_socket_queues`]): the scenario did not
/// run here, and the note says so and where it is checked. The snapshot
/// is not touched.
pub fn record_not_checkable(manifest_dir: &str, test_file: &str, name: &str, note: &str) {
    let expected = read_snapshot(&snapshot_path(manifest_dir, test_file, name));
    record_verdict(&Verdict {
        scenario: name.to_owned(),
        status: Status::Pass,
        message: note.to_owned(),
        expected: expected.unwrap_or_default(),
        actual: String::new(),
        stuck: Vec::new(),
    });
}

/// Writes `<dir>/<scenario>.json` if [`REPORT_DIR_ENV`] is set: how a
/// snapshot scenario ([`record`]) or a property scenario
/// ([`crate::property::check`]) went. Errors are reported on stderr and
/// otherwise ignored: the test's own assertion still decides.
pub fn record_verdict(verdict: &Verdict) {
    if let Some(dir) = std::env::var_os(REPORT_DIR_ENV) {
        write_verdict(Path::new(&dir), verdict);
    }
}

fn write_verdict(dir: &Path, verdict: &Verdict) {
    let name = &verdict.scenario;
    let written = std::fs::create_dir_all(dir).and_then(|()| {
        let json = serde_json::to_string_pretty(verdict).map_err(std::io::Error::other)?;
        std::fs::write(dir.join(format!("{name}.json")), json)
    });
    if let Err(e) = written {
        eprintln!(
            "harness: could not write the verdict of `{name}` to {}: {e}",
            dir.display()
        );
    }
}

/// Checks a scenario's transcript against its named snapshot, and writes
/// the verdict file for `cargo xtask check-lab` (see [`crate::report`]).
///
/// `$description` is shown to the reviewer by insta (`cargo insta review`):
/// say what the scenario demonstrates.
#[macro_export]
macro_rules! assert_transcript {
    ($name:expr, $description:expr, $transcript:expr $(,)?) => {{
        let transcript: $crate::Transcript = $transcript;
        $crate::report::record(env!("CARGO_MANIFEST_DIR"), file!(), $name, &transcript);
        let mut settings = $crate::__insta::Settings::clone_current();
        settings.set_description($description);
        settings.set_omit_expression(true);
        settings.set_prepend_module_to_snapshot(true);
        settings.bind(|| {
            $crate::__insta::assert_snapshot!($name, transcript.render());
        });
    }};
}
