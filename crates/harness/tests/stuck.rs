//! When a step times out, the verdict says what the program under test was
//! doing: asleep in `recvfrom` on its socket, in `accept`, or running
//! without sleeping (a busy loop). Read from `/proc`: Linux only; the
//! rendered transcript (the snapshot text) never says it.
#![cfg(target_os = "linux")]

use harness::stuck::{Call, Doing, On, Stuck};
use pretty_assertions::assert_eq;

const PROGRAM: &str = env!("CARGO_BIN_EXE_harness-selftest-program");

fn waiting(program: &str, name: &str, on: On) -> Vec<Stuck> {
    vec![Stuck {
        program: program.to_owned(),
        doing: Doing::Waiting(vec![Call {
            name: name.to_owned(),
            on,
        }]),
    }]
}

#[test]
fn a_server_stuck_in_read_is_waiting_in_recvfrom_on_its_socket() {
    let t = harness::run(|s| {
        let mut server = s.start_server_at(PROGRAM, &["reads"])?;
        let _client = s.connect("client", &server)?;
        // It prints only what it reads, and nothing was sent.
        server.expect_line()?;
        Ok(())
    });
    assert!(t.timed_out(), "{}", t.render());
    assert_eq!(
        t.stuck(),
        waiting("harness-selftest-program", "recvfrom", On::Socket)
    );
    assert!(!t.render().contains("recvfrom"), "{}", t.render());
}

#[test]
fn a_server_nobody_connects_to_is_waiting_in_accept() {
    let t = harness::run(|s| {
        let mut server = s.start_server_at(PROGRAM, &["reads"])?;
        server.expect_line()?;
        Ok(())
    });
    let stuck = t.stuck();
    assert_eq!(stuck.len(), 1, "{stuck:?}");
    let Doing::Waiting(calls) = &stuck[0].doing else {
        panic!("{stuck:?}");
    };
    assert!(
        calls[0].name.starts_with("accept") && calls[0].on == On::Socket,
        "{calls:?}"
    );
}

#[test]
fn a_program_in_a_busy_loop_is_running_not_waiting() {
    let t = harness::run(|s| {
        let mut p = s.start("/bin/sh", &["-c", "while :; do :; done"])?;
        p.expect_line()?;
        Ok(())
    });
    assert!(t.timed_out(), "{}", t.render());
    assert_eq!(
        t.stuck(),
        [Stuck {
            program: "sh".to_owned(),
            doing: Doing::Running
        }]
    );
}

#[test]
fn a_program_reading_its_stdin_is_waiting_in_read_on_stdin() {
    let t = harness::run(|s| {
        let mut p = s.start_with_stdin("/bin/sh", &["-c", "read line; echo got"])?;
        p.expect_line()?;
        Ok(())
    });
    assert_eq!(t.stuck(), waiting("sh", "read", On::Stdin));
}

#[test]
fn a_program_that_answers_in_time_leaves_nothing_stuck() {
    let t = harness::run(|s| {
        let mut p = s.start("/bin/sh", &["-c", "echo hi"])?;
        p.expect_line()?;
        p.expect_exit()
    });
    assert!(!t.timed_out());
    assert!(t.stuck().is_empty());
}
