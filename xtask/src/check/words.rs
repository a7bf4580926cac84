//! The words of check-lab's scenario lines in the learner's language: the
//! status word, a story's first difference (said again from the
//! transcripts), and the known beginnings of the harness's and runner's
//! messages, which are written in English for the grader's files too.

use super::Style;
use crate::labs::Kind;
use crate::lang::Lang;
use crate::model::diff::FirstDifference;
use crate::model::{Status, Verdict};

/// The word a scenario's line starts with (same width in a language).
pub(super) fn status_word(status: Status, style: Style) -> String {
    let word = match (status, style.lang) {
        (Status::Pass, Lang::En) => "pass   ",
        (Status::Fail, Lang::En) => "FAIL   ",
        (Status::Timeout, Lang::En) => "TIMEOUT",
        (Status::Error, Lang::En) => "ERROR  ",
        (Status::NotDone, Lang::En) => "TODO   ",
        (Status::Pass, Lang::Zh) => "通过  ",
        (Status::Fail, Lang::Zh) => "失败  ",
        (Status::Timeout, Lang::Zh) => "超时  ",
        (Status::Error, Lang::Zh) => "出错  ",
        (Status::NotDone, Lang::Zh) => "待完成",
    };
    if status == Status::Pass {
        style.green(word)
    } else {
        style.red(word)
    }
}

/// A first difference in the learner's language.
fn first_difference(d: &FirstDifference, lang: Lang) -> String {
    let n = d.line;
    match (&d.expected, &d.actual, lang) {
        (Some(e), Some(a), Lang::En) => format!("line {n}: expected `{e}`, got `{a}`"),
        (Some(e), Some(a), Lang::Zh) => format!("第 {n} 行：期望 `{e}`，实际是 `{a}`"),
        (Some(e), None, Lang::En) => {
            format!("line {n}: expected `{e}`, but the transcript ends there")
        }
        (Some(e), None, Lang::Zh) => format!("第 {n} 行：期望 `{e}`，但场景记录在这里结束了"),
        (None, Some(a), Lang::En) => format!("line {n}: found extra line `{a}`"),
        (None, Some(a), Lang::Zh) => format!("第 {n} 行：多出了一行 `{a}`"),
        (None, None, Lang::En) => format!("line {n}: both transcripts end here"),
        (None, None, Lang::Zh) => format!("第 {n} 行：两份场景记录都在这里结束"),
    }
}

/// The beginnings of the messages the harness and the runner write (in
/// English, for the grader's files too), and their Chinese.
const PREFIXES: [(&str, &str); 6] = [
    ("not done yet: todo!() at ", "尚未完成：todo!() 位于 "),
    ("the program panicked", "程序 panic 了"),
    ("the program aborted: ", "程序中止了："),
    (
        "the scenario did not run to its end: ",
        "场景没有运行到结束：",
    ),
    ("no snapshot for scenario ", "没有快照，场景 "),
    ("the lab does not compile", "这个实验无法编译"),
];

/// A verdict's message in the learner's language: a story's first
/// difference is said again from the transcripts; other messages get
/// their known beginning translated (what follows, a transcript's or
/// the program's words, stays as it is).
pub(super) fn message(verdict: &Verdict, kind: Kind, lang: Lang) -> String {
    if verdict.status == Status::Fail && kind == Kind::Story && !verdict.expected.is_empty() {
        return FirstDifference::find(&verdict.expected, verdict.actual.trim_end()).map_or_else(
            || {
                lang.pick(
                    "the transcripts differ only in white space",
                    "两份场景记录只在空白字符上不同",
                )
                .to_owned()
            },
            |d| first_difference(&d, lang),
        );
    }
    let text = &verdict.message;
    if lang == Lang::En {
        return text.clone();
    }
    for (en, zh) in PREFIXES {
        if let Some(rest) = text.strip_prefix(en) {
            return format!("{zh}{rest}");
        }
    }
    let (first, more) = text.split_once('\n').unwrap_or((text, ""));
    let first = in_chinese(first).unwrap_or_else(|| first.to_owned());
    if more.is_empty() {
        first
    } else {
        format!("{first}\n{more}")
    }
}

/// The Chinese of a first line the harness or the runner writes with
/// values inside (`N of M tests of FILE fail:`), if it is one of those.
fn in_chinese(line: &str) -> Option<String> {
    // A property: "`NAME` broke (case 1 of 2, seed 7): DETAIL".
    if let Some((name, rest)) = line
        .strip_prefix('`')
        .and_then(|t| t.split_once("` broke ("))
    {
        let (where_, detail) = rest.split_once("): ")?;
        return Some(format!("性质 `{name}` 不成立（{where_}）：{detail}"));
    }
    if let Some(rest) = line.strip_prefix("the scenarios of ") {
        let (lab, rest) = rest.split_once(" did not finish within ")?;
        let (secs, _) = rest.split_once(':')?;
        return Some(format!(
            "{lab} 的场景没有在 {secs} 内运行完：这个场景结束之前它们就被停止了"
        ));
    }
    if let Some(rest) = line.strip_prefix("the tests of ") {
        if let Some(file) = rest.strip_suffix(" did not finish before the deadline") {
            return Some(format!("{file} 的测试没有在期限之前运行完"));
        }
        let (file, _) = rest.split_once(" did not run")?;
        return Some(format!(
            "{file} 的测试没有运行（测试程序崩溃了，或者 {file} 中没有测试）"
        ));
    }
    let (failed, rest) = line.split_once(" of ")?;
    let (total, rest) = rest.split_once(" tests of ")?;
    let file = rest.strip_suffix(" fail:")?;
    Some(format!("{file} 的 {total} 个测试中有 {failed} 个失败："))
}

/// A note the harness writes in both languages, `EN / ZH`, in `lang`.
pub(super) fn note_in(note: &str, lang: Lang) -> &str {
    match note.split_once(" / ") {
        Some((en, zh)) if zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) => {
            lang.pick(en, zh)
        }
        _ => note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::unit_tests;

    fn verdict(status: Status, message: String) -> Verdict {
        Verdict {
            scenario: "frame".into(),
            status,
            message,
            expected: String::new(),
            actual: String::new(),
            stuck: Vec::new(),
        }
    }

    /// The messages are made by the runner's own code, so a change of
    /// its English that the translation no longer matches fails here.
    #[test]
    fn the_runners_messages_are_said_in_chinese() {
        let file = "labs/05-framing/tests/frame.rs";
        let stdout = "running 2 tests\ntest a ... ok\ntest b ... FAILED\n\nfailures:\n\n---- b stdout ----\n\nthread 'b' panicked at labs/05-framing/tests/frame.rs:9:5:\nboom\n\nfailures:\n    b\n\ntest result: FAILED. 1 passed; 1 failed\n";
        let made = [
            unit_tests::verdict("frame", file, "", false),
            unit_tests::verdict("frame", file, "", true),
            unit_tests::verdict("frame", file, stdout, true),
        ];
        for v in made {
            assert_ne!(v.status, Status::Pass, "{v:?}");
            let zh = message(&v, Kind::Unit, Lang::Zh);
            let first = zh.lines().next().unwrap_or_default();
            assert!(
                first
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{first} (from {:?})",
                v.message
            );
        }
        let timeout = verdict(
            Status::Timeout,
            "the scenarios of lab 2 (tcp-loop) did not finish within 120 s: they were stopped before this one ended".into(),
        );
        assert_eq!(
            message(&timeout, Kind::Story, Lang::Zh),
            "lab 2 (tcp-loop) 的场景没有在 120 s 内运行完：这个场景结束之前它们就被停止了"
        );
        let property = verdict(
            Status::Fail,
            "`every line is printed once` broke (case 1 of 2, seed 7): more".into(),
        );
        assert_eq!(
            message(&property, Kind::Property, Lang::Zh),
            "性质 `every line is printed once` 不成立（case 1 of 2, seed 7）：more"
        );
        assert_eq!(
            message(&property, Kind::Property, Lang::En),
            property.message
        );
        assert_eq!(note_in("On this system. / 本系统。", Lang::Zh), "本系统。");
        assert_eq!(
            note_in("On this system. / 本系统。", Lang::En),
            "On this system."
        );
        assert_eq!(note_in("a / b", Lang::Zh), "a / b");
    }
}
