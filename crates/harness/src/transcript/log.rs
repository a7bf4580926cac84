//! [`Log`]: the transcript while a scenario runs, shared by every handle
//! that records into it.

use super::{Event, EventKind, Redaction, Transcript};
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

/// The shared, growing transcript that every handle of a scenario writes
/// to. Scenarios are single-threaded scripts, so an `Rc<RefCell<_>>` is
/// all the sharing needed.
#[derive(Clone, Default)]
pub(crate) struct Log(Rc<RefCell<Transcript>>);

/// Terse, so that every handle holding the log can derive `Debug`.
impl fmt::Debug for Log {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let events = self.0.try_borrow().map_or(0, |t| t.events.len());
        f.debug_struct("Log").field("events", &events).finish()
    }
}

impl Log {
    pub(crate) fn push(&self, actor: &str, kind: EventKind) {
        if matches!(kind, EventKind::TimedOut { .. }) {
            self.look_at_programs();
        }
        let mut t = self.0.borrow_mut();
        let late = t.story_stopped
            && matches!(
                kind,
                EventKind::Output { .. } | EventKind::OutputTruncated { .. }
            );
        let actor = if late {
            format!("{actor}{}", super::AFTER_THE_STOP)
        } else {
            actor.to_owned()
        };
        t.events.push(Event { actor, kind });
    }

    /// Records that a step failed and the story stopped: the output read
    /// from now on is marked as such.
    pub(crate) fn story_stopped(&self) {
        self.0.borrow_mut().story_stopped = true;
    }

    pub(crate) fn say(&self, actor: &str, text: impl Into<String>) {
        self.push(actor, EventKind::Said(text.into()));
    }

    /// Records a limit of this system for the verdict (once), not for the
    /// rendered transcript.
    pub(crate) fn note(&self, text: &str) {
        let mut t = self.0.borrow_mut();
        if !t.notes.iter().any(|n| n == text) {
            t.notes.push(text.to_owned());
        }
    }

    /// Records that a limit stopped a program (once): the verdict is that
    /// line, whatever the transcript says.
    pub(crate) fn stopped(&self, line: &str) {
        let mut t = self.0.borrow_mut();
        if !t.stopped.iter().any(|n| n == line) {
            t.stopped.push(line.to_owned());
        }
    }

    /// Remembers a program under test, to look at if a step times out.
    pub(crate) fn started(&self, name: &str, pid: u32) {
        self.0.borrow_mut().programs.push((name.to_owned(), pid));
    }

    /// Forgets a program that has ended (its process id may be reused).
    pub(crate) fn ended(&self, pid: u32) {
        self.0.borrow_mut().programs.retain(|(_, p)| *p != pid);
    }

    /// Records what each running program under test is doing, once: at
    /// the first timeout, before anything is killed.
    pub(crate) fn look_at_programs(&self) {
        let programs = {
            let t = self.0.borrow();
            if !t.stuck.is_empty() {
                return;
            }
            t.programs.clone()
        };
        let stuck: Vec<_> = programs
            .iter()
            .filter_map(|(name, pid)| crate::stuck::look(name, *pid))
            .collect();
        self.0.borrow_mut().stuck = stuck;
    }

    /// Shows `port` as `<name>` in the rendered transcript.
    pub(crate) fn redact_port(&self, port: u16, name: &str) {
        let mut t = self.0.borrow_mut();
        let value = port.to_string();
        if !t.redactions.iter().any(|r| r.value == value) {
            t.redactions.push(Redaction {
                value,
                name: format!("<{name}>"),
            });
        }
    }

    pub(crate) fn snapshot(&self) -> Transcript {
        self.0.borrow().clone()
    }
}
