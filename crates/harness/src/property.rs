//! Property scenarios: seeded, randomized runs beside the snapshot stories.
//!
//! A snapshot story shows one exchange with fixed messages; a program that
//! prints what it guesses the story expects can match it. A property
//! scenario draws its messages, sizes, counts and piece boundaries from a
//! seed ([`crate::seed`]) and checks what must hold for any of them: the
//! echo equals the input, every message is printed exactly once and in
//! order, frames come out intact however the stream is cut, a server
//! survives bad input. There is no snapshot: [`check`] runs a bounded number
//! of cases, stops at the first broken property, and writes a verdict file
//! like a snapshot scenario's ([`crate::report`]) whose message names the
//! property, the input and the seed.
//!
//! ```no_run
//! const SERVER: &str = "target/debug/lab01-server";
//! harness::property::check("server_prints_any_message", 6, |rng, case| {
//!     let message = rng.message(1..=1024);
//!     case.run(|s| {
//!         let mut server = case.start_server(s, SERVER, &[])?;
//!         let mut client = s.connect("client", &server)?;
//!         client.send(&message)?;
//!         case.expect_line(&mut server, "the server prints the message", labkit::show(&message))?;
//!         case.expect_exit(&mut server, "the server exits with status 0", 0)
//!     });
//! });
//! ```
//!
//! Every check is made on what happened (a line printed, bytes received,
//! an exit status) after waiting on it with the harness's deadlines: a
//! case never sleeps, and its verdict is the same on every run of a seed.

use crate::report::{Status, Verdict, record_verdict};
use crate::seed::{self, Rng};
use crate::transcript::{EventKind, ExitHow, Stream};
use crate::{Program, STEP_TIMEOUT, Scenario, ServerUnderTest, Step, Stop, TcpPeer, Transcript};
use std::cell::{Cell, RefCell};
use std::io::Write;
use std::path::Path;

/// Runs the property scenario `name`: `cases` cases, each drawn by `body`
/// from the seed's generator and run with [`Case::run`], until one breaks a
/// property. Writes the verdict file and panics with its message if the
/// scenario does not pass, so that `cargo test` fails too.
///
/// # Panics
///
/// When a case breaks a property, times out, crashes or reaches a `todo!()`.
pub fn check(name: &str, cases: usize, mut body: impl FnMut(&mut Rng, &Case)) {
    let verdict = match seed::seed() {
        Err(problem) => Verdict {
            scenario: name.to_owned(),
            status: Status::Error,
            message: problem,
            expected: String::new(),
            actual: String::new(),
        },
        Ok(seed) => run_cases(name, seed, cases, &mut body),
    };
    record_verdict(&verdict);
    assert!(
        verdict.status == Status::Pass,
        "{}\n\nthe transcript of that case:\n{}",
        verdict.message,
        verdict.actual
    );
}

fn run_cases(
    name: &str,
    seed: u64,
    cases: usize,
    body: &mut dyn FnMut(&mut Rng, &Case),
) -> Verdict {
    let mut rng = Rng::for_scenario(seed, name);
    let mut last = String::new();
    // What the harness could not force on this system (paced delivery
    // without /proc): a passing verdict carries it, as a story's does.
    let mut notes: Vec<String> = Vec::new();
    for number in 1..=cases.max(1) {
        let case = Case::default();
        body(&mut rng, &case);
        let transcript = case.transcript.take();
        let where_ = if cases > 1 {
            format!("case {number} of {cases}, seed {seed}")
        } else {
            format!("seed {seed}")
        };
        if let Some((status, message)) = case.judge(&transcript, &where_) {
            return Verdict {
                scenario: name.to_owned(),
                status,
                message: transcript.redact(&message),
                expected: String::new(),
                actual: transcript.render(),
            };
        }
        last = transcript.render();
        for note in transcript.notes() {
            if !notes.contains(note) {
                notes.push(note.clone());
            }
        }
    }
    Verdict {
        scenario: name.to_owned(),
        status: Status::Pass,
        message: notes.join("\n"),
        expected: String::new(),
        actual: last,
    }
}

/// One case of a property scenario: runs its script and collects what
/// must hold.
#[derive(Debug, Default)]
pub struct Case {
    transcript: RefCell<Transcript>,
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
    fn judge(&self, transcript: &Transcript, where_: &str) -> Option<(Status, String)> {
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
        if transcript.timed_out() {
            let line = transcript
                .events
                .iter()
                .find(|e| {
                    matches!(
                        e.kind,
                        EventKind::TimedOut { .. }
                            | EventKind::Exited {
                                how: ExitHow::KilledAfter(_)
                            }
                    )
                })
                .map(ToString::to_string)
                .unwrap_or_default();
            return Some((Status::Timeout, format!("{line} ({where_})")));
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

/// The lines `program` printed on stdout, in order.
pub fn stdout_lines(transcript: &Transcript, program: &str) -> Vec<Vec<u8>> {
    transcript
        .events
        .iter()
        .filter(|e| e.actor == program)
        .filter_map(|e| match &e.kind {
            EventKind::Output {
                stream: Stream::Stdout,
                line,
            } => Some(line.clone()),
            _ => None,
        })
        .collect()
}

/// Where two byte strings first differ, shown with [`labkit::preview`]
/// around that point (`…` where the shown part is cut).
pub fn difference(expected: &[u8], got: &[u8]) -> String {
    let at = expected
        .iter()
        .zip(got)
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(got.len()));
    let window = |bytes: &[u8]| {
        let start = at.saturating_sub(8).min(bytes.len());
        let end = (at + 24).min(bytes.len());
        format!(
            "{}{}{}",
            if start > 0 { "…" } else { "" },
            labkit::preview(&bytes[start..end]),
            if end < bytes.len() { "…" } else { "" }
        )
    };
    let sizes = if expected.len() == got.len() {
        format!("{} bytes each", expected.len())
    } else {
        format!("expected {} bytes, got {}", expected.len(), got.len())
    };
    if at == 0 {
        format!(
            "{sizes}: expected {}, got {}",
            labkit::preview(expected),
            labkit::preview(got)
        )
    } else {
        format!(
            "{sizes}, the first difference at byte {at}: expected {}, got {}",
            window(expected),
            window(got)
        )
    }
}

/// Writes `bytes` to `peer` as separate writes cut at `cuts` (offsets
/// from [`Rng::cuts`]), with TCP_NODELAY on so that each piece leaves as
/// its own segment; the program under test may read them one by one or
/// merged, and must give the same result either way. Recorded as one line.
///
/// # Errors
///
/// [`Stop`] when a write fails or times out (the transcript says so).
pub fn send_cut(peer: &mut TcpPeer, to: &str, bytes: &[u8], cuts: &[usize]) -> Step {
    let mut stream = peer.stream();
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(STEP_TIMEOUT));
    let mut start = 0;
    for &end in cuts.iter().chain(std::iter::once(&bytes.len())) {
        if end <= start || end > bytes.len() {
            continue;
        }
        if let Err(e) = stream.write_all(&bytes[start..end]) {
            peer.say(format!(
                "could not send bytes {start}..{end} of {}: {}",
                bytes.len(),
                crate::describe_io_error(&e)
            ));
            return Err(Stop);
        }
        start = end;
    }
    peer.say(format!(
        "sent {} to {to} in {} separate writes (TCP_NODELAY on), cut after bytes {cuts:?}: {}",
        labkit::byte_count(bytes.len()),
        cuts.len() + 1,
        labkit::preview(bytes)
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    /// A property over drawn numbers that breaks when one is above 90.
    fn below_ninety(rng: &mut Rng, case: &Case) {
        let n = rng.range(0..=99);
        case.run(|s| {
            s.say(format!("drew {n}"));
            case.holds("every number is at most 90", n <= 90, || {
                format!("drew {n}")
            })
        });
    }

    #[test]
    fn a_broken_property_names_itself_the_case_the_seed_and_the_input() {
        let verdict = run_cases("numbers", 5, 50, &mut below_ninety);
        assert_eq!(verdict.status, Status::Fail);
        assert!(
            verdict
                .message
                .starts_with("`every number is at most 90` broke (case "),
            "{}",
            verdict.message
        );
        assert!(
            verdict.message.contains(" of 50, seed 5): drew 9"),
            "{}",
            verdict.message
        );
        assert!(
            verdict.actual.contains("[harness] drew 9"),
            "{}",
            verdict.actual
        );
        // The same seed draws the same inputs and says the same.
        assert_eq!(run_cases("numbers", 5, 50, &mut below_ninety), verdict);
    }

    #[test]
    fn a_property_that_holds_passes_and_a_stop_without_a_property_fails() {
        let pass = run_cases("numbers", 5, 3, &mut |_: &mut Rng, case: &Case| {
            case.run(|s| {
                s.say("nothing to check");
                Ok(())
            });
        });
        assert_eq!((pass.status, pass.message.as_str()), (Status::Pass, ""));
        let stopped = run_cases("numbers", 5, 1, &mut |_: &mut Rng, case: &Case| {
            case.run(|s| {
                s.say("could not go on");
                Err(Stop)
            });
        });
        assert_eq!(stopped.status, Status::Fail);
        assert_eq!(
            stopped.message,
            "the case stopped before its end (seed 5); its last line: [harness] could not go on"
        );
    }

    #[test]
    fn differences_name_the_first_differing_byte() {
        assert_eq!(
            difference(b"hello", b"help!"),
            "5 bytes each, the first difference at byte 3: expected \"hello\", got \"help!\""
        );
        assert_eq!(
            difference(b"abc", b"xyz1"),
            "expected 3 bytes, got 4: expected \"abc\", got \"xyz1\""
        );
        let long = b"0123456789abcdefghijklmnopqrstuvwxyz0123456789";
        let mut other = long.to_vec();
        other[20] = b'!';
        assert_eq!(
            difference(long, &other),
            "46 bytes each, the first difference at byte 20: expected …\"cdefghijklmnopqrstuvwxyz01234567\"…, got …\"cdefghij!lmnopqrstuvwxyz01234567\"…"
        );
    }
}
