//! `read_frame` against every way TCP may cut a stream: the stream of frames
//! is delivered in pieces split at every possible set of boundaries
//! (exhaustively for small inputs), and the frames that come out must be
//! exactly the frames that went in.

use lab05_framing::frame::{
    DEFAULT_MAX_FRAME_LEN, FrameReader, HEADER_LEN, READ_CHUNK, write_frame,
};
use pretty_assertions::assert_eq;
use std::collections::VecDeque;
use std::io::{self, Read};

/// A stream that returns its bytes in the given pieces: each `read` returns
/// at most the rest of the current piece, as a TCP read returns at most
/// what has arrived.
struct Pieces {
    pieces: VecDeque<Vec<u8>>,
    /// The largest buffer `read` was handed: how much the reader allocated.
    largest_read: usize,
}

impl Pieces {
    fn new(pieces: impl IntoIterator<Item = Vec<u8>>) -> Self {
        Pieces {
            pieces: pieces.into_iter().filter(|p| !p.is_empty()).collect(),
            largest_read: 0,
        }
    }

    /// `bytes` cut at the sorted positions `cuts`.
    fn cut(bytes: &[u8], cuts: &[usize]) -> Self {
        let mut pieces = Vec::new();
        let mut from = 0;
        for &at in cuts.iter().chain(std::iter::once(&bytes.len())) {
            pieces.push(bytes[from..at].to_vec());
            from = at;
        }
        Pieces::new(pieces)
    }
}

impl Read for &mut Pieces {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.largest_read = self.largest_read.max(buf.len());
        let Some(piece) = self.pieces.front_mut() else {
            return Ok(0);
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

fn encode(payloads: &[&[u8]]) -> Vec<u8> {
    let mut wire = Vec::new();
    for p in payloads {
        write_frame(&mut wire, p).unwrap();
    }
    wire
}

/// Reads frames until `Ok(None)` or an error; the error as its kind and text.
fn read_all(stream: &mut Pieces) -> (Vec<Vec<u8>>, Option<(io::ErrorKind, String)>) {
    let mut frames = FrameReader::new(stream);
    let mut got = Vec::new();
    // Bounded: a stream of N bytes holds at most N/4 frames.
    for _ in 0..10_000 {
        match frames.read_frame() {
            Ok(Some(frame)) => got.push(frame),
            Ok(None) => return (got, None),
            Err(e) => return (got, Some((e.kind(), e.to_string()))),
        }
    }
    panic!("read_frame did not reach the end of a short stream");
}

fn owned(payloads: &[&[u8]]) -> Vec<Vec<u8>> {
    payloads.iter().map(|p| p.to_vec()).collect()
}

#[test]
fn write_frame_puts_a_big_endian_length_before_the_payload() {
    assert_eq!(encode(&[b"hello"]), b"\x00\x00\x00\x05hello".to_vec());
    assert_eq!(encode(&[b""]), vec![0, 0, 0, 0]);
    assert_eq!(encode(&[&[7u8; 258]])[..HEADER_LEN], [0, 0, 1, 2]);
}

#[test]
fn every_split_of_a_small_stream_gives_back_the_same_frames() {
    // 4+1 + 4+0 + 4+0 = 13 bytes: 12 places to cut, 2^12 = 4,096 ways to
    // cut (every cut inside each header, and between every two frames).
    let payloads: &[&[u8]] = &[b"a", b"", b""];
    let wire = encode(payloads);
    let places = wire.len() - 1;
    for mask in 0u32..(1 << places) {
        let cuts: Vec<usize> = (1..=places)
            .filter(|at| mask & (1 << (at - 1)) != 0)
            .collect();
        let (frames, error) = read_all(&mut Pieces::cut(&wire, &cuts));
        assert_eq!((frames, error), (owned(payloads), None), "cut at {cuts:?}");
    }
}

#[test]
fn every_two_cuts_of_a_longer_stream_give_back_the_same_frames() {
    let big = vec![b'x'; 40];
    let payloads: &[&[u8]] = &[b"one", &big, b"", b"\xff\xfe not utf-8", b"last"];
    let wire = encode(payloads);
    for a in 0..=wire.len() {
        for b in a..=wire.len() {
            let (frames, error) = read_all(&mut Pieces::cut(&wire, &[a, b]));
            assert_eq!(
                (frames, error),
                (owned(payloads), None),
                "cut at {a} and {b}"
            );
        }
    }
}

#[test]
fn frames_larger_than_one_read_come_out_whole_whatever_the_piece_size() {
    // Larger than READ_CHUNK, so the buffer must grow to hold a frame.
    let big: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
    let payloads: &[&[u8]] = &[b"before", &big, b"", &big[..9_000], b"after"];
    let wire = encode(payloads);
    for piece_len in [1, 3, 4, 5, 1000, 8191, 8192, 8193, 20_004, wire.len()] {
        let pieces = wire.chunks(piece_len).map(<[u8]>::to_vec);
        let (frames, error) = read_all(&mut Pieces::new(pieces));
        assert_eq!(
            (frames, error),
            (owned(payloads), None),
            "pieces of {piece_len} bytes"
        );
    }
}

#[test]
fn a_hundred_frames_in_one_piece_come_out_one_by_one() {
    let texts: Vec<String> = (0..100).map(|i| format!("msg {i}")).collect();
    let payloads: Vec<&[u8]> = texts.iter().map(|t| t.as_bytes()).collect();
    let (frames, error) = read_all(&mut Pieces::new([encode(&payloads)]));
    assert_eq!((frames, error), (owned(&payloads), None));
}

#[test]
fn eof_at_every_point_is_clean_only_between_frames() {
    let payloads: &[&[u8]] = &[b"abc", b"", b"de"];
    let wire = encode(payloads);
    let boundaries = [0, 7, 11, 17];
    for end in 0..=wire.len() {
        let (frames, error) = read_all(&mut Pieces::new([wire[..end].to_vec()]));
        let whole = boundaries.iter().filter(|b| **b <= end && **b > 0).count();
        assert_eq!(frames, owned(&payloads[..whole]), "EOF after {end} bytes");
        let start = boundaries[whole];
        let expected = match end - start {
            0 => None,
            got if got < HEADER_LEN => Some((
                io::ErrorKind::UnexpectedEof,
                format!("connection closed mid-frame: got {got} of 4 bytes of the length"),
            )),
            got => Some((
                io::ErrorKind::UnexpectedEof,
                format!(
                    "connection closed mid-frame: got {} of {} bytes",
                    got - HEADER_LEN,
                    payloads[whole].len()
                ),
            )),
        };
        assert_eq!(error, expected, "EOF after {end} bytes");
    }
}

#[test]
fn an_oversized_length_is_refused_before_allocating() {
    let mut stream = Pieces::new([vec![0xff, 0xff, 0xff, 0xff, b'x']]);
    let (frames, error) = read_all(&mut stream);
    assert_eq!(
        (frames, error),
        (
            vec![],
            Some((
                io::ErrorKind::InvalidData,
                format!(
                    "frame length 4294967295 is above the maximum of {DEFAULT_MAX_FRAME_LEN} bytes"
                ),
            ))
        )
    );
    assert!(
        stream.largest_read <= 64 * 1024,
        "read_frame made room for {} bytes before checking the length",
        stream.largest_read
    );
}

#[test]
fn the_maximum_is_configurable_and_inclusive() {
    let wire = encode(&[b"12345678", b"123456789"]);
    let mut stream = Pieces::new([wire]);
    let mut frames = FrameReader::with_max_frame_len(&mut stream, 8);
    assert_eq!(frames.max_frame_len(), 8);
    assert_eq!(frames.read_frame().unwrap(), Some(b"12345678".to_vec()));
    let err = frames.read_frame().unwrap_err();
    assert_eq!(
        (err.kind(), err.to_string()),
        (
            io::ErrorKind::InvalidData,
            "frame length 9 is above the maximum of 8 bytes".to_owned()
        )
    );
}

#[test]
fn an_empty_stream_is_a_clean_eof() {
    let (frames, error) = read_all(&mut Pieces::new([]));
    assert_eq!((frames, error), (vec![], None));
}

// The reader in four steps, in the order the book's lab 5 chapter builds
// it. Each step's tests need only that step and the ones before it, so you
// can write `read_frame` one step at a time and check each with
// `cargo test -p lab05-framing --test frame step1` (then step2, step3,
// step4); the tests above then check the whole reader against every way
// TCP may cut the stream.

/// Step 1: read the 4 header bytes fully. One read may return 1 byte of
/// them: keep reading until all 4 are there. (The empty message is a header
/// and nothing else.)
#[test]
fn step1_a_header_cut_in_pieces_is_read_whole() {
    let mut stream = Pieces::new([vec![0], vec![0], vec![0], vec![0]]);
    let mut frames = FrameReader::new(&mut stream);
    assert_eq!(frames.read_frame().unwrap(), Some(vec![]));
}

/// Step 2: check the length against the maximum as soon as the header is
/// there, before reading the payload or making room for it. Here the 9
/// promised bytes never come: only the header can refuse the frame.
#[test]
fn step2_a_length_above_the_maximum_is_refused_from_the_header_alone() {
    let mut stream = Pieces::new([vec![0, 0, 0, 9]]);
    let err = FrameReader::with_max_frame_len(&mut stream, 8)
        .read_frame()
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.to_string()),
        (
            io::ErrorKind::InvalidData,
            "frame length 9 is above the maximum of 8 bytes".to_owned()
        )
    );
}

/// Step 3: read the payload fully, however it is cut.
#[test]
fn step3_a_payload_cut_in_pieces_is_read_whole() {
    let mut stream = Pieces::new([vec![0, 0, 0, 5, b'h'], vec![b'e', b'l'], vec![b'l', b'o']]);
    let mut frames = FrameReader::new(&mut stream);
    assert_eq!(frames.read_frame().unwrap(), Some(b"hello".to_vec()));
}

/// Step 3, the other way round: one read may bring several frames; the
/// bytes after a frame belong to the next one and must not be lost.
#[test]
fn step3_bytes_after_a_frame_are_kept_for_the_next_one() {
    let mut stream = Pieces::new([encode(&[b"hello", b"", b"!"])]);
    let mut frames = FrameReader::new(&mut stream);
    assert_eq!(frames.read_frame().unwrap(), Some(b"hello".to_vec()));
    assert_eq!(frames.read_frame().unwrap(), Some(vec![]));
    assert_eq!(frames.read_frame().unwrap(), Some(b"!".to_vec()));
}

/// Step 4: EOF before the first byte of a header is the clean end of the
/// stream, `Ok(None)`: the peer closed between two frames.
#[test]
fn step4_eof_before_the_first_header_byte_is_a_clean_end() {
    let mut stream = Pieces::new([encode(&[b"hi"])]);
    let mut frames = FrameReader::new(&mut stream);
    assert_eq!(frames.read_frame().unwrap(), Some(b"hi".to_vec()));
    assert_eq!(frames.read_frame().unwrap(), None);
}

/// Step 4: EOF anywhere else (inside the header, right after it, inside the
/// payload) is an `UnexpectedEof` error that says how much came.
#[test]
fn step4_eof_anywhere_else_is_an_unexpected_eof() {
    for (wire, expected) in [
        (
            vec![0, 0],
            "connection closed mid-frame: got 2 of 4 bytes of the length",
        ),
        (
            vec![0, 0, 0, 5],
            "connection closed mid-frame: got 0 of 5 bytes",
        ),
        (
            vec![0, 0, 0, 5, b'h', b'e'],
            "connection closed mid-frame: got 2 of 5 bytes",
        ),
    ] {
        let mut stream = Pieces::new([wire]);
        let err = FrameReader::new(&mut stream).read_frame().unwrap_err();
        assert_eq!(
            (err.kind(), err.to_string()),
            (io::ErrorKind::UnexpectedEof, expected.to_owned())
        );
    }
}

/// Counts, per thread, the bytes allocated and not yet freed, and the most
/// there ever were: the memory a `FrameReader` really uses, whatever its
/// code looks like.
mod memory {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    struct Counting;

    thread_local! {
        static LIVE: Cell<isize> = const { Cell::new(0) };
        static PEAK: Cell<isize> = const { Cell::new(0) };
    }

    fn add(bytes: isize) {
        let _ = LIVE.try_with(|live| {
            live.set(live.get() + bytes);
            let _ = PEAK.try_with(|peak| peak.set(peak.get().max(live.get())));
        });
    }

    // SAFETY: every call is passed to the system allocator unchanged; the
    // counters are thread-local cells with constant initialisers, so
    // counting allocates nothing and cannot re-enter the allocator.
    #[allow(unsafe_code)]
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            add(layout.size() as isize);
            // SAFETY: the caller's contract for `alloc` is passed on.
            unsafe { System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            add(-(layout.size() as isize));
            // SAFETY: the caller's contract for `dealloc` is passed on.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    #[global_allocator]
    static COUNTING: Counting = Counting;

    /// Starts a measurement: the peak is set to what this thread holds now,
    /// which is returned.
    pub fn start() -> isize {
        let live = LIVE.with(Cell::get);
        PEAK.with(|peak| peak.set(live));
        live
    }

    /// The most this thread has held since [`start`].
    pub fn peak() -> isize {
        PEAK.with(Cell::get)
    }
}

#[test]
fn memory_stays_bounded_however_long_the_stream() {
    // 400 frames of 16 KiB (6.4 MiB) through a reader whose maximum is
    // 16 KiB: its buffer may hold one frame plus one read, never what it
    // has already returned (drop the consumed bytes, move the rest to the
    // front).
    let max = 16 * 1024;
    let payload = vec![7u8; max];
    let wire = encode(&vec![&payload[..]; 400]);
    let mut stream = Pieces::new(wire.chunks(5000).map(<[u8]>::to_vec));
    drop(wire);
    let before = memory::start();
    {
        let mut frames = FrameReader::with_max_frame_len(&mut stream, max);
        for i in 0..400 {
            let frame = frames.read_frame().unwrap();
            assert_eq!(frame.map(|f| f.len()), Some(max), "frame {i}");
        }
        assert_eq!(frames.read_frame().unwrap(), None);
    }
    let used = memory::peak() - before;
    // The documented bound for the buffer, doubled for Vec's growth, plus
    // the frame being returned.
    let bound = 2 * (max + HEADER_LEN + READ_CHUNK) + max;
    assert!(
        used <= bound as isize,
        "reading 400 frames of {max} bytes used up to {used} bytes at once (at most {bound} \
         expected): the buffer keeps frames already returned; move the unread bytes to the front \
         before reading more"
    );
}
