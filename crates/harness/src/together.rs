//! Clients that arrive together: they connect while the server is
//! suspended (SIGSTOP, Ctrl-Z), and it is resumed (SIGCONT, `fg`) only once
//! the kernel holds all of them in the listener's accept queue. The server
//! then finds them all waiting at once, announced by ONE readiness event:
//! an edge-triggered server (mio) that accepts one client per event leaves
//! the others in the backlog, every run. Connecting them one after another
//! instead would give each its own event most of the time, and the mistake
//! would pass.
//!
//! On Linux: the server's threads show state `T` before anyone connects,
//! and the accept queue's length is the `rx_queue` of the listening
//! socket's line in `/proc/net/tcp` ([`crate::observe`]); each wait has the
//! step deadline, and the server is always resumed. Elsewhere the clients
//! connect one after another, the transcript is the same, and the verdict
//! carries a note.

use crate::{Scenario, ServerUnderTest, Step, TcpPeer};

/// What the verdict says where the harness cannot suspend the server.
const FALLBACK_NOTE: &str = "On this system the harness cannot suspend the server while \
     clients connect (no Linux /proc): they connected one after another, so a server that \
     accepts one client per readiness event may pass here, and fails on Linux. / 本系统没有 \
     Linux 的 /proc, 客户端连接时无法挂起服务器, 它们是一个接一个连上的: 每个就绪事件只 \
     accept 一个客户端的服务器在这里可能通过, 在 Linux 上会失败。";

impl Scenario {
    /// Connects a scripted client for each of `names` while `server` is
    /// suspended, and resumes it once all of them wait in its backlog: see
    /// the [module documentation](self).
    pub fn connect_together(
        &mut self,
        names: &[&str],
        server: &ServerUnderTest,
    ) -> Step<Vec<TcpPeer>> {
        let program = server.program.name();
        let suspended = linux::suspend(server);
        if suspended.is_none() {
            self.log.note(FALLBACK_NOTE);
        }
        self.log.say(
            "harness",
            format!(
                "suspended {program} (as Ctrl-Z does): clients that connect now wait in its backlog"
            ),
        );
        let mut peers = Vec::new();
        let mut connected = Ok(());
        for name in names {
            match self.connect(name, server) {
                Ok(peer) => peers.push(peer),
                Err(stop) => {
                    connected = Err(stop);
                    break;
                }
            }
        }
        let queued = match (&suspended, &connected) {
            (Some(_), Ok(())) => linux::wait_for_backlog(server, names.len()),
            _ => true,
        };
        // Resumed whatever happened: never leave a program stopped.
        drop(suspended);
        connected?;
        if !queued {
            return Err(crate::peer::timed_out(
                &self.log,
                "harness",
                format!("{program}'s backlog to hold the {} clients", names.len()),
            ));
        }
        self.log.say(
            "harness",
            format!(
                "resumed {program} (as fg does) with {} clients waiting in its backlog, announced \
                 by one readiness event",
                names.len()
            ),
        );
        Ok(peers)
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use crate::observe;
    use crate::{STEP_TIMEOUT, ServerUnderTest};
    use std::time::Instant;

    /// The server stopped by SIGSTOP; dropping it sends SIGCONT.
    pub(super) struct Suspended(u32);

    impl Drop for Suspended {
        fn drop(&mut self) {
            observe::signal_group(self.0, libc::SIGCONT);
        }
    }

    /// Stops the server and waits until every thread shows state `T`;
    /// `None` (and the server running) where that cannot be done or seen.
    pub(super) fn suspend(server: &ServerUnderTest) -> Option<Suspended> {
        if !observe::available() {
            return None;
        }
        let pid = server.program.0.borrow().pid();
        if !observe::signal_group(pid, libc::SIGSTOP) {
            return None;
        }
        let suspended = Suspended(pid);
        let deadline = Instant::now() + STEP_TIMEOUT;
        loop {
            // No descriptor is asked about: u64::MAX is none.
            let threads = observe::threads(pid, u64::MAX);
            if !threads.sleeps.is_empty() && threads.stopped.len() == threads.sleeps.len() {
                return Some(suspended);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::yield_now();
        }
    }

    /// Waits until the listening socket's accept queue holds `count`
    /// connections (its line has remote port 0; `rx_queue` is the queue).
    pub(super) fn wait_for_backlog(server: &ServerUnderTest, count: usize) -> bool {
        let deadline = Instant::now() + STEP_TIMEOUT;
        loop {
            let queued = observe::socket_end(server.addr.port(), 0).map(|end| end.rx_queue);
            if queued.is_some_and(|queued| queued >= count as u64) {
                return true;
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
    use crate::ServerUnderTest;

    pub(super) struct Suspended;

    pub(super) fn suspend(_server: &ServerUnderTest) -> Option<Suspended> {
        None
    }

    pub(super) fn wait_for_backlog(_server: &ServerUnderTest, _count: usize) -> bool {
        true
    }
}
