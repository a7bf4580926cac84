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

/// What the verdict says when the program finished writing without
/// blocking (socket buffers larger than what it wrote).
pub(crate) const NEVER_BLOCKED_NOTE: &str = "The program finished its write without blocking \
     (this system's socket buffers are larger than the data), so Ctrl-Z could not cut it short. \
     / 程序的 write 没有阻塞就完成了 (本系统的套接字缓冲区比数据大), 所以 Ctrl-Z 无法截断它。";

impl TcpPeer {
    /// Waits until `writer`, the program at the other end, is blocked
    /// writing to this connection (this peer has not been reading), then
    /// suspends it and resumes it, as Ctrl-Z and `fg` in its terminal
    /// would. Its blocked `write` returns a short count; whether the
    /// program then sends the rest is what the next steps show.
    pub fn suspend_writer(&mut self, writer: &Program) -> Result<(), Stop> {
        let name = writer.name();
        match ctrl_z::suspend_while_writing(self, writer) {
            ctrl_z::Outcome::Done => {}
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
                "suspended {name} while it was writing to {} (as Ctrl-Z does), then resumed it (as fg does)",
                self.name
            ),
        );
        Ok(())
    }
}

#[cfg(target_os = "linux")]
mod ctrl_z {
    use crate::observe::{self, Blocked};
    use crate::{Program, STEP_TIMEOUT, TcpPeer};
    use std::time::Instant;

    pub(super) enum Outcome {
        Done,
        Unavailable,
        NeverBlocked,
        TimedOut(&'static str),
    }

    pub(super) fn suspend_while_writing(peer: &TcpPeer, program: &Program) -> Outcome {
        if !observe::available() {
            return Outcome::Unavailable;
        }
        let pid = program.0.borrow().pid();
        let (Ok(ours), Ok(theirs)) = (peer.stream.local_addr(), peer.stream.peer_addr()) else {
            return Outcome::Unavailable;
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
                return Outcome::TimedOut("to hold its end of the connection");
            }
            std::thread::yield_now();
        };
        let writer = loop {
            let threads = observe::threads(pid, fd);
            if let Some((tid, _)) = threads.blocked.iter().find(|(_, b)| *b == Blocked::Writing) {
                break *tid;
            }
            // Asleep in a read of the same socket: it wrote everything
            // without blocking and waits for the next message.
            if threads.blocked.iter().any(|(_, b)| *b == Blocked::Reading) {
                return Outcome::NeverBlocked;
            }
            if Instant::now() >= deadline {
                return Outcome::TimedOut("to block writing to the connection");
            }
            std::thread::yield_now();
        };
        if !observe::signal_group(pid, libc::SIGSTOP) {
            return Outcome::Unavailable;
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
        // Resume it whatever happened: never leave a program stopped.
        observe::signal_group(pid, libc::SIGCONT);
        if stopped {
            Outcome::Done
        } else {
            Outcome::TimedOut("to stop on SIGSTOP")
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod ctrl_z {
    use crate::{Program, TcpPeer};

    // Only `Unavailable` happens here; the others exist on Linux.
    #[allow(dead_code)]
    pub(super) enum Outcome {
        Done,
        Unavailable,
        NeverBlocked,
        TimedOut(&'static str),
    }

    pub(super) fn suspend_while_writing(_peer: &TcpPeer, _program: &Program) -> Outcome {
        Outcome::Unavailable
    }
}
