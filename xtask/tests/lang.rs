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
