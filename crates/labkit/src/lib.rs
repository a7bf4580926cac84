//! The plumbing every lab program shares, so a lab's own code is only the
//! socket calls a student writes.
//!
//! - [`addr_arg`]: the optional `ADDR` argument (`127.0.0.1:8000` when absent).
//! - [`run`]: runs a program's `main` and turns an error into one line on
//!   stderr and exit status 1, never a panic or a backtrace.
//! - [`error_line`] and [`describe_io_error`]: that one line, with the OS's
//!   error named in words that read the same on every machine.
//! - [`show`]: prints received bytes as text, the way the tutorial's
//!   `.decode('utf-8')` does, but without crashing on bytes that are not
//!   UTF-8; [`preview`] does the same in quotes and shortens long payloads;
//!   [`byte_count`] says `1 byte` or `5 bytes`.

use std::io::{self, ErrorKind};
use std::net::SocketAddr;
use std::process::ExitCode;

/// The address to use: the first command-line argument, or `default`.
///
/// # Errors
///
/// An argument that is not `IP:PORT` (`localhost:80` is not: a lab binds or
/// connects to an IP address, never a name that needs DNS).
pub fn addr_arg(default: &str) -> anyhow::Result<SocketAddr> {
    let text = std::env::args()
        .nth(1)
        .unwrap_or_else(|| default.to_owned());
    text.parse().map_err(|_| {
        anyhow::anyhow!(
            "bad address `{text}`: expected IP:PORT, such as {default} or [::1]:{}",
            port_of(default)
        )
    })
}

fn port_of(addr: &str) -> &str {
    addr.rsplit_once(':').map_or("8000", |(_, port)| port)
}

/// Prints the line every server of the course starts with:
/// `listening on IP:PORT`, with the address the socket really bound.
///
/// With port 0 the kernel chooses a free port, and only `local_addr` says
/// which; the harness (and a person in another terminal) reads this first
/// line to find the server.
///
/// # Errors
///
/// `local_addr` failed (it does not on a bound socket).
pub fn announce_listening(local_addr: io::Result<SocketAddr>) -> anyhow::Result<()> {
    let addr = local_addr.map_err(|e| {
        anyhow::anyhow!(
            "could not read the bound address: {}",
            describe_io_error(&e)
        )
    })?;
    println!("listening on {addr}");
    Ok(())
}

/// Runs `main`; on error prints `error: WHAT: WHY` on stderr and returns
/// exit status 1.
pub fn run(main: impl FnOnce() -> anyhow::Result<()>) -> ExitCode {
    match main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", error_line(&err));
            ExitCode::FAILURE
        }
    }
}

/// Every cause of `err`, outermost first, joined by `: ` on one line.
/// An `io::Error` is described by [`describe_io_error`].
pub fn error_line(err: &anyhow::Error) -> String {
    err.chain()
        .map(|cause| match cause.downcast_ref::<io::Error>() {
            Some(io_err) => describe_io_error(io_err),
            None => cause.to_string(),
        })
        .collect::<Vec<_>>()
        .join(": ")
}

/// Names an I/O error in lowercase words without the OS's error number,
/// which differs between Linux, macOS and Windows.
pub fn describe_io_error(e: &io::Error) -> String {
    let text = match e.kind() {
        ErrorKind::ConnectionRefused => "connection refused",
        ErrorKind::ConnectionReset => "connection reset by peer",
        ErrorKind::ConnectionAborted => "connection aborted",
        ErrorKind::BrokenPipe => "broken pipe",
        ErrorKind::AddrInUse => "address already in use",
        ErrorKind::AddrNotAvailable => "address not available on this machine",
        // macOS 10.14+ lets anyone bind a port below 1024 on the wildcard
        // address only: 127.0.0.1:80 still needs root there.
        ErrorKind::PermissionDenied => {
            "permission denied (ports below 1024 need privileges; macOS waives that only for 0.0.0.0)"
        }
        ErrorKind::UnexpectedEof => "the connection closed early",
        ErrorKind::WouldBlock | ErrorKind::TimedOut => "timed out",
        ErrorKind::InvalidData => return e.to_string(),
        // EMSGSIZE: a UDP datagram larger than 65507 bytes (IPv4). Its
        // ErrorKind is not stable, so it is recognised by number (Linux 90,
        // macOS 40, Windows WSAEMSGSIZE 10040).
        _ if matches!(e.raw_os_error(), Some(90 | 40 | 10040)) => {
            "message too long for one datagram"
        }
        _ => return e.to_string(),
    };
    text.to_owned()
}

/// Bytes received from a peer as printable text: UTF-8 as it is, anything
/// else as `\xNN`, so a student sees exactly what arrived.
pub fn show(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
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
    fn error_line_joins_causes_with_plain_words() {
        let io_err = io::Error::from(ErrorKind::ConnectionRefused);
        let err = anyhow::Error::new(io_err).context("could not connect to 127.0.0.1:9");
        assert_eq!(
            error_line(&err),
            "could not connect to 127.0.0.1:9: connection refused"
        );
    }

    #[test]
    fn show_escapes_bytes_that_are_not_utf8() {
        assert_eq!(show("已收到".as_bytes()), "已收到");
        assert_eq!(show(b"a\xe4\xb8"), "a\\xe4\\xb8");
    }
}
