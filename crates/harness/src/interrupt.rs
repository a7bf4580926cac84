//! Ctrl-C (or SIGTERM, SIGHUP) while a scenario runs: the programs under
//! test end with the test process, on every Unix.
//!
//! Each program under test leads a process group of its own (see
//! [`crate::child`]), out of the terminal's reach, so the terminal's Ctrl-C
//! ends the test process and not them: they would run on, holding their
//! ports. `cargo xtask check-lab` finds and stops them through Linux's
//! `/proc`; a student on macOS, or anyone who runs `cargo test` directly,
//! has no such help. So the harness keeps the process ids of the programs
//! it has started and not yet seen end ([`started`], [`ended`]), and the
//! first one it starts installs a handler (the `ctrlc` crate, as xtask's)
//! that kills each one's process group and exits with status 130, as a
//! shell reports Ctrl-C.
//!
//! On Windows the programs share the console, whose Ctrl-C ends them too:
//! nothing is installed there.

#[cfg(unix)]
use std::sync::Once;
use std::sync::{Mutex, PoisonError};

/// The programs under test started and not yet seen to end.
static RUNNING: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// Installs the handler once per test process.
#[cfg(unix)]
static HANDLER: Once = Once::new();

/// Remembers `pid`, a program under test that leads its process group.
pub(crate) fn started(pid: u32) {
    #[cfg(unix)]
    HANDLER.call_once(|| {
        // Another handler already set in this process (a test's own) is
        // left alone: it decides what Ctrl-C does there.
        let _ = ctrlc::set_handler(stop_all_and_exit);
    });
    RUNNING
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(pid);
}

/// Forgets `pid`: it has ended (its id may be reused).
pub(crate) fn ended(pid: u32) {
    RUNNING
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .retain(|running| *running != pid);
}

/// The handler: kills every running program's process group, then exits.
#[cfg(unix)]
fn stop_all_and_exit() {
    let running = RUNNING.lock().unwrap_or_else(PoisonError::into_inner);
    for pid in running.iter() {
        crate::child::kill_tree(*pid);
    }
    std::process::exit(crate::child::INTERRUPTED);
}
