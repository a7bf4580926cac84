//! Scripted peers: the other end of the conversation, played by the harness.
//!
//! A peer does one step at a time, records what happened in the transcript,
//! and gives up with a timeout line rather than hang: every connect, accept,
//! read and write here has a deadline ([`STEP_TIMEOUT`]). A step that cannot
//! go on (refused, reset, timed out) records why and returns [`Stop`], which
//! the scenario script passes on with `?`.
//!
//! Peers bind `127.0.0.1:0` and let the kernel choose the port: the harness
//! never binds a fixed port, so scenarios can run in parallel.
//!
//! - [`tcp`]: [`TcpPeer`], one end of a TCP connection (connected by the
//!   harness, or accepted by a [`TcpServerPeer`]); [`queued`]: its wait
//!   until bytes are queued; [`fin`]: its wait until its FIN has arrived.
//! - [`tcp_server`]: [`TcpServerPeer`], a listening socket.
//! - [`udp`]: [`UdpPeer`], a UDP socket.

mod fin;
mod queued;
mod tcp;
mod tcp_server;
mod udp;

pub use tcp::TcpPeer;
pub use tcp_server::TcpServerPeer;
pub use udp::UdpPeer;

use crate::transcript::{EventKind, Log};
use crate::{STEP_TIMEOUT, Step, Stop};
use std::io;
use std::net::SocketAddr;

/// How an `io::Error` from a peer's call is described in a transcript: the
/// same words the lab programs use (labkit), without the OS's error number,
/// so that the text is the same on every machine.
pub use labkit::describe_io_error;

/// The name an actor's port is shown as: `client 2` → `<client2-port>`.
pub(crate) fn port_name(actor: &str) -> String {
    format!("{}-port", actor.replace(' ', ""))
}

/// Binds a socket of `actor` on `127.0.0.1:0` with `bind`, and shows the
/// port the kernel chose as `<ACTOR-port>`. A failure is recorded as
/// `could not DOING 127.0.0.1:0: WHY`.
pub(crate) fn bind_any_port<S>(
    log: &Log,
    actor: &str,
    doing: &str,
    bind: impl FnOnce(SocketAddr) -> io::Result<S>,
    local_addr: impl FnOnce(&S) -> io::Result<SocketAddr>,
) -> Step<(S, SocketAddr)> {
    let any_port = SocketAddr::from(([127, 0, 0, 1], 0));
    let bound = bind(any_port).and_then(|socket| {
        let addr = local_addr(&socket)?;
        Ok((socket, addr))
    });
    let (socket, addr) =
        bound.map_err(|e| could_not(log, actor, &format!("{doing} {any_port}"), &e))?;
    log.redact_port(addr.port(), &port_name(actor));
    Ok((socket, addr))
}

/// Records that a step of `actor` ran out of time ([`STEP_TIMEOUT`])
/// waiting for `waiting_for`, and stops the scenario.
pub(crate) fn timed_out(log: &Log, actor: &str, waiting_for: impl Into<String>) -> Stop {
    log.push(
        actor,
        EventKind::TimedOut {
            after: STEP_TIMEOUT,
            waiting_for: waiting_for.into(),
        },
    );
    Stop
}

/// Records `could not WHAT: WHY` said by `actor`, and stops the scenario.
pub(crate) fn could_not(log: &Log, actor: &str, what: &str, e: &io::Error) -> Stop {
    log.say(actor, format!("could not {what}: {}", describe_io_error(e)));
    Stop
}

/// Records `CALL failed: WHY` said by `actor`, and stops the scenario.
pub(crate) fn call_failed(log: &Log, actor: &str, call: &str, e: &io::Error) -> Stop {
    log.say(actor, format!("{call} failed: {}", describe_io_error(e)));
    Stop
}
