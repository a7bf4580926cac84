//! Paced delivery: deterministic short reads.
//!
//! A peer sends bytes in pieces and, before each next piece, waits until
//! the program under test has read everything sent so far and sleeps in
//! `read` again. No `read` of the program can then return more than one
//! piece, on every run: a program that reads a 4-byte header with ONE
//! `read` gets the 2 bytes of the first piece, every time. Sending the
//! pieces back to back is not enough: they usually arrive together.
//!
//! "Has read everything and waits in read again" is seen in Linux's `/proc`
//! ([`crate::observe`]), never guessed from time:
//!
//! 1. the program's end of the connection shows `rx_queue` 0 in
//!    `/proc/net/tcp` (or `tcp6`): the kernel holds nothing unread;
//! 2. one of its threads sleeps in a read system call on that socket's
//!    descriptor (`/proc/PID/task/TID/syscall`), so it is not inside a read
//!    that could still take the next piece along;
//! 3. that thread has gone to sleep again since the piece was sent (its
//!    `voluntary_ctxt_switches` changed): it woke up for the piece, took
//!    it, and came back. (Without this, a piece still on its way through
//!    the loopback device would look like a piece already read.)
//!
//! Each wait has the step deadline. Where `/proc` is missing (Windows,
//! macOS) the pieces are sent back to back with TCP_NODELAY, the
//! transcript is the same, and the verdict carries a note saying that
//! short reads were not forced on this system.

use crate::{Program, STEP_TIMEOUT, Stop, TcpPeer};
use labkit::byte_count;
use std::time::Duration;

/// What the verdict says where pacing is not possible.
pub(crate) const FALLBACK_NOTE: &str = "On this system the harness cannot see what a program \
     has read (no Linux /proc), so pieces were sent back to back: a program that reads a \
     header with one `read` may pass here, and fails on Linux. / 本系统没有 Linux 的 /proc, \
     看不到程序读了多少, 所以各段数据是连续发出的: 用一次 read 读长度头的程序在这里可能通过, \
     在 Linux 上会失败。";

/// What the verdict says where [`TcpPeer::pause`] cannot watch the reader.
pub(crate) const PAUSE_FALLBACK_NOTE: &str = "On this system the harness cannot see whether a \
     program sleeps in read (no Linux /proc), so it only paused: a server whose read times out \
     may pass here, and fails on Linux. / 本系统没有 Linux 的 /proc, 看不到程序是否睡在 read 里, \
     所以测试框架只是停顿了一下: read 带超时的服务器在这里可能通过, 在 Linux 上会失败。";

/// The transcript line of a pause that went as it should.
fn pause_line(quiet: &str, reader: &Program) -> String {
    format!(
        "sent nothing for {quiet}: all that time {} slept in the same read, waiting",
        reader.name()
    )
}

impl TcpPeer {
    /// Sends `pieces` one after another; before each next piece (and after
    /// the last) waits until `reader`, the program at the other end, has
    /// read everything sent and sleeps in `read` again with nothing queued.
    /// Every `read` of the program returns at most one piece.
    ///
    /// If the program closes its end (or exits) meanwhile, the transcript
    /// says so and the script goes on; if it neither reads nor closes, the
    /// step times out.
    pub fn send_paced(&mut self, reader: &Program, pieces: &[&[u8]]) -> Result<(), Stop> {
        let _ = self.stream.set_nodelay(true);
        let _ = self.stream.set_write_timeout(Some(STEP_TIMEOUT));
        let mut watch = watch::Watch::new(self, reader);
        if watch.is_none() {
            self.log.note(FALLBACK_NOTE);
        }
        let mut sent = 0;
        for (i, piece) in pieces.iter().enumerate() {
            if let Some(w) = watch.as_mut() {
                match w.wait_until_read() {
                    watch::Outcome::Read => {}
                    watch::Outcome::Gone => {
                        self.gone(reader, pieces, i, sent);
                        return Ok(());
                    }
                    watch::Outcome::TimedOut => return Err(self.read_timed_out(reader, sent)),
                }
            }
            if let Err(e) = std::io::Write::write_all(&mut self.stream, piece) {
                self.record_pieces(pieces, i);
                let what = format!("send piece {} of {}", i + 1, pieces.len());
                return Err(crate::peer::could_not(&self.log, &self.name, &what, &e));
            }
            sent += piece.len();
        }
        if let Some(w) = watch.as_mut() {
            match w.wait_until_read() {
                watch::Outcome::Read => {}
                watch::Outcome::Gone => {
                    self.gone(reader, pieces, pieces.len(), sent);
                    return Ok(());
                }
                watch::Outcome::TimedOut => return Err(self.read_timed_out(reader, sent)),
            }
        }
        self.record_pieces(pieces, pieces.len());
        Ok(())
    }

    /// Sends nothing for `how_long` while `reader`, the program at the
    /// other end, waits in `read` (a client that pauses between two lines,
    /// as a person typing does). On Linux the harness first waits until one
    /// of the program's threads sleeps in a read of this connection, then
    /// watches that thread until `how_long` has passed: it must stay asleep
    /// in that same read all along, never woken (its sleep count
    /// unchanged). A program whose read times out is woken by its timer
    /// before then, with nothing sent: the transcript says so and the
    /// script stops. This is measured on the program's state, so it holds
    /// however busy the machine is: a thread woken by a timer is not asleep
    /// any more, even before it runs. Elsewhere (no `/proc`) the harness
    /// only pauses, and the verdict carries a note.
    pub fn pause(&mut self, reader: &Program, how_long: Duration) -> Result<(), Stop> {
        let quiet = match how_long.as_millis() {
            ms if ms % 1000 == 0 => format!("{} s", ms / 1000),
            ms => format!("{ms} ms"),
        };
        let Some(mut w) = watch::Watch::new(self, reader) else {
            self.log.note(PAUSE_FALLBACK_NOTE);
            std::thread::sleep(how_long);
            self.say(pause_line(&quiet, reader));
            return Ok(());
        };
        match w.sleep_in_read_for(how_long) {
            watch::Pause::Slept => {
                self.say(pause_line(&quiet, reader));
                Ok(())
            }
            watch::Pause::Gone => {
                self.log.say(
                    "harness",
                    format!(
                        "{} no longer holds its end of the connection: it closed it or exited",
                        reader.name()
                    ),
                );
                Ok(())
            }
            watch::Pause::Woke => {
                self.log.say(
                    "harness",
                    format!(
                        "{name} woke up from its read before {quiet} had passed, with nothing \
                         sent and the connection open: a read with a timeout? A server waits in \
                         read for as long as its client is quiet",
                        name = reader.name()
                    ),
                );
                Err(Stop)
            }
            watch::Pause::TimedOut => Err(crate::peer::timed_out(
                &self.log,
                &self.name,
                format!("{} to wait in read", reader.name()),
            )),
        }
    }

    /// The transcript line for the first `count` pieces, sent and read.
    fn record_pieces(&self, pieces: &[&[u8]], count: usize) {
        let sent = &pieces[..count];
        let bytes = sent.concat();
        let reader = self.other.clone();
        let line = match sent {
            [] => return,
            [_] => format!(
                "sent {} to {reader}, then waited until {reader} had read {} and was waiting \
                 in read again: {}",
                byte_count(bytes.len()),
                if bytes.len() == 1 { "it" } else { "them" },
                crate::escape::quote_bytes(&bytes)
            ),
            _ => format!(
                "sent {} to {reader} in {} pieces {}, each only once {reader} had read the one \
                 before and was waiting in read again (no read can return two pieces): {}",
                byte_count(bytes.len()),
                sent.len(),
                sizes(sent),
                crate::escape::quote_bytes(&bytes)
            ),
        };
        self.say(line);
    }

    fn gone(&self, reader: &Program, pieces: &[&[u8]], count: usize, sent: usize) {
        self.record_pieces(pieces, count);
        let total: usize = pieces.iter().map(|p| p.len()).sum();
        let left = if sent < total {
            format!(" ({} of {total} bytes were not sent)", total - sent)
        } else {
            String::new()
        };
        self.log.say(
            "harness",
            format!(
                "{} no longer holds its end of the connection: it closed it or exited{left}",
                reader.name()
            ),
        );
    }

    fn read_timed_out(&self, reader: &Program, sent: usize) -> Stop {
        crate::peer::timed_out(
            &self.log,
            &self.name,
            format!(
                "{} to read the {} sent so far and wait in read again",
                reader.name(),
                byte_count(sent)
            ),
        )
    }
}

/// `of 1 byte` or `(2 + 7 bytes)`.
fn sizes(pieces: &[&[u8]]) -> String {
    let first = pieces[0].len();
    if pieces.iter().all(|p| p.len() == first) {
        format!("of {}", byte_count(first))
    } else {
        let lens: Vec<String> = pieces.iter().map(|p| p.len().to_string()).collect();
        format!("({} bytes)", lens.join(" + "))
    }
}

#[cfg(target_os = "linux")]
mod watch {
    use crate::observe::{self, Blocked, Sleeps};
    use crate::{Program, STEP_TIMEOUT, TcpPeer};
    use std::time::{Duration, Instant};

    pub(super) enum Outcome {
        Read,
        Gone,
        TimedOut,
    }

    /// The program no longer holds its end of the connection.
    struct Gone;

    /// How a pause ended.
    pub(super) enum Pause {
        /// The reader slept in the same read all along.
        Slept,
        /// The reader woke up from its read with nothing sent.
        Woke,
        Gone,
        TimedOut,
    }

    /// How often a pause looks at the reader: only to report a wake-up
    /// early; the verdict rests on the last look, after the pause.
    const PAUSE_TICK: Duration = Duration::from_millis(20);

    /// The program's end of one connection, watched through `/proc`.
    pub(super) struct Watch {
        pid: u32,
        /// (the program's port, ours)
        ports: (u16, u16),
        /// The socket's inode and the program's descriptor for it, once
        /// it holds one (a server may not have accepted it yet).
        held: Option<(u64, u64)>,
        /// The threads' sleep counts when the last piece was sent.
        sent_at: Option<Sleeps>,
    }

    impl Watch {
        /// `None` where `/proc` cannot show sockets.
        pub(super) fn new(peer: &TcpPeer, program: &Program) -> Option<Watch> {
            if !observe::available() {
                return None;
            }
            let ours = peer.stream.local_addr().ok()?.port();
            let theirs = peer.stream.peer_addr().ok()?.port();
            Some(Watch {
                pid: program.0.borrow().pid(),
                // The program's end: local port = our remote port, and back.
                ports: (theirs, ours),
                held: None,
                sent_at: None,
            })
        }

        /// The program's end of this connection, `(inode, fd)`, once it is
        /// found among its descriptors (`Ok(None)` until then); `Err(Gone)`
        /// once the program has closed it or exited.
        fn held_socket(&mut self) -> Result<Option<(u64, u64)>, Gone> {
            match self.held {
                None => {
                    self.held = observe::socket_end(self.ports.0, self.ports.1).and_then(|end| {
                        Some((end.inode, observe::fd_of_socket(self.pid, end.inode)?))
                    });
                    if self.held.is_none() && !observe::alive(self.pid) {
                        return Err(Gone);
                    }
                    Ok(None)
                }
                Some((inode, fd)) if observe::holds(self.pid, fd, inode) => Ok(Some((inode, fd))),
                Some(_) => Err(Gone),
            }
        }

        /// Waits until the program has read everything and sleeps in a
        /// read of this socket again, woken since the last piece was sent.
        pub(super) fn wait_until_read(&mut self) -> Outcome {
            let deadline = Instant::now() + STEP_TIMEOUT;
            loop {
                match self.held_socket() {
                    Err(Gone) => return Outcome::Gone,
                    Ok(None) => {}
                    Ok(Some((inode, fd))) => {
                        if let Some(sleeps) = self.woken_reader(inode, fd) {
                            self.sent_at = Some(sleeps);
                            return Outcome::Read;
                        }
                    }
                }
                if Instant::now() >= deadline {
                    return Outcome::TimedOut;
                }
                std::thread::yield_now();
            }
        }

        /// Waits until a thread of the program sleeps in a read of this
        /// socket, then watches it for `how_long`: `Slept` when it is still
        /// asleep in that same read at the end with the same sleep count
        /// (never woken), `Woke` as soon as it is not.
        pub(super) fn sleep_in_read_for(&mut self, how_long: Duration) -> Pause {
            let deadline = Instant::now() + STEP_TIMEOUT;
            let (fd, tid, count) = loop {
                match self.held_socket() {
                    Err(Gone) => return Pause::Gone,
                    Ok(None) => {}
                    Ok(Some((_, fd))) => {
                        let threads = observe::threads(self.pid, fd);
                        let reader = threads.blocked.iter().find_map(|(tid, how)| {
                            (*how == Blocked::Reading)
                                .then(|| Some((fd, *tid, *threads.sleeps.get(tid)?)))
                                .flatten()
                        });
                        if let Some(found) = reader {
                            break found;
                        }
                    }
                }
                if Instant::now() >= deadline {
                    return Pause::TimedOut;
                }
                std::thread::yield_now();
            };
            let start = Instant::now();
            loop {
                let threads = observe::threads(self.pid, fd);
                let asleep = threads.blocked.contains(&(tid, Blocked::Reading))
                    && threads.sleeps.get(&tid) == Some(&count);
                if !asleep {
                    return Pause::Woke;
                }
                let elapsed = start.elapsed();
                if elapsed >= how_long {
                    return Pause::Slept;
                }
                std::thread::sleep(PAUSE_TICK.min(how_long - elapsed));
            }
        }

        /// The threads' sleep counts, if one of them sleeps in a read of
        /// `fd` (woken since the last piece) and nothing is left unread.
        fn woken_reader(&self, inode: u64, fd: u64) -> Option<Sleeps> {
            let threads = observe::threads(self.pid, fd);
            let woken = threads.blocked.iter().any(|(tid, how)| {
                *how == Blocked::Reading
                    && self
                        .sent_at
                        .as_ref()
                        .is_none_or(|before| before.get(tid) != threads.sleeps.get(tid))
            });
            // /proc/net/tcp lists every socket of the machine: read it only
            // once a reader has been seen.
            let drained = woken
                && observe::socket_end(self.ports.0, self.ports.1)
                    .is_some_and(|end| end.inode == inode && end.rx_queue == 0);
            drained.then_some(threads.sleeps)
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod watch {
    use crate::{Program, TcpPeer};

    // Only `Read` happens here; the others exist on Linux.
    #[allow(dead_code)]
    pub(super) enum Outcome {
        Read,
        Gone,
        TimedOut,
    }

    // Only `Slept` happens here.
    #[allow(dead_code)]
    pub(super) enum Pause {
        Slept,
        Woke,
        Gone,
        TimedOut,
    }

    /// No `/proc` here: nothing to watch, pieces go back to back.
    pub(super) struct Watch;

    impl Watch {
        pub(super) fn new(_peer: &TcpPeer, _program: &Program) -> Option<Watch> {
            None
        }

        pub(super) fn wait_until_read(&mut self) -> Outcome {
            Outcome::Read
        }

        pub(super) fn sleep_in_read_for(&mut self, _how_long: std::time::Duration) -> Pause {
            Pause::Slept
        }
    }
}
