//! Waiting until a program under test has nothing left to do.
//!
//! "Nothing has arrived yet" is only a fact once the program on the other
//! side has done everything it is going to do with what it was sent so far.
//! A wrong server that serves a second client on a new thread (lab 2's
//! backlog story) replies to it a little later than the check looks, so a
//! plain non-blocking read passes it on a loaded machine now and then.
//!
//! On Linux the harness reads the program's threads in `/proc` (see
//! [`crate::observe`]) and waits until every one of them sleeps in the
//! kernel, twice in a row with the same sleep counts: no thread is running
//! or woke up in between, so whatever the program does next needs
//! something new from outside. Loopback delivers a `send` into the
//! receiver's queue before `send` returns, so anything the program sent
//! is then already in the peer's socket. Elsewhere there is no `/proc`;
//! the check reads at once, as before, and is weaker there.

use crate::Program;

/// How waiting for a program to settle ended.
// Without /proc only `Unavailable` is ever made (and `Busy` compared with).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Settled {
    /// Every thread sleeps, twice in a row with the same counts.
    Idle,
    /// The program is gone (exited, or not readable any more).
    Gone,
    /// A thread was still running when the deadline passed: a busy loop.
    Busy,
    /// This system cannot show it (no `/proc`): nothing was waited for.
    Unavailable,
}

/// A poll that times out sooner than this, with nothing to do, is a slow
/// busy loop: a thousand wake-ups a second for a 1 ms timeout. (A longer
/// timeout may serve housekeeping, and is allowed.)
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
const SHORT_POLL_MS: i32 = 1000;

/// The transcript's line for a program that was still running when it
/// should have been waiting: `name` is its transcript name.
pub(crate) fn busy_line(name: &str) -> String {
    format!(
        "{name} was still running after {}s without waiting for anything: a busy loop?",
        crate::STEP_TIMEOUT.as_secs()
    )
}

impl Program {
    /// Checks that the program waits for something from outside (a server
    /// waiting in `accept` for its next client), as settled above: every
    /// thread asleep in the kernel. A program still running after
    /// [`crate::STEP_TIMEOUT`] is in a busy loop, and one asleep in a poll
    /// (`epoll_wait`) with a timeout below a second is a slow one: either is
    /// recorded and the scenario stops. Without `/proc` nothing can be seen
    /// and it passes.
    pub fn expect_waiting(&mut self) -> Result<(), crate::Stop> {
        let name = self.name();
        let log = self.0.borrow().log().clone();
        let settled = self.settle();
        if settled == Settled::Busy {
            log.say("harness", busy_line(&name));
            return Err(crate::Stop);
        }
        // A program that is gone polls nothing: its end shows next.
        if let Some(ms) = (settled != Settled::Gone)
            .then(|| self.short_poll_timeout())
            .flatten()
        {
            log.say(
                "harness",
                format!(
                    "{name} sleeps in a poll with a timeout of {ms} ms: it wakes up every {ms} ms \
                     with nothing to do (a poll without a timeout, None, waits until something \
                     happens)"
                ),
            );
            return Err(crate::Stop);
        }
        log.say(
            "harness",
            format!("{name} waits, every thread asleep (not a busy loop)"),
        );
        Ok(())
    }

    /// Waits (at most [`crate::STEP_TIMEOUT`]) until the program has
    /// nothing left to do: see the [module documentation](self).
    #[cfg(target_os = "linux")]
    pub(crate) fn settle(&self) -> Settled {
        use crate::observe;
        use std::time::Instant;
        if !observe::available() {
            return Settled::Unavailable;
        }
        let pid = self.0.borrow().pid();
        let deadline = Instant::now() + crate::STEP_TIMEOUT;
        let mut last = None;
        loop {
            if !observe::alive(pid) {
                return Settled::Gone;
            }
            let look = observe::all_asleep(pid);
            if look.is_some() && look == last {
                return Settled::Idle;
            }
            last = look;
            if Instant::now() >= deadline {
                return Settled::Busy;
            }
            std::thread::yield_now();
        }
    }

    /// Without `/proc` there is nothing to wait on.
    #[cfg(not(target_os = "linux"))]
    pub(crate) fn settle(&self) -> Settled {
        Settled::Unavailable
    }

    /// The timeout of a poll (`epoll_wait`) a thread sleeps in, if it is
    /// below [`SHORT_POLL_MS`]: the program wakes up that often for nothing.
    /// A thread that woke up at the end of its timeout is looked at again
    /// (within [`crate::STEP_TIMEOUT`]) until it sleeps in its poll again.
    #[cfg(target_os = "linux")]
    fn short_poll_timeout(&self) -> Option<i32> {
        let pid = self.0.borrow().pid();
        let deadline = std::time::Instant::now() + crate::STEP_TIMEOUT;
        loop {
            if let Some(timeouts) = crate::observe::poll_timeouts(pid) {
                return timeouts
                    .into_iter()
                    .filter(|ms| (0..SHORT_POLL_MS).contains(ms))
                    .min();
            }
            if std::time::Instant::now() >= deadline {
                return None;
            }
            std::thread::yield_now();
        }
    }

    /// Without `/proc` nothing can be seen.
    #[cfg(not(target_os = "linux"))]
    fn short_poll_timeout(&self) -> Option<i32> {
        None
    }
}
