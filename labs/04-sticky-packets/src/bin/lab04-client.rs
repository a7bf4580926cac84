//! `lab04-client [ADDR] [--nodelay]`: the naive protocol of the tutorial.
//!
//! It connects, then sends each line typed on stdin as its own write, with
//! no delimiter and no length: nothing tells the receiver where one message
//! ends and the next begins. At the end of input it closes the connection.
//!
//! With `--nodelay` it sets TCP_NODELAY (turns Nagle's algorithm off)
//! first. Either way it reads the option back and prints it: the lab shows
//! that neither setting decides how the receiver's reads cut the stream.
//!
//! The Python it stands for:
//!
//! ```python
//! client = socket.socket()                                      # connect_to_server
//! client.connect(('127.0.0.1', 8000))                           # connect_to_server
//! client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # set_nodelay
//! for line in sys.stdin:
//!     client.send(line.rstrip('\n').encode('utf-8'))           # send_line
//! client.close()
//! ```

use anyhow::{Context, Result, anyhow};
use socket2::SockRef;
use std::io::{BufRead, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;

/// The tutorial's `('127.0.0.1', 8000)`.
const DEFAULT_ADDR: &str = "127.0.0.1:8000";

fn main() -> ExitCode {
    labkit::run(|| {
        let (addr, nodelay) = parse_args()?;
        let mut conn = connect_to_server(addr)?;
        println!("connected to {addr}");
        let now = set_nodelay(&conn, nodelay)?;
        if now {
            println!("TCP_NODELAY is on: each write is sent at once (Nagle's algorithm is off)");
        } else {
            println!(
                "TCP_NODELAY is off: Nagle's algorithm may hold a small write until earlier data is acknowledged"
            );
        }

        let mut writes = 0;
        let mut total = 0;
        for line in std::io::stdin().lock().lines() {
            let line = line.context("could not read stdin")?;
            let message = line.trim_end_matches('\r');
            writes += 1;
            if message.is_empty() {
                // write(&[]) sends nothing at all: TCP carries bytes, and
                // an empty message is no bytes (the tutorial's point 3).
                println!("write #{writes}: 0 bytes: nothing is sent, TCP has no empty messages");
                continue;
            }
            send_line(&mut conn, message.as_bytes())?;
            total += message.len();
            println!(
                "write #{writes}: {} {message:?}",
                labkit::byte_count(message.len())
            );
        }
        println!(
            "end of input after {writes} writes ({}): closing the connection",
            labkit::byte_count(total)
        );
        Ok(())
    })
}

/// `[ADDR] [--nodelay]`, in any order.
fn parse_args() -> Result<(SocketAddr, bool)> {
    let mut addr = None;
    let mut nodelay = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--nodelay" => nodelay = true,
            _ if addr.is_none() => addr = Some(arg),
            _ => {
                return Err(anyhow!(
                    "unexpected argument `{arg}`: usage: lab04-client [ADDR] [--nodelay]"
                ));
            }
        }
    }
    Ok((labkit::parse_addr(addr.as_deref(), DEFAULT_ADDR)?, nodelay))
}

/// Python's `client = socket.socket()` and `client.connect(addr)`.
fn connect_to_server(addr: SocketAddr) -> Result<TcpStream> {
    // ANCHOR: connect_to_server
    // BEGIN SOLUTION
    TcpStream::connect(addr).with_context(|| format!("could not connect to {addr}"))
    // END SOLUTION
    // ANCHOR_END: connect_to_server
}

/// Sets TCP_NODELAY to `on` and returns the value read back from the
/// socket: Python's `setsockopt(IPPROTO_TCP, TCP_NODELAY, 1)` and
/// `getsockopt(...)`.
fn set_nodelay(conn: &TcpStream, on: bool) -> Result<bool> {
    // ANCHOR: set_nodelay
    // SockRef borrows the std stream as a socket2 socket, which offers
    // every socket option (std has set_nodelay too, but not most others).
    // Then read the option back: getsockopt asks the kernel, so the value
    // returned is the one it uses.
    // BEGIN SOLUTION
    let socket = SockRef::from(conn);
    socket
        .set_tcp_nodelay(on)
        .context("could not set TCP_NODELAY")?;
    socket.tcp_nodelay().context("could not read TCP_NODELAY")
    // END SOLUTION
    // ANCHOR_END: set_nodelay
}

/// One write per line: Python's `client.send(msg)`, with no delimiter and no
/// length, but every byte of the line sent, as `client.sendall(msg)` does.
fn send_line(conn: &mut TcpStream, message: &[u8]) -> Result<()> {
    // ANCHOR: send_line
    // write_all (Python's sendall) hands all the bytes to the kernel's send
    // buffer, calling write again until none are left. A single write
    // (Python's send) returns how many it took, which for a long line may
    // be fewer: the rest would be lost (scenario
    // client_long_line_cut_short_by_ctrl_z). Send the line as it was typed,
    // spaces and tabs at its start or end included: they are bytes of the
    // message like any other. When the bytes leave, and how the receiver's
    // reads will cut them, is up to TCP and to the receiver.
    // BEGIN SOLUTION
    conn.write_all(message).context("could not send the line")
    // END SOLUTION
    // ANCHOR_END: send_line
}
