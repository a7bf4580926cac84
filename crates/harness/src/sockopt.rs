//! Looking at a socket option of the program under test, from outside.
//!
//! A program can print "TCP_NODELAY is on" without setting it, or wait
//! for a UDP reply longer than it was told to (a read timeout that ignores
//! its argument still ends, only later, so its output is the same). The harness
//! checks what the kernel says instead: on Linux it takes a duplicate of
//! the program's socket descriptor with `pidfd_getfd(2)` (Linux 5.6; the
//! program is the harness's child, so the ptrace access check passes) and
//! asks `getsockopt(TCP_NODELAY)` on it. A duplicate shares the socket, so
//! the value is the one the program's socket has.
//!
//! The check adds no line to the transcript when the option is as the
//! program says (so the transcript is the same on every system); a
//! mismatch is one line and stops the scenario. Where it cannot be done
//! (Windows, macOS, an older kernel) the verdict carries a note.

use crate::{Program, Stop, TcpServerPeer, UdpPeer};
use std::net::SocketAddr;
use std::time::Duration;

/// What the verdict says where the harness cannot look at the socket.
pub(crate) const FALLBACK_NOTE: &str = "On this system the harness cannot look at the \
     program's socket (Linux pidfd_getfd), so it trusted what the program printed about \
     TCP_NODELAY. / 本系统上测试框架看不到程序的套接字 (Linux 的 pidfd_getfd), \
     所以只能相信程序打印的 TCP_NODELAY 状态。";

impl TcpServerPeer {
    /// Checks that `program`'s connection to this listener (accepted or
    /// still waiting in its queue) has TCP_NODELAY set to `on`, as the
    /// program printed.
    pub fn expect_tcp_nodelay(&self, program: &Program, on: bool) -> Result<(), Stop> {
        match look::tcp_nodelay(program, self.addr().port()) {
            None => self.log.note(FALLBACK_NOTE),
            Some(actual) if actual == on => {}
            Some(actual) => {
                let word = |b: bool| if b { "on" } else { "off" };
                self.log.say(
                    "harness",
                    format!(
                        "{} says TCP_NODELAY is {}, but its socket has TCP_NODELAY {} (the harness \
                         read it with getsockopt on a duplicate of the program's socket)",
                        program.name(),
                        word(on),
                        word(actual)
                    ),
                );
                return Err(Stop);
            }
        }
        Ok(())
    }
}

/// What the verdict says where the harness cannot look at a UDP socket.
const UDP_FALLBACK_NOTE: &str = "On this system the harness cannot look at the program's \
     socket (Linux pidfd_getfd), so it did not check its read timeout. / 本系统上测试框架看不到\
     程序的套接字 (Linux 的 pidfd_getfd), 所以没有检查它的读超时。";

impl UdpPeer {
    /// Checks that `program`'s UDP socket bound to `program_addr` (where
    /// its datagram came from) has the read timeout `timeout`
    /// (SO_RCVTIMEO), within the kernel's rounding to clock ticks.
    pub fn expect_read_timeout(
        &self,
        program: &Program,
        program_addr: SocketAddr,
        timeout: Duration,
    ) -> Result<(), Stop> {
        const TICK: Duration = Duration::from_millis(10);
        match look::read_timeout(program, program_addr.port()) {
            None => self.log.note(UDP_FALLBACK_NOTE),
            Some(Some(actual)) if actual.abs_diff(timeout) <= TICK => {}
            Some(actual) => {
                let shown = actual.map_or_else(|| "none".to_owned(), |d| format!("{d:?}"));
                self.log.say(
                    "harness",
                    format!(
                        "{} was told to wait {timeout:?} for a reply, but its socket's read timeout \
                         is {shown} (the harness read SO_RCVTIMEO with getsockopt on a duplicate of \
                         the program's socket)",
                        program.name(),
                    ),
                );
                return Err(Stop);
            }
        }
        Ok(())
    }
}

#[cfg(target_os = "linux")]
mod look {
    use crate::{Program, observe};
    use socket2::SockRef;
    use std::time::Duration;

    /// TCP_NODELAY of the socket of `program` connected to local port
    /// `server_port`, or `None` if it cannot be seen.
    pub(super) fn tcp_nodelay(program: &Program, server_port: u16) -> Option<bool> {
        if !observe::available() {
            return None;
        }
        let pid = program.0.borrow().pid();
        let fd = observe::fds_of_sockets(pid)
            .into_iter()
            .find(|(_, inode)| observe::remote_port_of(*inode) == Some(server_port))?
            .0;
        // In the grader's jail, `pid` is bwrap's: the socket is its
        // grandchild's (see `jail::program_pid`).
        let copy = observe::copy_fd(crate::jail::program_pid(pid), fd)?;
        SockRef::from(&copy).tcp_nodelay().ok()
    }

    /// The read timeout (`Some(None)`: none) of the socket of `program`
    /// bound to local port `port`, or `None` if it cannot be seen.
    pub(super) fn read_timeout(program: &Program, port: u16) -> Option<Option<Duration>> {
        if !observe::available() {
            return None;
        }
        let pid = program.0.borrow().pid();
        observe::fds_of_sockets(pid)
            .into_iter()
            .find_map(|(fd, _)| {
                let copy = observe::copy_fd(crate::jail::program_pid(pid), fd)?;
                let socket = SockRef::from(&copy);
                let bound = socket.local_addr().ok()?.as_socket()?;
                (bound.port() == port).then(|| socket.read_timeout().ok())?
            })
    }
}

#[cfg(not(target_os = "linux"))]
mod look {
    use crate::Program;

    pub(super) fn tcp_nodelay(_program: &Program, _server_port: u16) -> Option<bool> {
        None
    }

    pub(super) fn read_timeout(
        _program: &Program,
        _port: u16,
    ) -> Option<Option<std::time::Duration>> {
        None
    }
}
