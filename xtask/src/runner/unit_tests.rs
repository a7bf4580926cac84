//! Unit tests that carry points: a lab's `tests/NAME.rs` listed in
//! `labs/info.toml` with `kind = "unit"` (lab 5's `tests/frame.rs` checks
//! `read_frame` and `write_frame` through the instructor's probe program,
//! `lab05-frame-probe`, which it runs like any program under test). They
//! are plain `#[test]` functions, not scenarios: they leave no verdict
//! file, so the runner reads what the test binary printed (libtest's `test
//! NAME ... ok` lines and its `---- NAME stdout ----` failure sections) and
//! makes one [`Verdict`] of the whole file: it passes when every test
//! passes, and its message names each failing test with the first panic
//! its section shows (the probe's own, which the test prints before its
//! own, names the student's line).

use crate::model::{Status, Verdict};

/// How one test of the file went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestOutcome {
    pub name: String,
    pub passed: bool,
    /// For a failure: the panic message (its first lines) and where it
    /// happened, or empty if the output did not say.
    pub message: String,
    /// For a failure: the location of the panic, `FILE:LINE:COL`.
    pub location: String,
}

/// The most lines of a panic message kept in a verdict.
const MESSAGE_LINES: usize = 4;

/// Reads libtest's human output (what `cargo test` prints on stdout).
pub fn parse(stdout: &str) -> Vec<TestOutcome> {
    let mut outcomes: Vec<TestOutcome> = Vec::new();
    // libtest names every test before its first `failures:` line; what
    // follows is the failing tests' own output (a probe's stderr among it),
    // whose `test … ok` lines prove nothing.
    for line in stdout.lines().take_while(|l| *l != "failures:") {
        let Some(rest) = line.strip_prefix("test ") else {
            continue;
        };
        let (name, passed) = if let Some(name) = rest.strip_suffix(" ... ok") {
            (name, true)
        } else if let Some(name) = rest.strip_suffix(" ... FAILED") {
            (name, false)
        } else {
            continue;
        };
        outcomes.push(TestOutcome {
            name: name.to_owned(),
            passed,
            message: String::new(),
            location: String::new(),
        });
    }
    // The failure sections: `---- NAME stdout ----`, then what the test
    // printed, with `thread 'NAME' panicked at FILE:LINE:COL:` and the
    // message on the next lines.
    let lines: Vec<&str> = stdout.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|l| l.strip_suffix(" stdout ----"))
        else {
            continue;
        };
        let section = lines[i + 1..]
            .iter()
            .take_while(|l| !l.starts_with("---- ") && **l != "failures:");
        let mut location = String::new();
        let mut message: Vec<&str> = Vec::new();
        let mut in_message = false;
        for l in section {
            if let Some((_, at)) = l.split_once("panicked at ") {
                // The first panic is the cause: a judge that prints its
                // program's panic (lab 5's probe: a `todo!()` in `src/`)
                // before its own names the student's place.
                if location.is_empty() {
                    location = at.trim_end_matches(':').to_owned();
                    in_message = true;
                }
            } else if in_message {
                if l.trim().is_empty()
                    || l.starts_with("note: ")
                    || l.starts_with("stack backtrace:")
                {
                    in_message = false;
                } else if message.len() < MESSAGE_LINES {
                    message.push(l);
                }
            }
        }
        if let Some(outcome) = outcomes.iter_mut().find(|o| o.name == name) {
            outcome.message = message.join("\n");
            outcome.location = location;
        }
    }
    outcomes
}

/// The verdict of the unit tests of `file` (`tests/frame.rs`), listed as
/// `scenario` in the metadata, from what the test binary printed.
/// `finished` is false when the run was stopped at its deadline.
pub fn verdict(scenario: &str, file: &str, stdout: &str, finished: bool) -> Verdict {
    let outcomes = parse(stdout);
    let failed: Vec<&TestOutcome> = outcomes.iter().filter(|o| !o.passed).collect();
    let todo = failed
        .iter()
        .find(|o| o.message.starts_with("not yet implemented"));
    let (status, message) = if !finished && failed.is_empty() {
        (
            Status::Timeout,
            format!("the tests of {file} did not finish before the deadline"),
        )
    } else if outcomes.is_empty()
        || (failed.is_empty() && !stdout.lines().any(|l| l.starts_with("test result: ")))
    {
        // No summary line: the binary died after the tests it names (an
        // abort, a kill), so the tests it never reached did not pass.
        (
            Status::Error,
            format!(
                "the tests of {file} did not run (the test binary crashed, or {file} has no test)"
            ),
        )
    } else if failed.is_empty() {
        (Status::Pass, String::new())
    } else if let Some(todo) = todo.filter(|_| failed.len() == outcomes.len()) {
        let file_line = todo
            .location
            .rsplit_once(':')
            .map_or(todo.location.as_str(), |(file_line, _col)| file_line);
        (
            Status::NotDone,
            format!("not done yet: todo!() at {file_line}"),
        )
    } else {
        let mut message = format!(
            "{} of {} tests of {file} fail:",
            failed.len(),
            outcomes.len()
        );
        for test in &failed {
            let text = if test.message.is_empty() {
                "failed (see its output)".to_owned()
            } else {
                test.message.replace('\n', " / ")
            };
            message.push_str(&format!("\n`{}`: {text}", test.name));
            if !test.location.is_empty() {
                message.push_str(&format!(" (at {})", test.location));
            }
        }
        (Status::Fail, message)
    };
    Verdict {
        scenario: scenario.to_owned(),
        status,
        message,
        expected: String::new(),
        actual: failure_sections(stdout),
        stuck: Vec::new(),
    }
}

/// The failure sections of libtest's output (empty when all passed).
fn failure_sections(stdout: &str) -> String {
    stdout
        .split_once("\nfailures:\n")
        .map(|(_, rest)| {
            let end = rest.find("\nfailures:\n").unwrap_or(rest.len());
            rest[..end].trim().to_owned()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    const OUTPUT: &str = "
running 3 tests
test a_passes ... ok
test b_fails ... FAILED
test c_fails ... FAILED

failures:

---- b_fails stdout ----

thread 'b_fails' panicked at labs/05-framing/tests/frame.rs:95:5:
assertion `left == right` failed
  left: 3
 right: 4
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace

---- c_fails stdout ----

thread 'c_fails' panicked at labs/05-framing/src/frame.rs:151:9:
not yet implemented


failures:
    b_fails
    c_fails

test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s
";

    #[test]
    fn failing_tests_are_named_with_their_message_and_place() {
        let verdict = verdict("frame", "tests/frame.rs", OUTPUT, true);
        assert_eq!(verdict.status, Status::Fail);
        assert_eq!(
            verdict.message,
            "2 of 3 tests of tests/frame.rs fail:\n\
             `b_fails`: assertion `left == right` failed /   left: 3 /  right: 4 (at labs/05-framing/tests/frame.rs:95:5)\n\
             `c_fails`: not yet implemented (at labs/05-framing/src/frame.rs:151:9)"
        );
        assert!(verdict.actual.starts_with("---- b_fails stdout ----"));
    }

    #[test]
    fn all_passing_is_a_pass_and_all_todo_is_not_done() {
        let passing = "test a ... ok\ntest b ... ok\n\ntest result: ok. 2 passed; 0 failed\n";
        assert_eq!(verdict("frame", "f", passing, true).status, Status::Pass);
        // A binary that aborts after some passing tests did not pass.
        let crashed = "test a ... ok\n";
        assert_eq!(verdict("frame", "f", crashed, true).status, Status::Error);
        let todo = "test a ... FAILED\n\nfailures:\n\n---- a stdout ----\n\nthread 'a' panicked at src/frame.rs:10:5:\nnot yet implemented\n\n\nfailures:\n    a\n";
        let v = verdict("frame", "f", todo, true);
        assert_eq!(v.status, Status::NotDone);
        assert_eq!(v.message, "not done yet: todo!() at src/frame.rs:10");
    }

    #[test]
    fn the_first_panic_of_a_section_is_its_cause() {
        let probe_todo = "test a ... FAILED\n\nfailures:\n\n---- a stdout ----\nthe probe's stderr:\n\
             thread 'main' panicked at labs/05-framing/src/frame.rs:170:9:\nnot yet implemented\n\n\
             thread 'a' panicked at labs/05-framing/tests/frame.rs:311:5:\nthe probe gave no answer\n\n\
             failures:\n    a\n";
        let v = verdict("frame", "f", probe_todo, true);
        assert_eq!(v.status, Status::NotDone);
        // A failing test's output that names tests passing passes nothing.
        let forged = probe_todo.replace(
            "the probe gave no answer\n",
            "the probe gave no answer\ntest a ... ok\ntest result: ok. 1 passed\n",
        );
        assert_eq!(parse(&forged).len(), 1);
        assert_eq!(verdict("frame", "f", &forged, true).status, Status::NotDone);
        assert_eq!(
            v.message,
            "not done yet: todo!() at labs/05-framing/src/frame.rs:170"
        );
    }

    #[test]
    fn no_output_is_an_error_and_a_stopped_run_a_timeout() {
        assert_eq!(verdict("frame", "f", "", true).status, Status::Error);
        assert_eq!(
            verdict("frame", "f", "test a ... ok\n", false).status,
            Status::Timeout
        );
    }
}
