//! `lab04-server [ADDR]`: a server that shows what TCP really delivers.
//!
//! It serves clients one after another. For each client it reads with a
//! 1024-byte buffer, exactly like the tutorial's `sock.recv(1024)`, and
//! prints every chunk as it gets it:
//!
//! ```text
//! recv #1: 11 bytes "helloworld!"
//! ```
//!
//! There is no protocol here on purpose: whatever one `read` returns is one
//! chunk, and a chunk is NOT a message. Three writes of the client may come
//! out as one chunk (粘包, "sticky packets"), and one write may come out as
//! several chunks (半包, "half packets"). When a chunk is not valid UTF-8
//! (a character cut in two at a chunk boundary), the server also prints what
//! strict decoding says (the tutorial's `.decode('utf-8')` would raise
//! `UnicodeDecodeError`) and what lossy decoding makes of it.
//!
//! The Python it stands for:
//!
//! ```python
//! server = socket.socket()                 # open_listener
//! server.bind(('127.0.0.1', 8000))         # open_listener
//! server.listen(5)                         # open_listener
//! while True:
//!     sock, addr = server.accept()         # accept_client
//!     while True:
//!         data = sock.recv(1024)           # receive_chunk
//!         if not data:
//!             break
//!         print(data)
//!     sock.close()
//! ```

use anyhow::{Context, Result};
use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;

/// The tutorial's `('127.0.0.1', 8000)`.
const DEFAULT_ADDR: &str = "127.0.0.1:8000";
/// The tutorial's `recv(1024)`: one read returns at most this many bytes.
const BUFFER_SIZE: usize = 1024;

fn main() -> ExitCode {
    labkit::run(|| {
        let addr = labkit::addr_arg(DEFAULT_ADDR)?;
        let listener = open_listener(addr)?;
        labkit::announce_listening(listener.local_addr())?;
        // Serve clients one after another, forever (stop it with Ctrl-C).
        loop {
            let (mut conn, peer) = accept_client(&listener)?;
            println!("connection from {peer}");
            if let Err(e) = print_chunks(&mut conn) {
                // A client that resets the connection must not stop the
                // server: say what happened in one line and serve the next
                // (scenario server_client_resets_then_next_client_is_served).
                println!("connection from {peer} failed: {}", labkit::error_line(&e));
            }
        }
    })
}

/// Reads the connection chunk by chunk until EOF, printing each chunk.
fn print_chunks(conn: &mut TcpStream) -> Result<()> {
    let mut reads = 0;
    loop {
        let chunk = receive_chunk(conn)?;
        if chunk.is_empty() {
            println!("EOF after {reads} reads: the client closed the connection");
            return Ok(());
        }
        reads += 1;
        println!(
            "recv #{reads}: {} {}",
            labkit::byte_count(chunk.len()),
            labkit::preview(&chunk)
        );
        // What the tutorial's `.decode('utf-8')` would do with this chunk.
        // String::from_utf8 is the strict decoder: it refuses bytes that
        // are not UTF-8, such as the first byte of a 3-byte character whose
        // other two bytes are still in the kernel, waiting for the next read.
        if let Err(e) = String::from_utf8(chunk.clone()) {
            println!(
                "  String::from_utf8 fails: {} (Python's .decode('utf-8') raises UnicodeDecodeError)",
                e.utf8_error()
            );
            // The lossy decoder never fails: it replaces each bad sequence
            // with U+FFFD �. The program goes on, with the text corrupted.
            let lossy = String::from_utf8_lossy(&chunk);
            println!(
                "  String::from_utf8_lossy gives {}",
                labkit::preview(lossy.as_bytes())
            );
        }
    }
}

/// Creates the listening socket: Python's `socket()`, `bind()`, `listen()`.
fn open_listener(addr: SocketAddr) -> Result<TcpListener> {
    // ANCHOR: open_listener
    // TcpListener::bind creates the socket, binds it and listens, all at
    // once (lab 1 did the three steps one by one with socket2).
    // BEGIN SOLUTION
    TcpListener::bind(addr).with_context(|| format!("could not listen on {addr}"))
    // END SOLUTION
    // ANCHOR_END: open_listener
}

/// Waits for the next client: Python's `sock, addr = server.accept()`.
fn accept_client(listener: &TcpListener) -> Result<(TcpStream, SocketAddr)> {
    // ANCHOR: accept_client
    // BEGIN SOLUTION
    listener.accept().context("accept failed")
    // END SOLUTION
    // ANCHOR_END: accept_client
}

/// One read: Python's `sock.recv(1024)`. Returns what the kernel had
/// queued (1 to 1024 bytes), or an empty vector at EOF.
fn receive_chunk(conn: &mut TcpStream) -> Result<Vec<u8>> {
    // ANCHOR: receive_chunk
    // A read returns as soon as ANY bytes are queued, and at most as many
    // as the buffer holds. It knows nothing of the writes that produced
    // them: three writes queued before this call come out together, and
    // a write longer than the buffer is left partly queued for the next
    // read.
    //
    // A read that fails (the client reset the connection: "connection
    // reset by peer") is an error, returned with `?` so that main prints
    // one line and serves the next client: not a panic (`unwrap`,
    // `expect`), which stops the server for everyone, and not an empty
    // chunk, which would report a normal close. And no read timeout: a
    // client that is quiet for a while (a person typing) has not closed
    // the connection; only a read of 0 bytes is EOF (scenario
    // server_waits_for_a_client_that_pauses).
    // BEGIN SOLUTION
    let mut buffer = [0u8; BUFFER_SIZE];
    let n = conn
        .read(&mut buffer)
        .context("could not read from the client")?;
    Ok(buffer[..n].to_vec())
    // END SOLUTION
    // ANCHOR_END: receive_chunk
}
