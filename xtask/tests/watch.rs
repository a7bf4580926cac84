//! `cargo xtask watch` end to end, in a pseudo-terminal as a student runs
//! it: in a starter with lab 1 at its stubs, watch shows lab 1 not done;
//! saving lab 1's solution makes it pass, the progress bar moves and
//! watch goes on to lab 2, where it waits; Ctrl-C ends it with status
//! 130, leaving no process behind.
//!
//! Unix only: the pseudo-terminal crate (rexpect) is. Every wait is on
//! output, with a deadline.
#![cfg(unix)]

use rexpect::process::WaitStatus;
use rexpect::reader::Options;
use rexpect::session::{PtySession, spawn_with_options};
use std::path::{Path, PathBuf};
use std::process::Command;
use xtask::labs::Info;
use xtask::starter::Starter;

/// The deadline of each wait on watch's output. The first check builds
/// the lab's dependencies in the copy's own target folder (kept from run
/// to run); under load that takes minutes.
const DEADLINE_MS: u64 = 900_000;

/// A starter with lab 1 at its stubs, kept under cargo's temporary
/// folder for tests so that its `target/` survives from run to run; the
/// last checks are forgotten.
fn course(name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let info = Info::load(root).unwrap();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    Starter::build(root, &info).unwrap().sync_to(&dir).unwrap();
    let _ = std::fs::remove_dir_all(dir.join("target/socket-labs"));
    dir
}

/// Waits for `text` (ASCII) in what watch prints, within the deadline, and
/// returns what came before it; on a timeout, says what it waited for.
/// rexpect hands over each byte as a `char`: the bytes are put back
/// together as UTF-8.
fn expect(session: &mut PtySession, text: &str) -> String {
    assert!(text.is_ascii(), "rexpect matches bytes: `{text}`");
    let before = session
        .exp_string(text)
        .unwrap_or_else(|e| panic!("waited {DEADLINE_MS} ms for `{text}`: {e}"));
    let bytes: Vec<u8> = before
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn watch_sees_a_saved_solution_pass_and_moves_on() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let info = Info::load(root).unwrap();
    let dir = course("watch-course");
    let tmp = dir.join("target/watch-tmp");
    std::fs::create_dir_all(&tmp).unwrap();

    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command
        .arg("watch")
        .current_dir(&dir)
        .env("LANG", "C")
        .env("TMPDIR", &tmp)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("NO_COLOR")
        .env_remove("CARGO_TARGET_DIR");
    let options = Options::new()
        .timeout_ms(Some(DEADLINE_MS))
        .strip_ansi_escape_codes(true);
    let mut watch = spawn_with_options(command, options).unwrap();

    // The totals the bar counts, from the labs' metadata.
    let scenarios: usize = info.labs.iter().map(|l| l.scenarios.len()).sum();
    let points: u32 = info.labs.iter().map(|l| l.max_points()).sum();
    let labs = info.labs.len();
    let lab1 = &info.labs[0];

    let before = expect(&mut watch, "watching lab 1 (tcp-once)");
    assert!(before.contains("… lab 1 (tcp-once)"), "{before}");
    assert!(
        before.contains(&format!(
            "0/{scenarios} scenarios · 0/{points} points · 0/{labs} labs passed"
        )),
        "{before}"
    );

    // Save the solution, as an editor would.
    let bin = Path::new("labs/01-tcp-once/src/bin");
    for file in ["lab01-server.rs", "lab01-client.rs"] {
        let text = std::fs::read(root.join(bin).join(file)).unwrap();
        std::fs::write(dir.join(bin).join(file), text).unwrap();
    }
    let passed = expect(&mut watch, "lab 1 passes: on to lab 2");
    assert!(passed.contains("✓ lab 1"), "{passed}");
    let moved = format!(
        "{}/{scenarios} scenarios · {}/{points} points · 1/{labs} labs passed",
        lab1.scenarios.len(),
        lab1.max_points()
    );
    assert!(passed.contains(&moved), "the bar did not move:\n{passed}");
    let after = expect(&mut watch, "watching lab 2 (");
    assert!(after.contains(&moved), "{after}");

    // Idle now: nothing is checked again until a file changes (the
    // check's own reads of the sources are not changes). `l` shows the
    // list, and nothing ran before it.
    watch.send_line("l").unwrap();
    let last = &info.labs[labs - 1];
    let idle = expect(&mut watch, &format!("{} ", last.name));
    assert!(
        !idle.contains("building and running"),
        "watch checked again with no file changed:\n{idle}"
    );

    watch.send_control('c').unwrap();
    expect(&mut watch, "watch stopped (Ctrl-C)");
    watch
        .exp_eof()
        .unwrap_or_else(|e| panic!("the terminal was not closed after Ctrl-C: {e}"));
    let status = watch.process().wait().unwrap();
    assert!(
        matches!(status, WaitStatus::Exited(_, 130)),
        "exit status after Ctrl-C: {status:?}"
    );
    let left = xtask::runner::processes_in(&[tmp.as_path(), dir.as_path()]);
    assert!(left.is_empty(), "processes left behind: {left:?}");
}
