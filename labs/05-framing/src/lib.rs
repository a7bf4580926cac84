//! Lab 5: length-prefix framing, the tutorial's fix for sticky packets
//! (对应方法: "tell the receiver how many bytes the message has, before the
//! message").
//!
//! # Layout
//!
//! - [`frame`]: the wire format and the two functions you write:
//!   [`frame::write_frame`] and [`frame::FrameReader::read_frame`].
//! - this file: how the programs turn a frame error into one line
//!   ([`frame_error`]); they print payloads with `labkit::preview`.
//! - `src/bin/lab05-server.rs` and `src/bin/lab05-client.rs`: the echo
//!   server and the burst client, built on [`frame`].

pub mod frame;

use std::io;

/// One line for an error of [`frame`]: a bad frame keeps the frame module's
/// own message (`connection closed mid-frame: got 3 of 10 bytes`); other
/// I/O errors are named as every lab names them.
pub fn describe_frame_error(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidInput => {
            e.to_string()
        }
        _ => labkit::describe_io_error(e),
    }
}

/// An error of [`frame`] as an `anyhow::Error` that `labkit::run` prints
/// with the frame module's message, after `what` failed.
pub fn frame_error(e: io::Error, what: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{what}: {}", describe_frame_error(&e))
}
