//! Paced delivery ([`harness::TcpPeer::send_paced`]) against a program that
//! reads a 4-byte header with ONE `read`: each read returns exactly one
//! piece, on every run. Linux only: elsewhere pacing falls back to sending
//! back to back (see `pace.rs`), and that fallback is tested by its note.
#![cfg(target_os = "linux")]

use harness::EventKind;
use pretty_assertions::assert_eq;

const PROGRAM: &str = env!("CARGO_BIN_EXE_harness-selftest-program");

fn program_lines(t: &harness::Transcript) -> Vec<String> {
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Output { line, .. } if e.actor == "harness-selftest-program" => {
                Some(String::from_utf8_lossy(line).into_owned())
            }
            _ => None,
        })
        .collect()
}

#[test]
fn every_read_returns_exactly_one_piece_every_run() {
    // 30 runs: pieces sent back to back merge in most of them (issue 10
    // measured 12 of 17); paced, not one may.
    for run in 0..30 {
        let t = harness::run(|s| {
            let mut server = s.start_server_at(PROGRAM, &["reads"])?;
            let mut client = s.connect("client", &server)?;
            client.send_paced(&server, &[b"ab", b"cd", b"e", b"fg"])?;
            for _ in 0..4 {
                server.expect_line()?;
            }
            client.close();
            server.expect_exit()
        });
        assert_eq!(
            program_lines(&t)[1..],
            [
                "read 2 bytes: \"ab\"",
                "read 2 bytes: \"cd\"",
                "read 1 bytes: \"e\"",
                "read 2 bytes: \"fg\"",
            ],
            "run {run}:\n{}",
            t.render()
        );
        assert!(t.notes().is_empty(), "{:?}", t.notes());
        assert!(
            t.render().contains(
                "[client] sent 7 bytes to harness-selftest-program in 4 pieces (2 + 2 + 1 + 2 bytes), \
                 each only once harness-selftest-program had read the one before and was waiting in \
                 read again (no read can return two pieces): \"abcdefg\""
            ),
            "{}",
            t.render()
        );
    }
}

#[test]
fn a_program_that_has_gone_ends_the_wait_with_a_line() {
    let t = harness::run(|s| {
        let mut server = s.start_server_at(PROGRAM, &["reads"])?;
        let mut client = s.connect("client", &server)?;
        client.send_paced(&server, &[b"ab"])?;
        server.expect_line()?;
        server.stop();
        client.send_paced(&server, &[b"cd"])
    });
    let text = t.render();
    assert!(
        text.contains("[harness] harness-selftest-program no longer holds its end of the connection: it closed it or exited (2 of 2 bytes were not sent)"),
        "{text}"
    );
}

#[test]
fn a_program_that_never_reads_times_out_with_a_line() {
    let t = harness::run(|s| {
        // Blocked writing 8 MiB to us: it never reads.
        let mut server = s.start_server_at(PROGRAM, &["write-all", "8388608"])?;
        let mut client = s.connect("client", &server)?;
        client.send_paced(&server, &[b"a", b"b"])?;
        client.close();
        server.expect_exit()
    });
    assert!(
        t.render().contains("[client] timed out after 2s waiting for harness-selftest-program to read the 0 bytes sent so far and wait in read again"),
        "{}",
        t.render()
    );
}

#[test]
fn a_pause_watches_the_reader_sleep_in_the_same_read() {
    let t = harness::run(|s| {
        let mut server = s.start_server_at(PROGRAM, &["reads"])?;
        let mut client = s.connect("client", &server)?;
        client.send_paced(&server, &[b"ab"])?;
        server.expect_line()?;
        client.pause(&server, std::time::Duration::from_millis(300))?;
        client.send_paced(&server, &[b"cd"])?;
        server.expect_line()?;
        client.close();
        server.expect_exit()
    });
    let text = t.render();
    assert!(
        text.contains(
            "[client] sent nothing for 300 ms: all that time harness-selftest-program slept in \
             the same read, waiting\n"
        ),
        "{text}"
    );
    assert_eq!(
        program_lines(&t)[1..],
        ["read 2 bytes: \"ab\"", "read 2 bytes: \"cd\""],
        "{text}"
    );
}

#[test]
fn a_pause_catches_a_read_that_times_out() {
    // The timeout (100 ms) fires well within the pause (1 s): however late
    // the program runs after its timer, it is no longer asleep in the read
    // the pause began with (it reads again after each timeout, so there is
    // always a read to begin with).
    for run in 0..5 {
        let t = harness::run(|s| {
            let server = s.start_server_at(PROGRAM, &["reads-timeout", "100"])?;
            let mut client = s.connect("client", &server)?;
            client.pause(&server, std::time::Duration::from_secs(1))
        });
        let text = t.render();
        assert!(
            text.contains(
                "[harness] harness-selftest-program woke up from its read before 1 s had passed, \
                 with nothing sent and the connection open: a read with a timeout?"
            ),
            "run {run}:\n{text}"
        );
    }
}
