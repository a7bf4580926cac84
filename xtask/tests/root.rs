//! One xtask binary, two copies of the course: each run reads the copy it
//! is run in. With a shared `CARGO_TARGET_DIR` (a common global setting)
//! cargo builds xtask once for every copy, so the workspace root must come
//! from the current folder, never from where xtask was compiled, and
//! `check-lab` must build each copy's labs from that copy's files.

use std::path::{Path, PathBuf};
use std::process::Command;
use xtask::labs::Info;
use xtask::starter::Starter;

/// A fresh folder under the system's temporary folder.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-root-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A copy of the course that holds only what `list` and `hint` read: this
/// workspace's `labs/info.toml` with lab 1's title and hint made its own,
/// and a last check saying lab 1 earned `points`.
fn copy(name: &str, points: u32) -> PathBuf {
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("../labs/info.toml");
    let info = std::fs::read_to_string(real).unwrap();
    let info = info.replacen("\ntitle = \"", &format!("\ntitle = \"{name}: "), 1);
    let info = info.replacen(
        "\nhint = \"\"\"\n",
        &format!("\nhint = \"\"\"\n{name}'s hint. "),
        1,
    );
    assert!(
        info.contains(&format!("{name}'s hint")),
        "info.toml's shape changed"
    );
    let dir = scratch(name);
    std::fs::create_dir_all(dir.join("labs/01-tcp-once/src")).unwrap();
    std::fs::write(dir.join("labs/info.toml"), info).unwrap();
    let own = dir.join("target/socket-labs");
    std::fs::create_dir_all(&own).unwrap();
    std::fs::write(
        own.join("last-check.json"),
        format!(r#"{{"lab01-tcp-once": ["failing", {points}]}}"#),
    )
    .unwrap();
    dir
}

/// Runs the one xtask binary cargo built for this test in `dir`, with
/// `target` as the shared `CARGO_TARGET_DIR`, in English.
fn xtask(dir: &Path, target: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("CARGO_MANIFEST_DIR")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn two_copies_sharing_a_target_dir_each_read_their_own_files() {
    let shared = scratch("shared-target");
    let a = copy("copy A", 3);
    let b = copy("copy B", 7);
    // From copy A's root, and from deep inside copy B.
    let (status, list_a) = xtask(&a, &shared, &["list"]);
    assert_eq!(status, 0, "{list_a}");
    let (status, list_b) = xtask(&b.join("labs/01-tcp-once/src"), &shared, &["list"]);
    assert_eq!(status, 0, "{list_b}");
    assert!(
        list_a.contains("copy A: ") && list_a.contains("3/"),
        "{list_a}"
    );
    assert!(!list_a.contains("copy B"), "{list_a}");
    assert!(
        list_b.contains("copy B: ") && list_b.contains("7/"),
        "{list_b}"
    );
    assert!(!list_b.contains("copy A"), "{list_b}");
    let (_, hint_b) = xtask(&b, &shared, &["hint", "1"]);
    assert!(hint_b.contains("copy B's hint"), "{hint_b}");
    // Nothing of a copy's own went into the shared target folder.
    assert!(!shared.join("socket-labs").exists());

    // Outside any copy: one clear line, status 2.
    let nowhere = scratch("nowhere");
    let (status, text) = xtask(&nowhere, &shared, &["list"]);
    assert_eq!(status, 2, "{text}");
    assert!(text.contains("no labs/info.toml in "), "{text}");
    for dir in [shared, a, b, nowhere] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Two whole copies of the course, a starter (lab 1 at its stubs) and a
/// copy with lab 1 solved, checked in turn with one shared
/// `CARGO_TARGET_DIR`. Cargo names lab 1's build the same in both copies
/// and judges it fresh from the files' times; the stubs, written first,
/// are older than the solved copy's build, so a shared target folder
/// would check the stubs with the solved copy's programs (it did: 11 of
/// 11 for `todo!()`).
#[test]
fn two_copies_sharing_a_target_dir_each_check_their_own_lab() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let info = Info::load(root).unwrap();
    let starter = Starter::build(root, &info).unwrap();
    let shared = scratch("check-shared-target");
    // Under cargo's temporary folder for tests, so that each copy's own
    // target folder (its labs' dependencies) is kept from run to run.
    let kept = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let stubs = kept.join("root-stubs");
    let solved = kept.join("root-solved");
    starter.sync_to(&stubs).unwrap();
    starter.sync_to(&solved).unwrap();
    let src = Path::new("labs/01-tcp-once/src/bin");
    for file in ["lab01-server.rs", "lab01-client.rs"] {
        std::fs::copy(root.join(src).join(file), solved.join(src).join(file)).unwrap();
    }

    let check = |dir: &Path| xtask(dir, &shared, &["check-lab", "1"]);
    for round in ["first", "again"] {
        let (status, text) = check(&solved);
        assert_eq!(status, 0, "solved copy, {round}:\n{text}");
        assert!(text.contains("✓ lab 1"), "solved copy, {round}:\n{text}");
        assert!(
            text.contains("CARGO_TARGET_DIR is"),
            "the note on the shared target folder:\n{text}"
        );
        if round == "first" {
            let (status, text) = check(&stubs);
            assert_eq!(status, 1, "starter:\n{text}");
            assert!(
                text.contains("todo!()") && !text.contains("✓ lab 1"),
                "the starter's lab 1 is at its stubs:\n{text}"
            );
        }
    }
    // Each copy built its labs in its own target folder.
    assert!(!shared.join("debug/lab01-server").exists());
    for dir in [&stubs, &solved] {
        assert!(dir.join("target/debug/lab01-server").exists());
    }
    let _ = std::fs::remove_dir_all(shared);
}
