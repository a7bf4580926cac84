//! `cargo xtask reset N` in a starter that is a git repository: it asks,
//! does nothing on "no", and puts lab N's `src/` back on "y" or `--yes`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use xtask::labs::Info;
use xtask::starter::{Starter, student};

fn xtask(dir: &Path, args: &[&str], stdin: &str) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(dir)
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn reset_asks_then_puts_the_stubs_back() {
    if Command::new("git").arg("--version").output().is_err() {
        println!("skipped: git is not installed");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let info = Info::load(root).unwrap();
    let dir: PathBuf = std::env::temp_dir().join(format!("xtask-reset-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    Starter::build(root, &info)
        .unwrap()
        .write_new(&dir)
        .unwrap();
    let said = student::git_init(&dir).unwrap();
    assert_eq!(said, "the starter is a git repository with one commit");

    let file = dir.join("labs/01-tcp-once/src/bin/lab01-server.rs");
    let stub = std::fs::read_to_string(&file).unwrap();
    let mine = stub.replacen("todo!(", "unimplemented!(", 1);
    std::fs::write(&file, &mine).unwrap();

    let (ok, text) = xtask(&dir, &["reset", "1"], "n\n");
    assert!(ok, "{text}");
    assert!(
        text.contains("labs/01-tcp-once/src/bin/lab01-server.rs"),
        "{text}"
    );
    assert!(
        text.contains("continue? [y/N]") && text.contains("nothing changed"),
        "{text}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), mine);

    let (ok, text) = xtask(&dir, &["reset", "1"], "y\n");
    assert!(
        ok && text.contains("lab 1 is back to the starter's code"),
        "{text}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), stub);

    std::fs::write(&file, &mine).unwrap();
    let (ok, text) = xtask(&dir, &["reset", "--yes", "lab01"], "");
    assert!(ok && !text.contains("[y/N]"), "{text}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), stub);

    let (ok, text) = xtask(&dir, &["reset", "1", "--yes"], "");
    assert!(ok && text.contains("nothing to reset"), "{text}");

    // The instructor's copy is never reset.
    let (ok, text) = xtask(root, &["reset", "1", "--yes"], "");
    assert!(
        !ok && text.contains("reset works in a student's copy"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
