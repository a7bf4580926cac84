//! Length-prefix framing: each message goes on the wire after its length,
//! so the receiver knows where it ends, however TCP cuts the stream.
//!
//! # Format
//!
//! ```text
//!  byte 0          byte 1          byte 2          byte 3          byte 4 ...
//! +---------------+---------------+---------------+---------------+--------------
//! |      payload length N: unsigned 32 bits, big-endian           | N bytes of
//! |      (the 4 header bytes are not counted)                     | payload
//! +---------------+---------------+---------------+---------------+--------------
//! ```
//!
//! `hello` is `00 00 00 05 68 65 6c 6c 6f`; an empty message is
//! `00 00 00 00` (with a length, an empty message is something you can
//! send, unlike a write of 0 bytes, which sends nothing).
//!
//! This is the default format of tokio-util's `LengthDelimitedCodec`, the
//! de facto standard in Rust, and what Python's `struct.pack('>I', n)`
//! writes (`>` big-endian, `I` unsigned 32-bit). A server written with this
//! module talks to clients written with either. Big-endian is "network byte
//! order", the order of every length in the IP and TCP headers.
//!
//! # Reading
//!
//! [`FrameReader`] follows mini-redis's `read_frame`: keep a buffer; if it
//! holds a whole frame, take it out; if not, read more and try again. The
//! reads may return any number of bytes (one byte, or a hundred frames at
//! once): the buffer absorbs both.

use std::io::{self, Read, Write};

/// Bytes of the length header.
pub const HEADER_LEN: usize = 4;
/// The largest payload a [`FrameReader`] accepts unless told otherwise:
/// 8 MiB, the default of tokio-util's `LengthDelimitedCodec`.
pub const DEFAULT_MAX_FRAME_LEN: usize = 8 * 1024 * 1024;
/// How many bytes a [`FrameReader`] asks the kernel for at least, per read.
pub const READ_CHUNK: usize = 8 * 1024;

/// Writes `payload` as one frame: its 4-byte big-endian length, then the
/// payload, handed to the socket in ONE write call.
///
/// Why one: two calls (`write_all(&len)` then `write_all(payload)`) cost
/// two system calls, and with TCP_NODELAY set each write leaves at once as
/// its own segment, so a 16-byte message costs two packets, two wake-ups of
/// the receiver, and two sets of headers. (With Nagle's algorithm on
/// instead, the payload may wait for the ACK of the header: up to 40 ms
/// with delayed ACKs.) Copying the header and payload into one buffer costs
/// a memcpy, far cheaper than a system call.
///
/// # Errors
///
/// `InvalidInput` for a payload longer than `u32::MAX` bytes (the length
/// would not fit its 4 bytes), or the error of the underlying write.
pub fn write_frame(writer: &mut impl Write, payload: &[u8]) -> io::Result<()> {
    // ANCHOR: write_frame
    // The length goes first, as 4 bytes in big-endian order (most
    // significant byte first, Python's '>I': `to_be_bytes`), then the
    // payload. write_all, like Python's sendall, is one call that loops
    // until the kernel has taken every byte.
    // BEGIN SOLUTION
    let len = u32::try_from(payload.len()).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "a payload of {} bytes does not fit a 4-byte length",
                payload.len()
            ),
        )
    })?;
    let mut frame = Vec::with_capacity(HEADER_LEN + payload.len());
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(payload);
    writer.write_all(&frame)
    // END SOLUTION
    // ANCHOR_END: write_frame
}

/// Reads frames from a byte stream (a `TcpStream`, or anything `Read`).
///
/// Memory stays bounded: the buffer holds at most one frame plus one read,
/// so never more than `max_frame_len + HEADER_LEN + READ_CHUNK` bytes,
/// however long the stream.
pub struct FrameReader<R> {
    reader: R,
    /// `buffer[start..end]` holds the bytes read and not yet returned.
    buffer: Vec<u8>,
    start: usize,
    end: usize,
    max_frame_len: usize,
}

impl<R> std::fmt::Debug for FrameReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameReader")
            .field("buffered", &(self.end - self.start))
            .field("max_frame_len", &self.max_frame_len)
            .finish()
    }
}

impl<R: Read> FrameReader<R> {
    /// A reader accepting payloads up to [`DEFAULT_MAX_FRAME_LEN`].
    pub fn new(reader: R) -> Self {
        Self::with_max_frame_len(reader, DEFAULT_MAX_FRAME_LEN)
    }

    /// A reader accepting payloads up to `max_frame_len` bytes.
    pub fn with_max_frame_len(reader: R, max_frame_len: usize) -> Self {
        FrameReader {
            reader,
            buffer: Vec::new(),
            start: 0,
            end: 0,
            max_frame_len,
        }
    }

    /// The largest payload this reader accepts.
    pub fn max_frame_len(&self) -> usize {
        self.max_frame_len
    }

    /// The bytes read from the stream but not returned as a frame yet.
    pub fn buffered(&self) -> &[u8] {
        &self.buffer[self.start..self.end]
    }

    /// The stream, to write replies on the same connection.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.reader
    }

    /// Reads the next frame and returns its payload.
    ///
    /// Returns `Ok(None)` when the stream ends cleanly between two frames
    /// (the peer closed after its last message).
    ///
    /// # Errors
    ///
    /// - `UnexpectedEof` when the stream ends inside a frame:
    ///   `connection closed mid-frame: got X of Y bytes` (X bytes of a
    ///   payload of Y), or `connection closed mid-frame: got X of 4 bytes of
    ///   the length` when it ends inside the 4-byte header;
    /// - `InvalidData` when a length is above [`Self::max_frame_len`],
    ///   detected from the header alone, before anything is allocated for
    ///   the payload (a peer cannot make us allocate 4 GiB by sending four
    ///   bytes `ff ff ff ff`);
    /// - any error of the underlying read, returned as it is: a reset
    ///   (`ConnectionReset`) is an error even between two frames, where
    ///   only EOF (a read of 0 bytes) is a clean end. A read that fails
    ///   with `Interrupted` (a signal arrived) is not an error: it is tried
    ///   again.
    ///
    /// After an error the stream is out of step (we no longer know where a
    /// frame starts): close the connection.
    pub fn read_frame(&mut self) -> io::Result<Option<Vec<u8>>> {
        // ANCHOR: read_frame
        // A loop. Steps 1 to 3 of the book: once the buffer holds the 4
        // header bytes (step 1), check the length (step 2), BEFORE making
        // room for the payload; once it also holds the payload (step 3),
        // take the frame out and drop the consumed bytes by moving the
        // start past them. Keep count of the bytes this frame needs: the 4
        // of the length, then the payload's too.
        //
        // Not a whole frame yet: read more. First move the partial frame
        // to the front, so the buffer never grows past one frame plus one
        // read.
        //
        // Step 4: a read of 0 bytes is EOF: clean before the first byte of
        // a header, an error anywhere else. A read that fails with
        // `Interrupted` is tried again (Python retries EINTR for you; Rust's
        // `read` does not); any other failed read, a reset too, is returned
        // as it is. `tests/frame.rs` makes reads fail both ways.
        // BEGIN SOLUTION
        loop {
            let buffered = &self.buffer[self.start..self.end];
            let mut wanted = HEADER_LEN;
            let mut payload_len = None;
            if let Some(header) = buffered.first_chunk::<HEADER_LEN>() {
                let len = u32::from_be_bytes(*header);
                let len = usize::try_from(len)
                    .ok()
                    .filter(|len| *len <= self.max_frame_len)
                    .ok_or_else(|| {
                        io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!(
                                "frame length {len} is above the maximum of {} bytes",
                                self.max_frame_len
                            ),
                        )
                    })?;
                wanted = HEADER_LEN + len;
                payload_len = Some(len);
                if buffered.len() >= wanted {
                    let payload = buffered[HEADER_LEN..wanted].to_vec();
                    self.start += wanted;
                    return Ok(Some(payload));
                }
            }

            self.buffer.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            let room = (wanted - self.end).max(READ_CHUNK);
            if self.buffer.len() < self.end + room {
                self.buffer.resize(self.end + room, 0);
            }
            let n = match self.reader.read(&mut self.buffer[self.end..]) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };

            if n == 0 {
                let got = self.end;
                return match payload_len {
                    _ if got == 0 => Ok(None),
                    None => Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!(
                            "connection closed mid-frame: got {got} of {HEADER_LEN} bytes of the length"
                        ),
                    )),
                    Some(len) => Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!(
                            "connection closed mid-frame: got {} of {len} bytes",
                            got - HEADER_LEN
                        ),
                    )),
                };
            }
            self.end += n;
        }
        // END SOLUTION
        // ANCHOR_END: read_frame
    }
}
