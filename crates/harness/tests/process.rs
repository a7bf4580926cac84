//! The harness against misbehaving programs: each must end in a readable
//! transcript line within its deadline, and leave no process behind.
//! The programs are tiny `sh` scripts, so these tests run on Unix only
//! (the ones that look in `/proc`, on Linux only).
#![cfg(unix)]

use harness::{EventKind, ExitHow, Stream};
use pretty_assertions::assert_eq;
use std::time::{Duration, Instant};

fn sh(s: &mut harness::Scenario, script: &str) -> harness::Step<harness::Program> {
    s.start("/bin/sh", &["-c", script])
}

fn exits(t: &harness::Transcript) -> Vec<ExitHow> {
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Exited { how } => Some(how.clone()),
            _ => None,
        })
        .collect()
}

#[cfg(target_os = "linux")]
fn process_alive(pid: &str) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap_or_default()
            .contains(") Z ")
}

#[test]
fn a_program_that_never_exits_is_killed_after_the_step_timeout() {
    let started = Instant::now();
    let t = harness::run(|s| {
        let mut p = sh(s, "exec tail -f /dev/null")?;
        p.expect_exit()
    });
    assert_eq!(exits(&t), vec![ExitHow::KilledAfter(harness::STEP_TIMEOUT)]);
    assert!(t.timed_out());
    assert!(started.elapsed() < harness::STEP_TIMEOUT + Duration::from_secs(2));
    assert!(t.render().contains(
        "killed by the harness: still running 2s after the scenario expected it to exit"
    ));
}

#[test]
fn waiting_for_a_line_that_never_comes_is_a_timeout_line() {
    let t = harness::run(|s| {
        let mut p = sh(s, "exec tail -f /dev/null")?;
        p.expect_line()?;
        Ok(())
    });
    let text = t.render();
    assert!(
        text.contains("[harness] timed out after 2s waiting for sh to print a line"),
        "{text}"
    );
    assert_eq!(exits(&t), vec![ExitHow::StoppedAtEnd]);
}

#[test]
fn a_flood_of_output_is_capped_and_the_program_is_not_blocked() {
    let t = harness::run(|s| {
        // 20 MB of output: the readers keep draining, so the program ends.
        let mut p = sh(
            s,
            "head -c 20000000 /dev/zero | tr '\\0' 'x' | fold -w 100; echo done >&2",
        )?;
        p.expect_exit()
    });
    let stdout_bytes: usize = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Output {
                stream: Stream::Stdout,
                line,
            } => Some(line.len() + 1),
            _ => None,
        })
        .sum();
    assert!(
        stdout_bytes <= harness::process::OUTPUT_LIMIT,
        "kept {stdout_bytes} bytes"
    );
    assert!(
        t.render()
            .contains("more output on stdout was cut: the harness keeps 64 KiB")
    );
    assert!(t.render().contains("[sh stderr] done"));
    assert_eq!(exits(&t), vec![ExitHow::Code(0)]);
}

#[test]
#[cfg(target_os = "linux")]
fn children_left_behind_are_killed_with_the_program() {
    let t = harness::run(|s| {
        // The child prints its pid, then outlives its parent.
        let mut p = sh(s, "tail -f /dev/null & echo $!; exit 0")?;
        p.expect_line()?;
        p.expect_exit()
    });
    let pid = t
        .events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Output { line, .. } => Some(String::from_utf8_lossy(line).trim().to_owned()),
            _ => None,
        })
        .expect("the child's pid was printed");
    // kill(2) only sends SIGKILL; the child ends when it next runs. Wait
    // (bounded) for that exit, then look.
    wait_for_exit(pid.parse().expect("a pid"), Duration::from_secs(2));
    assert!(!process_alive(&pid), "child {pid} still running");
}

#[cfg(target_os = "linux")]
/// Waits at most `timeout` for the process `pid` (not a child of ours) to
/// end: a pidfd (Linux 5.3) becomes readable when its process exits.
#[allow(unsafe_code)]
fn wait_for_exit(pid: libc::pid_t, timeout: Duration) {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    // SAFETY: pidfd_open takes two integers and returns a new descriptor,
    // or -1 (ESRCH: the process is already gone).
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    let Ok(fd) = i32::try_from(fd) else { return };
    if fd < 0 {
        return;
    }
    // SAFETY: `fd` was just returned to us open and nothing else owns it.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let mut poll = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let millis = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
    // SAFETY: poll reads and writes the one pollfd, which outlives the call.
    unsafe {
        libc::poll(&raw mut poll, 1, millis);
    }
}

#[test]
fn a_program_that_exits_without_its_listening_line_is_reported() {
    let t = harness::run(|s| {
        let _server = s.start_server_at(
            "/bin/sh",
            &["-c", "echo 'error: could not bind' >&2; exit 1"],
        )?;
        Ok(())
    });
    let text = t.render();
    assert!(
        text.contains("closed its stdout without printing the expected line"),
        "{text}"
    );
    assert!(text.contains("[sh stderr] error: could not bind"), "{text}");
    assert_eq!(exits(&t), vec![ExitHow::Code(1)]);
}

#[test]
fn a_wrong_first_line_is_reported() {
    let t = harness::run(|s| {
        let _server =
            s.start_server_at("/bin/sh", &["-c", "echo hello; exec tail -f /dev/null"])?;
        Ok(())
    });
    assert!(
        t.render()
            .contains("the first line of sh must be `listening on IP:PORT`")
    );
}

#[test]
fn a_program_that_cannot_be_started_is_one_line() {
    let t = harness::run(|s| {
        s.start("/nonexistent/lab99-server", &[])?;
        Ok(())
    });
    assert!(
        t.render()
            .starts_with("[harness] could not start /nonexistent/lab99-server:")
    );
}

#[test]
fn typing_into_a_program_that_never_reads_its_stdin_is_a_timeout_line() {
    let started = Instant::now();
    let line = "x".repeat(1024 * 1024);
    let t = harness::run(|s| {
        let mut p = s.start_with_stdin("/bin/sh", &["-c", "exec tail -f /dev/null"])?;
        p.type_line(&line)
    });
    assert!(t.timed_out());
    assert!(started.elapsed() < harness::STEP_TIMEOUT + Duration::from_secs(2));
    assert!(
        t.render()
            .contains("timed out after 2s waiting for sh to read what was typed into its stdin"),
        "{}",
        t.render()
    );
}

#[test]
fn a_line_longer_than_the_limit_is_cut_and_says_so() {
    let t = harness::run(|s| {
        let mut p = sh(s, "head -c 10000 /dev/zero | tr '\\0' x; echo; echo next")?;
        p.expect_line()?;
        p.expect_line()?;
        p.expect_exit()
    });
    let lines: Vec<Vec<u8>> = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Output { line, .. } => Some(line.clone()),
            _ => None,
        })
        .collect();
    let mut cut = vec![b'x'; harness::process::LINE_LIMIT];
    cut.extend_from_slice(harness::process::cut_marker(10_000).as_bytes());
    assert_eq!(lines, vec![cut, b"next".to_vec()]);
}

#[test]
fn lines_read_after_a_failed_step_are_marked_as_such() {
    // The program prints `late` only once its stdin closes, which the
    // harness does when it stops the story: in a diff against a snapshot,
    // the line must not pass for one that came in time.
    let t = harness::run(|s| {
        let mut p = s.start_with_stdin(
            "/bin/sh",
            &["-c", "echo first; read x; echo late; echo late-err >&2"],
        )?;
        p.expect_line()?;
        p.expect_line()?;
        Ok(())
    });
    let text = t.render();
    assert!(text.contains("\n[sh] first\n"), "{text}");
    assert!(
        text.contains("[harness] timed out after 2s waiting for sh to print a line\n[sh, read after the story stopped] late\n[sh stderr, read after the story stopped] late-err\n"),
        "{text}"
    );
    // A property still finds every line the program printed.
    assert_eq!(
        harness::property::stdout_lines(&t, "sh"),
        vec![b"first".to_vec(), b"late".to_vec()]
    );
}

#[test]
fn the_remaining_output_of_a_story_that_ran_to_its_end_is_not_marked() {
    let t = harness::run(|s| {
        let mut p = s.start_with_stdin("/bin/sh", &["-c", "echo first; read x; echo last"])?;
        p.expect_line()?;
        Ok(())
    });
    let text = t.render();
    assert!(text.contains("\n[sh] last\n"), "{text}");
    assert!(!text.contains("after the story stopped"), "{text}");
}
