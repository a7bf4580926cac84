//! `lab01-client [ADDR]`: the tutorial's single-shot TCP client.
//!
//! It connects, sends the first line typed on stdin (without its newline),
//! prints the server's reply and exits. The Python original:
//!
//! ```python
//! client = socket.socket()                 # connect_to_server
//! client.connect(('127.0.0.1', 8000))      # connect_to_server
//! client.send('123'.encode('utf-8'))       # send_message
//! msg = client.recv(1024).decode('utf-8')  # receive_reply
//! print(msg)
//! client.close()                           # (dropping the TcpStream)
//! ```

use anyhow::{Context, Result, bail};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;

/// The tutorial's `('127.0.0.1', 8000)`.
const DEFAULT_ADDR: &str = "127.0.0.1:8000";
/// The tutorial's `recv(1024)`.
const BUFFER_SIZE: usize = 1024;

fn main() -> ExitCode {
    labkit::run(|| {
        let addr = labkit::addr_arg(DEFAULT_ADDR)?;
        let mut line = String::new();
        let read = std::io::stdin()
            .read_line(&mut line)
            .context("could not read stdin")?;
        if read == 0 {
            bail!("no message to send: type a line on stdin (end of input came first)");
        }
        let message = line.trim_end_matches(['\r', '\n']);

        let mut conn = connect_to_server(addr)?;
        send_message(&mut conn, message.as_bytes())?;
        let reply = receive_reply(&mut conn)?;
        if reply.is_empty() {
            bail!("the server at {addr} closed the connection before replying");
        }
        println!("{}", labkit::show(&reply));
        Ok(())
    })
}

/// Python's `client = socket.socket()` and `client.connect(addr)`.
fn connect_to_server(addr: SocketAddr) -> Result<TcpStream> {
    // ANCHOR: connect_to_server
    // TcpStream::connect creates the socket and runs TCP's three-way
    // handshake (SYN, SYN-ACK, ACK). If nothing listens there, the server's
    // kernel answers RST and connect fails with "connection refused".
    // BEGIN SOLUTION
    TcpStream::connect(addr).with_context(|| format!("could not connect to {addr}"))
    // END SOLUTION
    // ANCHOR_END: connect_to_server
}

/// Python's `client.send(msg)`.
fn send_message(conn: &mut TcpStream, message: &[u8]) -> Result<()> {
    // ANCHOR: send_message
    // write_all, like Python's sendall, keeps writing until every byte is
    // handed to the kernel; a single write (Python's send) may take fewer.
    // BEGIN SOLUTION
    conn.write_all(message)
        .context("could not send the message")?;
    Ok(())
    // END SOLUTION
    // ANCHOR_END: send_message
}

/// Python's `client.recv(1024)`: one read, or an empty vector at EOF.
fn receive_reply(conn: &mut TcpStream) -> Result<Vec<u8>> {
    // ANCHOR: receive_reply
    // BEGIN SOLUTION
    let mut buffer = [0u8; BUFFER_SIZE];
    let n = conn.read(&mut buffer).context("could not read the reply")?;
    Ok(buffer[..n].to_vec())
    // END SOLUTION
    // ANCHOR_END: receive_reply
}
