//! The plumbing every lab program shares, so a lab's own code is only the
//! socket calls a student writes.
//!
//! - [`addr_arg`] and [`parse_addr`]: the optional `ADDR` argument
//!   (`127.0.0.1:8000` when absent).
//! - [`run`]: runs a program's `main` and turns an error into one line on
//!   stderr and exit status 1, never a panic or a backtrace.
//! - [`error_line`] and [`describe_io_error`]: that one line, with the OS's
//!   error named in words that read the same on every machine.
//! - [`bytes`]: how bytes are shown. [`show`] prints received bytes as
//!   text, the way the tutorial's `.decode('utf-8')` does, but without
//!   crashing on bytes that are not UTF-8; [`preview`] does the same in
//!   quotes and shortens long payloads; [`byte_count`] says `1 byte` or
//!   `5 bytes`. The harness's transcripts use the same pieces.
//! - [`portable`]: socket behaviour that differs between systems (error
//!   kinds, WSAEMSGSIZE, SO_REUSEADDR), mapped to one meaning.

pub mod bytes;
pub mod portable;

pub use bytes::{byte_count, preview, show};
pub use portable::{
    REUSE_ADDRESS, is_aborted_before_accept, is_timeout, is_unreachable_reset, received_len,
};

use std::io::{self, ErrorKind};
use std::net::SocketAddr;
use std::process::ExitCode;

/// The address to use: the first command-line argument, or `default`.
///
/// # Errors
///
/// An argument that is not `IP:PORT` (see [`parse_addr`]).
pub fn addr_arg(default: &str) -> anyhow::Result<SocketAddr> {
    parse_addr(std::env::args().nth(1).as_deref(), default)
}

/// `text` as an address, or `default` when there is none.
///
/// # Errors
///
/// Text that is not `IP:PORT` (`localhost:80` is not: a lab binds or
/// connects to an IP address, never a name that needs DNS).
pub fn parse_addr(text: Option<&str>, default: &str) -> anyhow::Result<SocketAddr> {
    let text = text.unwrap_or(default);
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
    fn parse_addr_takes_ip_and_port_or_the_default() {
        let default = "127.0.0.1:8000";
        assert_eq!(parse_addr(None, default).unwrap().port(), 8000);
        assert_eq!(parse_addr(Some("[::1]:9"), default).unwrap().port(), 9);
        assert_eq!(
            parse_addr(Some("localhost:80"), default)
                .unwrap_err()
                .to_string(),
            "bad address `localhost:80`: expected IP:PORT, such as 127.0.0.1:8000 or [::1]:8000"
        );
    }
}
