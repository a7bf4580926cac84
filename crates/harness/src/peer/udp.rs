//! [`UdpPeer`]: a UDP socket played by the harness.

use super::{bind_any_port, call_failed, could_not, timed_out};
use crate::transcript::{EventKind, Log};
use crate::{STEP_TIMEOUT, Step};
use labkit::is_timeout;
use std::net::{SocketAddr, UdpSocket};

/// Larger than any UDP payload (65507 bytes over IPv4, 65527 over IPv6): a
/// peek with a buffer this size learns a datagram's real length.
const ANY_DATAGRAM: usize = 64 * 1024;

/// A UDP socket played by the harness.
#[derive(Debug)]
pub struct UdpPeer {
    name: String,
    socket: UdpSocket,
    pub(crate) log: Log,
}

impl UdpPeer {
    pub(crate) fn bind(log: &Log, name: &str) -> Step<UdpPeer> {
        let (socket, _) = bind_any_port(log, name, "bind", UdpSocket::bind, UdpSocket::local_addr)?;
        Ok(UdpPeer {
            name: name.to_owned(),
            socket,
            log: log.clone(),
        })
    }

    /// This peer's address (with the port the kernel chose).
    pub fn addr(&self) -> SocketAddr {
        self.socket
            .local_addr()
            .expect("a bound UDP socket has an address")
    }

    /// The socket, for steps this type does not offer.
    pub fn socket(&self) -> &UdpSocket {
        &self.socket
    }

    /// Records a sentence said by this peer.
    pub fn say(&self, text: impl Into<String>) {
        self.log.say(&self.name, text);
    }

    /// Sends `bytes` as one datagram to `to` (named `other` in the
    /// transcript). A failure (such as EMSGSIZE for a datagram too large)
    /// is recorded, and the scenario stops.
    pub fn send_to(&mut self, bytes: impl AsRef<[u8]>, to: SocketAddr, other: &str) -> Step {
        let bytes = bytes.as_ref();
        self.socket.send_to(bytes, to).map_err(|e| {
            let what = format!("send {} bytes to {other}", bytes.len());
            could_not(&self.log, &self.name, &what, &e)
        })?;
        self.log.push(
            &self.name,
            EventKind::Sent {
                to: other.to_owned(),
                bytes: bytes.to_vec(),
            },
        );
        Ok(())
    }

    /// Receives one datagram into a buffer of `buffer_size` bytes, as the
    /// tutorial's `recvfrom(1024)`, and says whether it was truncated.
    ///
    /// To know the datagram's real length and its sender, the harness first
    /// peeks at it with a buffer larger than any datagram, then receives it
    /// with the small buffer.
    pub fn recv_from(&mut self, buffer_size: usize, other: &str) -> Step<(Vec<u8>, SocketAddr)> {
        let _ = self.socket.set_read_timeout(Some(STEP_TIMEOUT));
        let mut whole = vec![0u8; ANY_DATAGRAM];
        let (real_len, from) = self.socket.peek_from(&mut whole).map_err(|e| {
            if is_timeout(&e) {
                timed_out(&self.log, &self.name, format!("a datagram from {other}"))
            } else {
                call_failed(&self.log, &self.name, "recvfrom", &e)
            }
        })?;
        let mut buf = vec![0u8; buffer_size];
        let n = labkit::received_len(self.socket.recv_from(&mut buf), buffer_size)
            .map_err(|e| call_failed(&self.log, &self.name, "recvfrom", &e))?;
        buf.truncate(n);
        self.log.push(
            &self.name,
            EventKind::Received {
                from: other.to_owned(),
                bytes: buf.clone(),
                truncated_from: (real_len > n).then_some(real_len),
            },
        );
        Ok((buf, from))
    }
}
