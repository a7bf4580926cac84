//! Socket behaviour that differs between Linux, macOS and Windows, each
//! mapped to one meaning, so that a lab's own code is the socket calls
//! only. Each helper names the systems that differ and how.

use std::io::{self, ErrorKind};
use std::net::SocketAddr;

/// The value to give SO_REUSEADDR so that a restarted server can bind its
/// port at once: `true` on Unix; `false` on Windows, where SO_REUSEADDR
/// would let a second server take a port that is in use (std's
/// `TcpListener::bind` makes the same choice).
pub const REUSE_ADDRESS: bool = cfg!(unix);

/// Whether a read or write failed because its timeout passed: Unix reports
/// that as `WouldBlock` (EAGAIN), Windows as `TimedOut`.
pub fn is_timeout(error: &io::Error) -> bool {
    matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// Whether a failed `accept` was a client that gave up while it waited in
/// the backlog: BSD and macOS report that (ECONNABORTED) to the server;
/// Linux drops such a connection silently. It is not the server's fault:
/// accept the next client.
pub fn is_aborted_before_accept(error: &io::Error) -> bool {
    error.kind() == ErrorKind::ConnectionAborted
}

/// Whether a UDP socket's call failed because an earlier datagram it sent
/// was refused (an ICMP "port unreachable"): Windows reports that on the
/// next `recv_from` as a reset (WSAECONNRESET); Unix does not report it on
/// a socket that is not connected. For UDP it means only that one datagram
/// found nobody: the socket goes on working.
pub fn is_unreachable_reset(error: &io::Error) -> bool {
    error.kind() == ErrorKind::ConnectionReset
}

/// The length that `recv_from` into a buffer of `buffer_len` bytes
/// received, the same on every system: a datagram longer than the buffer
/// fills it and the rest is lost. Unix returns the cut length; Windows
/// fills the buffer but reports the cut as the error WSAEMSGSIZE (10040).
///
/// # Errors
///
/// Any other error of `recv_from`, unchanged.
pub fn received_len(
    result: io::Result<(usize, SocketAddr)>,
    buffer_len: usize,
) -> io::Result<usize> {
    match result {
        Ok((n, _from)) => Ok(n),
        Err(e) if cfg!(windows) && e.raw_os_error() == Some(10040) => Ok(buffer_len),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_is_either_kind() {
        assert!(is_timeout(&io::Error::from(ErrorKind::WouldBlock)));
        assert!(is_timeout(&io::Error::from(ErrorKind::TimedOut)));
        assert!(!is_timeout(&io::Error::from(ErrorKind::ConnectionReset)));
    }

    #[test]
    fn received_len_passes_other_errors_on() {
        let from = SocketAddr::from(([127, 0, 0, 1], 9));
        assert_eq!(received_len(Ok((7, from)), 1024).unwrap(), 7);
        let refused = received_len(Err(ErrorKind::ConnectionRefused.into()), 1024);
        assert_eq!(refused.unwrap_err().kind(), ErrorKind::ConnectionRefused);
    }
}
