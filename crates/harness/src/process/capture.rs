//! A program's output, drained by a reader thread per pipe, always, so
//! that a program is never blocked on a full pipe; lines go to the
//! scenario script on a channel, cut to a size cap.

use std::io::Read;
use std::sync::mpsc::{self, Receiver};
use std::thread;

/// The most output the harness keeps from one stream of one program.
pub const OUTPUT_LIMIT: usize = 64 * 1024;
/// Longer lines are cut to this many bytes, and [`cut_marker`] added.
pub const LINE_LIMIT: usize = 4096;

/// What ends a line cut to [`LINE_LIMIT`] bytes, so that a transcript never
/// shows a cut line as if the program had printed only that much.
pub fn cut_marker(total: usize) -> String {
    format!("…[cut by the harness: the first {LINE_LIMIT} of {total} bytes kept]")
}
/// What a reader thread sends: a line (without its `\n`), or that the cap
/// was reached and the rest is drained unread.
pub(crate) enum Chunk {
    Line(Vec<u8>),
    Truncated,
}

/// Starts a thread that reads `pipe` until its end.
pub(crate) fn spawn_reader(mut pipe: impl Read + Send + 'static) -> Receiver<Chunk> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        let mut line = Vec::new();
        // Bytes of the current line, kept or not.
        let mut total = 0usize;
        let mut kept = 0usize;
        let mut cut = false;
        loop {
            let n = match pipe.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if cut {
                continue; // keep draining, unread, so the program never blocks
            }
            for &b in &buf[..n] {
                if b == b'\n' {
                    kept += line.len() + 1;
                    let _ = tx.send(Chunk::Line(finish_line(&mut line, total)));
                    total = 0;
                } else {
                    total += 1;
                    if line.len() < LINE_LIMIT {
                        line.push(b);
                    }
                }
                if kept + line.len() >= OUTPUT_LIMIT {
                    cut = true;
                    let _ = tx.send(Chunk::Truncated);
                    break;
                }
            }
        }
        if !line.is_empty() && !cut {
            let _ = tx.send(Chunk::Line(finish_line(&mut line, total)));
        }
    });
    rx
}

/// Takes the line out of `line`, with [`cut_marker`] when it had `total`
/// bytes, more than were kept.
fn finish_line(line: &mut Vec<u8>, total: usize) -> Vec<u8> {
    let mut done = std::mem::take(line);
    if total > done.len() {
        done.extend_from_slice(cut_marker(total).as_bytes());
    }
    done
}
