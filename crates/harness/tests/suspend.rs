//! The Ctrl-Z scenario ([`harness::TcpPeer::suspend_writer`]): a program
//! blocked writing 8 MiB to a peer that does not read is suspended and
//! resumed; ONE `write` then returns a short count, every run, while
//! `write_all` still sends everything. Linux only (see `suspend.rs`).
#![cfg(target_os = "linux")]

use harness::EventKind;

const PROGRAM: &str = env!("CARGO_BIN_EXE_harness-selftest-program");
const SIZE: usize = 8 * 1024 * 1024;

/// The count the program printed: `wrote N bytes`.
fn wrote(t: &harness::Transcript) -> usize {
    t.events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Output { line, .. } => String::from_utf8_lossy(line)
                .strip_prefix("wrote ")
                .and_then(|rest| rest.strip_suffix(" bytes"))
                .and_then(|n| n.parse().ok()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no `wrote N bytes` line in\n{}", t.render()))
}

fn ctrl_z(how: &str) -> harness::Transcript {
    harness::run(|s| {
        let mut server = s.start_server_at(PROGRAM, &[how, &SIZE.to_string()])?;
        let mut client = s.connect("client", &server)?;
        client.suspend_writer(&server)?;
        if how == "write-all" {
            // write_all finishes only once the peer reads everything.
            client.recv_exact(SIZE)?;
            server.expect_line()?;
        } else {
            server.expect_line()?;
        }
        client.close();
        server.expect_exit()
    })
}

#[test]
fn one_write_returns_a_short_count_every_run() {
    for run in 0..5 {
        let t = ctrl_z("write-once");
        let text = t.render();
        // The only note: it stopped writing after one suspension (it gave
        // up on the rest), not that this system could not suspend it.
        assert!(
            t.notes()
                .iter()
                .all(|n| n.contains("suspended the program 1 time(s)")),
            "{:?}",
            t.notes()
        );
        assert!(
            text.contains("[harness] suspended harness-selftest-program while it was writing to client (as Ctrl-Z does), then resumed it (as fg does)"),
            "run {run}:\n{text}"
        );
        let n = wrote(&t);
        assert!(n > 0 && n < SIZE, "run {run}: write returned {n} of {SIZE}");
    }
}

#[test]
fn write_all_goes_on_after_the_suspension() {
    for run in 0..5 {
        let t = ctrl_z("write-all");
        assert_eq!(wrote(&t), SIZE, "run {run}:\n{}", t.render());
        assert!(!t.timed_out(), "{}", t.render());
        // 8 MiB is enough here for at least two suspensions.
        assert!(t.notes().is_empty(), "run {run}: {:?}", t.notes());
    }
}

#[test]
fn a_write_that_never_blocks_is_not_suspended_and_the_verdict_says_so() {
    let t = harness::run(|s| {
        let mut server = s.start_server_at(PROGRAM, &["write-all", "1000"])?;
        let mut client = s.connect("client", &server)?;
        server.expect_line()?; // wrote 1000 bytes: it now waits in read
        client.suspend_writer(&server)?;
        client.recv_exact(1000)?;
        client.close();
        server.expect_exit()
    });
    assert!(!t.timed_out(), "{}", t.render());
    assert_eq!(t.notes().len(), 1, "{:?}", t.notes());
    assert!(t.notes()[0].contains("without blocking"), "{:?}", t.notes());
}
