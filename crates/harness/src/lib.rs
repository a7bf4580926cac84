//! The socket-labs harness: runs a lab's programs against a scripted peer
//! and records what happened as a [`Transcript`] that insta snapshots check.
//!
//! # Layout
//!
//! - [`escape`]: how bytes are shown (UTF-8 text, `\xNN` for the rest),
//!   folded for transcripts over [`labkit::bytes`].
//! - [`transcript`]: the ordered events of a scenario and their rendering,
//!   with ports redacted.
//! - [`process`]: a program under test as a child process: deadline,
//!   capped output capture, killing the whole process tree.
//! - [`child`]: a process group of its own, an exit awaited with a
//!   deadline, the tree killed as one (also used by xtask).
//! - [`peer`]: the scripted other side: TCP client, TCP server, UDP.
//! - [`jail`]: when the grader asks, programs under test start in a
//!   nested sandbox, one step further removed than the judging test.
//! - [`pace`]: paced delivery, a peer's pieces read one `read` each
//!   (deterministic short reads); [`suspend`]: Ctrl-Z on a program blocked
//!   in a write (deterministic short writes); `Scenario::connect_together`
//!   (`together.rs`): clients that connect while the server is suspended,
//!   so one readiness event announces them all; [`limits`]: the memory and
//!   file limits of programs under test; [`slow_reader`]: a client that
//!   leaves a non-blocking server's replies unread until its writes stop
//!   short (deterministic partial writes). Linux; elsewhere they fall back
//!   and the verdict says so.
//! - `Program::expect_lines_joined` (`joined.rs`): the lines a program
//!   prints one per read, checked joined, however the kernel cut the bytes.
//! - [`report`]: the per-scenario verdict files that `cargo xtask
//!   check-lab` and the grader read, and the [`assert_transcript!`] macro.
//! - [`seed`] and [`property`]: seeded, randomized property scenarios
//!   beside the snapshot stories, with a verdict file each.
//!
//! # A scenario
//!
//! ```no_run
//! // In a lab's tests: env!("CARGO_BIN_EXE_lab01-server").
//! const SERVER: &str = "target/debug/lab01-server";
//! let transcript = harness::run(|s| {
//!     let mut server = s.start_server(SERVER, &[])?;
//!     let mut client = s.connect("client", &server)?;
//!     client.send("123")?;
//!     server.expect_line()?;
//!     client.recv_exact("已收到".len())?;
//!     client.expect_eof()?;
//!     server.expect_exit()
//! });
//! harness::assert_transcript!("server_normal_exchange", "What the scenario shows.", transcript);
//! ```
//!
//! # Invariants
//!
//! - Nothing sleeps to synchronise: every wait is on a real condition (a
//!   line printed, bytes queued, EOF, an exit) with a deadline.
//! - The harness never binds a fixed port: peers use `127.0.0.1:0`.
//! - The order of a transcript is the order of the script's steps.

mod bind_check;
pub mod child;
pub mod escape;
mod interrupt;
pub mod jail;
mod joined;
pub mod limits;
#[cfg(target_os = "linux")]
mod observe;
pub mod pace;
pub mod peer;
pub mod process;
pub mod property;
pub mod report;
pub mod seed;
mod settle;
pub mod slow_reader;
pub mod sockopt;
pub mod stuck;
pub mod suspend;
mod together;
pub mod transcript;

pub use peer::{TcpPeer, TcpServerPeer, UdpPeer, describe_io_error};
pub use process::Program;
pub use transcript::{Event, EventKind, ExitHow, Stream, Transcript};

#[doc(hidden)]
pub use insta as __insta;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;
use transcript::Log;

/// The deadline of every blocking step: a read, a write, an accept, a
/// connect, waiting for a line or an exit. Loopback answers in well under a
/// millisecond, so two seconds only ever runs out when a program is stuck.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(2);

/// Whether the harness can see the kernel's socket queues and a program's
/// threads (Linux's `/proc`). A story that needs a server to hold replies
/// it could not write (a slow reader, [`slow_reader`]) before something
/// else happens cannot be told without it: where this is false, such a
/// story records [`report::record_not_checkable`] instead of running.
pub fn sees_socket_queues() -> bool {
    #[cfg(target_os = "linux")]
    {
        observe::available()
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

/// After a failed step, how long a program may take to exit by itself
/// before the harness stops it.
const STOP_GRACE: Duration = Duration::from_millis(500);

/// At the end of a scenario that ran to its end, how long a program that
/// is still running may take to exit by itself before the harness stops
/// it. A correct server never exits and costs this much per scenario; a
/// wrong one that exits after its last client (lab 2's classic mistake)
/// gets the time to do so, so its transcript says "exited" on every run
/// instead of racing the harness.
const END_GRACE: Duration = Duration::from_millis(100);

/// A step could not go on; why is already in the transcript. Scenario
/// scripts pass it on with `?` and the harness then tears everything down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stop;

/// The result of a scenario step.
pub type Step<T = ()> = Result<T, Stop>;

/// The state of one running scenario: its transcript and the programs it
/// started (stopped when the scenario ends).
#[derive(Debug, Default)]
pub struct Scenario {
    log: Log,
    started: Vec<Program>,
}

/// Runs a scenario script and returns its transcript.
///
/// Whatever way the script ends (all steps done, or a step returned
/// [`Stop`]), every program it started is stopped, and its remaining output
/// and exit status are recorded.
pub fn run(script: impl FnOnce(&mut Scenario) -> Step) -> Transcript {
    let mut scenario = Scenario::default();
    let outcome = script(&mut scenario);
    // A program may be about to exit by itself (a step failed, or a wrong
    // server leaves after its last client): give each a moment to do so,
    // so that a transcript says "exited" or "stopped" the same way each run.
    let grace = if outcome.is_err() {
        scenario.log.story_stopped();
        STOP_GRACE
    } else {
        END_GRACE
    };
    for program in &scenario.started {
        program.stop_at_end(grace);
    }
    scenario.log.snapshot()
}

impl Scenario {
    /// Records a sentence said by the harness: a step of the story that is
    /// not itself a socket call.
    pub fn say(&self, text: impl Into<String>) {
        self.log.say("harness", text);
    }

    /// Starts a program under test with `args`, stdin closed.
    pub fn start(&mut self, path: impl AsRef<Path>, args: &[&str]) -> Step<Program> {
        self.spawn(path.as_ref(), args, false)
    }

    /// Starts a program under test whose stdin the script writes with
    /// [`Program::type_line`] and closes with [`Program::close_stdin`].
    pub fn start_with_stdin(&mut self, path: impl AsRef<Path>, args: &[&str]) -> Step<Program> {
        self.spawn(path.as_ref(), args, true)
    }

    fn spawn(&mut self, path: &Path, args: &[&str], stdin: bool) -> Step<Program> {
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        let running = process::Running::spawn(&self.log, path, &args, stdin).map_err(|e| {
            self.log.say(
                "harness",
                format!("could not start {}: {e}", path.display()),
            );
            Stop
        })?;
        let program = Program(std::rc::Rc::new(std::cell::RefCell::new(running)));
        self.started.push(program.clone());
        Ok(program)
    }

    /// Starts a server under test on `127.0.0.1:0` (plus `extra_args`) and
    /// waits for its first stdout line, which must be `listening on IP:PORT`
    /// with the address it really bound. Its port is shown as
    /// `<server-port>` from then on.
    pub fn start_server(
        &mut self,
        path: impl AsRef<Path>,
        extra_args: &[&str],
    ) -> Step<ServerUnderTest> {
        let mut args = vec!["127.0.0.1:0"];
        args.extend_from_slice(extra_args);
        self.start_server_at(path, &args)
    }

    /// Like [`Self::start_server`] with the exact arguments given (the first
    /// is the address to bind).
    pub fn start_server_at(
        &mut self,
        path: impl AsRef<Path>,
        args: &[&str],
    ) -> Step<ServerUnderTest> {
        let program = self.start(path, args)?;
        self.await_listening(program, args)
    }

    /// Like [`Self::start_server`], with a stdin the script writes and
    /// closes ([`Program::close_stdin`]): for a server that stops at the
    /// end of its input (lab 6), which a closed stdin would stop at once.
    pub fn start_server_with_stdin(
        &mut self,
        path: impl AsRef<Path>,
        extra_args: &[&str],
    ) -> Step<ServerUnderTest> {
        let mut args = vec!["127.0.0.1:0"];
        args.extend_from_slice(extra_args);
        let program = self.start_with_stdin(path, &args)?;
        self.await_listening(program, &args)
    }

    /// Waits for a started server's `listening on IP:PORT` line.
    fn await_listening(&mut self, mut program: Program, args: &[&str]) -> Step<ServerUnderTest> {
        let line = program.expect_line_within(process::START_TIMEOUT)?;
        let text = String::from_utf8_lossy(&line);
        let addr = text
            .strip_prefix("listening on ")
            .and_then(|rest| rest.trim().parse::<SocketAddr>().ok());
        match addr {
            Some(addr) => {
                if let Some(problem) = args.first().and_then(|requested| {
                    bind_check::ignored_addr(&program.name(), requested, addr)
                }) {
                    self.log.say("harness", problem);
                    return Err(Stop);
                }
                self.log.redact_port(addr.port(), "server-port");
                Ok(ServerUnderTest { program, addr })
            }
            None => {
                self.log.say(
                    "harness",
                    format!(
                        "the first line of {} must be `listening on IP:PORT` with the address it bound",
                        program.name()
                    ),
                );
                Err(Stop)
            }
        }
    }

    /// A scripted TCP client, named `name`, connects to a server under test.
    pub fn connect(&mut self, name: &str, server: &ServerUnderTest) -> Step<TcpPeer> {
        let mut peer = TcpPeer::connect(&self.log, name, &server.program.name(), server.addr)?;
        peer.program = Some(server.program.clone());
        Ok(peer)
    }

    /// A scripted TCP client connects to any address (named `other`).
    pub fn connect_to(&mut self, name: &str, other: &str, addr: SocketAddr) -> Step<TcpPeer> {
        TcpPeer::connect(&self.log, name, other, addr)
    }

    /// A scripted TCP server listening on `127.0.0.1:0`.
    pub fn listen(&mut self, name: &str) -> Step<TcpServerPeer> {
        TcpServerPeer::bind(&self.log, name)
    }

    /// Reserves a TCP port on `127.0.0.1` where nothing listens: a socket
    /// is bound there but never calls `listen`, so the kernel answers a
    /// connection attempt with RST ("connection refused"). Unlike binding
    /// and closing a listener, this keeps the port: no other socket of a
    /// scenario running at the same time can take it in between. The port
    /// is shown as `<NAME-port>`; it is freed when the returned socket is
    /// dropped.
    pub fn reserve_port(&mut self, name: &str) -> Step<(socket2::Socket, SocketAddr)> {
        use socket2::{Domain, Socket, Type};
        let reserved = Socket::new(Domain::IPV4, Type::STREAM, None).and_then(|socket| {
            socket.bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())?;
            let addr = socket
                .local_addr()?
                .as_socket()
                .ok_or_else(|| std::io::Error::other("not an IP address"))?;
            Ok((socket, addr))
        });
        match reserved {
            Ok((socket, addr)) => {
                self.log.redact_port(addr.port(), &peer::port_name(name));
                self.log.say(
                    "harness",
                    format!("reserved {addr} for the {name}: a socket is bound there but does not listen, so nothing accepts connections"),
                );
                Ok((socket, addr))
            }
            Err(e) => Err(peer::could_not(&self.log, "harness", "reserve a port", &e)),
        }
    }

    /// A scripted UDP socket bound to `127.0.0.1:0`.
    pub fn udp(&mut self, name: &str) -> Step<UdpPeer> {
        UdpPeer::bind(&self.log, name)
    }
}

/// A server program under test, with the address it printed.
#[derive(Debug)]
pub struct ServerUnderTest {
    pub program: Program,
    pub addr: SocketAddr,
}

impl std::ops::Deref for ServerUnderTest {
    type Target = Program;
    fn deref(&self) -> &Program {
        &self.program
    }
}

impl std::ops::DerefMut for ServerUnderTest {
    fn deref_mut(&mut self) -> &mut Program {
        &mut self.program
    }
}
