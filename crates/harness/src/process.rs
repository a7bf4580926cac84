//! Running a program under test: spawn, capture, wait, kill.
//!
//! Student programs hang, flood their output and spawn children. Every call
//! here has a deadline, output is captured with a size cap, and the whole
//! process tree is killed at the end of a scenario ([`crate::child`]: a
//! process group of its own, killed as one).
//!
//! Two reader threads ([`capture`]) drain stdout and stderr into channels
//! line by line, always, so a program is never blocked on a full pipe; a
//! waiter thread ([`Exit`]) owns the `Child` and reports its exit status on
//! a third channel. The scenario script (one thread) receives from these
//! channels with `recv_timeout`: waiting on the real event, never sleeping.

mod capture;

use crate::child::{self, Exit};
use crate::transcript::{EventKind, ExitHow, Log, Stream};
use crate::{STEP_TIMEOUT, Stop};
use capture::{Chunk, spawn_reader};
pub use capture::{LINE_LIMIT, OUTPUT_LIMIT, cut_marker};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long a program may take to print its `listening on` line.
pub const START_TIMEOUT: Duration = Duration::from_secs(5);

/// The state behind a [`Program`] handle.
#[derive(Debug)]
pub(crate) struct Running {
    name: String,
    log: Log,
    stdin: Option<ChildStdin>,
    stdout: Receiver<Chunk>,
    stderr: Receiver<Chunk>,
    exit: Exit,
    ended: bool,
    scratch: PathBuf,
    /// Its disk in the grader's jail, checked when it has ended.
    disk: Option<crate::jail::Slot>,
}

impl Running {
    pub(crate) fn spawn(
        log: &Log,
        path: &Path,
        args: &[String],
        stdin: bool,
    ) -> io::Result<Running> {
        let name = path.file_stem().map_or_else(
            || path.display().to_string(),
            |s| s.to_string_lossy().into_owned(),
        );
        // Each program runs in a fresh scratch directory, so whatever it
        // writes to its working directory cannot touch the lab's files.
        let scratch = std::env::temp_dir().join(format!(
            "socket-labs-{}-{}",
            std::process::id(),
            SCRATCH_COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&scratch)?;
        // Started directly, or jailed when the grader asks (see `jail`).
        let disk = crate::jail::Slot::take();
        let mut command = crate::jail::command(path, args, &scratch, disk.as_ref());
        command
            .env("RUST_BACKTRACE", "0")
            .env("RUST_LIB_BACKTRACE", "0")
            .env("NO_COLOR", "1")
            .stdin(if stdin { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        child::new_process_group(&mut command);
        if !crate::limits::apply(&mut command) {
            log.note(crate::limits::FALLBACK_NOTE);
        }
        let mut child = command.spawn()?;
        let stdin = child.stdin.take();
        let stdout = spawn_reader(child.stdout.take().expect("stdout is piped"));
        let stderr = spawn_reader(child.stderr.take().expect("stderr is piped"));
        let exit = Exit::watch(child);
        crate::interrupt::started(exit.pid());
        log.started(&name, exit.pid());
        log.push(
            &name,
            EventKind::Started {
                args: args.to_vec(),
            },
        );
        Ok(Running {
            name,
            log: log.clone(),
            stdin,
            stdout,
            stderr,
            exit,
            ended: false,
            scratch,
            disk,
        })
    }

    /// The program's name as it appears in the transcript: `lab01-server`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The scenario's transcript, which this program's lines go to.
    pub(crate) fn log(&self) -> &Log {
        &self.log
    }

    /// The program's process id (and its process group's), for what the
    /// harness reads of it in Linux's `/proc` (pacing, Ctrl-Z).
    #[cfg(target_os = "linux")]
    pub(crate) fn pid(&self) -> u32 {
        self.exit.pid()
    }

    /// Waits for the next line on stdout and records it.
    ///
    /// If the program ends without printing one, its remaining output and
    /// exit status are recorded and the scenario stops.
    pub fn expect_line(&mut self) -> Result<Vec<u8>, Stop> {
        self.expect_line_within(STEP_TIMEOUT)
    }

    pub(crate) fn expect_line_within(&mut self, timeout: Duration) -> Result<Vec<u8>, Stop> {
        let line = self.take_line_within(timeout)?;
        self.log.push(
            &self.name,
            EventKind::Output {
                stream: Stream::Stdout,
                line: line.clone(),
            },
        );
        Ok(line)
    }

    /// Waits for the next line on stdout like [`Self::expect_line_within`]
    /// but does not record it: for a step that sums up many lines in one
    /// transcript line. A missing line is recorded as usual.
    pub(crate) fn take_line_within(&mut self, timeout: Duration) -> Result<Vec<u8>, Stop> {
        match self.try_take_line(timeout)? {
            Some(line) => Ok(line),
            None => {
                self.log_line_timeout(timeout);
                Err(Stop)
            }
        }
    }

    /// Records that no line came within `after`.
    pub(crate) fn log_line_timeout(&self, after: Duration) {
        self.log.push(
            "harness",
            EventKind::TimedOut {
                after,
                waiting_for: format!("{} to print a line", self.name),
            },
        );
    }

    /// Like [`Self::take_line_within`], but no line within `timeout` is
    /// `Ok(None)`, and is not recorded: for a step that does something
    /// else between waits.
    pub(crate) fn try_take_line(&mut self, timeout: Duration) -> Result<Option<Vec<u8>>, Stop> {
        match self.stdout.recv_timeout(timeout) {
            Ok(Chunk::Line(line)) => Ok(Some(line)),
            Ok(Chunk::Truncated) => {
                self.log.push(
                    &self.name,
                    EventKind::OutputTruncated {
                        stream: Stream::Stdout,
                        limit: OUTPUT_LIMIT,
                    },
                );
                Err(Stop)
            }
            Err(RecvTimeoutError::Timeout) => Ok(None),
            Err(RecvTimeoutError::Disconnected) => {
                self.log.say(
                    "harness",
                    format!(
                        "{} closed its stdout without printing the expected line",
                        self.name
                    ),
                );
                self.expect_exit()?;
                Err(Stop)
            }
        }
    }

    /// Writes one line (a `\n` is added) to the program's stdin, as a user
    /// typing it would.
    pub fn type_line(&mut self, line: &str) -> Result<(), Stop> {
        let Some(mut stdin) = self.stdin.take() else {
            self.log.say(
                "harness",
                format!("{}'s stdin is already closed", self.name),
            );
            return Err(Stop);
        };
        // A pipe write blocks until the program has read all but 64 KiB of
        // it: a program that does not read its stdin would hold the
        // scenario forever. So the write runs on a thread of its own, and
        // the scenario waits for it at most the step timeout; a write left
        // blocked ends with an error when the program is killed.
        let bytes = format!("{line}\n").into_bytes();
        let (done, written) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let result = stdin.write_all(&bytes);
            let _ = done.send((stdin, result));
        });
        match written.recv_timeout(STEP_TIMEOUT) {
            Ok((stdin, Ok(()))) => {
                self.stdin = Some(stdin);
                self.log.say(
                    "harness",
                    format!(
                        "typed into {}'s stdin: {}",
                        self.name,
                        crate::escape::quote_bytes(line.as_bytes())
                    ),
                );
                Ok(())
            }
            Ok((stdin, Err(e))) => {
                self.stdin = Some(stdin);
                self.log.say(
                    "harness",
                    format!("could not write to {}'s stdin: {e}", self.name),
                );
                Err(Stop)
            }
            Err(_) => {
                self.log.push(
                    "harness",
                    EventKind::TimedOut {
                        after: STEP_TIMEOUT,
                        waiting_for: format!("{} to read what was typed into its stdin", self.name),
                    },
                );
                Err(Stop)
            }
        }
    }

    /// Closes stdin: the program's next read of it returns end of input.
    pub fn close_stdin(&mut self) {
        if self.stdin.take().is_some() {
            self.log.say(
                "harness",
                format!("closed {}'s stdin (end of input)", self.name),
            );
        }
    }

    /// Waits for the program to exit by itself, then records the rest of its
    /// output and its exit status. If it is still running after the step
    /// timeout, the harness kills it and the scenario stops.
    pub fn expect_exit(&mut self) -> Result<(), Stop> {
        if self.ended {
            return Ok(());
        }
        self.stdin = None;
        match self.exit.wait(STEP_TIMEOUT) {
            Some(status) => {
                self.finish(exit_how(status));
                Ok(())
            }
            None => {
                self.log.look_at_programs();
                self.kill_tree();
                self.finish(ExitHow::KilledAfter(STEP_TIMEOUT));
                Err(Stop)
            }
        }
    }

    /// Called at the end of every scenario: a program still running is
    /// stopped (servers in a loop never exit by themselves).
    pub(crate) fn stop_at_end(&mut self, grace: Duration) {
        if self.ended {
            return;
        }
        self.stdin = None;
        match self.exit.wait(grace) {
            Some(status) => self.finish(exit_how(status)),
            None => {
                self.kill_tree();
                self.finish(ExitHow::StoppedAtEnd);
            }
        }
    }

    /// Stops the program now, in the middle of the scenario, as a user
    /// pressing Ctrl-C in its terminal would (it is killed with its children;
    /// the kernel then closes every socket it had open). If it had already
    /// exited by itself, that exit is recorded instead.
    pub(crate) fn stop_now(&mut self) {
        if self.ended {
            return;
        }
        self.stdin = None;
        match self.exit.wait(Duration::ZERO) {
            Some(status) => self.finish(exit_how(status)),
            None => {
                self.kill_tree();
                self.finish(ExitHow::StoppedMidScenario);
            }
        }
    }

    /// Records the remaining output (stdout first, then stderr) and how the
    /// program ended. Children it left behind are killed first, so they
    /// cannot keep the pipes open.
    fn finish(&mut self, how: ExitHow) {
        self.kill_tree();
        let _ = self.exit.wait(STEP_TIMEOUT);
        let deadline = Instant::now() + STEP_TIMEOUT;
        for (stream, rx) in [
            (Stream::Stdout, &self.stdout),
            (Stream::Stderr, &self.stderr),
        ] {
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                match rx.recv_timeout(left) {
                    Ok(Chunk::Line(line)) => self
                        .log
                        .push(&self.name, EventKind::Output { stream, line }),
                    Ok(Chunk::Truncated) => self.log.push(
                        &self.name,
                        EventKind::OutputTruncated {
                            stream,
                            limit: OUTPUT_LIMIT,
                        },
                    ),
                    Err(_) => break,
                }
            }
        }
        self.log.push(&self.name, EventKind::Exited { how });
        self.log.ended(self.exit.pid());
        crate::interrupt::ended(self.exit.pid());
        self.ended = true;
        let _ = std::fs::remove_dir_all(&self.scratch);
        if self.disk.take().is_some_and(crate::jail::Slot::release) {
            self.log.stopped(crate::jail::FILLED);
        }
    }

    fn kill_tree(&self) {
        child::kill_tree(self.exit.pid());
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if !self.ended {
            self.kill_tree();
            crate::interrupt::ended(self.exit.pid());
        }
        let _ = std::fs::remove_dir_all(&self.scratch);
        if let Some(disk) = self.disk.take() {
            disk.release();
        }
    }
}

static SCRATCH_COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// How a program ended, from its exit status (a failed `wait`: status -1).
fn exit_how(status: io::Result<ExitStatus>) -> ExitHow {
    let Ok(status) = status else {
        return ExitHow::Code(-1);
    };
    if let Some(code) = status.code() {
        return crate::jail::exit_code(code);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return ExitHow::Signal(signal);
        }
    }
    ExitHow::Code(-1)
}

/// A program under test, started by [`crate::Scenario::start`] and its
/// siblings. The scenario keeps a second handle, so that when the script
/// ends the program is stopped and its last output recorded in order.
#[derive(Clone, Debug)]
pub struct Program(pub(crate) std::rc::Rc<std::cell::RefCell<Running>>);

impl Program {
    /// The program's name as it appears in the transcript: `lab01-server`.
    pub fn name(&self) -> String {
        self.0.borrow().name().to_owned()
    }

    /// Waits (at most [`STEP_TIMEOUT`]) for the next line on stdout and
    /// records it. If the program ends without printing one, its remaining
    /// output and exit status are recorded and the scenario stops.
    pub fn expect_line(&mut self) -> Result<Vec<u8>, Stop> {
        self.0.borrow_mut().expect_line()
    }

    /// Writes one line (a `\n` is added) to stdin, as a user typing it.
    pub fn type_line(&mut self, line: &str) -> Result<(), Stop> {
        self.0.borrow_mut().type_line(line)
    }

    /// Closes stdin: the program's next read of it returns end of input.
    pub fn close_stdin(&mut self) {
        self.0.borrow_mut().close_stdin();
    }

    /// Waits for the program to exit by itself, then records the rest of its
    /// output and its exit status. If it is still running after
    /// [`STEP_TIMEOUT`], the harness kills it and the scenario stops.
    pub fn expect_exit(&mut self) -> Result<(), Stop> {
        self.0.borrow_mut().expect_exit()
    }

    /// Stops the program now (a server that would loop forever), as Ctrl-C
    /// would, and records its remaining output and that it was stopped.
    /// `finish` waits for the exit, so when this returns the program is gone
    /// and the kernel has closed its sockets: a peer's next read sees it.
    pub fn stop(&mut self) {
        self.0.borrow_mut().stop_now();
    }

    /// Like [`Self::expect_line`], with a deadline of its own: for an
    /// answer that takes the program longer than a step (lab 5's probe
    /// reading 16 MiB of frames).
    pub fn expect_line_within(&mut self, timeout: Duration) -> Result<Vec<u8>, Stop> {
        self.0.borrow_mut().expect_line_within(timeout)
    }

    /// The most memory the program has held resident so far, in bytes,
    /// read from outside it (Linux's `/proc/PID/status`, `VmHWM`, of the
    /// program itself when jailed): a number the program cannot change.
    /// `None` where there is no `/proc` (Windows, macOS), or once it has
    /// ended.
    pub fn peak_resident_bytes(&self) -> Option<u64> {
        #[cfg(target_os = "linux")]
        {
            let running = self.0.borrow();
            if running.ended {
                return None;
            }
            crate::observe::peak_resident(running.pid())
        }
        #[cfg(not(target_os = "linux"))]
        None
    }

    pub(crate) fn try_take_line(&mut self, timeout: Duration) -> Result<Option<Vec<u8>>, Stop> {
        self.0.borrow_mut().try_take_line(timeout)
    }

    pub(crate) fn log_line_timeout(&self, after: Duration) {
        self.0.borrow().log_line_timeout(after);
    }

    pub(crate) fn stop_at_end(&self, grace: Duration) {
        self.0.borrow_mut().stop_at_end(grace);
    }
}
