//! Lab 5: length-prefix framing, the tutorial's fix for sticky packets
//! (对应方法: "tell the receiver how many bytes the message has, before the
//! message").
//!
//! # Layout
//!
//! - [`frame`]: the wire format and the two functions you write:
//!   [`frame::write_frame`] and [`frame::FrameReader::read_frame`].
//! - this file: how the programs print what they got ([`preview`],
//!   [`byte_count`]) and turn a frame error into one line ([`frame_error`]).
//! - `src/bin/lab05-server.rs` and `src/bin/lab05-client.rs`: the echo
//!   server and the burst client, built on [`frame`].

pub mod frame;

use std::io;

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
        let all = units(bytes);
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
    shortened(&units(&bytes[..span]), &units(&bytes[bytes.len() - span..]))
}

/// The first [`PREVIEW_EDGE`] units of `head`, `…`, the last of `tail`.
fn shortened(head: &[String], tail: &[String]) -> String {
    format!(
        "\"{}…{}\"",
        head[..PREVIEW_EDGE].concat(),
        tail[tail.len() - PREVIEW_EDGE..].concat()
    )
}

/// The bytes as printable pieces: whole characters (escaped where needed)
/// and `\xNN` for each byte that is not part of a valid character.
fn units(bytes: &[u8]) -> Vec<String> {
    let mut units = Vec::new();
    for chunk in bytes.utf8_chunks() {
        units.extend(chunk.valid().chars().map(|c| match c {
            '"' => "\\\"".to_owned(),
            '\\' => "\\\\".to_owned(),
            '\n' => "\\n".to_owned(),
            '\r' => "\\r".to_owned(),
            c if c.is_control() => format!("\\x{:02x}", u32::from(c)),
            c => c.to_string(),
        }));
        units.extend(chunk.invalid().iter().map(|b| format!("\\x{b:02x}")));
    }
    units
}

/// `1 byte`, `5 bytes`.
pub fn byte_count(n: usize) -> String {
    if n == 1 {
        "1 byte".to_owned()
    } else {
        format!("{n} bytes")
    }
}

/// One line for an error of [`frame`]: a bad frame keeps the frame module's
/// own message (`connection closed mid-frame: got 3 of 10 bytes`); other
/// I/O errors are named as every lab names them.
pub fn describe_frame_error(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidInput => {
            e.to_string()
        }
        _ => labkit::describe_io_error(e),
    }
}

/// An error of [`frame`] as an `anyhow::Error` that `labkit::run` prints
/// with the frame module's message, after `what` failed.
pub fn frame_error(e: io::Error, what: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{what}: {}", describe_frame_error(&e))
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
}
