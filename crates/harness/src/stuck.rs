//! What a program under test was doing when a step timed out: asleep in a
//! system call (which one, on what), or running without ever sleeping (a
//! busy loop). A stuck `read` and a spinning loop end in the same timeout
//! line; this tells them apart, where the platform shows it.
//!
//! On Linux it is read from `/proc` (see [`crate::observe`]): every
//! thread asleep twice in a row with the same sleep counts is a program
//! waiting, and `/proc/PID/task/TID/syscall` names the call; a thread
//! still running after [`LOOK`] is a busy loop. Elsewhere nothing is
//! found and nothing is said. What is found goes with the verdict, never
//! into the rendered transcript (the snapshots stay the same everywhere).

use serde::{Deserialize, Serialize};
#[cfg(target_os = "linux")]
use std::time::Duration;

/// How long a look at a program may take before a thread that never
/// sleeps counts as a busy loop.
#[cfg(target_os = "linux")]
const LOOK: Duration = Duration::from_millis(200);

/// One program under test, when a step timed out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stuck {
    /// Its name in the transcript: `lab01-server`.
    pub program: String,
    pub doing: Doing,
}

/// What a program was doing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Doing {
    /// Every thread asleep: the system calls they sleep in, each once,
    /// the main thread's first.
    Waiting(Vec<Call>),
    /// A thread kept running: not waiting for anything.
    Running,
}

/// A system call a thread sleeps in, and what its descriptor is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    /// The system call's name: `recvfrom`, `accept4`, `futex`…
    pub name: String,
    pub on: On,
}

/// What the first argument of a call names, when it is a descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum On {
    Socket,
    /// Descriptor 0.
    Stdin,
    /// A pipe, a file, or not a descriptor at all.
    Other,
}

/// What process `pid` (named `program`) is doing; `None` when it is gone
/// or this system cannot tell.
#[cfg(target_os = "linux")]
pub(crate) fn look(program: &str, pid: u32) -> Option<Stuck> {
    use crate::observe;
    use std::time::Instant;
    if !observe::available() {
        return None;
    }
    let deadline = Instant::now() + LOOK;
    let mut last = None;
    let doing = loop {
        if !observe::alive(pid) {
            return None;
        }
        let now = observe::all_asleep(pid);
        if now.is_some() && now == last {
            // In the grader's jail, `pid` is bwrap's (see `jail`).
            break Doing::Waiting(calls(crate::jail::program_pid(pid)));
        }
        last = now;
        if Instant::now() >= deadline {
            break Doing::Running;
        }
        std::thread::yield_now();
    };
    Some(Stuck {
        program: program.to_owned(),
        doing,
    })
}

/// Without `/proc`: nothing to say.
#[cfg(not(target_os = "linux"))]
pub(crate) fn look(_program: &str, _pid: u32) -> Option<Stuck> {
    None
}

/// The calls the threads of `pid` sleep in, each once, the main thread's
/// first.
#[cfg(target_os = "linux")]
fn calls(pid: u32) -> Vec<Call> {
    let mut tids: Vec<u32> = std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|dir| {
            dir.flatten()
                .filter_map(|t| t.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    tids.sort_by_key(|tid| (*tid != pid, *tid));
    let mut out: Vec<Call> = Vec::new();
    for tid in tids {
        let text =
            std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/syscall")).unwrap_or_default();
        let mut words = text.split_whitespace();
        let Some(number) = words.next().and_then(|n| n.parse::<libc::c_long>().ok()) else {
            continue;
        };
        let fd = words
            .next()
            .and_then(|a| u64::from_str_radix(a.trim_start_matches("0x"), 16).ok());
        let call = Call {
            name: call_name(number),
            on: fd.map_or(On::Other, |fd| descriptor(pid, fd)),
        };
        if !out.contains(&call) {
            out.push(call);
        }
    }
    out
}

/// What descriptor `fd` of `pid` is.
#[cfg(target_os = "linux")]
fn descriptor(pid: u32, fd: u64) -> On {
    match std::fs::read_link(format!("/proc/{pid}/fd/{fd}")) {
        Ok(link) if link.to_string_lossy().starts_with("socket:") => On::Socket,
        Ok(_) if fd == 0 => On::Stdin,
        _ => On::Other,
    }
}

/// Older calls that newer architectures (aarch64) no longer have: on
/// x86_64, mio's poll (lab 7) sleeps in `epoll_wait`.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
const OLDER_CALLS: &[(libc::c_long, &str)] = &[
    (libc::SYS_epoll_wait, "epoll_wait"),
    (libc::SYS_poll, "poll"),
    (libc::SYS_select, "select"),
];
#[cfg(all(target_os = "linux", not(target_arch = "x86_64")))]
const OLDER_CALLS: &[(libc::c_long, &str)] = &[];

/// The name of system call `number` on this architecture (libc's
/// `SYS_*`), for the calls a lab's program sleeps in.
#[cfg(target_os = "linux")]
fn call_name(number: libc::c_long) -> String {
    let known: &[(libc::c_long, &str)] = &[
        (libc::SYS_read, "read"),
        (libc::SYS_readv, "readv"),
        (libc::SYS_recvfrom, "recvfrom"),
        (libc::SYS_recvmsg, "recvmsg"),
        (libc::SYS_write, "write"),
        (libc::SYS_writev, "writev"),
        (libc::SYS_sendto, "sendto"),
        (libc::SYS_sendmsg, "sendmsg"),
        (libc::SYS_accept, "accept"),
        (libc::SYS_accept4, "accept4"),
        (libc::SYS_connect, "connect"),
        (libc::SYS_futex, "futex"),
        (libc::SYS_wait4, "wait4"),
        (libc::SYS_nanosleep, "nanosleep"),
        (libc::SYS_clock_nanosleep, "clock_nanosleep"),
        (libc::SYS_ppoll, "ppoll"),
        (libc::SYS_pselect6, "pselect6"),
        (libc::SYS_epoll_pwait, "epoll_pwait"),
    ];
    known
        .iter()
        .chain(OLDER_CALLS)
        .find(|(n, _)| *n == number)
        .map_or_else(
            || format!("system call {number}"),
            |(_, name)| (*name).to_owned(),
        )
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::call_name;

    #[test]
    fn a_known_call_is_named_and_an_unknown_one_numbered() {
        assert_eq!(call_name(libc::SYS_recvfrom), "recvfrom");
        #[cfg(target_arch = "x86_64")]
        assert_eq!(call_name(libc::SYS_epoll_wait), "epoll_wait");
        assert_eq!(call_name(100_000), "system call 100000");
    }
}
