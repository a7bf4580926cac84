//! [`TcpPeer::wait_until_queued`]: waiting until the other side's writes
//! have all arrived, so that one read takes them together.

use super::TcpPeer;
use crate::{STEP_TIMEOUT, Step};
use labkit::is_timeout;
use std::io::{self, Read};
use std::net::TcpStream;
use std::time::Instant;

/// Why a wait for queued bytes ended without them: the deadline (`None`),
/// or an error of the socket.
type NotQueued = Option<io::Error>;

impl TcpPeer {
    /// Blocks until at least `len` bytes are queued in this socket's receive
    /// buffer (or the other side closed), without reading them, so that the
    /// next [`Self::recv`] sees them all at once.
    ///
    /// This is how the scenarios make TCP's merging of writes happen every
    /// time. On Unix the kernel does the waiting: with SO_RCVLOWAT set to
    /// `len`, `recv(MSG_PEEK)` returns only once `len` bytes are queued,
    /// the other side closed, or the deadline passed. Windows has no
    /// SO_RCVLOWAT for TCP: there the harness reads the bytes as they come
    /// and holds them back for the next read, which sees them in one piece.
    pub fn wait_until_queued(&mut self, len: usize) -> Step {
        let outcome = if cfg!(unix) {
            self.peek_until_queued(len)
        } else {
            self.read_until_held(len)
        };
        match outcome {
            Ok(()) => {
                self.say(format!(
                    "waited until {len} bytes were queued, without reading them"
                ));
                Ok(())
            }
            Err(None) => {
                Err(self.timed_out(format!("{len} bytes from {} to be queued", self.other)))
            }
            Err(Some(e)) => Err(self.read_failed(&e, "bytes to be queued")),
        }
    }

    /// One peek, held back by the kernel until `len` bytes are queued. A
    /// shorter peek means the deadline passed, or the other side closed
    /// after fewer bytes; either way `len` bytes will not come in time,
    /// which the transcript records as the timeout (as it always has).
    fn peek_until_queued(&mut self, len: usize) -> Result<(), NotQueued> {
        set_receive_low_water_mark(&self.stream, len);
        let _ = self.stream.set_read_timeout(Some(STEP_TIMEOUT));
        let mut buf = vec![0u8; len];
        let peeked = self.stream.peek(&mut buf);
        set_receive_low_water_mark(&self.stream, 1);
        match peeked {
            // 0 bytes: the other side closed and nothing is queued; the
            // next read records the EOF.
            Ok(n) if n >= len || n == 0 => Ok(()),
            Ok(_) => Err(None),
            Err(e) if is_timeout(&e) => Err(None),
            Err(e) => Err(Some(e)),
        }
    }

    /// Reads until `len` bytes are held back for the next read (see
    /// [`TcpPeer::wait_until_queued`]). Each read blocks until more bytes
    /// arrive, the other side closes, or the deadline passes.
    fn read_until_held(&mut self, len: usize) -> Result<(), NotQueued> {
        let deadline = Instant::now() + STEP_TIMEOUT;
        let mut buf = vec![0u8; len];
        while self.held.len() < len {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(None);
            }
            let _ = self.stream.set_read_timeout(Some(left));
            let want = len - self.held.len();
            match self.stream.read(&mut buf[..want]) {
                // EOF, as with the peek: fine when nothing was queued (the
                // next read records it), a shortfall otherwise.
                Ok(0) if self.held.is_empty() => return Ok(()),
                Ok(0) => return Err(None),
                Ok(n) => self.held.extend_from_slice(&buf[..n]),
                Err(e) if is_timeout(&e) => return Err(None),
                Err(e) => return Err(Some(e)),
            }
        }
        Ok(())
    }
}

#[cfg(unix)]
fn set_receive_low_water_mark(stream: &TcpStream, len: usize) {
    use std::os::fd::AsRawFd;
    let value = libc::c_int::try_from(len).unwrap_or(libc::c_int::MAX);
    set_int_option(
        stream.as_raw_fd(),
        libc::SOL_SOCKET,
        libc::SO_RCVLOWAT,
        value,
    );
}

#[cfg(not(unix))]
fn set_receive_low_water_mark(_stream: &TcpStream, _len: usize) {
    // Windows has no SO_RCVLOWAT for TCP; wait_until_queued reads instead.
}

#[cfg(unix)]
#[allow(unsafe_code)]
fn set_int_option(
    fd: std::os::fd::RawFd,
    level: libc::c_int,
    name: libc::c_int,
    value: libc::c_int,
) {
    // SAFETY: setsockopt reads `size_of::<c_int>()` bytes from a pointer to
    // a live local c_int; `fd` is a socket we own for the whole call.
    unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&raw const value).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::Log;
    use pretty_assertions::assert_eq;
    use std::io::Write;
    use std::net::TcpListener;

    /// A harness peer (`server`) and the other end of its connection.
    fn pair(log: &Log) -> (TcpPeer, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let other = TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
        let (stream, _) = listener.accept().expect("accept");
        (TcpPeer::new(log, "server", "client", stream), other)
    }

    fn writes_then_close(mut other: TcpStream, pieces: &[&str]) {
        other.set_nodelay(true).expect("nodelay");
        for piece in pieces {
            other.write_all(piece.as_bytes()).expect("write");
        }
    }

    fn script(wait: fn(&mut TcpPeer, usize) -> Result<(), NotQueued>) -> String {
        let log = Log::default();
        let (mut peer, other) = pair(&log);
        writes_then_close(other, &["hel", "lo", "!"]);
        wait(&mut peer, 6).expect("6 bytes queued");
        peer.recv(1024).expect("recv");
        peer.expect_eof().expect("EOF");
        log.snapshot().render()
    }

    const MERGED: &str = "[server] received 6 bytes from client: \"hello!\"\n\
         [server] received EOF: client closed the connection (a read of 0 bytes)\n";

    #[test]
    #[cfg(unix)]
    fn waiting_by_peeking_makes_one_read_take_every_write() {
        // Without SO_RCVLOWAT the peek could return after the first write.
        assert_eq!(script(TcpPeer::peek_until_queued), MERGED);
    }

    #[test]
    fn waiting_by_holding_makes_one_read_take_every_write() {
        assert_eq!(script(TcpPeer::read_until_held), MERGED);
    }

    #[test]
    fn fewer_bytes_then_a_close_is_recorded_as_the_timeout() {
        let log = Log::default();
        let (mut peer, other) = pair(&log);
        writes_then_close(other, &["hi"]);
        assert_eq!(peer.wait_until_queued(6), Err(crate::Stop));
        assert_eq!(
            log.snapshot().render(),
            "[server] timed out after 2s waiting for 6 bytes from client to be queued\n"
        );
    }
}
