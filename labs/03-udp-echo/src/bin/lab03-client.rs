//! `lab03-client [ADDR] [TIMEOUT_MS]`: the tutorial's UDP client (循环链接).
//!
//! For each line typed on stdin it sends the line (without its newline) as
//! ONE datagram to ADDR, waits for one datagram in reply and prints it as
//! `来自服务器ADDR的信息:MSG` ("message from server ADDR: MSG"). An empty
//! line, or the end of input, ends it. The Python original:
//!
//! ```python
//! client = socket.socket(type=socket.SOCK_DGRAM)          # open_socket
//! while True:
//!     msg = input('发送给服务器端信息:').encode('utf-8')
//!     if not msg:
//!         print('输入为空,客户端自动退出')
//!         break
//!     client.sendto(msg, ('127.0.0.1', 8080))             # send_message
//!     msg_s, addr = client.recvfrom(1024)                  # receive_reply
//!     print("来自服务器%s的信息:%s" % (addr, msg_s.decode('utf-8')))
//! client.close()
//! ```
//!
//! Two things the tutorial's client does not handle:
//!
//! - UDP may lose a datagram (or its reply), and nothing tells the sender:
//!   `recvfrom` would wait forever. This client waits at most
//!   [`REPLY_TIMEOUT`] (or `TIMEOUT_MS` milliseconds, the optional second
//!   argument, which the tests use to keep a lost reply quick), prints one
//!   line and goes on with the next line.
//! - A datagram holds at most 65507 bytes of payload over IPv4 (65535 minus
//!   20 bytes of IP header and 8 of UDP header; 65527 over IPv6). A longer
//!   line cannot be sent at all: `send_to` fails with EMSGSIZE ("message too
//!   long"). The client prints one line and goes on.
//!
//! Unlike the tutorial, it prints no prompt: a prompt without a newline
//! would run into the next line of output.

use anyhow::{Context, Result};
use std::io::BufRead;
use std::net::{SocketAddr, UdpSocket};
use std::process::ExitCode;
use std::time::Duration;

/// The tutorial's `('127.0.0.1', 8080)`.
const DEFAULT_ADDR: &str = "127.0.0.1:8080";
/// The tutorial's `recvfrom(1024)`.
const BUFFER_SIZE: usize = 1024;
/// How long to wait for a reply before taking it as lost. On loopback a
/// reply takes well under a millisecond; across the world, a few hundred.
const REPLY_TIMEOUT: Duration = Duration::from_secs(1);

/// What became of one message.
#[derive(Debug)]
enum Outcome {
    /// A reply arrived (its bytes, at most [`BUFFER_SIZE`], and its sender).
    Reply(Vec<u8>, SocketAddr),
    /// No reply within the timeout: the message or its reply was lost, or
    /// nothing is listening (UDP cannot tell which).
    NoReply,
}

fn main() -> ExitCode {
    labkit::run(|| {
        let server = labkit::addr_arg(DEFAULT_ADDR)?;
        let timeout = timeout_arg()?;
        let socket = open_socket(server, timeout)?;
        for line in std::io::stdin().lock().lines() {
            let line = line.context("could not read stdin")?;
            let message = line.trim_end_matches('\r');
            if message.is_empty() {
                // Python's `if not msg: break`. (An empty datagram is a
                // real message in UDP, unlike in TCP; the tutorial's client
                // simply uses the empty line to quit.)
                println!("empty line: the client stops (输入为空,客户端自动退出)");
                return Ok(());
            }
            if let Err(e) = send_message(&socket, message.as_bytes(), server) {
                println!("{}", labkit::error_line(&e));
                continue;
            }
            match receive_reply(&socket)? {
                Outcome::Reply(bytes, from) => {
                    println!("来自服务器{from}的信息:{}", labkit::show(&bytes));
                }
                Outcome::NoReply => println!(
                    "no reply within {} ms: the message or its reply was lost, or nothing listens at {server}",
                    timeout.as_millis()
                ),
            }
        }
        println!("end of input: the client stops");
        Ok(())
    })
}

/// The optional second argument: how long to wait for a reply, in
/// milliseconds; [`REPLY_TIMEOUT`] when absent.
fn timeout_arg() -> Result<Duration> {
    match std::env::args().nth(2) {
        None => Ok(REPLY_TIMEOUT),
        Some(text) => match text.parse::<u64>() {
            Ok(ms) if ms > 0 => Ok(Duration::from_millis(ms)),
            _ => anyhow::bail!(
                "bad timeout `{text}`: expected a number of milliseconds above 0, such as 1000"
            ),
        },
    }
}

/// Python's `client = socket.socket(type=socket.SOCK_DGRAM)`, plus the
/// read timeout that the tutorial lacks.
///
/// Python's client never binds: its first `sendto` binds the socket to a
/// port the kernel chooses. Rust's UdpSocket is created by `bind`, so bind
/// port 0 ("any free port") on the loopback address if the server is on
/// it, or on the unspecified address (all interfaces) otherwise.
fn open_socket(server: SocketAddr, timeout: Duration) -> Result<UdpSocket> {
    // ANCHOR: open_socket
    // BEGIN SOLUTION
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    let ip = match server.ip() {
        ip if ip.is_loopback() => ip,
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    };
    let socket = UdpSocket::bind((ip, 0)).context("could not create a UDP socket")?;
    // With a read timeout, recv_from gives up after `timeout` with an error
    // (WouldBlock on Unix, TimedOut on Windows) instead of blocking forever.
    socket
        .set_read_timeout(Some(timeout))
        .context("could not set the read timeout")?;
    Ok(socket)
    // END SOLUTION
    // ANCHOR_END: open_socket
}

/// Python's `client.sendto(msg, addr)`: the whole message as one datagram.
///
/// # Errors
///
/// When the message does not fit in one datagram (more than 65507 bytes
/// over IPv4): the error then reads `could not send N bytes to ADDR:
/// message too long for one datagram`.
fn send_message(socket: &UdpSocket, message: &[u8], server: SocketAddr) -> Result<()> {
    // ANCHOR: send_message
    // BEGIN SOLUTION
    socket
        .send_to(message, server)
        .with_context(|| format!("could not send {} bytes to {server}", message.len()))?;
    Ok(())
    // END SOLUTION
    // ANCHOR_END: send_message
}

/// Python's `msg_s, addr = client.recvfrom(1024)`, with the timeout: one
/// datagram, or [`Outcome::NoReply`] when none came in time.
///
/// The read timeout passing is an error ([`labkit::is_timeout`]: its kind
/// differs between Unix and Windows). Windows also reports an ICMP "port
/// unreachable" (nothing listens at the server's address) as a reset
/// ([`labkit::is_unreachable_reset`]); for UDP that is one more way of
/// getting no reply.
fn receive_reply(socket: &UdpSocket) -> Result<Outcome> {
    // ANCHOR: receive_reply
    // BEGIN SOLUTION
    let mut buffer = [0u8; BUFFER_SIZE];
    match socket.recv_from(&mut buffer) {
        Ok((n, from)) => Ok(Outcome::Reply(buffer[..n].to_vec(), from)),
        Err(e) if labkit::is_timeout(&e) || labkit::is_unreachable_reset(&e) => {
            Ok(Outcome::NoReply)
        }
        Err(e) => Err(e).context("could not receive the reply"),
    }
    // END SOLUTION
    // ANCHOR_END: receive_reply
}
