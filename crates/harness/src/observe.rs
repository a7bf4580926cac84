//! What a program under test is doing right now, read from Linux's `/proc`
//! (no ptrace, no timing): which system call each of its threads sleeps
//! in, how often each has gone to sleep, and how many bytes its end of a
//! TCP connection holds unread.
//!
//! - `/proc/net/tcp` and `/proc/net/tcp6`: one line per socket; the
//!   program's end of a connection is the line whose local port is the
//!   harness peer's remote port and whose remote port is the peer's local
//!   port. `tx_queue:rx_queue` (hex) is what the kernel holds; `retrnsmt`
//!   (hex) how many retransmission timeouts in a row it has waited for an
//!   acknowledgement; `inode` names the socket.
//! - `/proc/PID/fd/N` links to `socket:[INODE]`: which descriptor is it.
//! - `/proc/PID/task/TID/syscall`: `running`, or, for a thread asleep in
//!   the kernel, the system call's number and arguments (the first is the
//!   descriptor). Readable by the parent of the program (same user).
//! - `/proc/PID/task/TID/status`: `voluntary_ctxt_switches`, +1 each time
//!   the thread goes to sleep. A thread seen asleep in `recvfrom` twice
//!   with a different count has woken up and gone back to sleep between.
//!
//! System call numbers differ per architecture; libc's `SYS_*` constants
//! carry the right ones for the target (x86_64: `recvfrom` 45, `sendto` 44,
//! `read` 0, `write` 1; aarch64: 207, 206, 63, 64). On other targets this
//! module is not compiled and the harness falls back (see [`crate::pace`],
//! [`crate::suspend`]).

use std::collections::BTreeMap;
use std::fs;

/// The system calls a blocking read of a socket sleeps in: std's
/// `TcpStream::read` calls `recv`, which is `recvfrom`; `read`, `readv`
/// and `recvmsg` are the other ways in.
const READS: &[libc::c_long] = &[
    libc::SYS_recvfrom,
    libc::SYS_read,
    libc::SYS_readv,
    libc::SYS_recvmsg,
];

/// The system calls a blocking write to a socket sleeps in (std's `write`
/// calls `send`, which is `sendto`).
const WRITES: &[libc::c_long] = &[
    libc::SYS_sendto,
    libc::SYS_write,
    libc::SYS_writev,
    libc::SYS_sendmsg,
];

/// The system calls a thread waiting for readiness sleeps in: mio's poll
/// calls `epoll_wait` (`epoll_pwait` where there is no `epoll_wait`). The
/// fourth argument is the timeout in milliseconds, -1 for none.
#[cfg(target_arch = "x86_64")]
const POLLS: &[libc::c_long] = &[libc::SYS_epoll_wait, libc::SYS_epoll_pwait];
#[cfg(not(target_arch = "x86_64"))]
const POLLS: &[libc::c_long] = &[libc::SYS_epoll_pwait];

/// Which way a thread is blocked on a socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Blocked {
    Reading,
    Writing,
}

/// The program's end of one TCP connection.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SocketEnd {
    pub(crate) inode: u64,
    pub(crate) rx_queue: u64,
    /// Bytes written but not yet acknowledged by the other end: what the
    /// kernel still holds of what the program sent.
    pub(crate) tx_queue: u64,
    /// How many times in a row the kernel's retransmission timer has fired
    /// for this end (`retrnsmt`): above 0, what it sent has waited at
    /// least one retransmission timeout (200 ms or more) for an
    /// acknowledgement.
    pub(crate) retransmits: u64,
    /// The TCP state (`st`, hex): 0x01 ESTABLISHED, 0x08 CLOSE_WAIT (the
    /// other end's FIN has arrived), and so on (include/net/tcp_states.h).
    pub(crate) state: u8,
}

/// Whether this machine shows sockets in `/proc` at all.
pub(crate) fn available() -> bool {
    fs::metadata("/proc/net/tcp").is_ok() && fs::metadata("/proc/self/task").is_ok()
}

/// The socket whose local port is `local_port` and remote port
/// `remote_port`, with an inode (a socket some process still holds).
pub(crate) fn socket_end(local_port: u16, remote_port: u16) -> Option<SocketEnd> {
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .find_map(|table| {
            let text = fs::read_to_string(table).ok()?;
            text.lines().skip(1).find_map(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                let port = |field: &str| {
                    field
                        .rsplit_once(':')
                        .and_then(|(_, p)| u16::from_str_radix(p, 16).ok())
                };
                if port(fields.get(1)?)? != local_port || port(fields.get(2)?)? != remote_port {
                    return None;
                }
                let (tx, rx) = fields.get(4)?.split_once(':')?;
                let tx_queue = u64::from_str_radix(tx, 16).ok()?;
                let rx_queue = u64::from_str_radix(rx, 16).ok()?;
                let retransmits = u64::from_str_radix(fields.get(6)?, 16).ok()?;
                let state = u8::from_str_radix(fields.get(3)?, 16).ok()?;
                let inode = fields.get(9)?.parse().ok().filter(|inode| *inode != 0)?;
                Some(SocketEnd {
                    inode,
                    rx_queue,
                    tx_queue,
                    retransmits,
                    state,
                })
            })
        })
}

/// The descriptor under which process `pid` holds socket `inode`.
pub(crate) fn fd_of_socket(pid: u32, inode: u64) -> Option<u64> {
    let pid = crate::jail::program_pid(pid);
    let target = format!("socket:[{inode}]");
    fs::read_dir(format!("/proc/{pid}/fd"))
        .ok()?
        .flatten()
        .find_map(|entry| {
            let link = fs::read_link(entry.path()).ok()?;
            (link.as_os_str() == target.as_str())
                .then(|| entry.file_name().to_str()?.parse().ok())
                .flatten()
        })
}

/// Every socket descriptor of process `pid`, with the socket's inode.
pub(crate) fn fds_of_sockets(pid: u32) -> Vec<(u64, u64)> {
    let pid = crate::jail::program_pid(pid);
    let Ok(entries) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let fd = entry.file_name().to_str()?.parse().ok()?;
            let link = fs::read_link(entry.path()).ok()?;
            let inode = link
                .to_str()?
                .strip_prefix("socket:[")?
                .strip_suffix(']')?
                .parse()
                .ok()?;
            Some((fd, inode))
        })
        .collect()
}

/// The remote port of the TCP socket `inode` (from `/proc/net/tcp{,6}`).
pub(crate) fn remote_port_of(inode: u64) -> Option<u16> {
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .find_map(|table| {
            let text = fs::read_to_string(table).ok()?;
            text.lines().skip(1).find_map(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                if fields.get(9)?.parse::<u64>().ok()? != inode {
                    return None;
                }
                let (_, port) = fields.get(2)?.rsplit_once(':')?;
                u16::from_str_radix(port, 16).ok()
            })
        })
}

/// Whether process `pid` still holds socket `inode` as descriptor `fd`.
pub(crate) fn holds(pid: u32, fd: u64, inode: u64) -> bool {
    let pid = crate::jail::program_pid(pid);
    fs::read_link(format!("/proc/{pid}/fd/{fd}"))
        .is_ok_and(|link| link.as_os_str() == format!("socket:[{inode}]").as_str())
}

/// Whether process `pid` is still running (not gone, not a zombie).
pub(crate) fn alive(pid: u32) -> bool {
    let pid = crate::jail::program_pid(pid);
    fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with(['Z', 'X']))
    })
}

/// Each thread of `pid` and how many times it has gone to sleep.
/// The most memory the program started as `pid` has held resident so far,
/// in bytes: `VmHWM` of its `/proc/PID/status` (the kernel's count, which the process cannot
/// change). `None` when the process is gone.
pub(crate) fn peak_resident(pid: u32) -> Option<u64> {
    let pid = crate::jail::program_pid(pid);
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse::<u64>()
        .ok()?;
    Some(kib * 1024)
}

pub(crate) type Sleeps = BTreeMap<u32, u64>;

/// One look at the threads of a process.
#[derive(Debug, Default)]
pub(crate) struct Threads {
    /// Voluntary context switches of every thread.
    pub(crate) sleeps: Sleeps,
    /// Threads asleep (state `S` or `D`) in a read or write of descriptor
    /// `fd`.
    pub(crate) blocked: Vec<(u32, Blocked)>,
    /// Threads stopped by a signal (state `T`).
    pub(crate) stopped: Vec<u32>,
}

/// Looks at every thread of `pid`, recording which ones sleep in a read or
/// write of `fd`. A thread counts only if its sleep count is the same
/// before and after its system call was read, so the two agree.
pub(crate) fn threads(pid: u32, fd: u64) -> Threads {
    let pid = crate::jail::program_pid(pid);
    let mut seen = Threads::default();
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return seen;
    };
    for task in tasks.flatten() {
        let Some(tid) = task.file_name().to_str().and_then(|t| t.parse().ok()) else {
            continue;
        };
        let dir = task.path();
        let Some(before) = voluntary_switches(&dir) else {
            continue;
        };
        let call = fs::read_to_string(dir.join("syscall")).unwrap_or_default();
        let state = fs::read_to_string(dir.join("stat")).unwrap_or_default();
        let Some(after) = voluntary_switches(&dir) else {
            continue;
        };
        seen.sleeps.insert(tid, after);
        if state
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('T'))
        {
            seen.stopped.push(tid);
        }
        // Woken but not yet run (state `R`), a thread still shows its
        // system call: it counts as blocked only while it sleeps in it.
        let asleep = state
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with(['S', 'D']));
        if before != after || !asleep {
            continue;
        }
        let mut words = call.split_whitespace();
        let number = words.next().and_then(|n| n.parse::<libc::c_long>().ok());
        let first_arg = words
            .next()
            .and_then(|a| u64::from_str_radix(a.trim_start_matches("0x"), 16).ok());
        if first_arg != Some(fd) {
            continue;
        }
        match number {
            Some(n) if READS.contains(&n) => seen.blocked.push((tid, Blocked::Reading)),
            Some(n) if WRITES.contains(&n) => seen.blocked.push((tid, Blocked::Writing)),
            _ => {}
        }
    }
    seen
}

/// One look at a whole process: `Some(sleep counts)` when every thread of
/// `pid` sleeps in the kernel (state `S` or `D`: waiting for something),
/// `None` when one is running or about to run (state `R`), or the process
/// cannot be read. Two looks with the same counts mean that no thread woke
/// up in between: the program has nothing left to do until something
/// arrives.
pub(crate) fn all_asleep(pid: u32) -> Option<Sleeps> {
    let pid = crate::jail::program_pid(pid);
    let mut sleeps = Sleeps::new();
    for task in fs::read_dir(format!("/proc/{pid}/task")).ok()?.flatten() {
        let tid = task.file_name().to_str()?.parse().ok()?;
        let dir = task.path();
        let before = voluntary_switches(&dir)?;
        let stat = fs::read_to_string(dir.join("stat")).ok()?;
        let (_, rest) = stat.rsplit_once(')')?;
        if !rest.trim_start().starts_with(['S', 'D']) {
            return None;
        }
        if voluntary_switches(&dir)? != before {
            return None;
        }
        sleeps.insert(tid, before);
    }
    (!sleeps.is_empty()).then_some(sleeps)
}

/// One look at the polls of `pid`: `Some(timeouts)`, in milliseconds (-1
/// for none), of the threads asleep in a poll (`epoll_wait`), when every
/// thread sleeps in a system call; `None` when one is running, so that a
/// thread between two polls is looked at again rather than missed.
pub(crate) fn poll_timeouts(pid: u32) -> Option<Vec<i32>> {
    let pid = crate::jail::program_pid(pid);
    let mut timeouts = Vec::new();
    for task in fs::read_dir(format!("/proc/{pid}/task")).ok()?.flatten() {
        let call = fs::read_to_string(task.path().join("syscall")).ok()?;
        let mut words = call.split_whitespace();
        // "running" (or a thread not in a system call) has no number.
        let number = words.next()?.parse::<libc::c_long>().ok()?;
        if !POLLS.contains(&number) {
            continue;
        }
        let arg = words.nth(3)?;
        let raw = u64::from_str_radix(arg.trim_start_matches("0x"), 16).ok()?;
        // An `int`: the low 32 bits of the register.
        #[allow(clippy::cast_possible_truncation)]
        timeouts.push(raw as u32 as i32);
    }
    Some(timeouts)
}

fn voluntary_switches(task_dir: &std::path::Path) -> Option<u64> {
    let status = fs::read_to_string(task_dir.join("status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("voluntary_ctxt_switches:"))
        .and_then(|n| n.trim().parse().ok())
}

/// Sends `signal` to the process group of `pid` (the program and the
/// children it forked), as a terminal does for Ctrl-Z.
#[allow(unsafe_code)]
pub(crate) fn signal_group(pid: u32, signal: libc::c_int) -> bool {
    let Ok(pgid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: kill(2) takes plain integers and touches no memory of ours.
    // The harness started the program with `process_group(0)`, so -pgid
    // names exactly the program and its children.
    unsafe { libc::kill(-pgid, signal) == 0 }
}

/// A copy of descriptor `fd` of process `pid` (pidfd_getfd(2), Linux 5.6):
/// the same open socket, so an option set on the copy is set on the
/// program's socket. Needs the right to trace `pid` (the harness is its
/// parent, same user); `None` where that is refused.
#[allow(unsafe_code)]
pub(crate) fn copy_fd(pid: u32, fd: u64) -> Option<std::os::fd::OwnedFd> {
    use std::os::fd::{FromRawFd, OwnedFd};
    let pid = libc::pid_t::try_from(pid).ok()?;
    let fd = libc::c_int::try_from(fd).ok()?;
    // SAFETY: pidfd_open(2) takes a pid and flags and returns a new
    // descriptor or -1; it touches no memory of ours.
    let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    let pidfd = libc::c_int::try_from(pidfd).ok().filter(|d| *d >= 0)?;
    // SAFETY: pidfd is a descriptor we own from the call above; taking it
    // into an OwnedFd closes it exactly once.
    let pidfd = unsafe { OwnedFd::from_raw_fd(pidfd) };
    // SAFETY: pidfd_getfd(2) takes two descriptors and flags and returns a
    // new descriptor or -1; it touches no memory of ours.
    let copy = unsafe {
        libc::syscall(
            libc::SYS_pidfd_getfd,
            std::os::fd::AsRawFd::as_raw_fd(&pidfd),
            fd,
            0,
        )
    };
    let copy = libc::c_int::try_from(copy).ok().filter(|d| *d >= 0)?;
    // SAFETY: the new descriptor is ours alone; OwnedFd closes it once.
    Some(unsafe { OwnedFd::from_raw_fd(copy) })
}
