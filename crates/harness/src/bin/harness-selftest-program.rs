//! A program under test for the harness's own tests (`tests/pace.rs`,
//! `tests/suspend.rs`, `tests/limits.rs`): a TCP server that makes one
//! known mistake on purpose, so a test can show that the harness forces
//! its effect on every run.
//!
//! - `reads`: prints each `read` of a 4-byte buffer (`read 2 bytes: "ab"`)
//!   until EOF, as a server that reads a header with one `read` would.
//! - `reads-timeout MS`: the same with a read timeout of MS milliseconds;
//!   after a timeout it says so and reads again.
//! - `write-once N` / `write-all N`: sends N bytes of `x` with ONE `write`
//!   (Python's `send`) or with `write_all` (`sendall`), prints how many
//!   were taken, then reads until EOF.
//! - `alloc N`: allocates a zeroed buffer of N bytes (`vec![0u8; N]`) and
//!   prints that it could.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpListener;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize| -> usize { args.get(i).and_then(|n| n.parse().ok()).unwrap_or(0) };
    if args.first().map(String::as_str) == Some("alloc") {
        let buffer = vec![0u8; number(1)];
        println!("allocated {} bytes", buffer.len());
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    println!("listening on {}", listener.local_addr().expect("address"));
    let (mut conn, _) = listener.accept().expect("accept");
    match args.first().map(String::as_str) {
        Some(mode @ ("reads" | "reads-timeout")) => loop {
            if mode == "reads-timeout" {
                let timeout = std::time::Duration::from_millis(number(1) as u64);
                conn.set_read_timeout(Some(timeout)).expect("read timeout");
            }
            let mut header = [0u8; 4];
            let n = match conn.read(&mut header) {
                Ok(n) => n,
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    println!("read timed out");
                    continue;
                }
                Err(e) => panic!("read: {e}"),
            };
            if n == 0 {
                break;
            }
            println!(
                "read {n} bytes: {:?}",
                String::from_utf8_lossy(&header[..n])
            );
        },
        Some(how @ ("write-once" | "write-all")) => {
            let data = vec![b'x'; number(1)];
            let taken = if how == "write-once" {
                conn.write(&data).expect("write")
            } else {
                conn.write_all(&data)
                    .map(|()| data.len())
                    .expect("write_all")
            };
            println!("wrote {taken} bytes");
            let mut rest = Vec::new();
            let _ = conn.read_to_end(&mut rest);
        }
        _ => eprintln!(
            "usage: harness-selftest-program reads | reads-timeout MS | write-once N | write-all N | alloc N"
        ),
    }
}
