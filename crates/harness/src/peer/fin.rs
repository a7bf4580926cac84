//! [`TcpPeer::wait_until_fin_arrived`]: waiting until the other side's
//! kernel holds this side's FIN, so that what this side does next (a
//! reset, say) reaches the other side after the EOF, never before.

use super::TcpPeer;
use crate::Step;

impl TcpPeer {
    /// After [`Self::shutdown_write`]: waits until the other end of the
    /// connection has received the FIN, read in Linux's `/proc/net/tcp`
    /// (its socket is no longer ESTABLISHED: CLOSE_WAIT, or further on).
    /// Records nothing when it has; a FIN that has not arrived within the
    /// step's deadline is recorded as a timeout. Without `/proc` it
    /// returns at once (loopback delivers the FIN while `shutdown` runs,
    /// nearly always).
    pub fn wait_until_fin_arrived(&mut self) -> Step {
        if linux::fin_arrived(&self.stream) {
            return Ok(());
        }
        Err(self.timed_out(format!(
            "{}'s end of the connection to receive the FIN (EOF)",
            self.other
        )))
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use crate::{STEP_TIMEOUT, observe};
    use std::net::TcpStream;
    use std::time::Instant;

    /// `st` of an ESTABLISHED socket in `/proc/net/tcp`.
    const ESTABLISHED: u8 = 0x01;

    /// Whether the other end of `stream` left ESTABLISHED within the step's
    /// deadline (or cannot be seen: no `/proc`, or a socket no process
    /// holds any more).
    pub(super) fn fin_arrived(stream: &TcpStream) -> bool {
        let (Ok(ours), Ok(theirs)) = (stream.local_addr(), stream.peer_addr()) else {
            return true;
        };
        if !observe::available() {
            return true;
        }
        let deadline = Instant::now() + STEP_TIMEOUT;
        loop {
            match observe::socket_end(theirs.port(), ours.port()) {
                Some(end) if end.state == ESTABLISHED => {}
                _ => return true,
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::yield_now();
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod linux {
    use std::net::TcpStream;

    /// Nothing to look at without `/proc`.
    pub(super) fn fin_arrived(_stream: &TcpStream) -> bool {
        true
    }
}
