//! `lab05-server [ADDR]`: a framed echo server.
//!
//! It serves clients one after another, like lab 2's connection loop. From
//! each client it reads frames (a 4-byte big-endian length, then that many
//! bytes: see `lab05_framing::frame`), prints each message, and echoes it
//! back as a frame. However TCP cuts or merges the stream, each message
//! comes out whole: that is the tutorial's fix for sticky packets.
//!
//! A client that sends a bad frame (a length above the maximum, or EOF in
//! the middle of a frame) gets its connection closed, with one line saying
//! why, and the server goes on with the next client.
//!
//! The Python it stands for:
//!
//! ```python
//! server = socket.socket(); server.bind(addr); server.listen(5)  # open_listener
//! while True:
//!     sock, addr = server.accept()                               # accept_client
//!     while True:                                                 # echo_frames
//!         header = recv_exactly(sock, 4)
//!         if not header: break
//!         n, = struct.unpack('>I', header)
//!         msg = recv_exactly(sock, n)
//!         print(msg)
//!         sock.sendall(struct.pack('>I', len(msg)) + msg)
//!     sock.close()
//! ```

use anyhow::{Context, Result};
use lab05_framing::describe_frame_error;
use lab05_framing::frame::{FrameReader, write_frame};
use labkit::{byte_count, preview};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;

/// The tutorial's `('127.0.0.1', 8000)`.
const DEFAULT_ADDR: &str = "127.0.0.1:8000";

fn main() -> ExitCode {
    labkit::run(|| {
        let addr = labkit::addr_arg(DEFAULT_ADDR)?;
        let listener = open_listener(addr)?;
        labkit::announce_listening(listener.local_addr())?;
        // Serve clients one after another, forever (stop it with Ctrl-C).
        loop {
            let (conn, peer) = accept_client(&listener)?;
            println!("connection from {peer}");
            match echo_frames(conn) {
                Ok(messages) => println!(
                    "{peer} closed the connection after {messages} message{}",
                    if messages == 1 { "" } else { "s" }
                ),
                // One line, then the next client: dropping `conn` inside
                // echo_frames has closed this connection.
                Err(e) => println!(
                    "closing the connection from {peer}: {}",
                    describe_frame_error(&e)
                ),
            }
        }
    })
}

/// Python's `socket()`, `bind()`, `listen()`.
fn open_listener(addr: SocketAddr) -> Result<TcpListener> {
    // ANCHOR: open_listener
    // BEGIN SOLUTION
    TcpListener::bind(addr).with_context(|| format!("could not listen on {addr}"))
    // END SOLUTION
    // ANCHOR_END: open_listener
}

/// Python's `sock, addr = server.accept()`.
fn accept_client(listener: &TcpListener) -> Result<(TcpStream, SocketAddr)> {
    // ANCHOR: accept_client
    // BEGIN SOLUTION
    listener.accept().context("accept failed")
    // END SOLUTION
    // ANCHOR_END: accept_client
}

/// Echoes every frame of one client until it closes; returns how many
/// messages it sent. Printing each message is part of the job:
/// `message N: X bytes "…"` (N counts from 1; `labkit::byte_count` and
/// `labkit::preview` write the rest), before echoing it.
///
/// # Errors
///
/// A bad frame or a failed read or write: the caller reports it, and the
/// connection is closed when `conn` is dropped here. A failed echo is one
/// client's problem like a bad frame (a client that resets while its echo
/// is being written makes the write fail): return it with `?`, never
/// `expect` it, or one client stops the server for everyone.
fn echo_frames(conn: TcpStream) -> std::io::Result<usize> {
    // ANCHOR: echo_frames
    // The FrameReader owns the stream; get_mut() lends it back for the
    // replies (a TcpStream reads and writes through the same socket).
    // BEGIN SOLUTION
    let mut frames = FrameReader::new(conn);
    let mut messages = 0;
    while let Some(message) = frames.read_frame()? {
        messages += 1;
        println!(
            "message {messages}: {} {}",
            byte_count(message.len()),
            preview(&message)
        );
        write_frame(frames.get_mut(), &message)?;
    }
    Ok(messages)
    // END SOLUTION
    // ANCHOR_END: echo_frames
}
