//! The Ctrl-Z scenario: deterministic short writes.
//!
//! A blocking `write` of a large buffer to a peer that does not read
//! sleeps in the kernel once the socket buffers are full. Suspend the
//! writer then (SIGSTOP, what a terminal's Ctrl-Z does) and resume it
//! (SIGCONT, what `fg` does): the sleeping `send` is interrupted and
//! returns the count it had copied so far (measured: 3,919,467 of
//! 8,388,608 bytes). `write_all` (Python's `sendall`) goes on with the
//! rest; `write` (Python's `send`) returns the short count and, if the
//! program ignores it, the rest is lost, every run.
//!
//! Once is not enough: a program that retries a short write once
//! (`let n = write(buf)?; if n < len { write(&buf[n..])?; }`) survives one
//! suspension, because its second `write` blocks and then sends the rest.
//! So after the first suspension the peer reads a little at a time until
//! the program has taken more of its data and is blocked writing again,
//! and suspends it again: up to [`SUSPENSIONS`] times in all. Each blocked
//! `write` that has copied some bytes returns a short count; only a loop
//! until everything is sent (`write_all`) survives them all.
//!
//! "Blocked in a write to this connection" is seen in Linux's `/proc`
//! ([`crate::observe`]): a thread of the program sleeps in `sendto`
//! (or `write`, `writev`, `sendmsg`) with the socket's descriptor as first
//! argument. The harness signals only then, and resumes only once the
//! thread shows state `T` (stopped): a SIGCONT sent earlier would cancel
//! the pending stop. Each wait has the step deadline.
//!
//! Where `/proc` or signals are missing (Windows, macOS) nothing is
//! suspended, the transcript is the same, and the verdict carries a note.

use crate::{Program, Stop, TcpPeer};

/// What the verdict says where the harness cannot suspend a writer.
pub(crate) const FALLBACK_NOTE: &str = "On this system the harness cannot see that a program \
     is blocked in a write (no Linux /proc), so it did not suspend it: a program that sends \
     with `write` instead of `write_all` may pass here, and fails on Linux. / 本系统没有 Linux \
     的 /proc, 看不到程序是否阻塞在 write 中, 所以没有挂起它: 用 write 代替 write_all 的程序在这里\
     可能通过, 在 Linux 上会失败。";

/// How many times in all the harness suspends a writer: once when it first
/// blocks, then again each time it is blocked writing after taking more.
/// Two catch a program that retries a short write once; three, twice.
pub const SUSPENSIONS: usize = 3;

/// Fewer than this many, and the verdict says so: one suspension does not
/// tell `write_all` from a `write` retried once. (8 MiB past a peer that
/// does not read gives 2 or 3 on Linux here.)
const ENOUGH_SUSPENSIONS: usize = 2;

/// What the verdict says when the program stopped writing after fewer
/// suspensions than [`ENOUGH_SUSPENSIONS`]: it wrote everything sooner
/// (larger socket buffers than here), or it gave up on the rest.
pub(crate) fn fewer_note(times: usize) -> String {
    format!(
        "The harness suspended the program {times} time(s), not {ENOUGH_SUSPENSIONS} or more: it stopped \
         writing sooner (it had written everything, or it gave up on the rest). / 测试框架只挂起了\
         程序 {times} 次, 不到 {ENOUGH_SUSPENSIONS} 次: 它更早就不再写了 (已经写完, 或者放弃了剩下的)。"
    )
}

/// What the verdict says when the program finished writing without
/// blocking (socket buffers larger than what it wrote).
pub(crate) const NEVER_BLOCKED_NOTE: &str = "The program finished its write without blocking \
     (this system's socket buffers are larger than the data), so Ctrl-Z could not cut it short. \
     / 程序的 write 没有阻塞就完成了 (本系统的套接字缓冲区比数据大), 所以 Ctrl-Z 无法截断它。";

/// What the verdict says where the harness cannot see that a program is
/// blocked writing (for [`TcpPeer::expect_writer_blocked`]).
pub(crate) const BLOCKED_FALLBACK_NOTE: &str = "On this system the harness cannot see that a \
     program is blocked in a write (no Linux /proc), so it went on without waiting for it: the \
     program may not have been writing yet. / 本系统没有 Linux 的 /proc, 看不到程序是否阻塞在 write \
     中, 所以没有等它就继续了: 程序那时可能还没有在写。";

/// What the verdict says when the program wrote everything without
/// blocking (for [`TcpPeer::expect_writer_blocked`]).
pub(crate) const WROTE_WITHOUT_BLOCKING_NOTE: &str = "The program finished its write without \
     blocking (this system's socket buffers are larger than the data), so what came next did not \
     reach it inside a write. / 程序的 write 没有阻塞就完成了 (本系统的套接字缓冲区比数据大), \
     所以接下来的事没有发生在它的 write 当中。";

impl TcpPeer {
    /// Waits until `writer`, the program at the other end, is blocked
    /// writing to this connection (this peer has not been reading: its
    /// receive buffer and the writer's send buffer are full), so that what
    /// the script does next (a reset) reaches the writer inside its write.
    /// Without `/proc` it goes on at once, with a note in the verdict.
    pub fn expect_writer_blocked(&mut self, writer: &Program) -> Result<(), Stop> {
        let name = writer.name();
        match ctrl_z::blocked_writer(self, writer) {
            Ok(_) => {}
            Err(ctrl_z::Outcome::TimedOut(what)) => {
                return Err(crate::peer::timed_out(
                    &self.log,
                    "harness",
                    format!("{name} {what}"),
                ));
            }
            Err(ctrl_z::Outcome::NeverBlocked) => self.log.note(WROTE_WITHOUT_BLOCKING_NOTE),
            Err(_) => self.log.note(BLOCKED_FALLBACK_NOTE),
        }
        self.log.say(
            "harness",
            format!(
                "{name} is blocked writing to {}, which does not read: the socket buffers are full",
                self.name
            ),
        );
        Ok(())
    }

    /// Waits until `writer`, the program at the other end, is blocked
    /// writing to this connection (this peer has not been reading), then
    /// suspends it and resumes it, as Ctrl-Z and `fg` in its terminal
    /// would. Its blocked `write` returns a short count; whether the
    /// program then sends the rest is what the next steps show.
    pub fn suspend_writer(&mut self, writer: &Program) -> Result<(), Stop> {
        let name = writer.name();
        match ctrl_z::suspend_while_writing(self, writer) {
            ctrl_z::Outcome::Done(times) if times < ENOUGH_SUSPENSIONS => {
                self.log.note(&fewer_note(times));
            }
            ctrl_z::Outcome::Done(_) => {}
            ctrl_z::Outcome::Unavailable => self.log.note(FALLBACK_NOTE),
            ctrl_z::Outcome::NeverBlocked => self.log.note(NEVER_BLOCKED_NOTE),
            ctrl_z::Outcome::TimedOut(what) => {
                return Err(crate::peer::timed_out(
                    &self.log,
                    "harness",
                    format!("{name} {what}"),
                ));
            }
        }
        self.log.say(
            "harness",
            format!(
                "suspended {name} while it was writing to {} (as Ctrl-Z does), then resumed it (as fg does); \
                 again each time it was blocked writing more, {SUSPENSIONS} times at most",
                self.name
            ),
        );
        Ok(())
    }
}

#[cfg(target_os = "linux")]
mod ctrl_z {
    use super::SUSPENSIONS;
    use crate::observe::{self, Blocked};
    use crate::{Program, STEP_TIMEOUT, TcpPeer};
    use std::io::{ErrorKind, Read};
    use std::time::Instant;

    /// The most the peer reads at a time between two suspensions: little,
    /// so the writer takes a little more and blocks again rather than
    /// finishing.
    const DRAIN_STEP: usize = 256 * 1024;

    pub(super) enum Outcome {
        /// Suspended and resumed this many times.
        Done(usize),
        Unavailable,
        NeverBlocked,
        TimedOut(&'static str),
    }

    pub(super) fn suspend_while_writing(peer: &mut TcpPeer, program: &Program) -> Outcome {
        let (pid, fd, writer) = match blocked_writer(peer, program) {
            Ok(found) => found,
            Err(outcome) => return outcome,
        };
        if let Err(what) = stop_and_continue(pid, fd, writer) {
            return Outcome::TimedOut(what);
        }
        let mut times = 1;
        while times < SUSPENSIONS {
            match blocked_again(peer, pid, fd) {
                Again::Blocked(writer) => {
                    if let Err(what) = stop_and_continue(pid, fd, writer) {
                        return Outcome::TimedOut(what);
                    }
                    times += 1;
                }
                Again::Finished => break,
                Again::TimedOut(what) => return Outcome::TimedOut(what),
            }
        }
        Outcome::Done(times)
    }

    /// Waits (the step deadline) until a thread of `program` sleeps in a
    /// write to `peer`'s connection: the program's pid, its descriptor of
    /// the connection and that thread's id. `Err` says why not:
    /// `Unavailable`, `NeverBlocked` (it reads the connection: it wrote
    /// everything without blocking) or `TimedOut`.
    pub(super) fn blocked_writer(
        peer: &TcpPeer,
        program: &Program,
    ) -> Result<(u32, u64, u32), Outcome> {
        if !observe::available() {
            return Err(Outcome::Unavailable);
        }
        let pid = program.0.borrow().pid();
        let (Ok(ours), Ok(theirs)) = (peer.stream.local_addr(), peer.stream.peer_addr()) else {
            return Err(Outcome::Unavailable);
        };
        let deadline = Instant::now() + STEP_TIMEOUT;
        // The program's end of the connection and its descriptor.
        let fd = loop {
            let fd = observe::socket_end(theirs.port(), ours.port())
                .and_then(|end| observe::fd_of_socket(pid, end.inode));
            if let Some(fd) = fd {
                break fd;
            }
            if Instant::now() >= deadline {
                return Err(Outcome::TimedOut("to hold its end of the connection"));
            }
            std::thread::yield_now();
        };
        loop {
            let threads = observe::threads(pid, fd);
            if let Some((tid, _)) = threads.blocked.iter().find(|(_, b)| *b == Blocked::Writing) {
                return Ok((pid, fd, *tid));
            }
            // Asleep in a read of the same socket: it wrote everything
            // without blocking and waits for the next message.
            if threads.blocked.iter().any(|(_, b)| *b == Blocked::Reading) {
                return Err(Outcome::NeverBlocked);
            }
            if Instant::now() >= deadline {
                return Err(Outcome::TimedOut("to block writing to the connection"));
            }
            std::thread::yield_now();
        }
    }

    /// SIGSTOP to the program's group, a wait until `writer` shows state
    /// `T`, then SIGCONT whatever happened: never leave a program stopped.
    fn stop_and_continue(pid: u32, fd: u64, writer: u32) -> Result<(), &'static str> {
        let deadline = Instant::now() + STEP_TIMEOUT;
        if !observe::signal_group(pid, libc::SIGSTOP) {
            return Err("to receive SIGSTOP");
        }
        let stopped = loop {
            if observe::threads(pid, fd).stopped.contains(&writer) {
                break true;
            }
            if Instant::now() >= deadline {
                break false;
            }
            std::thread::yield_now();
        };
        observe::signal_group(pid, libc::SIGCONT);
        if stopped {
            Ok(())
        } else {
            Err("to stop on SIGSTOP")
        }
    }

    enum Again {
        /// This thread took more bytes and is blocked writing again.
        Blocked(u32),
        /// The program is done writing (it reads, has closed, or is gone).
        Finished,
        TimedOut(&'static str),
    }

    /// Waits until the program, resumed, is blocked writing again; then
    /// reads a little at a time (into `held`, which the script's next reads
    /// take first) until that thread has woken up for the room, taken more
    /// of its data, and gone to sleep writing again (its count of voluntary
    /// sleeps has moved: the same test as paced delivery's). Or until it
    /// has stopped writing: it reads, has closed, or is gone.
    fn blocked_again(peer: &mut TcpPeer, pid: u32, fd: u64) -> Again {
        let deadline = Instant::now() + STEP_TIMEOUT;
        let (writer, slept) = loop {
            let threads = observe::threads(pid, fd);
            let writing = threads
                .blocked
                .iter()
                .find(|(tid, b)| *b == Blocked::Writing && !threads.stopped.contains(tid));
            if let Some(&(tid, _)) = writing {
                break (tid, threads.sleeps.get(&tid).copied().unwrap_or_default());
            }
            if finished(&threads, pid) {
                return Again::Finished;
            }
            if Instant::now() >= deadline {
                return Again::TimedOut("to go on writing once resumed");
            }
            std::thread::yield_now();
        };
        let mut buf = vec![0u8; DRAIN_STEP];
        loop {
            let threads = observe::threads(pid, fd);
            let woke = threads.sleeps.get(&writer).is_some_and(|n| *n != slept);
            let asleep_writing = threads.blocked.contains(&(writer, Blocked::Writing));
            if woke && asleep_writing {
                return Again::Blocked(writer);
            }
            if finished(&threads, pid) {
                return Again::Finished;
            }
            // Read only while the writer still sleeps in its first write:
            // once the room has woken it (state `R`, waiting for a core on
            // a busy machine), reading more would let it write the rest
            // without blocking again.
            if !woke && asleep_writing {
                // Not woken yet: read a little more to make room.
                let _ = peer.stream.set_nonblocking(true);
                let read = peer.stream.read(&mut buf);
                let _ = peer.stream.set_nonblocking(false);
                match read {
                    Ok(0) => return Again::Finished,
                    Ok(n) => peer.held.extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                    Err(_) => return Again::Finished,
                }
            }
            if Instant::now() >= deadline {
                return Again::TimedOut("to take more of its data once the peer had read some");
            }
            std::thread::yield_now();
        }
    }

    /// Whether the program no longer writes: a thread reads the connection
    /// (it wrote everything and waits for an answer), or it is gone.
    fn finished(threads: &observe::Threads, pid: u32) -> bool {
        threads.blocked.iter().any(|(_, b)| *b == Blocked::Reading) || !observe::alive(pid)
    }
}

#[cfg(not(target_os = "linux"))]
mod ctrl_z {
    use crate::{Program, TcpPeer};

    // Only `Unavailable` happens here; the others exist on Linux.
    #[allow(dead_code)]
    pub(super) enum Outcome {
        Done(usize),
        Unavailable,
        NeverBlocked,
        TimedOut(&'static str),
    }

    pub(super) fn suspend_while_writing(_peer: &mut TcpPeer, _program: &Program) -> Outcome {
        Outcome::Unavailable
    }

    pub(super) fn blocked_writer(
        _peer: &TcpPeer,
        _program: &Program,
    ) -> Result<(u32, u64, u32), Outcome> {
        Err(Outcome::Unavailable)
    }
}
