//! No hidden requirements: every text a solution prints is stated where
//! the student reads it.
//!
//! A student's copy keeps everything of a lab's `src/` but the solution
//! regions, which become `todo!()`. So each string literal written inside
//! a region (a `println!` line, a `.context(...)` or `bail!` message, an
//! `io::Error`'s text) is something the student must type word for word,
//! and the scenarios compare it letter by letter. This test fails when
//! such a literal is stated neither in the comments of the lab's sources
//! outside the regions (the doc comment that becomes the `todo!()` text,
//! an `# Errors` section…) nor in the lab's README.
//!
//! A literal is compared as its format string: each `{…}` is a value
//! (the docs write it as `ADDR`, `N`, `X`…), and the fixed text between
//! the values must appear in the docs in the same order, each piece at
//! most [`GAP`] characters after the previous one. White space and line
//! breaks do not count.

use std::path::Path;
use xtask::labs::{Info, workspace_root};
use xtask::starter::regions;

/// How far apart, in the docs, two fixed pieces of one literal may be: room
/// for a value written as a word (`ADDR`, `IP:PORT`, `"…"`).
const GAP: usize = 24;

/// The string literals of `code` (one line or several), unescaped:
/// `"…"` and `r"…"`/`r#"…"#`; byte strings and chars are skipped. Each
/// says whether it is the format string of a `print!`, `println!` or
/// `eprintln!`.
fn string_literals(code: &str) -> Vec<(bool, String)> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let ident_before = prev.is_some_and(|p| p.is_alphanumeric() || p == '_');
        if c == '/' && chars.get(i + 1) == Some(&'/') {
            // A comment: skip to the end of the line.
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '\'' {
            // A char literal ('x', '\n', '\'') or a lifetime ('a).
            if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else if chars.get(i + 1) == Some(&'\\') {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else {
                i += 1;
            }
        } else if c == 'r' && !ident_before && matches!(chars.get(i + 1), Some('"' | '#')) {
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                i += 1;
                continue;
            }
            let close: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let rest: String = chars[j + 1..].iter().collect();
            let end = rest.find(&close).unwrap_or(rest.len());
            out.push((printed(&chars[..i]), rest[..end].to_owned()));
            i = j + 1 + rest[..end].chars().count() + close.chars().count();
        } else if c == '"' {
            let byte_string = prev == Some('b') && {
                let before_b = i.checked_sub(2).map(|p| chars[p]);
                !before_b.is_some_and(|p| p.is_alphanumeric() || p == '_')
            };
            let mut text = String::new();
            let start = i;
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                    match chars.get(i) {
                        Some('n') => text.push('\n'),
                        Some('t') => text.push('\t'),
                        Some('r') => text.push('\r'),
                        Some('0') => text.push('\0'),
                        // A line continuation: the newline and the next
                        // line's indentation are not part of the string.
                        Some('\n') => {
                            while chars.get(i + 1).is_some_and(|c| c.is_whitespace()) {
                                i += 1;
                            }
                        }
                        Some(other) => text.push(*other),
                        None => {}
                    }
                } else {
                    text.push(chars[i]);
                }
                i += 1;
            }
            if !byte_string {
                out.push((printed(&chars[..start]), text));
            }
            i += 1;
        } else {
            i += 1;
        }
    }
    out
}

/// Whether the code before a literal opens a `print!`, `println!` or
/// `eprintln!`.
fn printed(before: &[char]) -> bool {
    let before: String = before.iter().collect();
    let before = before.trim_end();
    ["print!(", "println!(", "eprintln!("]
        .iter()
        .any(|m| before.ends_with(m))
}

/// The fixed pieces of a format string, between its `{…}` values, with
/// white space collapsed; `{{` and `}}` are literal braces.
fn fixed_pieces(format: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                current.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                current.push('}');
            }
            '{' => {
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                }
                pieces.push(std::mem::take(&mut current));
            }
            _ => current.push(c),
        }
    }
    pieces.push(current);
    let pieces: Vec<String> = pieces
        .into_iter()
        .map(|p| normalize(&p))
        .filter(|p| !p.is_empty())
        .collect();
    // Only punctuation (`{}: {}`): nothing to state.
    if pieces.iter().any(|p| p.chars().any(char::is_alphanumeric)) {
        pieces
    } else {
        Vec::new()
    }
}

/// Whether `gap`, the text of the docs between two fixed pieces, reads as
/// a value written for a person: `N`, `IP:PORT`, `X bytes`, `"…"`; not as
/// prose (a lowercase word other than `byte`/`bytes`).
fn is_value(gap: &str) -> bool {
    !gap.trim().is_empty()
        && gap.split_whitespace().all(|token| {
            let word: String = token.chars().filter(char::is_ascii_alphabetic).collect();
            !word.chars().any(|c| c.is_ascii_lowercase())
                || matches!(word.as_str(), "byte" | "bytes")
        })
}

/// White space collapsed to single spaces, trimmed.
fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether the pieces occur in `docs` in order, each at most [`GAP`]
/// characters after the end of the previous one, with a value between
/// them (see [`is_value`]).
fn stated(docs: &str, pieces: &[String]) -> bool {
    let Some((first, rest)) = pieces.split_first() else {
        return true;
    };
    docs.match_indices(first.as_str()).any(|(start, _)| {
        let mut at = start + first.len();
        rest.iter().all(|piece| {
            let window_end = docs.len().min(at + GAP + piece.len());
            let window_end = (window_end..=docs.len())
                .find(|e| docs.is_char_boundary(*e))
                .unwrap_or(docs.len());
            let window = &docs[at..window_end];
            match window
                .match_indices(piece.as_str())
                .find(|(offset, _)| is_value(&window[..*offset]))
            {
                Some((offset, _)) => {
                    at += offset + piece.len();
                    true
                }
                None => false,
            }
        })
    })
}

/// The comments of a source file outside its solution regions, and the
/// literals inside them (with their 1-based line).
fn split_source(name: &str, text: &str) -> (String, Vec<(usize, bool, String)>) {
    let found = regions(name, text).unwrap_or_else(|e| panic!("{e:#}"));
    let lines: Vec<&str> = text.lines().collect();
    let inside = |n: usize| found.iter().any(|r| n > r.begin && n < r.end);
    let mut docs = String::new();
    let mut literals = Vec::new();
    let mut n = 0;
    while n < lines.len() {
        if inside(n) {
            // A statement may span lines: gather the region's consecutive
            // lines, then take their literals.
            let start = n;
            let mut code = String::new();
            while n < lines.len() && inside(n) {
                code.push_str(lines[n]);
                code.push('\n');
                n += 1;
            }
            for (printed, literal) in string_literals(&code) {
                literals.push((start + 1, printed, literal));
            }
            continue;
        }
        let line = lines[n].trim_start();
        if let Some(comment) = line.strip_prefix("//") {
            docs.push_str(comment.trim_start_matches(['/', '!']));
            docs.push(' ');
        }
        n += 1;
    }
    (docs, literals)
}

/// Whether the pieces occur in order on one line of `text`.
fn on_one_line(text: &str, pieces: &[String]) -> bool {
    !pieces.is_empty()
        && text.lines().any(|line| {
            let line = normalize(line);
            let mut at = 0;
            pieces
                .iter()
                .all(|piece| match line[at..].find(piece.as_str()) {
                    Some(offset) => {
                        at += offset + piece.len();
                        true
                    }
                    None => false,
                })
        })
}

/// The literals of `lab`'s solutions that a program prints (a `println!`
/// line, or an error message that a snapshot or a test of the lab
/// expects) and that its docs do not state, as `FILE:LINE: "literal"`.
fn hidden_literals(root: &Path, lab_dir: &Path) -> Vec<String> {
    let lab = root.join(lab_dir);
    let mut docs = std::fs::read_to_string(lab.join("README.md")).unwrap_or_default();
    // What the lab's checks expect: its snapshots, and the text its other
    // tests compare (`tests/frame.rs` asserts error messages).
    let mut expected = String::new();
    for dir in ["tests/snapshots", "tests"] {
        for entry in std::fs::read_dir(lab.join(dir))
            .into_iter()
            .flatten()
            .flatten()
        {
            if entry.path().is_file() {
                expected.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
                expected.push('\n');
            }
        }
    }
    let mut literals = Vec::new();
    let mut stack = vec![lab.join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let name = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .display()
                    .to_string();
                let text = std::fs::read_to_string(&path).expect("lab sources are UTF-8");
                let (comments, found) = split_source(&name, &text);
                docs.push(' ');
                docs.push_str(&comments);
                literals.extend(
                    found
                        .into_iter()
                        .map(|(line, p, l)| (name.clone(), line, p, l)),
                );
            }
        }
    }
    let docs = normalize(&docs);
    literals
        .into_iter()
        .filter(|(_, _, printed, literal)| {
            let pieces = fixed_pieces(literal);
            (*printed || on_one_line(&expected, &pieces)) && !stated(&docs, &pieces)
        })
        .map(|(file, line, _, literal)| format!("{file}:{line}: {literal:?}"))
        .collect()
}

#[test]
fn every_literal_a_solution_prints_is_stated_in_the_docs() {
    let root = workspace_root();
    let info = Info::load(&root).expect("labs/info.toml must load");
    let mut problems = Vec::new();
    for lab in &info.labs {
        problems.extend(hidden_literals(&root, &lab.dir()));
    }
    assert!(
        problems.is_empty(),
        "a solution prints text that the student's copy states nowhere (a hidden requirement): \
         state each in the doc comment of its function, outside the solution region, or in the \
         lab's README, with its exact words (write a value as ADDR, N, X…):\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn literals_and_format_strings_are_read_as_rust_does() {
    let code = "let x = 'a'; bail!(\"could not send {} bytes to {server}\");\n\
                f(b\"bytes\", r#\"raw \"x\"\"#, \"esc \\\"q\\\" \\\n    next\"); // \"comment\"\n";
    assert_eq!(
        string_literals(code),
        vec![
            (false, "could not send {} bytes to {server}".to_owned()),
            (false, "raw \"x\"".to_owned()),
            (false, "esc \"q\" next".to_owned())
        ]
    );
    assert_eq!(
        string_literals("println!(\n    \"reply {i}: {}\", x);"),
        vec![(true, "reply {i}: {}".to_owned())]
    );
    assert_eq!(
        fixed_pieces("could not send {} bytes to {server}: {{x}}"),
        vec!["could not send", "bytes to", ": {x}"]
    );
    assert_eq!(fixed_pieces("{}: {}"), Vec::<String>::new());
    assert!(!stated(
        "a message to the server: it",
        &fixed_pieces("message {}: {}")
    ));
    assert!(stated(
        "it prints `message N: X bytes \"…\"` for each",
        &fixed_pieces("message {}: {} {}")
    ));
    assert!(stated(
        "the error reads `could not send N bytes to ADDR: {x}`",
        &fixed_pieces("could not send {} bytes to {server}: {{x}}")
    ));
    assert!(!stated(
        "could not send N bytes",
        &fixed_pieces("could not send {} bytes to {server}")
    ));
    assert!(on_one_line(
        "x\n[c] error: could not read reply 2: connection closed\n",
        &fixed_pieces("could not read reply {i}")
    ));
}
