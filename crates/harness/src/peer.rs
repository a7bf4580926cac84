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

use crate::transcript::{EventKind, Log};
use crate::{STEP_TIMEOUT, Stop};
use socket2::SockRef;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// How an `io::Error` from a peer's call is described in a transcript: the
/// same words the lab programs use (labkit), without the OS's error number,
/// so that the text is the same on every machine.
pub use labkit::describe_io_error;

/// One end of a TCP connection, played by the harness.
pub struct TcpPeer {
    pub(crate) name: String,
    pub(crate) other: String,
    pub(crate) stream: TcpStream,
    pub(crate) log: Log,
}

impl std::fmt::Debug for TcpPeer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpPeer").field("name", &self.name).finish()
    }
}

impl TcpPeer {
    pub(crate) fn connect(
        log: &Log,
        name: &str,
        other: &str,
        addr: SocketAddr,
    ) -> Result<TcpPeer, Stop> {
        match TcpStream::connect_timeout(&addr, STEP_TIMEOUT) {
            Ok(stream) => {
                if let Ok(local) = stream.local_addr() {
                    log.redact_port(local.port(), &format!("{}-port", name.replace(' ', "")));
                }
                log.push(
                    name,
                    EventKind::Connected {
                        to: addr.to_string(),
                    },
                );
                Ok(TcpPeer::new(log, name, other, stream))
            }
            Err(e) => {
                log.say(
                    name,
                    format!("could not connect to {addr}: {}", describe_io_error(&e)),
                );
                Err(Stop)
            }
        }
    }

    fn new(log: &Log, name: &str, other: &str, stream: TcpStream) -> TcpPeer {
        TcpPeer {
            name: name.to_owned(),
            other: other.to_owned(),
            stream,
            log: log.clone(),
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
    pub fn set_nodelay(&mut self) -> Result<(), Stop> {
        self.stream
            .set_nodelay(true)
            .map_err(|e| self.fail("set TCP_NODELAY", &e))?;
        self.say("set TCP_NODELAY: each write goes out at once (Nagle's algorithm off)");
        Ok(())
    }

    pub(crate) fn fail(&self, what: &str, e: &io::Error) -> Stop {
        self.log.say(
            &self.name,
            format!("could not {what}: {}", describe_io_error(e)),
        );
        Stop
    }

    /// Writes all of `bytes` in one `write_all` call.
    pub fn send(&mut self, bytes: impl AsRef<[u8]>) -> Result<(), Stop> {
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
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                self.log.push(
                    &self.name,
                    EventKind::TimedOut {
                        after: STEP_TIMEOUT,
                        waiting_for: format!("{} to read what it was sent", self.other),
                    },
                );
                Err(Stop)
            }
            Err(e) => Err(self.fail(&format!("send {} bytes", bytes.len()), &e)),
        }
    }

    /// Writes `bytes` as a series of separate writes of `piece_len` bytes
    /// (the last may be shorter), with TCP_NODELAY set so that each piece
    /// leaves as its own segment instead of waiting to be merged: the other
    /// side sees the message trickle in. Recorded as one event.
    pub fn send_in_pieces(
        &mut self,
        bytes: impl AsRef<[u8]>,
        piece_len: usize,
    ) -> Result<(), Stop> {
        let bytes = bytes.as_ref();
        let piece_len = piece_len.max(1);
        self.stream
            .set_nodelay(true)
            .map_err(|e| self.fail("set TCP_NODELAY", &e))?;
        let _ = self.stream.set_write_timeout(Some(STEP_TIMEOUT));
        let deadline = Instant::now() + STEP_TIMEOUT;
        for piece in bytes.chunks(piece_len) {
            if Instant::now() > deadline {
                self.log.push(
                    &self.name,
                    EventKind::TimedOut {
                        after: STEP_TIMEOUT,
                        waiting_for: format!("{} to read what it was sent", self.other),
                    },
                );
                return Err(Stop);
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

    /// One `read` with a buffer of `buffer_size` bytes, as the tutorial's
    /// `recv(1024)`: returns whatever the kernel has queued (at least one
    /// byte), or an empty vector at EOF.
    pub fn recv(&mut self, buffer_size: usize) -> Result<Vec<u8>, Stop> {
        let _ = self.stream.set_read_timeout(Some(STEP_TIMEOUT));
        let mut buf = vec![0u8; buffer_size];
        match self.stream.read(&mut buf) {
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
    pub fn recv_exact(&mut self, len: usize) -> Result<Vec<u8>, Stop> {
        let deadline = Instant::now() + STEP_TIMEOUT;
        let mut got = Vec::with_capacity(len);
        let mut buf = vec![0u8; len.max(1)];
        while got.len() < len {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(self.timed_out(&got, len));
            }
            let _ = self.stream.set_read_timeout(Some(left));
            match self.stream.read(&mut buf[..len - got.len()]) {
                Ok(0) => {
                    if !got.is_empty() {
                        self.record_received(&got);
                    }
                    self.record_received(&[]);
                    return Err(Stop);
                }
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return Err(self.timed_out(&got, len));
                }
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

    fn timed_out(&self, got: &[u8], len: usize) -> Stop {
        if !got.is_empty() {
            self.record_received(got);
        }
        self.log.push(
            &self.name,
            EventKind::TimedOut {
                after: STEP_TIMEOUT,
                waiting_for: format!("{len} bytes from {} (got {})", self.other, got.len()),
            },
        );
        Stop
    }

    /// Reads and expects the other side to have closed: records EOF (FIN),
    /// a reset (RST), or whatever arrived instead. EOF and reset both end
    /// the conversation, so both return `Ok` and the script goes on; the
    /// transcript says which it was.
    pub fn expect_eof(&mut self) -> Result<(), Stop> {
        let _ = self.stream.set_read_timeout(Some(STEP_TIMEOUT));
        let mut buf = [0u8; 1024];
        match self.stream.read(&mut buf) {
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
    /// read that must fail with `WouldBlock`.
    pub fn expect_nothing_yet(&mut self) -> Result<(), Stop> {
        let _ = self.stream.set_nonblocking(true);
        let mut buf = [0u8; 1024];
        let result = self.stream.read(&mut buf);
        let _ = self.stream.set_nonblocking(false);
        match result {
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                self.say(format!(
                    "nothing has arrived from {} yet (a non-blocking read would block)",
                    self.other
                ));
                Ok(())
            }
            Ok(n) => {
                self.record_received(&buf[..n]);
                Ok(())
            }
            Err(e) => Err(self.read_failed(&e, "nothing")),
        }
    }

    /// Blocks until at least `len` bytes are queued in this socket's receive
    /// buffer (or the other side closed), without reading them, so that the
    /// next [`Self::recv`] sees them all at once.
    ///
    /// This is how the scenarios make TCP's merging of writes happen every
    /// time: on Linux the kernel wakes `recv(MSG_PEEK)` only when
    /// SO_RCVLOWAT bytes are queued; elsewhere the harness peeks in a loop
    /// until the deadline.
    pub fn wait_until_queued(&mut self, len: usize) -> Result<(), Stop> {
        let deadline = Instant::now() + STEP_TIMEOUT;
        set_receive_low_water_mark(&self.stream, len);
        let mut buf = vec![0u8; len];
        let outcome = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break Err(None);
            }
            let _ = self.stream.set_read_timeout(Some(left));
            match self.stream.peek(&mut buf) {
                Ok(n) if n >= len => break Ok(()),
                Ok(0) => break Ok(()),
                Ok(_) => thread::yield_now(),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    break Err(None);
                }
                Err(e) => break Err(Some(e)),
            }
        };
        set_receive_low_water_mark(&self.stream, 1);
        match outcome {
            Ok(()) => {
                self.say(format!(
                    "waited until {len} bytes were queued, without reading them"
                ));
                Ok(())
            }
            Err(None) => {
                self.log.push(
                    &self.name,
                    EventKind::TimedOut {
                        after: STEP_TIMEOUT,
                        waiting_for: format!("{len} bytes from {} to be queued", self.other),
                    },
                );
                Err(Stop)
            }
            Err(Some(e)) => Err(self.read_failed(&e, "bytes to be queued")),
        }
    }

    /// Closes the sending side (`shutdown(SHUT_WR)`): the other side's next
    /// read returns 0 bytes, while this side can still read replies.
    pub fn shutdown_write(&mut self) -> Result<(), Stop> {
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

    fn read_failed(&self, e: &io::Error, waiting_for: &str) -> Stop {
        if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) {
            self.log.push(
                &self.name,
                EventKind::TimedOut {
                    after: STEP_TIMEOUT,
                    waiting_for: format!("{waiting_for} from {}", self.other),
                },
            );
        } else {
            self.log
                .say(&self.name, format!("read failed: {}", describe_io_error(e)));
        }
        Stop
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
    // Windows has no SO_RCVLOWAT for TCP; wait_until_queued peeks in a loop.
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

/// A listening TCP socket played by the harness, for labs whose program
/// under test is a client.
pub struct TcpServerPeer {
    name: String,
    listener: TcpListener,
    addr: SocketAddr,
    log: Log,
}

impl std::fmt::Debug for TcpServerPeer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpServerPeer")
            .field("name", &self.name)
            .finish()
    }
}

impl TcpServerPeer {
    pub(crate) fn bind(log: &Log, name: &str) -> Result<TcpServerPeer, Stop> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| {
            log.say(
                name,
                format!("could not listen on 127.0.0.1:0: {}", describe_io_error(&e)),
            );
            Stop
        })?;
        let addr = listener.local_addr().map_err(|_| Stop)?;
        log.redact_port(addr.port(), &format!("{}-port", name.replace(' ', "")));
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
    pub fn accept(&mut self, other: &str) -> Result<TcpPeer, Stop> {
        let listener = self.listener.try_clone().map_err(|e| {
            self.log.say(
                &self.name,
                format!("could not accept: {}", describe_io_error(&e)),
            );
            Stop
        })?;
        let (tx, rx) = mpsc::channel();
        let worker = thread::spawn(move || {
            let _ = tx.send(listener.accept());
        });
        let accepted = match rx.recv_timeout(STEP_TIMEOUT) {
            Ok(result) => result,
            Err(_) => {
                let _ = TcpStream::connect_timeout(&self.addr, STEP_TIMEOUT);
                let _ = worker.join();
                self.log.push(
                    &self.name,
                    EventKind::TimedOut {
                        after: STEP_TIMEOUT,
                        waiting_for: format!("{other} to connect"),
                    },
                );
                return Err(Stop);
            }
        };
        let _ = worker.join();
        match accepted {
            Ok((stream, from)) => {
                self.log
                    .redact_port(from.port(), &format!("{}-port", other.replace(' ', "")));
                self.log.push(
                    &self.name,
                    EventKind::Accepted {
                        from: format!("{other} ({from})"),
                    },
                );
                Ok(TcpPeer::new(&self.log, &self.name, other, stream))
            }
            Err(e) => {
                self.log.say(
                    &self.name,
                    format!("accept failed: {}", describe_io_error(&e)),
                );
                Err(Stop)
            }
        }
    }
}

/// A UDP socket played by the harness.
pub struct UdpPeer {
    name: String,
    socket: UdpSocket,
    log: Log,
}

impl std::fmt::Debug for UdpPeer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UdpPeer").field("name", &self.name).finish()
    }
}

impl UdpPeer {
    pub(crate) fn bind(log: &Log, name: &str) -> Result<UdpPeer, Stop> {
        let socket = UdpSocket::bind("127.0.0.1:0").map_err(|e| {
            log.say(
                name,
                format!("could not bind 127.0.0.1:0: {}", describe_io_error(&e)),
            );
            Stop
        })?;
        if let Ok(local) = socket.local_addr() {
            log.redact_port(local.port(), &format!("{}-port", name.replace(' ', "")));
        }
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
    /// is recorded and returned, and the scenario may go on.
    pub fn send_to(
        &mut self,
        bytes: impl AsRef<[u8]>,
        to: SocketAddr,
        other: &str,
    ) -> Result<(), io::Error> {
        let bytes = bytes.as_ref();
        match self.socket.send_to(bytes, to) {
            Ok(_) => {
                self.log.push(
                    &self.name,
                    EventKind::Sent {
                        to: other.to_owned(),
                        bytes: bytes.to_vec(),
                    },
                );
                Ok(())
            }
            Err(e) => {
                self.log.say(
                    &self.name,
                    format!(
                        "could not send {} bytes to {other}: {}",
                        bytes.len(),
                        describe_io_error(&e)
                    ),
                );
                Err(e)
            }
        }
    }

    /// Receives one datagram into a buffer of `buffer_size` bytes, as the
    /// tutorial's `recvfrom(1024)`, and says whether it was truncated.
    ///
    /// To know the datagram's real length, the harness first peeks at it
    /// with a 64 KiB buffer (larger than any UDP payload: 65507 bytes over
    /// IPv4, 65527 over IPv6), then receives it with the small buffer.
    pub fn recv_from(
        &mut self,
        buffer_size: usize,
        other: &str,
    ) -> Result<(Vec<u8>, SocketAddr), Stop> {
        let _ = self.socket.set_read_timeout(Some(STEP_TIMEOUT));
        let mut whole = vec![0u8; 64 * 1024];
        let real_len = match self.socket.peek_from(&mut whole) {
            Ok((n, _)) => n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                self.log.push(
                    &self.name,
                    EventKind::TimedOut {
                        after: STEP_TIMEOUT,
                        waiting_for: format!("a datagram from {other}"),
                    },
                );
                return Err(Stop);
            }
            Err(e) => {
                self.log.say(
                    &self.name,
                    format!("recvfrom failed: {}", describe_io_error(&e)),
                );
                return Err(Stop);
            }
        };
        let mut buf = vec![0u8; buffer_size];
        let (n, from) = match self.socket.recv_from(&mut buf) {
            Ok(got) => got,
            // Windows reports a truncated datagram as WSAEMSGSIZE (10040)
            // after filling the buffer; Unix returns the cut length.
            Err(e) if e.raw_os_error() == Some(10040) => (buffer_size, self.addr()),
            Err(e) => {
                self.log.say(
                    &self.name,
                    format!("recvfrom failed: {}", describe_io_error(&e)),
                );
                return Err(Stop);
            }
        };
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
