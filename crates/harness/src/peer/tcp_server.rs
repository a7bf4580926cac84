//! [`TcpServerPeer`]: a listening TCP socket played by the harness, for
//! labs whose program under test is a client.

use super::{TcpPeer, bind_any_port, call_failed, could_not, port_name, timed_out};
use crate::transcript::{EventKind, Log};
use crate::{STEP_TIMEOUT, Step};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;

/// A listening TCP socket played by the harness, for labs whose program
/// under test is a client.
#[derive(Debug)]
pub struct TcpServerPeer {
    name: String,
    listener: TcpListener,
    addr: SocketAddr,
    pub(crate) log: Log,
}

impl TcpServerPeer {
    pub(crate) fn bind(log: &Log, name: &str) -> Step<TcpServerPeer> {
        let (listener, addr) = bind_any_port(
            log,
            name,
            "listen on",
            TcpListener::bind,
            TcpListener::local_addr,
        )?;
        log.say(name, format!("listening on {addr}"));
        Ok(TcpServerPeer {
            name: name.to_owned(),
            listener,
            addr,
            log: log.clone(),
        })
    }

    /// The address to give the program under test.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Waits for the program under test to connect. `other` names it in the
    /// transcript.
    ///
    /// std's `accept` has no timeout, so it runs on a helper thread; if the
    /// deadline passes, the harness connects to its own listener to wake
    /// that thread, so no thread is left blocked.
    pub fn accept(&mut self, other: &str) -> Step<TcpPeer> {
        let listener = self
            .listener
            .try_clone()
            .map_err(|e| could_not(&self.log, &self.name, "accept", &e))?;
        let (tx, rx) = mpsc::channel();
        let worker = thread::spawn(move || {
            let _ = tx.send(listener.accept());
        });
        let Ok(accepted) = rx.recv_timeout(STEP_TIMEOUT) else {
            let _ = TcpStream::connect_timeout(&self.addr, STEP_TIMEOUT);
            let _ = worker.join();
            return Err(timed_out(
                &self.log,
                &self.name,
                format!("{other} to connect"),
            ));
        };
        let _ = worker.join();
        let (stream, from) =
            accepted.map_err(|e| call_failed(&self.log, &self.name, "accept", &e))?;
        self.log.redact_port(from.port(), &port_name(other));
        self.log.push(
            &self.name,
            EventKind::Accepted {
                from: format!("{other} ({from})"),
            },
        );
        Ok(TcpPeer::new(&self.log, &self.name, other, stream))
    }
}
