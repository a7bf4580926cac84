//! Ctrl-C during `cargo xtask check-lab` leaves no lab program behind.
//!
//! A scenario's programs run in process groups of their own, out of the
//! reach of the terminal's Ctrl-C; check-lab stops them itself
//! (`xtask::interrupt`). Here, in a starter whose lab 1 server hangs
//! before its first line (`fixtures/hang/lab01-server.rs`), check-lab 1
//! runs until that server is running, found by its process; then SIGINT
//! goes to check-lab's whole process group, as a terminal sends Ctrl-C
//! (and, a second time, SIGTERM to check-lab alone, as a `kill` or an
//! IDE's stop button sends it). Check-lab must exit with status 130 and no
//! process whose program lies in the copy may remain.
//!
//! Linux only: the programs are found through `/proc`, as check-lab finds
//! them.
#![cfg(target_os = "linux")]

use harness::child::Exit;
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};
use xtask::labs::Info;
use xtask::starter::Starter;

/// The longest wait for the first lab program: check-lab first builds the
/// lab's dependencies in the copy's own target folder (kept from run to
/// run); under load that takes minutes.
const FIRST_PROGRAM: Duration = Duration::from_secs(900);

/// The longest wait for check-lab to end after the signal, and for the
/// killed programs to be gone.
const AFTER_SIGNAL: Duration = Duration::from_secs(60);

/// The server's source in the copy.
const SERVER: &str = "labs/01-tcp-once/src/bin/lab01-server.rs";

/// A starter whose lab 1 server hangs, kept under cargo's temporary
/// folder for tests so that its `target/` survives from run to run.
fn course() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let info = Info::load(root).unwrap();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("interrupt-course");
    Starter::build(root, &info).unwrap().sync_to(&dir).unwrap();
    let hang = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hang/lab01-server.rs");
    std::fs::copy(hang, dir.join(SERVER)).unwrap();
    let _ = std::fs::remove_dir_all(dir.join("target/socket-labs"));
    dir.canonicalize().unwrap()
}

/// The processes whose program lies in `dir` (not zombies: a zombie has
/// no program any more), with their programs.
fn programs_in(dir: &Path) -> Vec<(u32, PathBuf)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
            continue;
        };
        let Ok(exe) = std::fs::read_link(entry.path().join("exe")) else {
            continue;
        };
        let exe = PathBuf::from(exe.to_string_lossy().trim_end_matches(" (deleted)"));
        if exe.starts_with(dir) {
            found.push((pid, exe));
        }
    }
    found
}

/// Each connection the hanging server makes, from a thread of its own.
fn connections(listener: TcpListener) -> Receiver<TcpStream> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            if tx.send(stream).is_err() {
                return;
            }
        }
    });
    rx
}

/// Starts `check-lab 1` in `dir`, waits until its lab 1 server runs, then
/// sends `signal` to check-lab's process group (`group`) or to check-lab
/// alone; returns check-lab's exit status and what it printed.
fn check_lab_stopped_by(dir: &Path, signal: &str, group: bool) -> (Option<i32>, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let connected = connections(listener);
    let tmp = dir.join("target/interrupt-tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command
        .args(["check-lab", "1"])
        .current_dir(dir)
        .env("LANG", "C")
        .env("TMPDIR", &tmp)
        .env("SOCKET_LABS_TEST_RUNNING", addr.to_string())
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("CARGO_TARGET_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    // Its own process group, as a shell's job: the group a terminal's
    // Ctrl-C reaches.
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let printed = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let exit = Exit::watch(child);
    let server = dir.join("target/debug/lab01-server");

    // Each scenario starts a server that connects, then hangs until the
    // harness's deadline kills it: at a connection, that server runs
    // (unless the deadline came first; then wait for the next one).
    let mut waited = FIRST_PROGRAM;
    let running = (0..20).any(|_| {
        let _held = connected
            .recv_timeout(waited)
            .unwrap_or_else(|e| panic!("no lab 1 server connected within {waited:?}: {e}"));
        waited = AFTER_SIGNAL;
        programs_in(dir).iter().any(|(_, exe)| *exe == server)
    });
    assert!(running, "the lab 1 server was never found running");

    let target = if group {
        format!("-{}", exit.pid())
    } else {
        exit.pid().to_string()
    };
    let sent = Command::new("kill")
        .args([&format!("-{signal}"), "--", &target])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -{signal} {target}");
    let status = exit
        .wait(AFTER_SIGNAL)
        .unwrap_or_else(|| panic!("check-lab still runs {AFTER_SIGNAL:?} after SIG{signal}"))
        .unwrap();
    (status.code(), printed.join().unwrap())
}

/// Waits, within [`AFTER_SIGNAL`], until no process of `dir` remains
/// (a killed process takes a moment to go); returns those left.
fn left_in(dir: &Path) -> Vec<(u32, PathBuf)> {
    let deadline = Instant::now() + AFTER_SIGNAL;
    loop {
        let left = programs_in(dir);
        if left.is_empty() || Instant::now() > deadline {
            return left;
        }
        std::thread::yield_now();
    }
}

#[test]
fn ctrl_c_or_sigterm_during_check_lab_leaves_no_lab_program() {
    let dir = course();
    for (signal, group) in [("INT", true), ("TERM", false)] {
        let (code, printed) = check_lab_stopped_by(&dir, signal, group);
        assert_eq!(code, Some(130), "after SIG{signal}:\n{printed}");
        assert!(
            printed.contains("check-lab stopped (Ctrl-C)"),
            "after SIG{signal}:\n{printed}"
        );
        let left = left_in(&dir);
        assert!(
            left.is_empty(),
            "after SIG{signal}, processes of the copy remain: {left:?}"
        );
    }
}
