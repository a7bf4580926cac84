//! `lab05-frame-probe`: your library (`lab05_framing::frame`) as a program,
//! so that `tests/frame.rs` can judge it from outside.
//!
//! `tests/frame.rs` does not link your library: it starts this program (in
//! the grader, jailed like the server and the client), sends it requests on
//! stdin, one line each, and compares each answer line with the answer it
//! computed itself from the wire format. Whatever your code prints or does
//! in this process, the verdict is made by the test, in another process;
//! and the memory the reader uses is read from outside (`/proc`, Linux).
//! This file is the instructor's: it is not yours to change, and the
//! grader always uses its own copy (it takes only your `src/`).
//!
//! # Requests (one line each; fields separated by one space)
//!
//! - `read MAX CUTS SEGMENT…`: the stream is the segments' bytes, cut into
//!   pieces at `CUTS`; each `read` of it returns at most the rest of the
//!   current piece, as a TCP read returns at most what has arrived. A
//!   `FrameReader` (`FrameReader::new` when `MAX` is `-`, else
//!   `FrameReader::with_max_frame_len(stream, MAX)`) reads frames until
//!   `Ok(None)`, an error, or [`MOST_FRAMES`] frames.
//! - `write SEGMENT…`: `write_frame` of the segments' bytes into a `Vec`.
//! - `stream MAX COUNT LEN PIECE`: `COUNT` frames of `LEN` bytes, made
//!   while they are read (never held whole), in pieces of `PIECE` bytes,
//!   through `FrameReader::with_max_frame_len(stream, MAX)`: the memory
//!   test.
//!
//! `CUTS` is `-` (one piece), `every:N` (pieces of N bytes) or sorted
//! positions `A,B,…`. A `SEGMENT` is `x` and bytes in hex (`x0000000568`,
//! or `x` alone for none), or `pLEN+START`: LEN bytes `(START + i) % 251`.
//! In a `read` request, a segment may also be a failed read at that point
//! of the stream: `i`, one read fails with `Interrupted` (a signal
//! arrived: the reader must try again, and the stream goes on as if
//! nothing happened); `r`, a read fails with `ConnectionReset` (`connection
//! reset by peer`), and every read after it returns 0 (the connection is
//! gone).
//!
//! # Answers (one line per request)
//!
//! - `read`: `read:LARGEST max:MAX FRAME… END`, where `LARGEST` is the
//!   largest buffer handed to `read` (how much room the reader made), `MAX`
//!   what `max_frame_len()` returned, and a `FRAME` is `=HEX` (at most
//!   [`SHOWN`] bytes) or `#LEN:HASH:HEAD` (FNV-1a 64 of the bytes, and the
//!   first 8 bytes, in hex).
//! - `write`: `FRAME END`, the bytes written (as a `FRAME` is shown).
//! - `stream`: `peak:BYTES frames:N digest:HEX END`: how much memory was
//!   allocated at most while reading (this process's own count, which the
//!   test uses only where it cannot read `/proc`), how many frames came
//!   out, and a digest of them ([`digest`]).
//!
//! `END` is `end` (`Ok(None)`, or `write_frame` returned `Ok`), `more` (the
//! reader returned [`MOST_FRAMES`] frames and had not ended), or
//! `error:KIND TEXT` (the error's kind, `{:?}`, and its text). A request
//! it cannot read is answered `bad-request WHY`. An answer is cut at
//! [`LONGEST_ANSWER`] bytes. At the end of its input the probe exits 0.

use lab05_framing::frame::{FrameReader, write_frame};
use std::collections::VecDeque;
use std::io::{self, BufRead, Read, Write};

/// `read` stops after this many frames: no stream of the tests holds more.
const MOST_FRAMES: usize = 200;
/// Frames (and written bytes) up to this long are shown whole, in hex.
const SHOWN: usize = 32;
/// The longest answer line, in bytes.
const LONGEST_ANSWER: usize = 2000;

fn main() {
    let stdin = io::stdin();
    let mut out = io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let mut answer = answer(&line).unwrap_or_else(|why| format!("bad-request {why}"));
        if answer.len() > LONGEST_ANSWER {
            let mut cut = LONGEST_ANSWER;
            while !answer.is_char_boundary(cut) {
                cut -= 1;
            }
            answer.truncate(cut);
            answer.push_str(" …");
        }
        if writeln!(out, "{answer}")
            .and_then(|()| out.flush())
            .is_err()
        {
            break;
        }
    }
}

/// The answer to one request line.
fn answer(line: &str) -> Result<String, String> {
    let mut fields = line.split(' ');
    match fields.next() {
        Some("read") => {
            let max = number_or_default(fields.next())?;
            let cuts = fields.next().ok_or("no CUTS")?.to_owned();
            let (wire, failures) = segments(fields)?;
            read(&wire, &failures, &cuts, max)
        }
        Some("write") => {
            let (payload, failures) = segments(fields)?;
            if !failures.is_empty() {
                return Err("a write request has no failed reads".to_owned());
            }
            let mut written = Vec::new();
            let end = end(write_frame(&mut written, &payload).map(|()| None::<()>));
            Ok(format!("{} {end}", shown(&written)))
        }
        Some("stream") => {
            let mut next = || -> Result<usize, String> {
                number_or_default(fields.next())?.ok_or_else(|| "a number is missing".to_owned())
            };
            let (max, count, len, piece) = (next()?, next()?, next()?, next()?);
            Ok(stream(max, count, len, piece.max(1)))
        }
        _ => Err(format!("unknown request `{line}`")),
    }
}

fn number_or_default(field: Option<&str>) -> Result<Option<usize>, String> {
    match field {
        None => Err("a field is missing".to_owned()),
        Some("-") => Ok(None),
        Some(n) => n
            .parse()
            .map(Some)
            .map_err(|_| format!("`{n}` is not a number")),
    }
}

/// The bytes of the segments (see the module's documentation), and the
/// failed reads among them: where in the bytes, and which error.
type Failures = Vec<(usize, io::ErrorKind)>;

fn segments<'a>(fields: impl Iterator<Item = &'a str>) -> Result<(Vec<u8>, Failures), String> {
    let mut bytes = Vec::new();
    let mut failures = Vec::new();
    for field in fields {
        if field == "i" {
            failures.push((bytes.len(), io::ErrorKind::Interrupted));
        } else if field == "r" {
            failures.push((bytes.len(), io::ErrorKind::ConnectionReset));
        } else if let Some(hex) = field.strip_prefix('x') {
            if hex.len() % 2 != 0 {
                return Err(format!("odd hex `{hex}`"));
            }
            for pair in hex.as_bytes().chunks(2) {
                let pair = std::str::from_utf8(pair).map_err(|_| "not hex")?;
                bytes.push(u8::from_str_radix(pair, 16).map_err(|_| format!("`{pair}`"))?);
            }
        } else if let Some(spec) = field.strip_prefix('p') {
            let (len, start) = spec.split_once('+').ok_or("pLEN+START")?;
            let len: usize = len.parse().map_err(|_| "LEN")?;
            let start: usize = start.parse().map_err(|_| "START")?;
            bytes.extend((0..len).map(|i| pattern(start + i)));
        } else {
            return Err(format!("unknown segment `{field}`"));
        }
    }
    Ok((bytes, failures))
}

/// Byte `i` of the pattern: `i % 251` (251 is prime, so a frame lost or
/// repeated shifts what follows).
fn pattern(i: usize) -> u8 {
    (i % 251) as u8
}

/// Part of the stream a [`Pieces`] returns: bytes, or a failed read.
enum Piece {
    Bytes(Vec<u8>),
    Fails(io::ErrorKind),
}

/// A stream that returns its bytes in the given pieces: each `read`
/// returns at most the rest of the current piece, or fails as the piece
/// says.
struct Pieces {
    pieces: VecDeque<Piece>,
    /// The largest buffer `read` was handed: how much room the reader made.
    largest_read: usize,
}

impl Read for &mut Pieces {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.largest_read = self.largest_read.max(buf.len());
        let piece = match self.pieces.front_mut() {
            None => return Ok(0),
            Some(Piece::Fails(kind)) => {
                let kind = *kind;
                self.pieces.pop_front();
                return Err(match kind {
                    io::ErrorKind::ConnectionReset => {
                        // The connection is gone: nothing comes after.
                        self.pieces.clear();
                        io::Error::new(kind, "connection reset by peer")
                    }
                    _ => io::Error::new(kind, "interrupted by a signal (the probe's test)"),
                });
            }
            Some(Piece::Bytes(piece)) => piece,
        };
        let n = piece.len().min(buf.len());
        buf[..n].copy_from_slice(&piece[..n]);
        piece.drain(..n);
        if piece.is_empty() {
            self.pieces.pop_front();
        }
        Ok(n)
    }
}

/// `read`: the frames of `wire` cut at `cuts`, with the failed reads of
/// `failures` where they are.
fn read(
    wire: &[u8],
    failures: &[(usize, io::ErrorKind)],
    cuts: &str,
    max: Option<usize>,
) -> Result<String, String> {
    let mut at: Vec<usize> = match cuts {
        "-" => Vec::new(),
        every if every.starts_with("every:") => {
            let n: usize = every["every:".len()..].parse().map_err(|_| "every:N")?;
            (1..)
                .map(|i| i * n.max(1))
                .take_while(|at| *at < wire.len())
                .collect()
        }
        list => list
            .split(',')
            .map(|n| n.parse().map_err(|_| format!("cut `{n}`")))
            .collect::<Result<_, _>>()?,
    };
    at.extend(failures.iter().map(|(at, _)| *at));
    at.push(wire.len());
    at.sort_unstable();
    let mut pieces = VecDeque::new();
    let mut failures = failures.iter().peekable();
    let mut from = 0;
    for to in at {
        let to = to.clamp(from, wire.len());
        if to > from {
            pieces.push_back(Piece::Bytes(wire[from..to].to_vec()));
        }
        from = to;
        while let Some((_, kind)) = failures.next_if(|(at, _)| *at <= from) {
            pieces.push_back(Piece::Fails(*kind));
        }
    }
    let mut stream = Pieces {
        pieces,
        largest_read: 0,
    };
    let mut frames = match max {
        None => FrameReader::new(&mut stream),
        Some(max) => FrameReader::with_max_frame_len(&mut stream, max),
    };
    let mut answer = format!("max:{}", frames.max_frame_len());
    let mut outcome = Ok(Some(()));
    for _ in 0..MOST_FRAMES {
        outcome = frames.read_frame().map(|frame| {
            frame.map(|frame| {
                answer.push(' ');
                answer.push_str(&shown(&frame));
            })
        });
        if !matches!(outcome, Ok(Some(()))) {
            break;
        }
    }
    drop(frames);
    Ok(format!(
        "read:{} {answer} {}",
        stream.largest_read,
        end(outcome)
    ))
}

/// How a call ended: `end`, `more` or `error:KIND TEXT`.
fn end<T>(outcome: io::Result<Option<T>>) -> String {
    match outcome {
        Ok(None) => "end".to_owned(),
        Ok(Some(_)) => "more".to_owned(),
        Err(e) => format!(
            "error:{:?} {}",
            e.kind(),
            e.to_string().replace('\n', "\\n")
        ),
    }
}

/// Bytes as an answer shows them: `=HEX`, or `#LEN:HASH:HEAD` when long.
fn shown(bytes: &[u8]) -> String {
    if bytes.len() <= SHOWN {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!("={hex}")
    } else {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in bytes {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        let head: String = bytes[..8].iter().map(|b| format!("{b:02x}")).collect();
        format!("#{}:{hash:016x}:{head}", bytes.len())
    }
}

/// The memory test's stream: `count` frames of `len` bytes (frame `k`'s
/// byte `i` is `pattern(7k + i)`), made as they are read, in pieces of
/// `piece` bytes.
struct Made {
    count: usize,
    len: usize,
    piece: usize,
    /// Where the next byte is in the whole stream.
    at: usize,
    /// The pattern, long enough for any frame's start: frames are slices.
    bytes: Vec<u8>,
}

impl Read for Made {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let frame = 4 + self.len;
        let total = self.count * frame;
        let piece_end = ((self.at / self.piece + 1) * self.piece).min(total);
        let n = buf.len().min(piece_end - self.at);
        let mut done = 0;
        while done < n {
            let (k, within) = (self.at / frame, self.at % frame);
            let part: &[u8] = if within < 4 {
                let header = u32::try_from(self.len).unwrap_or(u32::MAX).to_be_bytes();
                let take = (4 - within).min(n - done);
                buf[done..done + take].copy_from_slice(&header[within..within + take]);
                done += take;
                self.at += take;
                continue;
            } else {
                let start = (7 * k) % 251 + (within - 4);
                &self.bytes[start..start + (frame - within)]
            };
            let take = part.len().min(n - done);
            buf[done..done + take].copy_from_slice(&part[..take]);
            done += take;
            self.at += take;
        }
        Ok(n)
    }
}

/// `stream`: reads the made stream and sums up what came out.
fn stream(max: usize, count: usize, len: usize, piece: usize) -> String {
    let made = Made {
        count,
        len,
        piece,
        at: 0,
        bytes: (0..len + 251).map(pattern).collect(),
    };
    let before = memory::start();
    let mut frames = FrameReader::with_max_frame_len(made, max);
    let mut digest = Digest::default();
    let mut outcome = Ok(Some(()));
    for _ in 0..=count {
        outcome = frames
            .read_frame()
            .map(|frame| frame.map(|frame| digest.add(&frame)));
        if !matches!(outcome, Ok(Some(()))) {
            break;
        }
    }
    drop(frames);
    let peak = memory::peak() - before;
    format!(
        "peak:{peak} frames:{} digest:{:016x} {}",
        digest.frames,
        digest.hash,
        end(outcome)
    )
}

/// The memory test's digest of the frames that came out: FNV-1a 64 over
/// each frame's length, then its bytes taken 8 at a time as little-endian
/// words (the last one padded with zeros). `tests/frame.rs` computes the
/// same.
#[derive(Default)]
struct Digest {
    frames: usize,
    hash: u64,
}

impl Digest {
    fn add(&mut self, frame: &[u8]) {
        if self.frames == 0 {
            self.hash = 0xcbf2_9ce4_8422_2325;
        }
        self.frames += 1;
        let mut mix =
            |word: u64| self.hash = (self.hash ^ word).wrapping_mul(0x0000_0100_0000_01b3);
        mix(frame.len() as u64);
        for chunk in frame.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            mix(u64::from_le_bytes(word));
        }
    }
}

/// Counts the bytes allocated and not yet freed, and the most there ever
/// were: the memory the reader really used, whatever its code looks like.
/// The test trusts it only where it cannot read this process's peak
/// resident memory from `/proc` (not Linux): this process runs your code,
/// which could change the count.
mod memory {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicIsize, Ordering};

    struct Counting;

    static LIVE: AtomicIsize = AtomicIsize::new(0);
    static PEAK: AtomicIsize = AtomicIsize::new(0);

    fn add(bytes: isize) {
        let live = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
        PEAK.fetch_max(live, Ordering::Relaxed);
    }

    // SAFETY: every call is passed to the system allocator unchanged; the
    // counters are atomics, so counting allocates nothing and cannot
    // re-enter the allocator.
    #[allow(unsafe_code)]
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            add(layout.size() as isize);
            // SAFETY: the caller's contract for `alloc` is passed on.
            unsafe { System.alloc(layout) }
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            add(layout.size() as isize);
            // SAFETY: the caller's contract for `alloc_zeroed` is passed on
            // (the system's, so zeroed pages are not touched until used).
            unsafe { System.alloc_zeroed(layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            add(new_size as isize - layout.size() as isize);
            // SAFETY: the caller's contract for `realloc` is passed on.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            add(-(layout.size() as isize));
            // SAFETY: the caller's contract for `dealloc` is passed on.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    #[global_allocator]
    static COUNTING: Counting = Counting;

    /// Starts a measurement: the peak is set to what is held now, which is
    /// returned.
    pub fn start() -> isize {
        let live = LIVE.load(Ordering::Relaxed);
        PEAK.store(live, Ordering::Relaxed);
        live
    }

    /// The most held since [`start`].
    pub fn peak() -> isize {
        PEAK.load(Ordering::Relaxed)
    }
}
