//! The transcript: what happened in a scenario, in protocol order.
//!
//! Events are appended by the scripted peers and by the program handles as
//! the scenario script performs each step, so their order is the order of
//! the script, never the order in which threads happened to run. Program
//! output is only placed in the transcript when the script waits for it
//! ([`crate::Program::expect_line`]) or when the program has ended; stdout
//! lines come before stderr lines there, because the relative order of two
//! different pipes cannot be known.
//!
//! [`Transcript::render`] turns the events into the text that the insta
//! snapshots hold. Dynamic values (ports the kernel chose) are replaced by
//! names such as `<server-port>`, so a snapshot is the same on every run.

mod log;

use crate::escape::{line_text, quote_bytes};
use labkit::byte_count;
pub(crate) use log::Log;
use std::fmt;
use std::time::Duration;

/// Which pipe a program wrote a line to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// One thing that happened, said by one actor (a program under test, a
/// scripted peer, or the harness itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Who did it: `lab01-server`, `client`, `client 2`, `harness`.
    pub actor: String,
    pub kind: EventKind,
}

/// What happened. Each variant renders as one line of text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// The harness started a program under test.
    Started { args: Vec<String> },
    /// A program under test printed a line.
    Output { stream: Stream, line: Vec<u8> },
    /// A program printed more than the harness keeps.
    OutputTruncated { stream: Stream, limit: usize },
    /// A scripted peer's TCP connect succeeded.
    Connected { to: String },
    /// A scripted server accepted a TCP connection.
    Accepted { from: String },
    /// A scripted peer wrote bytes (TCP) or sent one datagram (UDP).
    Sent { to: String, bytes: Vec<u8> },
    /// A scripted peer read bytes (TCP) or received one datagram (UDP).
    Received {
        from: String,
        bytes: Vec<u8>,
        /// For UDP: the datagram was longer than the buffer (MSG_TRUNC).
        truncated_from: Option<usize>,
    },
    /// A read returned 0 bytes: the other side closed its sending side.
    Eof { from: String },
    /// Anything else, said in a sentence: resets, closes, failed calls,
    /// what a step showed.
    Said(String),
    /// A blocking step did not finish before its deadline.
    TimedOut {
        after: Duration,
        waiting_for: String,
    },
    /// A program under test ended.
    Exited { how: ExitHow },
}

/// How a program under test ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExitHow {
    /// It exited by itself with this status code.
    Code(i32),
    /// It was killed by a signal it did not get from the harness.
    Signal(i32),
    /// The harness stopped it because the scenario was over.
    StoppedAtEnd,
    /// The harness killed it because it did not exit within the deadline.
    KilledAfter(Duration),
    /// The scenario stopped it on purpose while it ran ([`crate::Program::stop`]),
    /// as a user pressing Ctrl-C would.
    StoppedMidScenario,
}

fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventKind::Started { args } => {
                write!(f, "started the program under test")?;
                if !args.is_empty() {
                    write!(f, " with arguments: {}", args.join(" "))?;
                }
                Ok(())
            }
            EventKind::Output { line, .. } => write!(f, "{}", line_text(line)),
            EventKind::OutputTruncated { stream, limit } => write!(
                f,
                "… more output on {} was cut: the harness keeps {} KiB",
                match stream {
                    Stream::Stdout => "stdout",
                    Stream::Stderr => "stderr",
                },
                limit / 1024
            ),
            EventKind::Connected { to } => write!(f, "connected to {to}"),
            EventKind::Accepted { from } => write!(f, "accepted a connection from {from}"),
            EventKind::Sent { to, bytes } => {
                write!(
                    f,
                    "sent {} to {to}: {}",
                    byte_count(bytes.len()),
                    quote_bytes(bytes)
                )
            }
            EventKind::Received {
                from,
                bytes,
                truncated_from,
            } => {
                write!(
                    f,
                    "received {} from {from}: {}",
                    byte_count(bytes.len()),
                    quote_bytes(bytes)
                )?;
                if let Some(real) = truncated_from {
                    write!(
                        f,
                        " (truncated: the datagram had {}, the rest is lost)",
                        byte_count(*real)
                    )?;
                }
                Ok(())
            }
            EventKind::Eof { from } => {
                write!(
                    f,
                    "received EOF: {from} closed the connection (a read of 0 bytes)"
                )
            }
            EventKind::Said(text) => f.write_str(text),
            EventKind::TimedOut { after, waiting_for } => {
                write!(
                    f,
                    "timed out after {} waiting for {waiting_for}",
                    seconds(*after)
                )
            }
            EventKind::Exited { how } => match how {
                ExitHow::Code(code) => write!(f, "exited with status {code}"),
                ExitHow::Signal(signal) => write!(f, "was killed by signal {signal}"),
                ExitHow::StoppedAtEnd => {
                    write!(f, "stopped by the harness: the scenario is over")
                }
                ExitHow::StoppedMidScenario => write!(
                    f,
                    "stopped by the harness, as Ctrl-C would: the kernel closes its sockets"
                ),
                ExitHow::KilledAfter(after) => write!(
                    f,
                    "killed by the harness: still running {} after the scenario expected it to exit",
                    seconds(*after)
                ),
            },
        }
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let actor = match &self.kind {
            EventKind::Output {
                stream: Stream::Stderr,
                ..
            } => match self.actor.strip_suffix(AFTER_THE_STOP) {
                Some(name) => format!("{name} stderr{AFTER_THE_STOP}"),
                None => format!("{} stderr", self.actor),
            },
            _ => self.actor.clone(),
        };
        write!(f, "[{actor}] {}", self.kind)
    }
}

/// A value the kernel chose (a port), and the name it is shown as.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Redaction {
    value: String,
    name: String,
}

/// The finished record of a scenario.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Transcript {
    pub events: Vec<Event>,
    redactions: Vec<Redaction>,
    /// What the harness could not do on this system (no `/proc`, no
    /// signals): said with the verdict, never in the rendered transcript,
    /// which must be the same on every system.
    notes: Vec<String>,
    /// The programs under test started so far, with their process ids,
    /// for [`Transcript::stuck`].
    programs: Vec<(String, u32)>,
    /// What each program was doing when the first step timed out (see
    /// [`crate::stuck`]); like the notes, never in the rendered text.
    stuck: Vec<crate::stuck::Stuck>,
    /// The limits that stopped a program (`crate::jail::FILLED`): each
    /// the verdict's one line.
    stopped: Vec<String>,
    /// Whether a step has failed and the story stopped: what the programs
    /// printed that the harness reads from then on is marked
    /// ([`AFTER_THE_STOP`]).
    story_stopped: bool,
}

/// What follows a program's name on a line it printed that the harness
/// read only after the story had stopped (a step failed). Without it, a
/// line a server printed only once the harness gave up (a server that
/// waited for more bytes until the client was closed) looks, in the diff
/// against the snapshot, like an expected line that came in time.
pub const AFTER_THE_STOP: &str = ", read after the story stopped";

impl Transcript {
    /// The transcript as the text a snapshot holds: one event a line, with
    /// ports replaced by their names.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for event in &self.events {
            out.push_str(&self.redact(&event.to_string()));
            out.push('\n');
        }
        out
    }

    /// Replaces each recorded port by its name, but only where it stands
    /// as a whole number (not inside a longer run of digits).
    pub fn redact(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for r in &self.redactions {
            text = replace_number(&text, &r.value, &r.name);
        }
        text
    }

    /// What the harness could not do on this system, to say with the
    /// verdict (see [`crate::pace`], [`crate::suspend`], [`crate::limits`]).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// What the programs under test were doing when the first step timed
    /// out, where this system tells (see [`crate::stuck`]).
    pub fn stuck(&self) -> &[crate::stuck::Stuck] {
        &self.stuck
    }

    /// The location of the first `todo!()` that a program under test hit,
    /// as `FILE:LINE`, read from Rust's panic message on stderr.
    pub fn todo_location(&self) -> Option<String> {
        self.panic_lines().find_map(|(location, message)| {
            message.starts_with("not yet implemented").then(|| {
                location
                    .rsplit_once(':')
                    .map_or(location.clone(), |(file_line, _col)| file_line.to_owned())
            })
        })
    }

    /// The first panic of a program under test, as `message at FILE:LINE:COL`.
    pub fn panic_message(&self) -> Option<String> {
        self.panic_lines()
            .next()
            .map(|(location, message)| format!("{message} at {location}"))
    }

    /// The first limit that stopped a program under test, as the line the
    /// verdict says (a disk filled in the grader's jail).
    pub fn limit_stopped(&self) -> Option<&str> {
        self.stopped.first().map(String::as_str)
    }

    /// Rust's line when a program's allocation failed and it aborted
    /// (`memory allocation of 4294967295 bytes failed`): under the
    /// harness's address-space limit ([`crate::limits`]) that is what
    /// allocating what a peer asks for, before checking it, does.
    pub fn allocation_failure(&self) -> Option<String> {
        self.events.iter().find_map(|e| match &e.kind {
            EventKind::Output {
                stream: Stream::Stderr,
                line,
            } if line.starts_with(b"memory allocation of ") => {
                Some(String::from_utf8_lossy(line).into_owned())
            }
            _ => None,
        })
    }

    /// Every line the programs printed on stderr, in order (bytes that are
    /// not UTF-8 replaced).
    #[must_use]
    pub fn stderr_lines(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Output {
                    stream: Stream::Stderr,
                    line,
                } => Some(String::from_utf8_lossy(line).into_owned()),
                _ => None,
            })
            .collect()
    }

    /// Pairs of (location, message) of Rust panics printed on stderr.
    /// Rust prints `thread 'main' panicked at FILE:LINE:COL:` and the message
    /// on the next line.
    fn panic_lines(&self) -> impl Iterator<Item = (String, String)> + '_ {
        let stderr = self.stderr_lines();
        let mut found = Vec::new();
        for (i, line) in stderr.iter().enumerate() {
            if let Some(rest) = line.split_once("panicked at ").map(|(_, rest)| rest) {
                let location = rest.trim_end_matches(':').to_owned();
                let message = stderr.get(i + 1).cloned().unwrap_or_default();
                found.push((location, message));
            }
        }
        found.into_iter()
    }

    /// Whether any blocking step ran out of time.
    pub fn timed_out(&self) -> bool {
        self.timeout_event().is_some()
    }

    /// The first event that says a deadline passed: a step that timed
    /// out, or a program killed after its time.
    pub fn timeout_event(&self) -> Option<&Event> {
        self.events.iter().find(|e| {
            matches!(
                e.kind,
                EventKind::TimedOut { .. }
                    | EventKind::Exited {
                        how: ExitHow::KilledAfter(_)
                    }
            )
        })
    }
}

fn replace_number(text: &str, value: &str, name: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(value) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + value.len()..].chars().next();
        out.push_str(&rest[..at]);
        if before.is_some_and(|c| c.is_ascii_digit()) || after.is_some_and(|c| c.is_ascii_digit()) {
            out.push_str(value);
        } else {
            out.push_str(name);
        }
        rest = &rest[at + value.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn ports_are_redacted_only_as_whole_numbers() {
        assert_eq!(
            replace_number("127.0.0.1:40123 and 401234", "40123", "<p>"),
            "127.0.0.1:<p> and 401234"
        );
    }

    #[test]
    fn todo_location_is_read_from_the_panic_message() {
        let log = Log::default();
        for line in [
            "thread 'main' panicked at labs/01-tcp-once/src/bin/lab01-server.rs:42:5:",
            "not yet implemented: bind the socket",
        ] {
            log.push(
                "lab01-server",
                EventKind::Output {
                    stream: Stream::Stderr,
                    line: line.as_bytes().to_vec(),
                },
            );
        }
        let t = log.snapshot();
        assert_eq!(
            t.todo_location().as_deref(),
            Some("labs/01-tcp-once/src/bin/lab01-server.rs:42")
        );
    }

    #[test]
    fn render_names_the_actor_of_each_line() {
        let log = Log::default();
        log.redact_port(40000, "server-port");
        log.push(
            "client",
            EventKind::Connected {
                to: "127.0.0.1:40000".into(),
            },
        );
        log.push(
            "client",
            EventKind::Sent {
                to: "lab01-server".into(),
                bytes: b"123".to_vec(),
            },
        );
        assert_eq!(
            log.snapshot().render(),
            "[client] connected to 127.0.0.1:<server-port>\n[client] sent 3 bytes to lab01-server: \"123\"\n"
        );
    }
}
