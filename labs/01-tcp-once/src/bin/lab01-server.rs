//! `lab01-server [ADDR]`: the tutorial's single-shot TCP server (单次通讯socket).
//!
//! It binds, listens, accepts ONE client, reads ONE message with a
//! 1024-byte buffer, prints it, replies `已收到` ("received") and exits.
//! The Python original, step by step:
//!
//! ```python
//! server = socket.socket()                 # open_listener
//! server.bind(('127.0.0.1', 8000))         # open_listener
//! server.listen(5)                         # open_listener
//! sock, addr = server.accept()             # accept_client
//! msg = sock.recv(1024).decode('utf-8')    # receive_message
//! print(msg)
//! sock.send('已收到'.encode('utf-8'))       # send_reply
//! sock.close()                             # (dropping the TcpStream)
//! server.close()                           # (dropping the TcpListener)
//! ```

use anyhow::{Context, Result};
use socket2::{Domain, Protocol, Socket, Type};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;

/// The tutorial's `('127.0.0.1', 8000)`.
const DEFAULT_ADDR: &str = "127.0.0.1:8000";
/// The tutorial's `listen(5)`: how many connections the kernel may hold,
/// fully set up, waiting for `accept` (the tutorial calls it a
/// "half-connection pool"; on Linux it is the queue of *completed*
/// connections, see `man 2 listen`).
const BACKLOG: i32 = 5;
/// The tutorial's `recv(1024)`: one read returns at most this many bytes.
const BUFFER_SIZE: usize = 1024;
/// What the server answers, in UTF-8 (9 bytes: 3 characters of 3 bytes).
const REPLY: &str = "已收到";

fn main() -> ExitCode {
    labkit::run(|| {
        let addr = labkit::addr_arg(DEFAULT_ADDR)?;
        let listener = open_listener(addr)?;
        // The first line tells the harness (and you) the real address: with
        // port 0 the kernel chooses a free port, and local_addr says which.
        labkit::announce_listening(listener.local_addr())?;

        let mut conn = accept_client(&listener)?;
        let message = receive_message(&mut conn)?;
        if message.is_empty() {
            // A read of 0 bytes is not an empty message: it is EOF, the
            // client closed its side without sending anything.
            println!("the client closed the connection without sending anything");
            return Ok(());
        }
        println!("{}", labkit::show(&message));
        send_reply(&mut conn)?;
        // `conn` and `listener` are dropped here: that closes them, like the
        // tutorial's sock.close() and server.close().
        Ok(())
    })
}

/// Creates the listening socket: Python's `socket()`, `bind()` and
/// `listen(5)`.
fn open_listener(addr: SocketAddr) -> Result<TcpListener> {
    // ANCHOR: open_listener
    // socket.socket(): AF_INET (or AF_INET6 for an IPv6 address) and
    // SOCK_STREAM, which is TCP. std's TcpListener::bind would do all three
    // steps at once, but would hide the backlog; socket2 lets us pass 5.
    // bind(): claim the address. This fails if another socket holds it.
    // listen(5): from now on the kernel completes handshakes for us and
    // queues up to 5 connections until we accept them.
    // BEGIN SOLUTION
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .context("could not create a TCP socket")?;
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

/// Waits for one client: Python's `sock, addr = server.accept()`.
fn accept_client(listener: &TcpListener) -> Result<TcpStream> {
    // ANCHOR: accept_client
    // accept() blocks until a connection is queued, then returns a NEW
    // socket for that one client; the listener keeps listening.
    // BEGIN SOLUTION
    let (conn, _client_addr) = listener.accept().context("accept failed")?;
    Ok(conn)
    // END SOLUTION
    // ANCHOR_END: accept_client
}

/// Reads once: Python's `sock.recv(1024)`.
///
/// # Errors
///
/// A failed read (`could not read from the client`), for example a client
/// that aborted the connection (RST): that is an error, not an EOF, and
/// `main` prints it as one line and exits with status 1.
fn receive_message(conn: &mut TcpStream) -> Result<Vec<u8>> {
    // ANCHOR: receive_message
    // One read returns what the kernel has queued, at most BUFFER_SIZE
    // bytes. A longer message is NOT read whole: the rest stays queued.
    // 0 bytes means EOF (the client closed), not an empty message.
    // BEGIN SOLUTION
    let mut buffer = [0u8; BUFFER_SIZE];
    let n = conn
        .read(&mut buffer)
        .context("could not read from the client")?;
    Ok(buffer[..n].to_vec())
    // END SOLUTION
    // ANCHOR_END: receive_message
}

/// Replies: Python's `sock.send('已收到'.encode('utf-8'))`.
fn send_reply(conn: &mut TcpStream) -> Result<()> {
    // ANCHOR: send_reply
    // write_all is Python's sendall: `send` (Rust's `write`) may take only
    // part of the bytes and returns how many; write_all loops until all
    // are handed to the kernel.
    // BEGIN SOLUTION
    conn.write_all(REPLY.as_bytes())
        .context("could not send the reply")?;
    Ok(())
    // END SOLUTION
    // ANCHOR_END: send_reply
}
