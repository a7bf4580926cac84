//! How bytes are shown in a transcript.
//!
//! A transcript must read as a story and be byte-for-byte stable, so bytes
//! are never printed raw:
//!
//! - valid UTF-8 is shown as text in double quotes, with `\n`, `\r`, `\t`,
//!   `\\`, `\"` escaped and other control characters as `\xNN`;
//! - bytes that are not valid UTF-8 are shown as `\xNN` (CS144's convention),
//!   so a multi-byte character cut in two is visible;
//! - a run of 16 or more identical characters is folded into `'a' × 1024`,
//!   so a 1500-byte message fits on one line.
//!
//! Pieces are joined with ` + `: `'a' × 1023 + "\xe4"`.
//!
//! Each character is escaped by [`labkit::bytes`], as the lab programs
//! print payloads; folding runs is the transcript's own.

use labkit::bytes::{Unit, units};

/// Runs shorter than this stay inside the quoted text.
const FOLD_RUN: usize = 16;

/// Renders bytes as quoted, escaped, folded text: `"123"`, `""`,
/// `'a' × 1500`, `"\xe4\xb8"`.
pub fn quote_bytes(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "\"\"".to_owned();
    }
    // Runs of one ASCII byte are found on the bytes themselves, so a
    // payload of megabytes (the Ctrl-Z scenarios) is folded without
    // decoding each byte. An ASCII byte is never part of a multi-byte
    // character, so cutting there decodes the rest the same way.
    let mut pieces: Vec<String> = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        let b = bytes[i];
        let run = if b.is_ascii() {
            bytes[i..]
                .iter()
                .position(|&c| c != b)
                .unwrap_or(bytes.len() - i)
        } else {
            1
        };
        if run >= FOLD_RUN {
            quote_units(&bytes[start..i], &mut pieces);
            pieces.push(fold(Unit::Char(char::from(b)), run));
            start = i + run;
        }
        i += run;
    }
    quote_units(&bytes[start..], &mut pieces);
    pieces.join(" + ")
}

fn fold(unit: Unit, run: usize) -> String {
    let mut one = String::new();
    unit.push_quoted(&mut one, '\'');
    format!("'{one}' × {run}")
}

/// Appends the pieces of `bytes`: quoted text, and runs of one character
/// folded.
fn quote_units(bytes: &[u8], pieces: &mut Vec<String>) {
    let units: Vec<Unit> = units(bytes).collect();
    let mut text = String::new();
    let mut i = 0;
    while i < units.len() {
        let run = units[i..].iter().take_while(|u| **u == units[i]).count();
        if run >= FOLD_RUN {
            if !text.is_empty() {
                pieces.push(format!("\"{text}\""));
                text.clear();
            }
            pieces.push(fold(units[i], run));
            i += run;
        } else {
            units[i].push_quoted(&mut text, '"');
            i += 1;
        }
    }
    if !text.is_empty() {
        pieces.push(format!("\"{text}\""));
    }
}

/// Renders one line a program printed. Plain text stays as it is, so
/// `listening on 127.0.0.1:8000` reads naturally; a line with control
/// characters, invalid UTF-8 or long runs is shown quoted as by
/// [`quote_bytes`].
pub fn line_text(line: &[u8]) -> String {
    let plain = std::str::from_utf8(line).ok().filter(|text| {
        !text.chars().any(char::is_control) && {
            let units: Vec<char> = text.chars().collect();
            !units
                .windows(FOLD_RUN)
                .any(|w| w.iter().all(|c| *c == w[0]))
        }
    });
    match plain {
        Some(text) => text.to_owned(),
        None => quote_bytes(line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn text_is_quoted_and_escaped() {
        assert_eq!(quote_bytes(b"hi\n\"x\""), r#""hi\n\"x\"""#);
        assert_eq!(quote_bytes("已收到".as_bytes()), "\"已收到\"");
        assert_eq!(quote_bytes(b""), "\"\"");
    }

    #[test]
    fn invalid_utf8_is_shown_as_hex() {
        assert_eq!(quote_bytes(b"ok\xe4\xb8"), r#""ok\xe4\xb8""#);
        assert_eq!(quote_bytes(b"\x00"), r#""\x00""#);
    }

    #[test]
    fn long_runs_are_folded() {
        let mut bytes = vec![b'a'; 1023];
        bytes.push(0xe4);
        assert_eq!(quote_bytes(&bytes), r#"'a' × 1023 + "\xe4""#);
        assert_eq!(quote_bytes(&[b'x'; 15]), format!("\"{}\"", "x".repeat(15)));
        let mut mixed = b"ab".to_vec();
        mixed.extend([b'\n'; 20]);
        mixed.extend("你".repeat(16).as_bytes());
        mixed.extend(b"\xe4z");
        assert_eq!(
            quote_bytes(&mixed),
            r#""ab" + '\n' × 20 + '你' × 16 + "\xe4z""#
        );
    }

    #[test]
    fn plain_lines_stay_plain() {
        assert_eq!(
            line_text(b"listening on 127.0.0.1:8000"),
            "listening on 127.0.0.1:8000"
        );
        assert_eq!(line_text(&[b'a'; 20]), "'a' × 20");
        assert_eq!(line_text(b"bad \xff"), r#""bad \xff""#);
    }
}
