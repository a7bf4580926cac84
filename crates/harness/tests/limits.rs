//! Resource limits on programs under test (`limits.rs`): a 4 GiB
//! allocation, which Linux's overcommit would grant, aborts with Rust's
//! `memory allocation of … bytes failed`, every run; a small one works.
#![cfg(target_os = "linux")]

use harness::{EventKind, ExitHow};

const PROGRAM: &str = env!("CARGO_BIN_EXE_harness-selftest-program");

fn alloc(bytes: &str) -> harness::Transcript {
    harness::run(|s| {
        let mut p = s.start(PROGRAM, &["alloc", bytes])?;
        p.expect_exit()
    })
}

#[test]
fn a_4_gib_allocation_aborts_every_run() {
    for run in 0..5 {
        let t = alloc("4294967295");
        let text = t.render();
        assert!(
            text.contains(
                "[harness-selftest-program stderr] memory allocation of 4294967295 bytes failed"
            ),
            "run {run}:\n{text}"
        );
        assert!(
            t.events.iter().any(|e| e.kind
                == EventKind::Exited {
                    how: ExitHow::Signal(libc_sigabrt())
                }),
            "{text}"
        );
        assert!(t.notes().is_empty(), "{:?}", t.notes());
        let verdict = harness::report::judge("alloc", Some("a different transcript"), &t);
        assert_eq!(verdict.status, harness::report::Status::Error);
        assert!(
            verdict
                .message
                .starts_with("the program aborted: memory allocation of 4294967295 bytes failed"),
            "{}",
            verdict.message
        );
    }
}

#[test]
fn a_small_allocation_still_works() {
    let t = alloc("1000000");
    assert!(
        t.render()
            .contains("allocated 1000000 bytes\n[harness-selftest-program] exited with status 0"),
        "{}",
        t.render()
    );
}

/// SIGABRT is 6 on Linux.
fn libc_sigabrt() -> i32 {
    6
}
