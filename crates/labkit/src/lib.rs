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
//!   UTF-8.

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
        ErrorKind::PermissionDenied => "permission denied (ports below 1024 need privileges)",
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

#[cfg(test)]
mod tests {
    use super::*;

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
