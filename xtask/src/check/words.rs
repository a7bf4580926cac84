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
    // A property: "`NAME` broke (case 1 of 2, seed 7): DETAIL".
    if let Some((name, rest)) = text
        .strip_prefix('`')
        .and_then(|t| t.split_once("` broke ("))
    {
        if let Some((where_, detail)) = rest.split_once("): ") {
            return format!("性质 `{name}` 不成立（{where_}）：{detail}");
        }
    }
    text.clone()
}
