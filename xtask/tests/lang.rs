//! Every message a student reads exists in English and Chinese: each
//! `lang.pick(EN, ZH)` in xtask's sources has an English text and a
//! Chinese one, each `Lang::En =>` arm English and each `Lang::Zh =>` arm
//! Chinese, and every lab has a Chinese title and hint.

use std::path::{Path, PathBuf};
use xtask::labs::Info;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The string literals in `code` up to the `)` that closes the call
/// opened just before it (plain `"…"` literals, `\"` escapes).
fn literals_of_call(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 1;
    let mut chars = code.chars();
    while let Some(c) = chars.next() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            '"' => {
                let mut text = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => text.extend(chars.next()),
                        '"' => break,
                        c => text.push(c),
                    }
                }
                out.push(text);
            }
            _ => {}
        }
    }
    out
}

/// The first string literal after `at`.
fn next_literal(code: &str) -> String {
    let start = code.find('"').unwrap() + 1;
    let end = start + code[start..].find('"').unwrap();
    code[start..end].to_owned()
}

#[test]
fn every_message_has_english_and_chinese() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut problems = Vec::new();
    let mut seen = 0;
    for file in files.iter().filter(|f| !f.ends_with("lang.rs")) {
        let text = std::fs::read_to_string(file).unwrap();
        let name = file.strip_prefix(&src).unwrap().display().to_string();
        for (at, _) in text.match_indices(".pick(") {
            seen += 1;
            let texts = literals_of_call(&text[at + 6..]);
            let line = text[..at].lines().count();
            match texts.as_slice() {
                // Not literals (`lab.title_in`: the fields, checked below).
                [] => {}
                [en, zh] if !has_chinese(en) && has_chinese(zh) => {}
                _ => problems.push(format!("{name}:{line}: pick({texts:?})")),
            }
        }
        for (arm, chinese) in [("Lang::En =>", false), ("Lang::Zh =>", true)] {
            for (at, _) in text.match_indices(arm) {
                seen += 1;
                let literal = next_literal(&text[at..]);
                if has_chinese(&literal) != chinese {
                    let line = text[..at].lines().count();
                    problems.push(format!("{name}:{line}: `{arm}` says `{literal}`"));
                }
            }
        }
    }
    assert!(seen > 20, "only {seen} bilingual messages found");
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    for lab in Info::load(root).unwrap().labs {
        assert!(
            has_chinese(&lab.title_zh) && has_chinese(&lab.hint_zh),
            "{}",
            lab.name
        );
        assert!(!has_chinese(&lab.hint), "{}'s English hint", lab.name);
    }
}

/// The files whose text a student reads from check-lab, watch, list,
/// hint and reset, and from their usage errors.
const STUDENT_FACING: &[&str] = &[
    "cli.rs",
    "cli/help.rs",
    "cli/args.rs",
    "guard.rs",
    "interrupt.rs",
    "watch/mod.rs",
    "watch/progress.rs",
    "check.rs",
    "check/render.rs",
    "check/words.rs",
    "check/warnings.rs",
    "check/next.rs",
    "state.rs",
    "hint.rs",
    "model/stuck.rs",
];

/// Whether a literal says something in English: words (a space and a
/// word of three letters or more) outside `{…}` placeholders and `` `…` ``
/// commands; a lone identifier (`NO_COLOR`, `recvfrom`) is not prose.
fn is_prose(literal: &str) -> bool {
    if !literal.trim().contains(' ') {
        return false;
    }
    let mut plain = String::new();
    let (mut brace, mut tick) = (false, false);
    for c in literal.chars() {
        match c {
            '{' => brace = true,
            '}' => brace = false,
            '`' => tick = !tick,
            c if !brace && !tick => plain.push(c),
            _ => {}
        }
    }
    plain
        .split(|c: char| !c.is_ascii_alphabetic())
        .any(|word| word.len() >= 3)
}

/// Each string literal of `code` (plain `"…"`, `\"` escapes) outside
/// comments and char literals, with its byte offset.
fn literals(code: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let bytes: Vec<(usize, char)> = code.char_indices().collect();
    let mut i = 0;
    while i < bytes.len() {
        let (at, c) = bytes[i];
        if c == '/' && bytes.get(i + 1).is_some_and(|(_, n)| *n == '/') {
            while i < bytes.len() && bytes[i].1 != '\n' {
                i += 1;
            }
        } else if c == '\'' && bytes.get(i + 2).is_some_and(|(_, n)| *n == '\'') {
            i += 3;
            continue;
        } else if c == '\'' && bytes.get(i + 1).is_some_and(|(_, n)| *n == '\\') {
            i += 4;
            continue;
        } else if c == '"' {
            let mut text = String::new();
            i += 1;
            while i < bytes.len() {
                match bytes[i].1 {
                    '\\' => {
                        i += 1;
                        // `\n`, `\t`, `\r` are white space, not letters.
                        text.extend(bytes.get(i).map(|(_, c)| match c {
                            'n' | 't' | 'r' => ' ',
                            c => *c,
                        }));
                    }
                    '"' => break,
                    c => text.push(c),
                }
                i += 1;
            }
            out.push((at, text));
        }
        i += 1;
    }
    out
}

/// Every English sentence that check-lab, watch, list, hint and reset
/// print, usage errors and help included, is chosen by the language: it
/// sits in a `pick(EN, ZH)` call, in a match arm for `Lang::En` (whose
/// `Lang::Zh` arm the test above checks) or in a pair `("EN", "ZH")` (the
/// help texts), so no message reaches a Chinese reader in English only.
#[test]
fn no_student_facing_sentence_is_english_only() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut problems = Vec::new();
    let mut seen = 0;
    for name in STUDENT_FACING {
        let text = std::fs::read_to_string(src.join(name)).unwrap();
        // The code, not its tests: up to the first inline test module (a
        // `#[cfg(test)] mod tests;` declaration does not end the code).
        let code = text
            .match_indices("#[cfg(test)]")
            .find(|(at, m)| text[at + m.len()..].trim_start().starts_with("mod tests {"))
            .map_or(text.as_str(), |(at, _)| &text[..at]);
        for (at, literal) in literals(code) {
            if !is_prose(&literal) || has_chinese(&literal) {
                continue;
            }
            let before = &code[..at];
            // A pattern a message is matched with, not a message.
            let matcher = [
                ".strip_prefix(",
                ".strip_suffix(",
                ".split_once(",
                ".starts_with(",
            ]
            .iter()
            .any(|m| before.ends_with(m));
            if matcher {
                continue;
            }
            seen += 1;
            let in_pick = before.rfind(".pick(").is_some_and(|p| {
                // Still inside that call: its parentheses are not closed.
                let inside = &before[p + 5..];
                inside.matches('(').count() > inside.matches(')').count()
            });
            let arm = before.rfind("=>").map_or("", |p| {
                let start = before[..p].rfind('\n').map_or(0, |n| n + 1);
                &before[start..p]
            });
            let in_english_arm = arm.contains("Lang::En")
                && !before[before.rfind("=>").unwrap_or(0)..].contains(';');
            // A pair side by side: `("EN", "ZH")`.
            let after = &code[at + 1..];
            let paired = after.find('"').is_some_and(|end| {
                let rest = after[end + 1..].trim_start();
                rest.strip_prefix(',').is_some_and(|r| {
                    let r = r.trim_start();
                    r.starts_with('"') && r[1..].split('"').next().is_some_and(has_chinese)
                })
            });
            if !(in_pick || in_english_arm || paired) {
                let line = before.lines().count();
                problems.push(format!("{name}:{line}: \"{literal}\""));
            }
        }
    }
    assert!(seen > 30, "only {seen} sentences found");
    assert!(
        problems.is_empty(),
        "say these in Chinese too (lang.pick(EN, ZH) or a Lang::Zh arm):\n{}",
        problems.join("\n")
    );
}
