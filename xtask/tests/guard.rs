//! check-lab guards a student's submission: in a starter, a change to a
//! file the grader takes from the instructor (a lab's Cargo.toml, a
//! snapshot, a lab's tests) gives a warning line before anything else.

use std::path::{Path, PathBuf};
use std::process::Command;
use xtask::guard::warnings;
use xtask::labs::Info;
use xtask::lang::Lang;
use xtask::starter::Starter;

/// A starter of this workspace, written to a fresh folder.
fn starter(name: &str) -> (PathBuf, Info) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let info = Info::load(root).unwrap();
    let dir = std::env::temp_dir().join(format!("xtask-guard-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    Starter::build(root, &info)
        .unwrap()
        .write_new(&dir)
        .unwrap();
    let info = Info::load(&dir).unwrap();
    (dir, info)
}

/// Runs `edit` on the file `path` of `dir`, returns the warnings (in
/// `lang`), and puts the file back.
fn after_edit(
    dir: &Path,
    info: &Info,
    path: &str,
    lang: Lang,
    edit: fn(&str) -> String,
) -> Vec<String> {
    let file = dir.join(path);
    let original = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, edit(&original)).unwrap();
    let found = warnings(dir, info, lang);
    std::fs::write(&file, original).unwrap();
    found
}

#[test]
fn a_changed_cargo_toml_snapshot_or_test_file_is_warned_about() {
    let (dir, info) = starter("edits");
    assert_eq!(warnings(&dir, &info, Lang::En), Vec::<String>::new());

    // The socket2 trap: what `cargo add` does to lab 5's Cargo.toml.
    let cargo = "labs/05-framing/Cargo.toml";
    let add = |t: &str| t.replace("[dependencies]\n", "[dependencies]\nsocket2 = \"0.6.1\"\n");
    assert_eq!(
        after_edit(&dir, &info, cargo, Lang::En, add),
        [
            "warning: labs/05-framing/Cargo.toml changed: the grader uses the original; your lab 5 will not compile there if it needs this change"
        ]
    );
    assert_eq!(
        after_edit(&dir, &info, cargo, Lang::Zh, add),
        [
            "警告：labs/05-framing/Cargo.toml 被改动了：评分时用的是原始文件；如果实验 5 需要这处改动，它在评分时将无法编译"
        ]
    );

    // A snapshot rewritten (as `INSTA_UPDATE=always` would).
    let snap = "labs/01-tcp-once/tests/snapshots/scenarios__server_normal_exchange.snap";
    assert_eq!(
        after_edit(&dir, &info, snap, Lang::En, |t| t.replace("已收到", "ok")),
        [format!(
            "warning: the expected transcripts were changed ({snap}): these results do not count; the grader uses the originals"
        )]
    );
    // Line ends converted by git on Windows are not a change.
    assert_eq!(
        after_edit(&dir, &info, snap, Lang::En, |t| t.replace('\n', "\r\n")),
        Vec::<String>::new()
    );

    // A scenario edited.
    let scenarios = "labs/02-tcp-loop/tests/scenarios.rs";
    let found = after_edit(&dir, &info, scenarios, Lang::Zh, |t| {
        format!("{t}\n// easier\n")
    });
    assert_eq!(
        found,
        [format!(
            "警告：预期的场景记录被改动了（{scenarios}）：这次的结果不算数；评分时用的是原始文件"
        )]
    );
    assert_eq!(warnings(&dir, &info, Lang::En), Vec::<String>::new());
    let _ = std::fs::remove_dir_all(dir);
}

/// Through the command: the warning is check-lab's first line, printed
/// before cargo is even started (here cargo cannot be found, so nothing
/// else runs).
#[test]
fn check_lab_prints_the_warning_before_anything_else() {
    let (dir, _) = starter("command");
    let cargo = dir.join("labs/05-framing/Cargo.toml");
    let text = std::fs::read_to_string(&cargo).unwrap();
    std::fs::write(
        &cargo,
        text.replace("[dependencies]\n", "[dependencies]\nlibc = \"0.2\"\n"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["check-lab", "5"])
        .current_dir(&dir)
        .env("CARGO", dir.join("no-cargo-here"))
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(
        stdout.starts_with(
            "warning: labs/05-framing/Cargo.toml changed: the grader uses the original"
        ),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(dir);
}
