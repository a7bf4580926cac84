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
        self.0.borrow_mut().events.push(Event {
            actor: actor.to_owned(),
            kind,
        });
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
