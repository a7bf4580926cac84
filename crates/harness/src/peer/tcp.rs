//! [`TcpPeer`]: one end of a TCP connection, played by the harness.

use super::{call_failed, could_not, port_name, timed_out};
use crate::transcript::{EventKind, Log};
use crate::{STEP_TIMEOUT, Step, Stop};
use labkit::is_timeout;
use socket2::SockRef;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// One end of a TCP connection, played by the harness.
#[derive(Debug)]
pub struct TcpPeer {
    pub(crate) name: String,
    pub(crate) other: String,
    pub(crate) stream: TcpStream,
    pub(crate) log: Log,
    /// Bytes already read from the socket that the script has not received
    /// yet (only where [`Self::wait_until_queued`] has to read to wait);
    /// every read takes these first.
    pub(crate) held: Vec<u8>,
    /// The program under test on the other side, when the harness started
    /// it: [`Self::expect_nothing_yet`] waits until it has settled.
    pub(crate) program: Option<crate::Program>,
}

impl TcpPeer {
    pub(crate) fn connect(log: &Log, name: &str, other: &str, addr: SocketAddr) -> Step<TcpPeer> {
        let stream = TcpStream::connect_timeout(&addr, STEP_TIMEOUT)
            .map_err(|e| could_not(log, name, &format!("connect to {addr}"), &e))?;
        if let Ok(local) = stream.local_addr() {
            log.redact_port(local.port(), &port_name(name));
        }
        log.push(
            name,
            EventKind::Connected {
                to: addr.to_string(),
            },
        );
        Ok(TcpPeer::new(log, name, other, stream))
    }

    pub(crate) fn new(log: &Log, name: &str, other: &str, stream: TcpStream) -> TcpPeer {
        TcpPeer {
            name: name.to_owned(),
            other: other.to_owned(),
            stream,
            log: log.clone(),
            held: Vec::new(),
            program: None,
        }
    }

    /// The socket, for steps a lab needs that this type does not offer
    /// (set an option, read it back). Record what you do with [`Self::say`].
    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// Records a sentence said by this peer.
    pub fn say(&self, text: impl Into<String>) {
        self.log.say(&self.name, text);
    }

    /// Sets TCP_NODELAY (turns Nagle's algorithm off) on this peer's socket.
    pub fn set_nodelay(&mut self) -> Step {
        self.stream
            .set_nodelay(true)
            .map_err(|e| self.fail("set TCP_NODELAY", &e))?;
        self.say("set TCP_NODELAY: each write goes out at once (Nagle's algorithm off)");
        Ok(())
    }

    fn fail(&self, what: &str, e: &io::Error) -> Stop {
        could_not(&self.log, &self.name, what, e)
    }

    /// Records that this peer ran out of time waiting for `waiting_for`.
    pub(crate) fn timed_out(&self, waiting_for: impl Into<String>) -> Stop {
        timed_out(&self.log, &self.name, waiting_for)
    }

    /// Writes all of `bytes` in one `write_all` call.
    pub fn send(&mut self, bytes: impl AsRef<[u8]>) -> Step {
        let bytes = bytes.as_ref();
        let _ = self.stream.set_write_timeout(Some(STEP_TIMEOUT));
        match self.stream.write_all(bytes) {
            Ok(()) => {
                self.log.push(
                    &self.name,
                    EventKind::Sent {
                        to: self.other.clone(),
                        bytes: bytes.to_vec(),
                    },
                );
                Ok(())
            }
            Err(e) if is_timeout(&e) => Err(self.not_read_in_time()),
            Err(e) => Err(self.fail(&format!("send {} bytes", bytes.len()), &e)),
        }
    }

    /// A write did not finish in time: the other side does not read.
    fn not_read_in_time(&self) -> Stop {
        self.timed_out(format!("{} to read what it was sent", self.other))
    }

    /// Writes `bytes` as a series of separate writes of `piece_len` bytes
    /// (the last may be shorter), with TCP_NODELAY set so that each piece
    /// leaves as its own segment instead of waiting to be merged: the other
    /// side sees the message trickle in. Recorded as one event.
    pub fn send_in_pieces(&mut self, bytes: impl AsRef<[u8]>, piece_len: usize) -> Step {
        let bytes = bytes.as_ref();
        let piece_len = piece_len.max(1);
        self.stream
            .set_nodelay(true)
            .map_err(|e| self.fail("set TCP_NODELAY", &e))?;
        let _ = self.stream.set_write_timeout(Some(STEP_TIMEOUT));
        let deadline = Instant::now() + STEP_TIMEOUT;
        for piece in bytes.chunks(piece_len) {
            if Instant::now() > deadline {
                return Err(self.not_read_in_time());
            }
            if let Err(e) = self.stream.write_all(piece) {
                return Err(self.fail(&format!("send {} bytes in pieces", bytes.len()), &e));
            }
        }
        let pieces = bytes.len().div_ceil(piece_len);
        let each = if piece_len == 1 {
            "1 byte each".to_owned()
        } else {
            format!("at most {piece_len} bytes each")
        };
        self.say(format!(
            "sent {} bytes to {} in {pieces} separate writes of {each} (TCP_NODELAY on): {}",
            bytes.len(),
            self.other,
            crate::escape::quote_bytes(bytes)
        ));
        Ok(())
    }

    /// One read into `buf`: the bytes held back first, else the socket.
    pub(crate) fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.held.is_empty() {
            return self.stream.read(buf);
        }
        let n = buf.len().min(self.held.len());
        buf[..n].copy_from_slice(&self.held[..n]);
        self.held.drain(..n);
        Ok(n)
    }

    /// One `read` with a buffer of `buffer_size` bytes, as the tutorial's
    /// `recv(1024)`: returns whatever the kernel has queued (at least one
    /// byte), or an empty vector at EOF.
    pub fn recv(&mut self, buffer_size: usize) -> Step<Vec<u8>> {
        let _ = self.stream.set_read_timeout(Some(STEP_TIMEOUT));
        let mut buf = vec![0u8; buffer_size];
        match self.read(&mut buf) {
            Ok(n) => {
                buf.truncate(n);
                self.record_received(&buf);
                Ok(buf)
            }
            Err(e) => Err(self.read_failed(&e, "a reply")),
        }
    }

    /// Reads until `len` bytes have arrived, the peer closes, or the step
    /// times out; records them as one event. Use it where how the bytes
    /// were cut into reads does not matter, so that the transcript does not
    /// depend on it.
    pub fn recv_exact(&mut self, len: usize) -> Step<Vec<u8>> {
        let deadline = Instant::now() + STEP_TIMEOUT;
        let mut got = Vec::with_capacity(len);
        let mut buf = vec![0u8; len.max(1)];
        while got.len() < len {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(self.short_of(&got, len));
            }
            let _ = self.stream.set_read_timeout(Some(left));
            match self.read(&mut buf[..len - got.len()]) {
                Ok(0) => {
                    if !got.is_empty() {
                        self.record_received(&got);
                    }
                    self.record_received(&[]);
                    return Err(Stop);
                }
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if is_timeout(&e) => return Err(self.short_of(&got, len)),
                Err(e) => {
                    if !got.is_empty() {
                        self.record_received(&got);
                    }
                    return Err(self.read_failed(&e, "a reply"));
                }
            }
        }
        self.record_received(&got);
        Ok(got)
    }

    /// `recv_exact` ran out of time with `got` of the `len` bytes.
    fn short_of(&self, got: &[u8], len: usize) -> Stop {
        if !got.is_empty() {
            self.record_received(got);
        }
        self.timed_out(format!(
            "{len} bytes from {} (got {})",
            self.other,
            got.len()
        ))
    }

    /// Reads and expects the other side to have closed: records EOF (FIN),
    /// a reset (RST), or whatever arrived instead. EOF and reset both end
    /// the conversation, so both return `Ok` and the script goes on; the
    /// transcript says which it was.
    pub fn expect_eof(&mut self) -> Step {
        let _ = self.stream.set_read_timeout(Some(STEP_TIMEOUT));
        let mut buf = [0u8; 1024];
        match self.read(&mut buf) {
            Ok(0) => {
                self.record_received(&[]);
                Ok(())
            }
            Err(e) if e.kind() == ErrorKind::ConnectionReset => {
                self.say(format!(
                    "read failed: connection reset by peer ({} closed with RST instead of FIN)",
                    self.other
                ));
                Ok(())
            }
            Ok(n) => {
                self.record_received(&buf[..n]);
                self.say("expected EOF here, but more bytes arrived");
                Err(Stop)
            }
            Err(e) => Err(self.read_failed(&e, "the connection to close")),
        }
    }

    /// Checks, without waiting, that nothing has arrived: a non-blocking
    /// read that must fail with `WouldBlock`. Whatever arrived instead
    /// (bytes, or EOF) is recorded and the scenario stops.
    pub fn expect_nothing_yet(&mut self) -> Step {
        // Only once the program has done all it will do with what it has
        // (crate::settle) does "nothing yet" mean "nothing at all".
        if let Some(program) = &self.program {
            if program.settle() == crate::settle::Settled::Busy {
                self.log
                    .say("harness", crate::settle::busy_line(&program.name()));
                return Err(Stop);
            }
        }
        // Nor while bytes the program wrote are still on their way here.
        crate::slow_reader::wait_until_nothing_in_flight(&self.stream);
        let _ = self.stream.set_nonblocking(true);
        let mut buf = [0u8; 1024];
        let result = self.read(&mut buf);
        let _ = self.stream.set_nonblocking(false);
        match result {
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                self.say(format!(
                    "nothing has arrived from {} yet (a non-blocking read would block)",
                    self.other
                ));
                Ok(())
            }
            // Bytes (or EOF) where nothing was expected: the transcript
            // shows them, and the scenario stops there, so that this is the
            // first line that differs from the snapshot.
            Ok(n) => {
                self.record_received(&buf[..n]);
                Err(Stop)
            }
            Err(e) => Err(self.read_failed(&e, "nothing")),
        }
    }

    /// Closes the sending side (`shutdown(SHUT_WR)`): the other side's next
    /// read returns 0 bytes, while this side can still read replies.
    pub fn shutdown_write(&mut self) -> Step {
        self.stream
            .shutdown(Shutdown::Write)
            .map_err(|e| self.fail("shut down its sending side", &e))?;
        self.say("closed its sending side (shutdown Write): the other side reads EOF");
        Ok(())
    }

    /// Closes the connection normally (FIN).
    pub fn close(self) {
        self.say("closed the connection");
    }

    /// Aborts the connection: SO_LINGER with a zero timeout makes `close`
    /// send RST instead of FIN, so the other side's next read fails with
    /// "connection reset by peer" (RFC 793, section 3.4, "Reset Generation").
    pub fn reset(self) {
        let _ = SockRef::from(&self.stream).set_linger(Some(Duration::ZERO));
        self.say("reset the connection (SO_LINGER 0, so close sends RST instead of FIN)");
    }

    fn record_received(&self, bytes: &[u8]) {
        if bytes.is_empty() {
            self.log.push(
                &self.name,
                EventKind::Eof {
                    from: self.other.clone(),
                },
            );
        } else {
            self.log.push(
                &self.name,
                EventKind::Received {
                    from: self.other.clone(),
                    bytes: bytes.to_vec(),
                    truncated_from: None,
                },
            );
        }
    }

    /// A read failed while waiting for `waiting_for`: a timeout line, or
    /// `read failed: WHY`.
    pub(crate) fn read_failed(&self, e: &io::Error, waiting_for: &str) -> Stop {
        if is_timeout(e) {
            self.timed_out(format!("{waiting_for} from {}", self.other))
        } else {
            call_failed(&self.log, &self.name, "read", e)
        }
    }
}
