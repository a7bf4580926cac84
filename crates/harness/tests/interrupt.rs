//! Ctrl-C while a scenario runs ends the programs under test too (see the
//! harness's `interrupt` module): the test below starts this same test
//! binary on one ignored scenario that starts a program and then waits,
//! sends it SIGINT as a terminal's Ctrl-C would, and looks for the
//! program in `/proc` (so: Linux).
#![cfg(target_os = "linux")]

use harness::child::Exit;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Set for the inner run only.
const INNER: &str = "HARNESS_INTERRUPT_TEST_INNER";

/// How long each step of the outer test may take.
const DEADLINE: Duration = Duration::from_secs(10);

/// The inner run: starts a program that never exits, prints its process
/// id, and waits for its own stdin to close (the outer test holds it: it
/// signals instead).
#[test]
#[ignore = "run by ctrl_c_ends_the_programs_under_test_with_the_test"]
fn inner_scenario_that_waits_for_ctrl_c() {
    assert!(
        std::env::var_os(INNER).is_some(),
        "run only by the outer test"
    );
    let _ = harness::run(|s| {
        let mut program = s.start("/bin/sh", &["-c", "echo $$; exec tail -f /dev/null"])?;
        let line = program.expect_line()?;
        println!("program {}", String::from_utf8_lossy(&line));
        let mut rest = String::new();
        let _ = std::io::stdin().read_to_string(&mut rest);
        Ok(())
    });
}

fn alive(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| !stat.contains(") Z "))
}

#[test]
fn ctrl_c_ends_the_programs_under_test_with_the_test() {
    let mut inner = Command::new(std::env::current_exe().expect("this test's path"))
        .args([
            "--exact",
            "inner_scenario_that_waits_for_ctrl_c",
            "--ignored",
            "--nocapture",
        ])
        .env(INNER, "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the inner run");
    let _stdin_held_open = inner.stdin.take();
    let stdout = inner.stdout.take().expect("piped");
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let inner = Exit::watch(inner);
    let program = loop {
        let line = lines
            .recv_timeout(DEADLINE)
            .expect("the inner run prints its program's process id");
        if let Some(pid) = line.strip_prefix("program ") {
            break pid.trim().to_owned();
        }
    };
    assert!(alive(&program), "program {program} runs before Ctrl-C");

    let sent = Command::new("kill")
        .args(["-INT", &inner.pid().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success());
    let status = inner
        .wait(DEADLINE)
        .expect("the inner run ends after SIGINT")
        .expect("its exit status");
    let left_running = alive(&program);
    if left_running {
        let _ = Command::new("kill").args(["-KILL", &program]).status();
    }
    assert!(
        !left_running,
        "program {program} still ran after the test process was interrupted"
    );
    assert_eq!(status.code(), Some(130), "exits as a shell reports Ctrl-C");
}
