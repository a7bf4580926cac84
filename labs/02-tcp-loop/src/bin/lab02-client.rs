//! `lab02-client [ADDR]`: the tutorial's TCP client with a message loop.
//!
//! It connects, then for each line typed on stdin: sends it (without its
//! newline), reads the reply and prints it. An empty line, or the end of
//! input, ends the session: the client closes the connection and exits.
//! The Python original:
//!
//! ```python
//! client = socket.socket()                                # connect_to_server
//! client.connect(('127.0.0.1', 18000))                    # connect_to_server
//! while True:                                             # chat
//!     msg = input('发送给服务器的内容:').encode('utf-8')
//!     if not msg:
//!         print('你自己终止了程序')
//!         break
//!     client.send(msg)
//!     msg = client.recv(1024).decode('utf-8')
//!     print('服务器发送回来的内容:%s' % msg)
//! ```
//!
//! Why an empty line must end the session instead of being sent: writing 0
//! bytes on a TCP socket sends nothing at all (no segment carries an empty
//! message), so the server would see nothing, never reply, and this client
//! would wait for the reply forever. And on the receiving side a read of 0
//! bytes means "the peer closed the connection", never "an empty message".
//!
//! Unlike the tutorial, this client prints no prompt: a prompt without a
//! newline would run into the next line of output.

use anyhow::Result;
use std::io::BufRead;
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;

/// The tutorial's `('127.0.0.1', 18000)`.
const DEFAULT_ADDR: &str = "127.0.0.1:18000";
/// The tutorial's `recv(1024)`.
const BUFFER_SIZE: usize = 1024;

fn main() -> ExitCode {
    labkit::run(|| {
        let addr = labkit::addr_arg(DEFAULT_ADDR)?;
        let mut conn = connect_to_server(addr)?;
        chat(&mut conn, std::io::stdin().lock())
        // `conn` is dropped here: that closes the connection, and the
        // server's next read returns 0 bytes.
    })
}

/// Python's `client = socket.socket()` and `client.connect(addr)`.
fn connect_to_server(addr: SocketAddr) -> Result<TcpStream> {
    // ANCHOR: connect_to_server
    // BEGIN SOLUTION
    use anyhow::Context;

    TcpStream::connect(addr).with_context(|| format!("could not connect to {addr}"))
    // END SOLUTION
    // ANCHOR_END: connect_to_server
}

/// The loop: read a line from `input`, stop on an empty line or at the end
/// of input (print why with [`report_end`]), otherwise send it, read one
/// reply and print it with [`report_reply`].
///
/// # Errors
///
/// When stdin cannot be read, when sending or reading fails, or when the
/// server closes the connection instead of replying (a read of 0 bytes):
/// the error then reads `the server closed the connection instead of
/// replying`.
fn chat(conn: &mut TcpStream, input: impl BufRead) -> Result<()> {
    // ANCHOR: chat
    // BEGIN SOLUTION
    use anyhow::{Context, bail};
    use std::io::{Read, Write};

    let mut lines = input.lines();
    loop {
        let line = match lines.next() {
            Some(line) => line.context("could not read stdin")?,
            None => {
                report_end("end of input");
                return Ok(());
            }
        };
        // lines() removes the "\n"; remove a "\r" too (Windows line ends).
        let message = line.trim_end_matches('\r');
        if message.is_empty() {
            // Python's `if not msg: break`.
            report_end("empty line");
            return Ok(());
        }
        conn.write_all(message.as_bytes())
            .context("could not send the message")?;
        let mut buffer = [0u8; BUFFER_SIZE];
        let n = conn.read(&mut buffer).context("could not read the reply")?;
        if n == 0 {
            bail!("the server closed the connection instead of replying");
        }
        report_reply(&buffer[..n]);
    }
    // END SOLUTION
    // ANCHOR_END: chat
}

/// Prints a reply as the tutorial does: `服务器发送回来的内容:已收到`
/// ("what the server sent back: ...").
fn report_reply(reply: &[u8]) {
    println!("服务器发送回来的内容:{}", labkit::show(reply));
}

/// Prints why the session ends, `why` being `empty line` or `end of input`:
/// `empty line: closing the connection (你自己终止了程序)`.
fn report_end(why: &str) {
    println!("{why}: closing the connection (你自己终止了程序)");
}
