//! A client that does not read: deterministic partial writes of a
//! non-blocking server (lab 7).
//!
//! A server's non-blocking `write` takes only what fits in the socket's
//! send buffer; the rest must wait in the server's own output buffer until
//! the socket is writable again. To see that on every run, the replies the
//! server owes a client must exceed what the kernel can hold for it: the
//! server's send buffer plus the client's receive buffer. On loopback the
//! kernel sizes a send buffer for 64 KiB segments (about 4 MB) and keeps
//! growing it while the connection lives (measured: 10,000 replies of 9
//! bytes still all held), far more than a test can make a server owe. So:
//!
//! - the slow client asks for the smallest receive buffer (SO_RCVBUF)
//!   before it connects;
//! - the harness sets the server's send buffer for that connection to the
//!   smallest size, through a copy of the server's descriptor
//!   (pidfd_getfd(2), Linux 5.6; the harness is the server's parent): a
//!   send buffer set by hand is no longer grown by the kernel. The
//!   kernel then holds about 2 KB of replies.
//!
//! Each 1-byte message is sent only once the server has printed the one
//! before, so each is one `read` and one reply, whatever the machine's
//! load. Now and then ([`replies_to_wait`]) the harness reads Linux's
//! `/proc/net/tcp` ([`crate::observe`]): the server's `tx_queue` plus the
//! client's `rx_queue` is what the kernel holds; once that is [`WAITING`]
//! bytes less than the replies owed, the server's writes have stopped
//! short and it holds the rest itself (or lost it: the client's final
//! read tells which). Without `/proc` nothing is shrunk or checked, and
//! the verdict says so.
//!
//! Buffers this small make the kernel itself stall now and then (a reply
//! dropped for want of memory takes the acknowledgements after it along:
//! see [`TcpPeer::take_line_unstuck`]). The harness tells that stall apart
//! from a server's fault by the kernel's own counters in `/proc/net/tcp`,
//! and waits it out without a word in the transcript: while the client's
//! message waits for a retransmission, and while the server's kernel still
//! holds replies it has not had acknowledged ([`KERNEL_RETRANSMITS`]).

use crate::escape::quote_bytes;
use crate::peer::{could_not, port_name, timed_out};
use crate::transcript::EventKind;
use crate::{Program, STEP_TIMEOUT, Scenario, ServerUnderTest, Step, Stop, TcpPeer};
use labkit::is_timeout;
use std::io::Read;
use std::net::TcpStream;
use std::time::Instant;

/// What the verdict says where the kernel's queues cannot be read.
pub(crate) const FALLBACK_NOTE: &str = "On this system the harness cannot read the kernel's \
     socket queues (no Linux /proc), so it did not check that the server's writes stopped \
     short: a server that drops the rest of a partial write may pass here, and fails on Linux. \
     / 本系统没有 Linux 的 /proc, 读不到内核的套接字队列, 所以没有检查服务器的写是否被截短: \
     丢掉部分写剩余数据的服务器在这里可能通过, 在 Linux 上会失败。";

/// How many reply bytes must be missing from the kernel's queues before
/// the writes count as stopped short: far more than the one reply a server
/// may have printed a line for but not written yet, and more than the
/// shrunk send buffer (4,608 bytes on Linux) can take in one write, so
/// that the server's first write once the client reads is partial too.
pub const WAITING: u64 = 6 * 1024;

/// How many more replies (of `reply_len` bytes) must be owed before the
/// kernel can hold `missing` bytes less than the replies owed: what it
/// holds never shrinks while the client reads nothing (the server's send
/// queue only moves to the client's receive queue), and each reply adds
/// `reply_len` bytes to what is owed. The queues are looked at only then:
/// each look reads all of `/proc/net/tcp`, which walks the kernel's whole
/// table of connections (a look every 50 replies took most of the story's
/// half a second).
fn replies_to_wait(missing: u64, reply_len: usize) -> usize {
    let len = reply_len.max(1) as u64;
    usize::try_from(missing.div_ceil(len)).map_or(usize::MAX, |n| n.max(1))
}

impl Scenario {
    /// A scripted client that will not read for a while: before it
    /// connects, it asks for the smallest receive buffer and segment size,
    /// so that the replies it leaves unread fill the kernel's buffers
    /// after a few kilobytes (see the [module documentation](self)).
    pub fn connect_slow_reader(&mut self, name: &str, server: &ServerUnderTest) -> Step<TcpPeer> {
        use socket2::{Domain, Protocol, Socket, Type};
        let other = server.program.name();
        let addr = server.addr;
        let stream = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
            .and_then(|socket| {
                socket.set_recv_buffer_size(1)?;
                socket.connect_timeout(&addr.into(), STEP_TIMEOUT)?;
                Ok(TcpStream::from(socket))
            })
            .map_err(|e| could_not(&self.log, name, &format!("connect to {addr}"), &e))?;
        if let Ok(local) = stream.local_addr() {
            self.log.redact_port(local.port(), &port_name(name));
        }
        self.log.push(
            name,
            EventKind::Connected {
                to: addr.to_string(),
            },
        );
        let mut peer = TcpPeer::new(&self.log, name, &other, stream);
        peer.program = Some(server.program.clone());
        peer.say(
            "before connecting, asked for the smallest receive buffer (SO_RCVBUF): the kernel \
             holds only a little of what the server sends it until it reads",
        );
        Ok(peer)
    }
}

impl TcpPeer {
    /// Sends `message` again and again, each time only once `server` has
    /// printed a line for the one before (so each is one `read` of the
    /// server, answered by one reply of `reply_len` bytes), reads none of
    /// the replies, and stops once the kernel holds at least [`WAITING`]
    /// bytes less than the replies owed: the server's writes have stopped
    /// short, and it holds the rest itself (or lost it). The server's send
    /// buffer grows as the connection goes on, so the count is found by
    /// looking at `/proc/net/tcp` ([`crate::observe`]) only when the
    /// answer can have changed ([`replies_to_wait`]); at most `max`
    /// messages. Records one transcript line and returns how many were
    /// sent.
    ///
    /// Without `/proc`, sends `max` messages and the verdict says that
    /// nothing was checked.
    pub fn send_until_replies_wait(
        &mut self,
        server: &mut Program,
        message: &[u8],
        reply_len: usize,
        max: usize,
    ) -> Step<usize> {
        let shrunk = shrink_send_buffer(self, server);
        self.log.say(
            "harness",
            format!(
                "set {}'s send buffer for this connection to the smallest size (SO_SNDBUF, on a \
                 copy of its descriptor): the kernel holds only a few kilobytes of its replies",
                server.name()
            ),
        );
        let expected = labkit::show(message).into_bytes();
        // Nothing can be missing from the kernel before WAITING bytes of
        // replies are owed.
        let mut next_look = replies_to_wait(WAITING, reply_len);
        let mut sent = 0;
        let mut stopped_short = false;
        while sent < max {
            if let Err(stop) = self.send_quietly(message) {
                self.say(format!("{sent} messages had been sent"));
                return Err(stop);
            }
            let line = self.take_line_unstuck(server, reply_len).inspect_err(|_| {
                self.say(format!("{} had printed {sent} messages", server.name()));
            })?;
            sent += 1;
            if line != expected {
                self.say(format!(
                    "message {sent}: {} printed {} instead of {}",
                    server.name(),
                    quote_bytes(&line),
                    quote_bytes(&expected)
                ));
                return Err(Stop);
            }
            if sent == next_look {
                let Some(held) = held_by_kernel(&self.stream) else {
                    next_look = max;
                    continue;
                };
                let owed = (sent * reply_len) as u64;
                let held = held + self.held.len() as u64;
                if held + WAITING <= owed {
                    stopped_short = true;
                    break;
                }
                next_look = sent + replies_to_wait(held + WAITING - owed, reply_len);
            }
        }
        let other = server.name();
        if !stopped_short {
            if shrunk && held_by_kernel(&self.stream).is_some() {
                self.say(format!(
                    "sent {sent} messages of {} to {other} one by one and read none of the \
                     replies, yet the kernel still held all of them: the writes never stopped short",
                    quote_bytes(message)
                ));
                return Err(Stop);
            }
            self.log.note(FALLBACK_NOTE);
        }
        self.say(format!(
            "sent messages of {} to {other} one by one, each only once {other} had printed the \
             one before (so each was one read), and read none of the replies, until the kernel \
             held more than {WAITING} bytes less than the replies owed (in {other}'s send buffer \
             and this client's receive buffer, both full): {other}'s writes stopped short, and \
             it must keep the rest in its own output buffer",
            quote_bytes(message)
        ));
        Ok(sent)
    }

    /// Waits for `server`'s next line, like `take_line_within`, and gets
    /// this client's connection out of a stall the kernel can fall into
    /// while it waits (see below). The replies read to do so are kept for
    /// [`Self::recv_repeated`] and not recorded, so the transcript is the
    /// same whether the stall happened or not.
    ///
    /// The stall (measured on Linux 6.x, in about 1 run in 30 under load,
    /// 2 of 60 in the grader): the server's 9-byte replies arrive as 9-byte
    /// segments, each costing this client's small receive buffer far more
    /// than 9 bytes, so the buffer can run out while the window it
    /// advertised still let the server send. The kernel then drops a reply
    /// it had room for in the window (`TCPRcvQDrop`, `RcvPruned` in
    /// `/proc/net/netstat`). The server's later segments start beyond this
    /// client's now-closed window and are discarded whole (`BeyondWindow`),
    /// with the acknowledgements they carry: this client's next message is
    /// never acknowledged, the kernel retransmits it with back-off, and the
    /// server, which did nothing wrong, prints nothing within the step's
    /// deadline. The sign is this client's own retransmission counter
    /// (`retrnsmt` in `/proc/net/tcp`), which stays 0 on a healthy loopback
    /// connection whatever the server does with what it receives. While it
    /// is above 0, the client reads the replies that have arrived (its
    /// window opens, and the server's segments are accepted again with
    /// their acknowledgements), and the step's deadline does not run: the
    /// message is the kernel's to deliver, and the server's 2 s start once
    /// it has. The kernel backs off from 200 ms, doubling, so the wait is
    /// bounded by [`MOST_RETRANSMITS`] timeouts in a row.
    ///
    /// The wait follows the kernel's count, not a count of checks:
    /// `retrnsmt` stays above 0 until the acknowledgement comes, so
    /// restarting the deadline at most 3 times, once per check (every
    /// 50 ms, as this did before), gave a stall 2.3 s in all, and a
    /// message the kernel delivered on its 4th retransmission (3 s late)
    /// still failed a correct server. `xtask/tests/slow_reader_stall.rs`
    /// drops transmissions with nftables to prove the wait.
    fn take_line_unstuck(&mut self, server: &mut Program, reply_len: usize) -> Step<Vec<u8>> {
        const SLICE: std::time::Duration = std::time::Duration::from_millis(50);
        let mut deadline = Instant::now() + STEP_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                server.log_line_timeout(STEP_TIMEOUT);
                return Err(Stop);
            }
            if let Some(line) = server.try_take_line(left.min(SLICE))? {
                return Ok(line);
            }
            let stalled = |q: &Queues| (1..=MOST_RETRANSMITS).contains(&q.retransmits);
            if let Some(q) = queues(&self.stream).filter(stalled) {
                self.read_what_has_arrived(q.received, reply_len)?;
                deadline = Instant::now() + STEP_TIMEOUT;
            }
        }
    }

    /// Reads the whole replies (of `reply_len` bytes) among the `arrived`
    /// bytes, without waiting for more, into the bytes kept for later reads.
    fn read_what_has_arrived(&mut self, arrived: u64, reply_len: usize) -> Step {
        let arrived = usize::try_from(arrived).unwrap_or(usize::MAX);
        let whole = arrived - arrived % reply_len.max(1);
        if whole == 0 {
            return Ok(());
        }
        let mut chunk = vec![0u8; whole];
        let _ = self.stream.set_read_timeout(Some(STEP_TIMEOUT));
        if let Err(e) = self.stream.read_exact(&mut chunk) {
            return Err(self.read_failed(&e, "the replies that had arrived"));
        }
        self.held.extend_from_slice(&chunk);
        Ok(())
    }

    fn send_quietly(&mut self, bytes: &[u8]) -> Step {
        let _ = self.stream.set_write_timeout(Some(STEP_TIMEOUT));
        match std::io::Write::write_all(&mut self.stream, bytes) {
            Ok(()) => Ok(()),
            Err(e) if is_timeout(&e) => {
                Err(self.timed_out(format!("{} to read what it was sent", self.other)))
            }
            Err(e) => Err(could_not(
                &self.log,
                &self.name,
                &format!("send {} bytes", bytes.len()),
                &e,
            )),
        }
    }

    /// Reads `count` copies of `unit` (and nothing else may come first),
    /// and records them as one line: `received N bytes from X: "已收到" ×
    /// COUNT`. Anything else is recorded as it came, and the scenario stops.
    pub fn recv_repeated(&mut self, unit: &[u8], count: usize) -> Step {
        let len = unit.len() * count;
        let started = Instant::now();
        let mut deadline = started + STEP_TIMEOUT;
        let mut got = Vec::with_capacity(len);
        let mut buf = vec![0u8; len.clamp(1, 64 * 1024)];
        while got.len() < len {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                // The bytes still missing are the kernel's to deliver (the
                // server handed them over): wait for its retransmissions.
                if started.elapsed() < KERNEL_RETRANSMITS
                    && queues(&self.stream).is_some_and(|q| q.unacknowledged > 0)
                {
                    deadline = Instant::now() + STEP_TIMEOUT;
                    continue;
                }
                break;
            }
            let _ = self.stream.set_read_timeout(Some(left));
            let want = (len - got.len()).min(buf.len());
            match self.read(&mut buf[..want]) {
                Ok(0) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if is_timeout(&e) => continue,
                Err(e) => {
                    self.say(format!("had received {} of {len} bytes", got.len()));
                    return Err(self.read_failed(&e, "the replies"));
                }
            }
        }
        let whole = got.chunks(unit.len()).all(|c| c == unit);
        if got.len() == len && whole {
            self.say(format!(
                "received every reply from {}, in order: {} as many times as messages were sent",
                self.other,
                quote_bytes(unit)
            ));
            return Ok(());
        }
        let copies = got.chunks(unit.len()).take_while(|c| *c == unit).count();
        self.say(format!(
            "received {} of the {len} bytes expected from {}: {copies} whole replies {} first",
            got.len(),
            self.other,
            quote_bytes(unit)
        ));
        if got.len() < len {
            return Err(timed_out(
                &self.log,
                &self.name,
                format!("the other {} bytes from {}", len - got.len(), self.other),
            ));
        }
        Err(Stop)
    }
}

/// What `/proc/net/tcp` says of both ends of `stream`'s connection.
struct Queues {
    /// This end: bytes received and not read yet.
    received: u64,
    /// This end: retransmission timeouts in a row waiting for an
    /// acknowledgement.
    retransmits: u64,
    /// The other end: bytes sent and not acknowledged yet.
    unacknowledged: u64,
}

#[cfg(target_os = "linux")]
fn queues(stream: &TcpStream) -> Option<Queues> {
    use crate::observe;
    if !observe::available() {
        return None;
    }
    let ours = stream.local_addr().ok()?.port();
    let theirs = stream.peer_addr().ok()?.port();
    let mine = observe::socket_end(ours, theirs)?;
    let other = observe::socket_end(theirs, ours)?;
    Some(Queues {
        received: mine.rx_queue,
        retransmits: mine.retransmits,
        unacknowledged: other.tx_queue,
    })
}

#[cfg(not(target_os = "linux"))]
fn queues(_stream: &TcpStream) -> Option<Queues> {
    None
}

/// Waits, at most [`STEP_TIMEOUT`], until nothing the other end wrote on
/// `stream` is still on its way here: its kernel's send queue is empty, or
/// some of it has reached this end's receive queue (and a read will show
/// it). On a connection whose receive window was closed for long (the slow
/// reader), bytes a program wrote last can sit in its kernel for a while
/// after the program itself has settled: a read made before they arrive
/// would wrongly find "nothing" (measured: a server that sends some
/// replies twice, with `write_all` on its non-blocking socket, passed the
/// slow-reader story 3 runs in 10 without this wait, 0 in 10 with it).
/// Without `/proc`, returns at once.
pub(crate) fn wait_until_nothing_in_flight(stream: &TcpStream) {
    let deadline = Instant::now() + STEP_TIMEOUT;
    while let Some(q) = queues(stream) {
        if q.unacknowledged == 0 || q.received > 0 || Instant::now() >= deadline {
            return;
        }
        std::thread::yield_now();
    }
}

/// What the kernel holds of what the other end sent on `stream`: the other
/// end's send queue plus this end's receive queue. `None` without `/proc`.
fn held_by_kernel(stream: &TcpStream) -> Option<u64> {
    queues(stream).map(|q| q.unacknowledged + q.received)
}

/// How long [`TcpPeer::recv_repeated`] waits in all while the server's
/// kernel still holds replies it has not had acknowledged: after the
/// stall [`TcpPeer::take_line_unstuck`] undoes, the server's kernel may
/// resend what this client dropped only on its retransmission timer, which
/// backs off from 200 ms, doubling (0.2 + 0.4 + … + 6.4 s = 12.6 s for six
/// timeouts). A server that lost the replies itself holds nothing in the
/// kernel, and fails at the step deadline as before.
const KERNEL_RETRANSMITS: std::time::Duration = std::time::Duration::from_secs(15);

/// How many of this client's retransmission timeouts in a row
/// [`TcpPeer::take_line_unstuck`] waits out for one message: while
/// `retrnsmt` is 1 to 3 the step's deadline does not run. The kernel's 4th
/// timeout comes 3 s after the message (0.2 + 0.4 + 0.8 + 1.6), and from
/// then the 2 s run: a message delivered by the 4th retransmission passes,
/// and one step waits 5 s at most. Nothing a server does makes this client
/// retransmit (its kernel acknowledges whatever the program does), so a
/// server that does not print still fails at 2 s.
const MOST_RETRANSMITS: u64 = 3;

/// Sets the send buffer of `server`'s end of `peer`'s connection to the
/// smallest size, through a copy of its descriptor; false where that is
/// not possible (no `/proc`, no pidfd_getfd).
#[cfg(target_os = "linux")]
fn shrink_send_buffer(peer: &TcpPeer, server: &Program) -> bool {
    use crate::observe;
    if !observe::available() {
        return false;
    }
    let pid = server.0.borrow().pid();
    let (Ok(ours), Ok(theirs)) = (peer.stream.local_addr(), peer.stream.peer_addr()) else {
        return false;
    };
    let deadline = Instant::now() + STEP_TIMEOUT;
    let fd = loop {
        let fd = observe::socket_end(theirs.port(), ours.port())
            .and_then(|end| observe::fd_of_socket(pid, end.inode));
        if let Some(fd) = fd {
            break fd;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::yield_now();
    };
    observe::copy_fd(pid, fd).is_some_and(|copy| {
        socket2::SockRef::from(&copy)
            .set_send_buffer_size(1)
            .is_ok()
    })
}

#[cfg(not(target_os = "linux"))]
fn shrink_send_buffer(_peer: &TcpPeer, _server: &Program) -> bool {
    false
}
