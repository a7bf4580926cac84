//! How bytes are shown, in one place: the lab programs print received
//! payloads with it, and the harness builds its transcripts on it, so a
//! student reads the same notation in both.
//!
//! - Valid UTF-8 is shown as text; each byte that is not part of a valid
//!   character is shown as `\xNN` (CS144's convention), so a multi-byte
//!   character cut in two is visible.
//! - Inside quotes, `\n`, `\r`, `\t`, `\\` and the quote are escaped, and
//!   other control characters are shown as `\xNN`.

/// One piece of a payload as it is shown: a valid character, or a byte
/// that is not part of one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Char(char),
    Invalid(u8),
}

/// The bytes as [`Unit`]s, in order.
pub fn units(bytes: &[u8]) -> impl Iterator<Item = Unit> + '_ {
    bytes.utf8_chunks().flat_map(|chunk| {
        chunk
            .valid()
            .chars()
            .map(Unit::Char)
            .chain(chunk.invalid().iter().copied().map(Unit::Invalid))
    })
}

impl Unit {
    /// Appends the unit as it is shown between `quote` characters.
    pub fn push_quoted(self, out: &mut String, quote: char) {
        match self {
            Unit::Char('\n') => out.push_str("\\n"),
            Unit::Char('\r') => out.push_str("\\r"),
            Unit::Char('\t') => out.push_str("\\t"),
            Unit::Char('\\') => out.push_str("\\\\"),
            Unit::Char(c) if c == quote => {
                out.push('\\');
                out.push(c);
            }
            // Control characters (Unicode's Cc) all lie below U+0100.
            Unit::Char(c) if c.is_control() => push_hex(out, u32::from(c)),
            Unit::Char(c) => out.push(c),
            Unit::Invalid(b) => push_hex(out, u32::from(b)),
        }
    }

    /// Appends the unit unquoted: a character as it is, an invalid byte as
    /// `\xNN`.
    pub fn push_plain(self, out: &mut String) {
        match self {
            Unit::Char(c) => out.push(c),
            Unit::Invalid(b) => push_hex(out, u32::from(b)),
        }
    }
}

fn push_hex(out: &mut String, value: u32) {
    out.push_str(&format!("\\x{value:02x}"));
}

/// Bytes received from a peer as printable text: UTF-8 as it is, anything
/// else as `\xNN`, so a student sees exactly what arrived.
pub fn show(bytes: &[u8]) -> String {
    let mut out = String::new();
    for unit in units(bytes) {
        unit.push_plain(&mut out);
    }
    out
}

/// Payloads longer than this many characters are printed as their first
/// and last [`PREVIEW_EDGE`] characters.
const PREVIEW_MAX: usize = 40;
const PREVIEW_EDGE: usize = 12;

/// A payload in double quotes, UTF-8 shown as text and other bytes as
/// `\xNN`; a long payload is shortened to its two ends around `…`.
///
/// Only the two ends are looked at, so a 64 KiB payload costs no more
/// than a short one (the server prints one line per message).
pub fn preview(bytes: &[u8]) -> String {
    // A character is at most 4 bytes, so a payload longer than this has
    // more than PREVIEW_MAX characters and is shortened.
    if bytes.len() <= 4 * PREVIEW_MAX {
        let all = quoted_units(bytes);
        return if all.len() <= PREVIEW_MAX {
            format!("\"{}\"", all.concat())
        } else {
            shortened(&all, &all)
        };
    }
    // The first PREVIEW_EDGE characters lie within the first 4 *
    // PREVIEW_EDGE bytes, the last within the last 4 * PREVIEW_EDGE. UTF-8
    // resynchronises at the next character, so a cut through a character
    // just outside those bytes cannot change the characters inside.
    let span = 4 * PREVIEW_EDGE + 4;
    shortened(
        &quoted_units(&bytes[..span]),
        &quoted_units(&bytes[bytes.len() - span..]),
    )
}

/// The first [`PREVIEW_EDGE`] units of `head`, `…`, the last of `tail`.
fn shortened(head: &[String], tail: &[String]) -> String {
    format!(
        "\"{}…{}\"",
        head[..PREVIEW_EDGE].concat(),
        tail[tail.len() - PREVIEW_EDGE..].concat()
    )
}

/// Each unit as it is shown between double quotes.
fn quoted_units(bytes: &[u8]) -> Vec<String> {
    units(bytes)
        .map(|unit| {
            let mut one = String::new();
            unit.push_quoted(&mut one, '"');
            one
        })
        .collect()
}

/// `1 byte`, `5 bytes`.
pub fn byte_count(n: usize) -> String {
    if n == 1 {
        "1 byte".to_owned()
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_shortens_long_payloads_between_characters() {
        assert_eq!(preview(b"hello"), "\"hello\"");
        assert_eq!(preview(b"\xff\xfeok"), "\"\\xff\\xfeok\"");
        assert_eq!(preview(b"q\"\\\n"), r#""q\"\\\n""#);
        let long = "好".repeat(50);
        let twelve = "好".repeat(12);
        assert_eq!(preview(long.as_bytes()), format!("\"{twelve}…{twelve}\""));
        // 45 ASCII bytes: shortened, from the short path.
        assert_eq!(
            preview(&[b'a'; 45]),
            format!("\"{}…{}\"", "a".repeat(12), "a".repeat(12))
        );
        // A long payload that ends with a cut character.
        let mut cut = "a".repeat(100).into_bytes();
        cut.extend("好".as_bytes());
        cut.extend([b'z'; 100]);
        cut.push(0xe5);
        assert_eq!(
            preview(&cut),
            format!("\"{}…{}\\xe5\"", "a".repeat(12), "z".repeat(11))
        );
    }

    #[test]
    fn quoted_units_escape_controls_quotes_and_invalid_bytes() {
        let mut out = String::new();
        for unit in units(b"a\t\x00'\"\xe4") {
            unit.push_quoted(&mut out, '\'');
        }
        assert_eq!(out, r#"a\t\x00\'"\xe4"#);
    }

    #[test]
    fn show_escapes_bytes_that_are_not_utf8() {
        assert_eq!(show("已收到".as_bytes()), "已收到");
        assert_eq!(show(b"a\xe4\xb8"), "a\\xe4\\xb8");
    }

    #[test]
    fn byte_count_is_singular_for_one() {
        assert_eq!(byte_count(1), "1 byte");
        assert_eq!(byte_count(0), "0 bytes");
    }
}
