//! `lab05-client [ADDR]`: sends every line of stdin as a frame, all in one
//! burst, then reads as many framed replies and prints them.
//!
//! Sending everything at once is on purpose: it is what makes TCP merge
//! messages (粘包). The frames arrive glued together, possibly in one read,
//! and the receiver still takes them apart exactly, because each one says
//! how long it is. An empty line is an empty message, which now works.
//!
//! The Python it stands for:
//!
//! ```python
//! client = socket.socket(); client.connect(addr)                 # connect_to_server
//! lines = sys.stdin.read().splitlines()
//! client.sendall(b''.join(struct.pack('>I', len(m)) + m          # send_burst
//!                         for m in (l.encode() for l in lines)))
//! for i in range(len(lines)):                                    # receive_replies
//!     n, = struct.unpack('>I', recv_exactly(client, 4))
//!     print(recv_exactly(client, n))
//! ```
//!
//! The client writes everything before it reads: fine for what a person
//! types, but a burst larger than the two sockets' buffers (a few hundred
//! KiB) would stall, the server blocked writing replies nobody reads yet.

use anyhow::{Context, Result};
use lab05_framing::frame::{FrameReader, write_frame};
use lab05_framing::frame_error;
use labkit::{byte_count, preview};
use std::io::{BufRead, BufWriter, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;

/// The tutorial's `('127.0.0.1', 8000)`.
const DEFAULT_ADDR: &str = "127.0.0.1:8000";

fn main() -> ExitCode {
    labkit::run(|| {
        let addr = labkit::addr_arg(DEFAULT_ADDR)?;
        let mut messages = Vec::new();
        for line in std::io::stdin().lock().lines() {
            let line = line.context("could not read stdin")?;
            messages.push(line.trim_end_matches('\r').as_bytes().to_vec());
        }

        let conn = connect_to_server(addr)?;
        let sent = send_burst(&conn, &messages)?;
        println!(
            "sent {} frame{} ({}) in one burst",
            messages.len(),
            if messages.len() == 1 { "" } else { "s" },
            labkit::byte_count(sent)
        );
        receive_replies(&conn, messages.len())
    })
}

/// Python's `client = socket.socket()` and `client.connect(addr)`.
fn connect_to_server(addr: SocketAddr) -> Result<TcpStream> {
    // ANCHOR: connect_to_server
    // BEGIN SOLUTION
    TcpStream::connect(addr).with_context(|| format!("could not connect to {addr}"))
    // END SOLUTION
    // ANCHOR_END: connect_to_server
}

/// Writes every message as a frame, all at once; returns the bytes sent.
fn send_burst(conn: &TcpStream, messages: &[Vec<u8>]) -> Result<usize> {
    // ANCHOR: send_burst
    // A BufWriter gathers the frames in memory and hands them to the kernel
    // in as few writes as it can (one, for what fits in its 8 KiB buffer):
    // the burst that makes the frames arrive merged. `&TcpStream`
    // implements Write, so the stream itself stays free for reading.
    // (Advice, not checked: a write per frame sends the same bytes, and
    // the harness reads them slowly enough that they still arrive merged.)
    // BEGIN SOLUTION
    let mut out = BufWriter::new(conn);
    let mut sent = 0;
    for message in messages {
        write_frame(&mut out, message).context("could not send a frame")?;
        sent += lab05_framing::frame::HEADER_LEN + message.len();
    }
    out.flush().context("could not send the frames")?;
    Ok(sent)
    // END SOLUTION
    // ANCHOR_END: send_burst
}

/// Reads `count` framed replies and prints each as it arrives:
/// `reply N: X bytes "…"` (N counts from 1; `labkit::byte_count` and
/// `labkit::preview` write the rest).
///
/// # Errors
///
/// A bad frame or a failed read: `could not read reply N: WHY` (WHY from
/// `lab05_framing::frame_error`); the server closing the connection
/// between two frames before the last reply: `the server closed the
/// connection after N of M replies`. Replies are read with the default
/// maximum (`FrameReader::new`, 8 MiB): a server's length of `ff ff ff ff`
/// is a bad frame, refused before anything is allocated, for the client
/// as for the server.
fn receive_replies(conn: &TcpStream, count: usize) -> Result<()> {
    // ANCHOR: receive_replies
    // BEGIN SOLUTION
    let mut frames = FrameReader::new(conn);
    for i in 1..=count {
        let reply = frames
            .read_frame()
            .map_err(|e| frame_error(e, format!("could not read reply {i}")))?;
        let Some(reply) = reply else {
            anyhow::bail!(
                "the server closed the connection after {} of {count} replies",
                i - 1
            );
        };
        println!("reply {i}: {} {}", byte_count(reply.len()), preview(&reply));
    }
    Ok(())
    // END SOLUTION
    // ANCHOR_END: receive_replies
}
