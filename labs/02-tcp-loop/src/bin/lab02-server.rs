//! `lab02-server [ADDR]`: the tutorial's TCP server with a connection loop
//! (链接循环).
//!
//! It accepts clients forever, one at a time. For each client it loops:
//! read up to 1024 bytes, print them, reply `已收到` ("received"). When the
//! client closes the connection (a read returns 0 bytes) or the connection
//! fails (for example it is reset), the server prints one line saying which
//! and accepts the next client. One bad client never stops the server.
//!
//! The Python original, step by step:
//!
//! ```python
//! server = socket.socket()                     # open_listener
//! server.bind(('127.0.0.1', 18000))            # open_listener
//! server.listen(5)                             # open_listener
//! while True:                                  # serve_forever
//!     sock, addr = server.accept()             # serve_forever
//!     while True:                              # serve_client
//!         try:
//!             msg = sock.recv(1024).decode('utf-8')   # receive_message
//!             print(msg)
//!             sock.send('已收到'.encode('utf-8'))      # send_reply
//!         except Exception:
//!             break
//!     sock.close()                             # (dropping the TcpStream)
//! ```
//!
//! The tutorial's inner loop has a bug: when a client closes normally,
//! `recv` raises no exception, it returns `b''` (0 bytes), and the loop
//! takes that for an empty message: it prints an empty line and replies.
//! Measured on Linux with the tutorial's server: a client that closes
//! completely makes it print two empty lines (3 runs out of 3): its first
//! reply after the close reaches a socket that is gone, whose kernel answers
//! with RST, and its second reply, the `send`, raises BrokenPipeError; a
//! client that only shuts down its sending side and keeps reading makes it
//! spin until the client closes: tens of thousands of empty lines per
//! second (17,000 to 30,000 in half a second, printing to a file), and as
//! many `已收到` replies sent to that client. (Errata row 41 of the book.) A read of 0 bytes is
//! not an empty message: TCP has no empty messages, so 0 bytes always means
//! "the peer closed its sending side", and every later read returns 0 again.

use anyhow::Result;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;

/// The tutorial's `('127.0.0.1', 18000)`.
const DEFAULT_ADDR: &str = "127.0.0.1:18000";
/// The tutorial's `listen(5)`: how many connections, fully set up by the
/// kernel, may wait for `accept`. While the server talks to one client, the
/// next ones wait in this queue (their `connect` has already succeeded).
const BACKLOG: i32 = 5;
/// The tutorial's `recv(1024)`: one read returns at most this many bytes.
const BUFFER_SIZE: usize = 1024;
/// What the server answers to every message, in UTF-8 (9 bytes).
const REPLY: &str = "已收到";

fn main() -> ExitCode {
    labkit::run(|| {
        let addr = labkit::addr_arg(DEFAULT_ADDR)?;
        let listener = open_listener(addr)?;
        labkit::announce_listening(listener.local_addr())?;
        serve_forever(&listener)
    })
}

/// Creates the listening socket: Python's `socket()`, `bind()` and
/// `listen(5)`, plus SO_REUSEADDR, so that the server can be restarted at
/// once on the same port.
///
/// Why SO_REUSEADDR: the side of a TCP connection that closes first keeps
/// it in the TIME_WAIT state for a while (60 s on Linux, up to 4 min
/// elsewhere) after it is gone, in case the peer's last packets are still on
/// their way (RFC 9293, section 3.6, "Closing a Connection"). When you stop
/// a server (Ctrl-C) while a client is connected, the server's side closed
/// first, so its address is still held (in FIN_WAIT_2 while the client has
/// not closed yet, then in TIME_WAIT), and a plain `bind` of the same port
/// fails with "address already in use" until TIME_WAIT is over. With SO_REUSEADDR, `bind`
/// accepts an address held only by connections in TIME_WAIT (but still not
/// one another server is listening on). Python needs
/// `server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)` for this.
///
/// Set it before `bind`: bind is the call that checks the address. On
/// Windows SO_REUSEADDR means something else (it lets a second server take
/// a port that is in use), so, like std's `TcpListener::bind`, the server
/// sets it to [`labkit::REUSE_ADDRESS`]: true on Unix, false on Windows,
/// which does not make a restarted server wait anyway.
fn open_listener(addr: SocketAddr) -> Result<TcpListener> {
    // ANCHOR: open_listener
    // BEGIN SOLUTION
    use anyhow::Context;
    use socket2::{Domain, Protocol, Socket, Type};

    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .context("could not create a TCP socket")?;
    socket
        .set_reuse_address(labkit::REUSE_ADDRESS)
        .context("could not set SO_REUSEADDR")?;
    socket
        .bind(&addr.into())
        .with_context(|| format!("could not bind {addr}"))?;
    socket
        .listen(BACKLOG)
        .with_context(|| format!("could not listen on {addr}"))?;
    Ok(socket.into())
    // END SOLUTION
    // ANCHOR_END: open_listener
}

/// The outer loop: Python's `while True: sock, addr = server.accept()`.
///
/// Accepts one client, serves it with [`serve_client`] until it leaves,
/// reports how it left, and accepts the next one. Print with the helpers
/// below: [`report_accepted`], then [`report_closed`] when
/// `serve_client` returns `Ok`, or [`report_lost`] when it returns an error.
///
/// Some systems (BSD, macOS) report a client that gave up while it waited
/// in the backlog as a failed accept ([`labkit::is_aborted_before_accept`]):
/// that is no reason to stop; print `a client gave up before it was
/// accepted` and accept the next one.
///
/// # Errors
///
/// Only when `accept` itself fails in a way that is not one client's fault
/// (for example the process ran out of file descriptors): `accept failed`.
fn serve_forever(listener: &TcpListener) -> Result<()> {
    // ANCHOR: serve_forever
    // BEGIN SOLUTION
    use anyhow::Context;

    loop {
        // accept() takes the oldest connection from the backlog, or blocks
        // until one arrives.
        let (mut conn, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) if labkit::is_aborted_before_accept(&e) => {
                println!("a client gave up before it was accepted");
                continue;
            }
            Err(e) => return Err(e).context("accept failed"),
        };
        report_accepted(peer);
        match serve_client(&mut conn) {
            Ok(()) => report_closed(peer),
            Err(e) => report_lost(peer, &e),
        }
        // `conn` is dropped at the end of each turn: that closes it (the
        // tutorial's sock.close()), and the loop accepts the next client.
    }
    // END SOLUTION
    // ANCHOR_END: serve_forever
}

/// The inner loop, for one client: Python's inner `while True:` of recv,
/// print, send.
///
/// Returns `Ok(())` when the client closed the connection (a read returned
/// 0 bytes), and an error when reading or replying failed (for example the
/// client reset the connection).
fn serve_client(conn: &mut TcpStream) -> Result<()> {
    // ANCHOR: serve_client
    // BEGIN SOLUTION
    loop {
        let message = receive_message(conn)?;
        // 0 bytes is EOF: the client closed its sending side, and every
        // later read would return 0 bytes again. This is the check that the
        // tutorial's loop is missing.
        if message.is_empty() {
            return Ok(());
        }
        println!("{}", labkit::show(&message));
        send_reply(conn)?;
    }
    // END SOLUTION
    // ANCHOR_END: serve_client
}

/// Reads once: Python's `sock.recv(1024)`. An empty vector means EOF.
///
/// # Errors
///
/// A failed read (a reset, say), with the context `could not read from the
/// client`; [`report_lost`] then prints `lost the connection with client
/// IP:PORT: could not read from the client: connection reset by peer`.
fn receive_message(conn: &mut TcpStream) -> Result<Vec<u8>> {
    // ANCHOR: receive_message
    // BEGIN SOLUTION
    use anyhow::Context;
    use std::io::Read;

    let mut buffer = [0u8; BUFFER_SIZE];
    let n = conn
        .read(&mut buffer)
        .context("could not read from the client")?;
    Ok(buffer[..n].to_vec())
    // END SOLUTION
    // ANCHOR_END: receive_message
}

/// Replies: Python's `sock.send('已收到'.encode('utf-8'))`, as `sendall`.
fn send_reply(conn: &mut TcpStream) -> Result<()> {
    // ANCHOR: send_reply
    // BEGIN SOLUTION
    use anyhow::Context;
    use std::io::Write;

    conn.write_all(REPLY.as_bytes())
        .context("could not send the reply")?;
    Ok(())
    // END SOLUTION
    // ANCHOR_END: send_reply
}

/// Prints that a client was accepted: `accepted a client from IP:PORT`.
fn report_accepted(peer: SocketAddr) {
    println!("accepted a client from {peer}");
}

/// Prints that the client closed the connection normally.
fn report_closed(peer: SocketAddr) {
    println!("client {peer} closed the connection (recv returned 0 bytes)");
}

/// Prints that the connection with the client failed, and why.
fn report_lost(peer: SocketAddr, error: &anyhow::Error) {
    println!(
        "lost the connection with client {peer}: {}",
        labkit::error_line(error)
    );
}
