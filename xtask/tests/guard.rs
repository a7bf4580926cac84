//! check-lab guards a student's submission: in a starter, a change to a
//! file the grader takes from the instructor (a lab's Cargo.toml, a
//! snapshot, a lab's tests) gives a warning line before anything else,
//! and the lab's verdict line says its results do not count (never a
//! `✓`). A lab's own files concern that lab only; the files every lab
//! depends on (the root Cargo.toml, info.toml, the harness) concern all.

use std::path::{Path, PathBuf};
use std::process::Command;
use xtask::check::{Style, render_lab_void};
use xtask::guard::{void_reason, warnings};
use xtask::labs::{Info, Lab};
use xtask::lang::Lang;
use xtask::model::{LabOutcome, Status, Verdict};
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

/// Runs `edit` on the file `path` of `dir`, then returns what checking
/// lab `n` shows (in `lang`): the warnings, and the report of a run in
/// which every scenario passed; puts the file back.
fn after_edit(
    dir: &Path,
    info: &Info,
    (path, n): (&str, u32),
    lang: Lang,
    edit: fn(&str) -> String,
) -> (Vec<String>, String) {
    let file = dir.join(path);
    let original = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, edit(&original)).unwrap();
    let lab = info.find(&n.to_string()).unwrap();
    let found = warnings(dir, info, &[lab], lang);
    let report = passing_report(dir, info, lab, lang);
    std::fs::write(&file, original).unwrap();
    (found, report)
}

/// check-lab's report of `lab` in `dir` had every scenario passed: what
/// the guard says of the lab goes on its verdict line.
fn passing_report(dir: &Path, info: &Info, lab: &Lab, lang: Lang) -> String {
    let verdicts = lab
        .scenarios
        .iter()
        .map(|s| Verdict {
            scenario: s.name.clone(),
            status: Status::Pass,
            message: String::new(),
            expected: String::new(),
            actual: String::new(),
            stuck: Vec::new(),
        })
        .collect();
    let void = void_reason(dir, info, lab, lang);
    render_lab_void(
        lab,
        &LabOutcome::Ran(verdicts),
        Style::plain().in_lang(lang),
        void.as_deref(),
    )
}

/// The report is not a pass: no `✓`, a `✗`, and the line that says why
/// the results do not count, naming `path`.
fn assert_not_a_pass(report: &str, path: &str, lang: Lang) {
    let first = report.lines().next().unwrap();
    assert!(first.starts_with("✗ "), "{report}");
    assert!(!report.contains('✓'), "{report}");
    let because = lang.pick("these results do not count: ", "这次的结果不算数：");
    assert!(
        report
            .lines()
            .any(|l| l.trim_start().starts_with(because) && l.contains(path)),
        "{report}"
    );
}

#[test]
fn a_changed_cargo_toml_snapshot_or_test_file_is_warned_about_and_voids_the_lab() {
    let (dir, info) = starter("edits");
    let lab = |n: u32| info.find(&n.to_string()).unwrap();
    let all: Vec<&Lab> = info.labs.iter().collect();
    assert_eq!(warnings(&dir, &info, &all, Lang::En), Vec::<String>::new());
    // Untouched: a plain pass.
    let clean = passing_report(&dir, &info, lab(5), Lang::En);
    assert!(clean.starts_with("✓ lab 5"), "{clean}");
    assert!(!clean.contains("do not count"), "{clean}");

    // The socket2 trap: what `cargo add` does to lab 5's Cargo.toml.
    let cargo = "labs/05-framing/Cargo.toml";
    let add = |t: &str| t.replace("[dependencies]\n", "[dependencies]\nsocket2 = \"0.6.1\"\n");
    let (found, report) = after_edit(&dir, &info, (cargo, 5), Lang::En, add);
    assert_eq!(
        found,
        [
            "warning: labs/05-framing/Cargo.toml changed: the grader uses the original; your lab 5 will not compile there if it needs this change"
        ]
    );
    assert_not_a_pass(&report, cargo, Lang::En);
    let (found, report) = after_edit(&dir, &info, (cargo, 5), Lang::Zh, add);
    assert_eq!(
        found,
        [
            "警告：labs/05-framing/Cargo.toml 被改动了：评分时用的是原始文件；如果实验 5 需要这处改动，它在评分时将无法编译"
        ]
    );
    assert_not_a_pass(&report, cargo, Lang::Zh);
    // Lab 5's Cargo.toml is lab 5's business: checking lab 4 says nothing.
    let (found, report) = after_edit(&dir, &info, (cargo, 4), Lang::En, add);
    assert_eq!(found, Vec::<String>::new());
    assert!(report.starts_with("✓ lab 4"), "{report}");

    // A snapshot rewritten (as `INSTA_UPDATE=always` would).
    let snap = "labs/01-tcp-once/tests/snapshots/scenarios__server_normal_exchange.snap";
    let rewrite = |t: &str| t.replace("已收到", "ok");
    let (found, report) = after_edit(&dir, &info, (snap, 1), Lang::En, rewrite);
    assert_eq!(
        found,
        [format!(
            "warning: the expected transcripts were changed ({snap}): these results do not count; the grader uses the originals"
        )]
    );
    assert_not_a_pass(&report, snap, Lang::En);
    // Lab 1's snapshot does not concern lab 2.
    let (found, report) = after_edit(&dir, &info, (snap, 2), Lang::En, rewrite);
    assert_eq!(found, Vec::<String>::new());
    assert!(report.starts_with("✓ lab 2"), "{report}");
    // Line ends converted by git on Windows are not a change.
    let (found, report) = after_edit(&dir, &info, (snap, 1), Lang::En, |t| {
        t.replace('\n', "\r\n")
    });
    assert_eq!(found, Vec::<String>::new());
    assert!(report.starts_with("✓ lab 1"), "{report}");

    // A scenario edited.
    let scenarios = "labs/02-tcp-loop/tests/scenarios.rs";
    let easier = |t: &str| format!("{t}\n// easier\n");
    let (found, report) = after_edit(&dir, &info, (scenarios, 2), Lang::Zh, easier);
    assert_eq!(
        found,
        [format!(
            "警告：预期的场景记录被改动了（{scenarios}）：这次的结果不算数；评分时用的是原始文件"
        )]
    );
    assert_not_a_pass(&report, scenarios, Lang::Zh);

    // What every lab depends on concerns every lab: info.toml, the
    // harness, the workspace's Cargo.toml.
    for (path, n) in [
        ("labs/info.toml", 3),
        ("crates/harness/src/lib.rs", 6),
        ("Cargo.toml", 7),
    ] {
        let (found, report) = after_edit(&dir, &info, (path, n), Lang::En, easier);
        assert_eq!(found.len(), 1, "{path}: {found:?}");
        assert!(found[0].contains(path), "{found:?}");
        assert_not_a_pass(&report, path, Lang::En);
    }
    assert_eq!(warnings(&dir, &info, &all, Lang::En), Vec::<String>::new());
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

/// Through the command, in a copy where lab 1 is solved: with a comment
/// added to its `tests/scenarios.rs`, every scenario passes, yet the
/// lab's verdict is not a pass, check-lab fails, and `list` does not call
/// the lab passed.
#[test]
fn a_solved_lab_with_a_changed_test_file_does_not_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let info = Info::load(root).unwrap();
    // Kept under cargo's temporary folder for tests: its target/ (the
    // labs' dependencies) survives from run to run.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("guard-course");
    Starter::build(root, &info).unwrap().sync_to(&dir).unwrap();
    let _ = std::fs::remove_dir_all(dir.join("target/socket-labs"));
    let bin = Path::new("labs/01-tcp-once/src/bin");
    for file in ["lab01-server.rs", "lab01-client.rs"] {
        std::fs::copy(root.join(bin).join(file), dir.join(bin).join(file)).unwrap();
    }
    let scenarios = "labs/01-tcp-once/tests/scenarios.rs";
    let text = std::fs::read_to_string(dir.join(scenarios)).unwrap();
    std::fs::write(dir.join(scenarios), format!("{text}\n// easier\n")).unwrap();
    let tmp = dir.join("target/guard-tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let xtask = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(args)
            .current_dir(&dir)
            .env("LANG", "C")
            .env("TMPDIR", &tmp)
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("CARGO_TARGET_DIR")
            .output()
            .unwrap()
    };
    let out = xtask(&["check-lab", "1"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lab1 = &info.labs[0];
    let n = lab1.scenarios.len();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.starts_with(&format!(
            "warning: the expected transcripts were changed ({scenarios})"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{n} of {n} scenarios pass")),
        "{stdout}"
    );
    assert_not_a_pass(stdout.split_once("\n\n").unwrap().1, scenarios, Lang::En);
    assert!(
        stdout.contains("next: put back the files the warning above names"),
        "{stdout}"
    );
    let list = xtask(&["list"]);
    let list = String::from_utf8_lossy(&list.stdout);
    assert!(
        list.lines()
            .any(|l| l.contains(&lab1.name) && l.contains("tampered")),
        "{list}"
    );
}
