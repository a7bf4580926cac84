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
    let units: Vec<Unit> = units(bytes).collect();
    let mut pieces: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i < units.len() {
        let run = units[i..].iter().take_while(|u| **u == units[i]).count();
        if run >= FOLD_RUN {
            if !text.is_empty() {
                pieces.push(format!("\"{text}\""));
                text.clear();
            }
            let mut one = String::new();
            units[i].push_quoted(&mut one, '\'');
            pieces.push(format!("'{one}' × {run}"));
            i += run;
        } else {
            units[i].push_quoted(&mut text, '"');
            i += 1;
        }
    }
    if !text.is_empty() {
        pieces.push(format!("\"{text}\""));
    }
    pieces.join(" + ")
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
