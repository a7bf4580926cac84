//! One case of a property scenario: its script, and what must hold of
//! what happened (lines printed, bytes received, exit statuses).

use super::{difference, stdout_lines};
use crate::report::Status;
use crate::transcript::{EventKind, ExitHow};
use crate::{Program, Scenario, ServerUnderTest, Step, Stop, Transcript};
use std::cell::{Cell, RefCell};
use std::path::Path;

/// One case of a property scenario: runs its script and collects what
/// must hold.
#[derive(Debug, Default)]
pub struct Case {
    pub(super) transcript: RefCell<Transcript>,
    outcome: Cell<Option<Step>>,
    /// The first broken property and what showed it.
    broken: RefCell<Option<(String, String)>>,
    /// Per program checked with [`Case::expect_line`]: its name and how
    /// many stdout lines the script has seen; no other line may appear.
    lines: RefCell<Vec<(String, usize)>>,
    /// Exit statuses to check once the case is over: program, status,
    /// property.
    exits: RefCell<Vec<(String, i32, String)>>,
}

impl Case {
    /// Runs the case's script (see [`crate::run`]); the case is judged
    /// when `body` returns.
    pub fn run(&self, script: impl FnOnce(&mut Scenario) -> Step) {
        let mut outcome = Ok(());
        let transcript = crate::run(|s| {
            outcome = script(s);
            outcome
        });
        self.outcome.set(Some(outcome));
        *self.transcript.borrow_mut() = transcript;
    }

    /// Checks that `property` holds; if not, records it with `detail` (what
    /// was sent and what came back) and stops the case.
    ///
    /// # Errors
    ///
    /// [`Stop`] when `ok` is false.
    pub fn holds(&self, property: &str, ok: bool, detail: impl FnOnce() -> String) -> Step {
        if ok {
            return Ok(());
        }
        let mut broken = self.broken.borrow_mut();
        if broken.is_none() {
            *broken = Some((property.to_owned(), detail()));
        }
        Err(Stop)
    }

    /// Checks that `got` equals `expected`, naming `what` they are and
    /// where they first differ.
    ///
    /// # Errors
    ///
    /// [`Stop`] when they differ.
    pub fn equal(&self, property: &str, what: &str, expected: &[u8], got: &[u8]) -> Step {
        self.holds(property, expected == got, || {
            format!("{what}: {}", difference(expected, got))
        })
    }

    /// Starts a server under test (see [`Scenario::start_server`]) whose
    /// stdout this case checks: every line it prints must be one the
    /// script expects with [`Self::expect_line`].
    ///
    /// # Errors
    ///
    /// [`Stop`] when it does not start (the transcript says why).
    pub fn start_server(
        &self,
        s: &mut Scenario,
        path: impl AsRef<Path>,
        args: &[&str],
    ) -> Step<ServerUnderTest> {
        let server = s.start_server(path, args)?;
        self.lines.borrow_mut().push((server.name(), 1));
        Ok(server)
    }

    /// Like [`Self::start_server`], with a stdin the script writes and
    /// closes (see [`Scenario::start_server_with_stdin`]).
    ///
    /// # Errors
    ///
    /// [`Stop`] when it does not start (the transcript says why).
    pub fn start_server_with_stdin(
        &self,
        s: &mut Scenario,
        path: impl AsRef<Path>,
        args: &[&str],
    ) -> Step<ServerUnderTest> {
        let server = s.start_server_with_stdin(path, args)?;
        self.lines.borrow_mut().push((server.name(), 1));
        Ok(server)
    }

    /// Waits for the next stdout line of `program` and checks that it is
    /// `expected`. Once a program has been checked this way, every line it
    /// prints must be expected: one more, after the case, breaks "every
    /// line is printed once".
    ///
    /// # Errors
    ///
    /// [`Stop`] when no line comes or it is another one.
    pub fn expect_line(
        &self,
        program: &mut Program,
        property: &str,
        expected: impl AsRef<[u8]>,
    ) -> Step<Vec<u8>> {
        let expected = expected.as_ref();
        let (name, seen, line) = self.next_line(program, property, expected)?;
        self.equal(property, &format!("{name}'s line {seen}"), expected, &line)?;
        Ok(line)
    }

    /// Like [`Self::expect_line`] for a line of which only the start is
    /// fixed (an error line that ends with the operating system's words).
    ///
    /// # Errors
    ///
    /// [`Stop`] when no line comes or it starts otherwise.
    pub fn expect_line_starting(
        &self,
        program: &mut Program,
        property: &str,
        prefix: impl AsRef<[u8]>,
    ) -> Step<Vec<u8>> {
        let prefix = prefix.as_ref();
        let (name, seen, line) = self.next_line(program, property, prefix)?;
        let start = &line[..prefix.len().min(line.len())];
        self.equal(
            property,
            &format!("the start of {name}'s line {seen}"),
            prefix,
            start,
        )?;
        Ok(line)
    }

    fn next_line(
        &self,
        program: &mut Program,
        property: &str,
        expected: &[u8],
    ) -> Step<(String, usize, Vec<u8>)> {
        let name = program.name();
        let seen = {
            let mut lines = self.lines.borrow_mut();
            match lines.iter_mut().find(|(n, _)| *n == name) {
                Some((_, count)) => {
                    *count += 1;
                    *count
                }
                None => {
                    lines.push((name.clone(), 1));
                    1
                }
            }
        };
        let line = program.expect_line().inspect_err(|_| {
            // The program ended or went quiet: name the line it owed.
            let _ = self.holds(property, false, || {
                format!(
                    "{name} should print {} as its line {seen}, and printed no line",
                    labkit::preview(expected)
                )
            });
        })?;
        Ok((name, seen, line))
    }

    /// Waits for `program` to exit; once the case is over, checks that it
    /// exited by itself with `status`.
    ///
    /// # Errors
    ///
    /// [`Stop`] when it does not exit in time.
    pub fn expect_exit(&self, program: &mut Program, property: &str, status: i32) -> Step {
        self.exits
            .borrow_mut()
            .push((program.name(), status, property.to_owned()));
        program.expect_exit()
    }

    /// What broke in this case, if anything: a status and a message.
    pub(super) fn judge(&self, transcript: &Transcript, where_: &str) -> Option<(Status, String)> {
        if let Some(line) = transcript.limit_stopped() {
            // A limit fired (a disk filled in the grader's jail).
            return Some((Status::Error, format!("{line} ({where_})")));
        }
        if let Some(location) = transcript.todo_location() {
            return Some((
                Status::NotDone,
                format!("not done yet: todo!() at {location}"),
            ));
        }
        if let Some(panic) = transcript.panic_message() {
            return Some((
                Status::Error,
                format!("the program panicked ({where_}): {panic}"),
            ));
        }
        if let Some(failed) = transcript.allocation_failure() {
            // Stopped by the address-space limit (`crate::limits`).
            return Some((
                Status::Error,
                format!("the program aborted: {failed} ({where_})"),
            ));
        }
        if let Some(event) = transcript.timeout_event() {
            return Some((Status::Timeout, format!("{event} ({where_})")));
        }
        if let Some((property, detail)) = self.broken.borrow().as_ref() {
            return Some((
                Status::Fail,
                format!("`{property}` broke ({where_}): {detail}"),
            ));
        }
        for (name, seen) in self.lines.borrow().iter() {
            let printed = stdout_lines(transcript, name);
            if let Some(extra) = printed.get(*seen) {
                return Some((
                    Status::Fail,
                    format!(
                        "`every line is printed once` broke ({where_}): {name} printed {} more than the {seen} line(s) expected, starting with {}",
                        printed.len() - seen,
                        labkit::preview(extra)
                    ),
                ));
            }
        }
        for (name, status, property) in self.exits.borrow().iter() {
            let how = transcript.events.iter().find_map(|e| match &e.kind {
                EventKind::Exited { how } if e.actor == *name => Some(how.clone()),
                _ => None,
            });
            if how != Some(ExitHow::Code(*status)) {
                let how = how.map_or_else(
                    || "did not exit".to_owned(),
                    |how| EventKind::Exited { how }.to_string(),
                );
                return Some((
                    Status::Fail,
                    format!("`{property}` broke ({where_}): {name} {how}"),
                ));
            }
        }
        if self.outcome.get() != Some(Ok(())) {
            let last = transcript
                .events
                .iter()
                .rev()
                .find(|e| !matches!(e.kind, EventKind::Exited { .. }))
                .map(ToString::to_string)
                .unwrap_or_default();
            return Some((
                Status::Fail,
                format!("the case stopped before its end ({where_}); its last line: {last}"),
            ));
        }
        None
    }
}
