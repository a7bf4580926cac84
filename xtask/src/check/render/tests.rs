//! check-lab's report of one lab, in both languages.
use super::*;
use crate::labs::ScenarioInfo;
use crate::model::points;
use harness::stuck::{Doing, Stuck};
use pretty_assertions::assert_eq;

fn lab() -> Lab {
    Lab {
        number: 1,
        name: "tcp-once".into(),
        title: "Single-shot TCP".into(),
        title_zh: "单次通讯".into(),
        hint: "Use write_all.".into(),
        hint_zh: "用 write_all。".into(),
        scenarios: vec![
            ScenarioInfo {
                name: "a".into(),
                points: 2,
                kind: Kind::Story,
                ..ScenarioInfo::default()
            },
            ScenarioInfo {
                name: "b".into(),
                points: 1,
                kind: Kind::Story,
                ..ScenarioInfo::default()
            },
        ],
        ..Lab::default()
    }
}

fn verdict(name: &str, status: Status, message: &str, expected: &str, actual: &str) -> Verdict {
    Verdict {
        scenario: name.into(),
        status,
        message: message.into(),
        expected: expected.into(),
        actual: actual.into(),
        stuck: Vec::new(),
    }
}

#[test]
fn a_failing_scenario_shows_its_first_difference_diff_and_the_hint() {
    let outcome = LabOutcome::Ran(vec![
        verdict("a", Status::Pass, "", "x\n", "x\n"),
        verdict(
            "b",
            Status::Fail,
            "line 2: expected `b`, got `c`",
            "a\nb",
            "a\nc\n",
        ),
    ]);
    assert_eq!(
        render_lab(&lab(), &outcome, Style::plain()),
        "✗ lab 1 · Single-shot TCP\n  pass    a (2 points)\n  FAIL    b (1 point)\n      line 2: expected `b`, got `c`\n      transcript: - expected (the snapshot), + yours\n        a\n      - b\n      + c\n      …\n  1 of 2 scenarios pass, 2 of 3 points\n  hint: Use write_all.\n  more hints, one at a time: `cargo xtask hint 1`\n"
    );
    assert_eq!(
        render_lab(&lab(), &outcome, Style::plain().in_lang(Lang::Zh)),
        "✗ 实验 1 · 单次通讯\n  通过   a (2 分)\n  失败   b (1 分)\n      第 2 行：期望 `b`，实际是 `c`\n      场景记录：- 期望的（快照），+ 你的\n        a\n      - b\n      + c\n      …\n  2 个场景通过 1 个，得 2 分（满分 3）\n  提示： 用 write_all。\n  更多提示，一次一条：`cargo xtask hint 1`\n"
    );
    assert_eq!(points(&lab(), &outcome), 2);
    assert_eq!(lab_state(&outcome), LabState::Failing);
}

#[test]
fn only_the_first_failing_scenario_shows_its_transcript() {
    let outcome = LabOutcome::Ran(vec![
        verdict("a", Status::Fail, "", "x\ny", "x\nz"),
        verdict("b", Status::Fail, "", "p\nq", "p\nr"),
    ]);
    let text = render_lab(&lab(), &outcome, Style::plain());
    assert!(text.contains("- y\n      + z\n"), "{text}");
    assert!(text.contains("line 2: expected `q`, got `r`"), "{text}");
    assert!(!text.contains("- q"), "{text}");
    assert!(
        text.contains("`cargo xtask check-lab 1 --scenario NAME`"),
        "{text}"
    );
}

#[test]
fn a_timeout_says_what_the_program_was_doing() {
    let mut stuck = verdict(
        "a",
        Status::Timeout,
        "[client] timed out after 2s waiting for lab01-server to print a line",
        "x",
        "y",
    );
    stuck.stuck = vec![Stuck {
        program: "lab01-server".into(),
        doing: Doing::Running,
    }];
    let outcome = LabOutcome::Ran(vec![stuck, verdict("b", Status::Pass, "", "x", "x")]);
    let text = render_lab(&lab(), &outcome, Style::plain());
    assert!(
        text.contains(
            "  TIMEOUT a (2 points)\n      [client] timed out after 2s waiting for lab01-server to print a line\n      lab01-server is running, not waiting for anything: a busy loop?\n"
        ),
        "{text}"
    );
    let zh = render_lab(&lab(), &outcome, Style::plain().in_lang(Lang::Zh));
    assert!(zh.contains("lab01-server 一直在运行"), "{zh}");
}

#[test]
fn what_the_harness_could_not_force_is_noted_once_per_lab() {
    let note = "On this system the harness cannot pace deliveries.";
    let outcome = LabOutcome::Ran(vec![
        verdict("a", Status::Pass, note, "x", "x"),
        verdict("b", Status::Pass, note, "x", "x"),
    ]);
    assert_eq!(
        render_lab(&lab(), &outcome, Style::plain()),
        format!(
            "✓ lab 1 · Single-shot TCP\n  pass    a (2 points)\n  pass    b (1 point)\n  \
             2 of 2 scenarios pass, 3 of 3 points\n  note: {note}\n"
        )
    );
}

#[test]
fn a_lab_still_at_todo_is_one_line_in_each_language() {
    let todo = "not done yet: todo!() at labs/01-tcp-once/src/bin/lab01-server.rs:42";
    let outcome = LabOutcome::Ran(vec![
        verdict("a", Status::NotDone, todo, "x", ""),
        verdict("b", Status::NotDone, todo, "x", ""),
    ]);
    assert_eq!(
        render_lab(&lab(), &outcome, Style::plain()),
        format!("… lab 1 (tcp-once): {todo}\n")
    );
    assert_eq!(
        render_lab(&lab(), &outcome, Style::plain().in_lang(Lang::Zh)),
        "… 实验 1（tcp-once）: 尚未完成：todo!() 位于 labs/01-tcp-once/src/bin/lab01-server.rs:42\n"
    );
    assert_eq!(lab_state(&outcome), LabState::NotDone);
}

#[test]
fn a_compile_error_is_shown_with_the_hint() {
    let outcome = LabOutcome::DoesNotCompile("error[E0425]: cannot find value `x`".into());
    let text = render_lab(&lab(), &outcome, Style::plain());
    assert!(
        text.contains("your code does not compile; the first error:\n    error[E0425]"),
        "{text}"
    );
    assert!(text.contains("hint: Use write_all."), "{text}");
    assert_eq!(points(&lab(), &outcome), 0);
}
