//! `read_frame` and `write_frame` against every way TCP may cut a stream:
//! the stream of frames is delivered in pieces split at every possible set
//! of boundaries (exhaustively for small inputs, and at random from the
//! seed), and the frames that come out must be exactly the frames that
//! went in.
//!
//! This test does not link your library. It starts `lab05-frame-probe`
//! (`tools/frame_probe.rs`, the instructor's: your library as a program;
//! its requests and answers are documented there), sends it requests, one
//! line each, and compares each answer with the one it computes itself
//! from the wire format ([`reference`]). In the grader the probe is
//! jailed like the server and the client, so whatever your code does in
//! it, the verdict is made here; the memory the reader uses is read from
//! outside the probe (Linux's `/proc`). Every wait for an answer has a
//! deadline: a `read_frame` that never returns is a timeout line.

use harness::seed::Rng;
use harness::{EventKind, Transcript};
use std::time::Duration;

const PROBE: &str = env!("CARGO_BIN_EXE_lab05-frame-probe");

// The format's numbers, as `src/frame.rs` documents them (this test does
// not link it).
const HEADER_LEN: usize = 4;
const DEFAULT_MAX_FRAME_LEN: usize = 8 * 1024 * 1024;
const READ_CHUNK: usize = 8 * 1024;
/// The probe's `read` stops after this many frames (`MOST_FRAMES`).
const MOST_FRAMES: usize = 200;
/// The probe shows frames up to this long in hex (`SHOWN`).
const SHOWN: usize = 32;

/// Requests sent before their answers are awaited: a few KiB, far below
/// what a pipe holds, so a write to the probe never waits.
const BATCH: usize = 16;
/// A probe is replaced after this many bytes of answers, so that its
/// answers stay under what the harness keeps of a program's output.
const ANSWERS_PER_PROBE: usize = 24 * 1024;
/// The most reads a case asks of a reader (the memory test aside): a
/// correct reader may do some work per read (zero-filling 8 KiB of buffer
/// before each one, say), and every answer has the harness's step deadline
/// (2 s) in a debug build on a busy machine. So the smallest pieces (1 to
/// 5 bytes) cut only streams of a few hundred bytes; larger frames come in
/// larger pieces.
const MOST_READS: usize = 1000;
/// The deadline of the memory test's answer (16 MiB read in a debug build,
/// on a busy machine); every other answer has the harness's step deadline.
const LONG_ANSWER: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------
// The reference: what the wire format says, computed here.

/// `payloads` as frames: each one's length (4 bytes, big-endian), then it.
fn encode<P: AsRef<[u8]>>(payloads: &[P]) -> Vec<u8> {
    let mut wire = Vec::new();
    for p in payloads {
        let p = p.as_ref();
        wire.extend_from_slice(&u32::try_from(p.len()).unwrap().to_be_bytes());
        wire.extend_from_slice(p);
    }
    wire
}

/// The error a `read` of the probe's stream fails with at a reset (`r`).
const RESET: &str = "error:ConnectionReset connection reset by peer";

/// What a correct `FrameReader` with maximum `max` returns from `wire`,
/// as the probe's answer shows it (without its `read:N` field). With
/// `reset`, the stream ends with a read failing with `ConnectionReset`
/// instead of EOF: the reader returns that error wherever it comes, even
/// between two frames (a peer that aborted did not close cleanly).
/// `Interrupted` reads change nothing: they are tried again.
fn reference(wire: &[u8], max: usize, reset: bool) -> String {
    let mut answer = format!("max:{max}");
    let mut rest = wire;
    for _ in 0..MOST_FRAMES {
        let len = rest
            .first_chunk::<HEADER_LEN>()
            .map(|h| u32::from_be_bytes(*h) as usize);
        let end = if reset && !len.is_some_and(|len| len > max || rest.len() >= HEADER_LEN + len) {
            // More bytes needed, and the next read fails.
            RESET.to_owned()
        } else if rest.is_empty() {
            "end".to_owned()
        } else if rest.len() < HEADER_LEN {
            format!(
                "error:UnexpectedEof connection closed mid-frame: got {} of 4 bytes of the length",
                rest.len()
            )
        } else {
            let len = u32::from_be_bytes(rest[..HEADER_LEN].try_into().unwrap()) as usize;
            if len > max {
                format!("error:InvalidData frame length {len} is above the maximum of {max} bytes")
            } else if rest.len() < HEADER_LEN + len {
                format!(
                    "error:UnexpectedEof connection closed mid-frame: got {} of {len} bytes",
                    rest.len() - HEADER_LEN
                )
            } else {
                answer.push(' ');
                answer.push_str(&shown(&rest[HEADER_LEN..HEADER_LEN + len]));
                rest = &rest[HEADER_LEN + len..];
                continue;
            }
        };
        return format!("{answer} {end}");
    }
    format!("{answer} more")
}

/// Bytes as the probe's answers show them.
fn shown(bytes: &[u8]) -> String {
    let hex = |bytes: &[u8]| -> String { bytes.iter().map(|b| format!("{b:02x}")).collect() };
    if bytes.len() <= SHOWN {
        format!("={}", hex(bytes))
    } else {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in bytes {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        format!("#{}:{hash:016x}:{}", bytes.len(), hex(&bytes[..8]))
    }
}

/// Byte `i` of the probe's pattern segments (`pLEN+START`).
fn pattern(i: usize) -> u8 {
    (i % 251) as u8
}

// ---------------------------------------------------------------------
// Requests and their expected answers.

/// Part of a stream as a request writes it: bytes, the pattern, or a read
/// that fails there (`Interrupted`: tried again; `Reset`: the end).
enum Segment {
    Bytes(Vec<u8>),
    Pattern { len: usize, start: usize },
    Interrupted,
    Reset,
}

impl Segment {
    fn request(&self) -> String {
        match self {
            Segment::Bytes(bytes) => format!("x{}", hex(bytes)),
            Segment::Pattern { len, start } => format!("p{len}+{start}"),
            Segment::Interrupted => "i".to_owned(),
            Segment::Reset => "r".to_owned(),
        }
    }

    fn bytes(&self) -> Vec<u8> {
        match self {
            Segment::Bytes(bytes) => bytes.clone(),
            Segment::Pattern { len, start } => (0..*len).map(|i| pattern(start + i)).collect(),
            Segment::Interrupted | Segment::Reset => Vec::new(),
        }
    }
}

/// Where the failed reads of `segments` are, for a message: `a read
/// failing with Interrupted at byte 5, with ConnectionReset at byte 9`.
fn failures_named(segments: &[Segment]) -> String {
    let mut at = 0;
    let mut named = Vec::new();
    for segment in segments {
        match segment {
            Segment::Interrupted => named.push(format!("with Interrupted at byte {at}")),
            Segment::Reset => named.push(format!("with ConnectionReset at byte {at}")),
            _ => at += segment.bytes().len(),
        }
    }
    if named.is_empty() {
        String::new()
    } else {
        format!(", a read failing {}", named.join(", "))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a stream is cut into pieces.
enum Cuts {
    None,
    Every(usize),
    At(Vec<usize>),
}

impl Cuts {
    fn request(&self) -> String {
        match self {
            Cuts::None => "-".to_owned(),
            Cuts::Every(n) => format!("every:{n}"),
            Cuts::At(at) if at.is_empty() => "-".to_owned(),
            Cuts::At(at) => at
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(","),
        }
    }

    /// How a message names the pieces of `wire`.
    fn describe(&self, wire: &[u8]) -> String {
        let at = match self {
            Cuts::None => return format!("{} in one piece", bytes_named(wire)),
            Cuts::Every(1) => return format!("{} one byte at a time", bytes_named(wire)),
            Cuts::Every(n) => {
                return format!("{} in pieces of {n} bytes", bytes_named(wire));
            }
            Cuts::At(at) => at,
        };
        if wire.len() > 64 {
            return format!("{} cut at {at:?}", bytes_named(wire));
        }
        let mut pieces = Vec::new();
        let mut from = 0;
        for &to in at.iter().chain(std::iter::once(&wire.len())) {
            pieces.push(labkit::preview(&wire[from..to.clamp(from, wire.len())]));
            from = to.clamp(from, wire.len());
        }
        format!("the pieces [{}]", pieces.join(", "))
    }
}

/// `wire` in a message: its bytes if short, else its length.
fn bytes_named(wire: &[u8]) -> String {
    if wire.len() <= 64 {
        labkit::preview(wire)
    } else {
        format!("{} bytes", wire.len())
    }
}

/// One request, the answer it must get, and what to call it in a message.
struct Case {
    request: String,
    expected: String,
    what: String,
}

/// `read_frame` until the end of `segments` cut at `cuts`, with the
/// default maximum (`None`) or `max`.
fn read_case(segments: &[Segment], cuts: &Cuts, max: Option<usize>) -> Case {
    let wire: Vec<u8> = segments.iter().flat_map(Segment::bytes).collect();
    let request = format!(
        "read {} {} {}",
        max.map_or("-".to_owned(), |m| m.to_string()),
        cuts.request(),
        segments
            .iter()
            .map(Segment::request)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let reader = match max {
        None => "FrameReader::new".to_owned(),
        Some(max) => format!("FrameReader::with_max_frame_len(_, {max})"),
    };
    let reset = matches!(segments.last(), Some(Segment::Reset));
    Case {
        request,
        expected: reference(&wire, max.unwrap_or(DEFAULT_MAX_FRAME_LEN), reset),
        what: format!(
            "{reader} reading {}{} until the end",
            cuts.describe(&wire),
            failures_named(segments)
        ),
    }
}

/// [`read_case`] of plain bytes.
fn read_bytes(wire: &[u8], cuts: &Cuts, max: Option<usize>) -> Case {
    read_case(&[Segment::Bytes(wire.to_vec())], cuts, max)
}

/// `write_frame(&mut Vec::new(), payload)`.
fn write_case(payload: &[u8]) -> Case {
    Case {
        request: format!("write {}", Segment::Bytes(payload.to_vec()).request()),
        expected: format!("{} end", shown(&encode(&[payload]))),
        what: format!("write_frame of {}", bytes_named(payload)),
    }
}

// ---------------------------------------------------------------------
// Talking to the probe.

/// Sends each request to the probe and returns the answers, in order; a
/// probe that stops answering (it ended, or the deadline passed) fails the
/// test with what the harness saw.
fn ask_all(cases: &[Case]) -> Vec<String> {
    let mut answers = Vec::new();
    let transcript = harness::run(|s| {
        let mut next = 0;
        while next < cases.len() {
            let mut probe = s.start_with_stdin(PROBE, &[])?;
            let mut received = 0;
            while next < cases.len() && received < ANSWERS_PER_PROBE {
                let batch = &cases[next..(next + BATCH).min(cases.len())];
                for case in batch {
                    probe.type_line(&case.request)?;
                }
                for _ in batch {
                    let line = probe.expect_line()?;
                    received += line.len() + 1;
                    answers.push(String::from_utf8_lossy(&line).into_owned());
                    next += 1;
                }
            }
            probe.close_stdin();
            probe.expect_exit()?;
        }
        Ok(())
    });
    if let Some(case) = cases.get(answers.len()) {
        stopped(&case.what, &transcript);
    }
    answers
}

/// Fails the test: the probe did not answer `what`. Its own panic, if it
/// had one, is printed first: the test's verdict names that place (a
/// `todo!()` left, or where your code panicked).
fn stopped(what: &str, transcript: &Transcript) -> ! {
    let stderr = transcript.stderr_lines();
    if !stderr.is_empty() {
        eprintln!("the probe's stderr:");
        for line in stderr.iter().take(20) {
            eprintln!("{line}");
        }
    }
    // What ended the exchange: a deadline, an exit, the output cap.
    let ends: Vec<String> = transcript
        .events
        .iter()
        .filter(|e| match &e.kind {
            EventKind::Said(text) => !text.starts_with("typed into") && !text.starts_with("closed"),
            EventKind::TimedOut { .. }
            | EventKind::Exited { .. }
            | EventKind::OutputTruncated { .. } => true,
            _ => false,
        })
        .map(ToString::to_string)
        .collect();
    let ends = ends[ends.len().saturating_sub(3)..].join(" / ");
    // The probe's stream never makes a read wait, so a probe that does not
    // answer in time is running: in a loop that never ends, or slow.
    let running = transcript
        .stuck()
        .iter()
        .any(|s| s.doing == harness::stuck::Doing::Running);
    let why = if running {
        " (the probe was still running, not waiting for anything: read_frame loops without end \
         (it never returns after EOF, say), or it is very slow: this test feeds it pieces as \
         small as 1 byte, up to about 1000 reads per answer, so work per read that grows with \
         the frame or the buffer adds up)"
    } else {
        ""
    };
    panic!("{what}: the probe (your library, in lab05-frame-probe) did not answer: {ends}{why}");
}

/// Asks every case and fails at the first answer that differs from the
/// expected one.
fn check(cases: &[Case]) -> Vec<String> {
    let answers = ask_all(cases);
    for (case, answer) in cases.iter().zip(&answers) {
        let got = without_field(answer, "read:");
        assert!(
            got == case.expected,
            "{}:\n  expected {}\n  got      {}\n  (each line: the frames read_frame returned, in order, \
             then what its last call returned)",
            case.what,
            human(&case.expected),
            human(got)
        );
    }
    answers
}

/// `answer` without its first field if that starts with `prefix` (the
/// probe's `read:N`, `peak:N`: numbers checked on their own).
fn without_field<'a>(answer: &'a str, prefix: &str) -> &'a str {
    match answer.split_once(' ') {
        Some((first, rest)) if first.starts_with(prefix) => rest,
        _ => answer,
    }
}

/// An answer as a message shows it: frames quoted (or their length and
/// first bytes), then how the reader ended.
fn human(answer: &str) -> String {
    let known = ["=", "#", "max:", "end", "more", "error:"];
    if !known.iter().any(|k| answer.starts_with(k)) {
        return format!(
            "a line that is no answer: {}",
            labkit::preview(answer.as_bytes())
        );
    }
    let mut frames = Vec::new();
    let mut max = String::new();
    let mut end = String::new();
    let mut tokens = answer.split(' ');
    while let Some(token) = tokens.next() {
        if let Some(hex) = token.strip_prefix('=') {
            frames.push(labkit::preview(&unhex(hex)));
        } else if let Some(long) = token.strip_prefix('#') {
            let mut parts = long.split(':');
            let len = parts.next().unwrap_or("?");
            let head = unhex(parts.nth(1).unwrap_or(""));
            frames.push(format!("({len} bytes: {}…)", labkit::show(&head)));
        } else if let Some(m) = token.strip_prefix("max:") {
            max = format!(" (max_frame_len() {m})");
        } else if token == "end" {
            end = "Ok(None)".to_owned();
        } else if token == "more" {
            end = format!("still more after {MOST_FRAMES} frames: no end").to_owned();
        } else if let Some(kind) = token.strip_prefix("error:") {
            let text: Vec<&str> = tokens.by_ref().collect();
            end = format!("Err({kind}: \"{}\")", text.join(" "));
        } else {
            end = format!("{end} {token}");
        }
    }
    format!("[{}] then {end}{max}", frames.join(", "))
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2)
        .filter_map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

// ---------------------------------------------------------------------
// The tests.

#[test]
fn write_frame_puts_a_big_endian_length_before_the_payload() {
    check(&[
        write_case(b"hello"),
        write_case(b""),
        write_case(&[7u8; 258]),
    ]);
}

#[test]
fn every_split_of_a_small_stream_gives_back_the_same_frames() {
    // 4+1 + 4+0 + 4+0 = 13 bytes: 12 places to cut, 2^12 = 4,096 ways to
    // cut (every cut inside each header, and between every two frames).
    let wire = encode(&[&b"a"[..], b"", b""]);
    let places = wire.len() - 1;
    let cases: Vec<Case> = (0u32..(1 << places))
        .map(|mask| {
            let cuts = (1..=places)
                .filter(|at| mask & (1 << (at - 1)) != 0)
                .collect();
            read_bytes(&wire, &Cuts::At(cuts), None)
        })
        .collect();
    check(&cases);
}

#[test]
fn every_two_cuts_of_a_longer_stream_give_back_the_same_frames() {
    let big = vec![b'x'; 40];
    let wire = encode(&[&b"one"[..], &big, b"", b"\xff\xfe not utf-8", b"last"]);
    let mut cases = Vec::new();
    for a in 0..=wire.len() {
        for b in a..=wire.len() {
            cases.push(read_bytes(&wire, &Cuts::At(vec![a, b]), None));
        }
    }
    check(&cases);
}

/// Short frames around two long ones (of `long` and `long * 9 / 20`
/// bytes), for the piece-size test.
fn long_frames(long: usize) -> Vec<Segment> {
    let header = |len: usize| Segment::Bytes(encode(&[vec![0u8; len]])[..HEADER_LEN].to_vec());
    vec![
        Segment::Bytes(encode(&[b"before"])),
        header(long),
        Segment::Pattern {
            len: long,
            start: 0,
        },
        Segment::Bytes(encode(&[b""])),
        header(long * 9 / 20),
        Segment::Pattern {
            len: long * 9 / 20,
            start: 0,
        },
        Segment::Bytes(encode(&[b"after"])),
    ]
}

#[test]
fn frames_larger_than_one_read_come_out_whole_whatever_the_piece_size() {
    // Pieces of 1 to 5 bytes: frames of a few hundred bytes (at most
    // MOST_READS reads). Larger pieces: frames larger than READ_CHUNK, so
    // the buffer must grow to hold a frame.
    let small = long_frames(300);
    let large = long_frames(20_000);
    let cases: Vec<Case> = [1, 3, 4, 5]
        .into_iter()
        .map(|n| read_case(&small, &Cuts::Every(n), None))
        .chain(
            [97, 1000, 8191, 8192, 8193, 20_004]
                .into_iter()
                .map(Cuts::Every)
                .chain([Cuts::None])
                .map(|cuts| read_case(&large, &cuts, None)),
        )
        .collect();
    check(&cases);
}

#[test]
fn a_read_interrupted_by_a_signal_is_tried_again() {
    // A read that fails with `Interrupted` (a signal arrived: Ctrl-Z and
    // fg, say) at every place of the stream, once or twice in a row: the
    // reader tries again, and the frames come out as if nothing happened.
    let wire = encode(&[&b"hello"[..], b"", &[b'x'; 40]]);
    let mut cases = Vec::new();
    for at in 0..=wire.len() {
        for times in [1, 2] {
            let mut segments = vec![Segment::Bytes(wire[..at].to_vec())];
            segments.extend((0..times).map(|_| Segment::Interrupted));
            segments.push(Segment::Bytes(wire[at..].to_vec()));
            cases.push(read_case(&segments, &Cuts::Every(7), None));
        }
    }
    check(&cases);
}

#[test]
fn a_reset_is_an_error_even_between_two_frames() {
    // The stream ends with a read failing with `ConnectionReset` (the peer
    // aborted: RST) instead of EOF, at every place: the reader returns
    // that error as it is, between two frames too. Only EOF (a read of 0
    // bytes) between two frames is a clean end, `Ok(None)`.
    let wire = encode(&[&b"abc"[..], b"", b"de"]);
    let cases: Vec<Case> = (0..=wire.len())
        .map(|end| {
            let segments = [Segment::Bytes(wire[..end].to_vec()), Segment::Reset];
            read_case(&segments, &Cuts::None, None)
        })
        .collect();
    check(&cases);
}

#[test]
fn a_hundred_frames_in_one_piece_come_out_one_by_one() {
    let texts: Vec<String> = (0..100).map(|i| format!("msg {i}")).collect();
    check(&[read_bytes(&encode(&texts), &Cuts::None, None)]);
}

#[test]
fn eof_at_every_point_is_clean_only_between_frames() {
    let wire = encode(&[&b"abc"[..], b"", b"de"]);
    let cases: Vec<Case> = (0..=wire.len())
        .map(|end| read_bytes(&wire[..end], &Cuts::None, None))
        .collect();
    check(&cases);
}

#[test]
fn an_oversized_length_is_refused_before_allocating() {
    let answers = check(&[read_bytes(
        &[0xff, 0xff, 0xff, 0xff, b'x'],
        &Cuts::None,
        None,
    )]);
    // How much room the reader made for its reads, as the probe saw it.
    // (Under the harness's memory limit on Linux, a reader that allocated
    // the 4 GiB the header asks for has already stopped the probe.)
    let largest = answers[0]
        .strip_prefix("read:")
        .and_then(|rest| rest.split(' ').next()?.parse::<usize>().ok())
        .unwrap_or(usize::MAX);
    assert!(
        largest <= 64 * 1024,
        "read_frame made room for {largest} bytes before checking the length"
    );
}

#[test]
fn the_maximum_is_configurable_and_inclusive() {
    check(&[read_bytes(
        &encode(&[&b"12345678"[..], b"123456789"]),
        &Cuts::None,
        Some(8),
    )]);
}

#[test]
fn an_empty_stream_is_a_clean_eof() {
    check(&[read_bytes(b"", &Cuts::None, None)]);
}

/// Frames, maxima, cuts and ends drawn from the seed: a reader cannot know
/// them in advance. `cargo xtask check-lab 5 --seed S` draws the same.
#[test]
fn frames_drawn_from_the_seed_come_back_whole_however_cut() {
    let seed = harness::seed::seed().unwrap_or_else(|e| panic!("{e}"));
    let mut rng = Rng::for_scenario(seed, "frame");
    let mut cases = Vec::new();
    for _ in 0..200 {
        let payloads: Vec<Vec<u8>> = (0..rng.range(0..=6))
            .map(|_| {
                let len = if rng.chance(10) {
                    rng.range(SHOWN + 1..=3000)
                } else {
                    rng.range(0..=12)
                };
                rng.bytes(len)
            })
            .collect();
        let mut wire = encode(&payloads);
        if rng.chance(25) {
            wire.truncate(rng.range(0..=wire.len()));
        }
        // Reads that fail with `Interrupted` here and there (tried again),
        // and a stream that ends with a reset instead of EOF.
        let mut interrupted: Vec<usize> = if rng.chance(30) {
            (0..rng.range(1..=3))
                .map(|_| rng.range(0..=wire.len()))
                .collect()
        } else {
            Vec::new()
        };
        interrupted.sort_unstable();
        let reset = rng.chance(20);
        // The maximum: the default, or just at or below one frame's length.
        let max = match payloads.first() {
            Some(_) if rng.chance(30) => {
                let len = rng.pick(&payloads).len();
                Some(if rng.chance(50) { len } else { len.max(1) - 1 })
            }
            _ => None,
        };
        let cuts = if rng.chance(20) {
            // Small pieces of a long stream: larger ones (MOST_READS).
            Cuts::Every(rng.range(1..=5).max(wire.len().div_ceil(MOST_READS)))
        } else {
            Cuts::At(rng.cuts(wire.len(), 1..=8))
        };
        let mut segments = Vec::new();
        let mut from = 0;
        for at in interrupted {
            segments.push(Segment::Bytes(wire[from..at].to_vec()));
            segments.push(Segment::Interrupted);
            from = at;
        }
        segments.push(Segment::Bytes(wire[from..].to_vec()));
        if reset {
            segments.push(Segment::Reset);
        }
        let mut case = read_case(&segments, &cuts, max);
        case.what = format!("{} (seed {seed})", case.what);
        cases.push(case);
        if rng.chance(30) {
            let mut case = write_case(&rng.message(0..=300));
            case.what = format!("{} (seed {seed})", case.what);
            cases.push(case);
        }
    }
    check(&cases);
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
    check(&[read_bytes(&[0, 0, 0, 0], &Cuts::Every(1), None)]);
}

/// Step 2: check the length against the maximum as soon as the header is
/// there, before reading the payload or making room for it. Here the 9
/// promised bytes never come: only the header can refuse the frame.
#[test]
fn step2_a_length_above_the_maximum_is_refused_from_the_header_alone() {
    check(&[read_bytes(&[0, 0, 0, 9], &Cuts::None, Some(8))]);
}

/// Step 3: read the payload fully, however it is cut.
#[test]
fn step3_a_payload_cut_in_pieces_is_read_whole() {
    check(&[read_bytes(
        &encode(&[b"hello"]),
        &Cuts::At(vec![5, 7]),
        None,
    )]);
}

/// Step 3, the other way round: one read may bring several frames; the
/// bytes after a frame belong to the next one and must not be lost.
#[test]
fn step3_bytes_after_a_frame_are_kept_for_the_next_one() {
    check(&[read_bytes(
        &encode(&[&b"hello"[..], b"", b"!"]),
        &Cuts::None,
        None,
    )]);
}

/// Step 4: EOF before the first byte of a header is the clean end of the
/// stream, `Ok(None)`: the peer closed between two frames.
#[test]
fn step4_eof_before_the_first_header_byte_is_a_clean_end() {
    check(&[read_bytes(&encode(&[b"hi"]), &Cuts::None, None)]);
}

/// Step 4: EOF anywhere else (inside the header, right after it, inside the
/// payload) is an `UnexpectedEof` error that says how much came.
#[test]
fn step4_eof_anywhere_else_is_an_unexpected_eof() {
    check(&[
        read_bytes(&[0, 0], &Cuts::None, None),
        read_bytes(&[0, 0, 0, 5], &Cuts::None, None),
        read_bytes(&[0, 0, 0, 5, b'h', b'e'], &Cuts::None, None),
    ]);
}

/// The memory test's frames (the probe's `stream`): frame `k`'s byte `i`
/// is `pattern(7k + i)`; its digest as the probe computes it.
fn stream_digest(count: usize, len: usize) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut mix = |word: u64| hash = (hash ^ word).wrapping_mul(0x0000_0100_0000_01b3);
    let bytes: Vec<u8> = (0..len + 251).map(pattern).collect();
    for k in 0..count {
        let start = (7 * k) % 251;
        let frame = &bytes[start..start + len];
        mix(frame.len() as u64);
        for chunk in frame.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            mix(u64::from_le_bytes(word));
        }
    }
    format!("frames:{count} digest:{hash:016x} end")
}

/// A `stream` answer (`frames:N digest:HEX END`) as a message shows it.
fn stream_human(answer: &str) -> String {
    let mut fields = answer.split(' ');
    let (Some(frames), Some(digest)) = (
        fields.next().and_then(|f| f.strip_prefix("frames:")),
        fields.next().and_then(|f| f.strip_prefix("digest:")),
    ) else {
        return format!(
            "a line that is no answer: {}",
            labkit::preview(answer.as_bytes())
        );
    };
    let end = fields.collect::<Vec<_>>().join(" ");
    let end = match end.as_str() {
        "end" => "Ok(None)".to_owned(),
        "more" => "more frames than expected".to_owned(),
        other => other.strip_prefix("error:").map_or(other.to_owned(), |e| {
            let (kind, text) = e.split_once(' ').unwrap_or((e, ""));
            format!("Err({kind}: \"{text}\")")
        }),
    };
    format!("{frames} frames returned (digest of their bytes {digest}), then {end}")
}

#[test]
fn memory_stays_bounded_however_long_the_stream() {
    // 1,000 frames of 16 KiB (16 MiB) in pieces of 5,000 bytes through a
    // reader whose maximum is 16 KiB: its buffer may hold one frame plus
    // one read, never what it has already returned (drop the consumed
    // bytes, move the rest to the front). The pieces and the frames only
    // line up again after 20 MB, so a buffer that is emptied only when it
    // happens to hold nothing keeps growing.
    let (max, count, piece) = (16 * 1024, 1000, 5000);
    let request = |count: usize| format!("stream {max} {count} {max} {piece}");
    let mut seen = None;
    let transcript = harness::run(|s| {
        let mut probe = s.start_with_stdin(PROBE, &[])?;
        // A few frames first, so that the probe's code and buffers are in
        // memory before the measurement starts.
        probe.type_line(&request(3))?;
        let warm = probe.expect_line_within(LONG_ANSWER)?;
        let before = probe.peak_resident_bytes();
        probe.type_line(&request(count))?;
        let answer = probe.expect_line_within(LONG_ANSWER)?;
        let after = probe.peak_resident_bytes();
        seen = Some((warm, answer, before.zip(after)));
        probe.close_stdin();
        probe.expect_exit()
    });
    let reading =
        |count: usize| format!("reading {count} frames of {max} bytes in pieces of {piece} bytes");
    let what = reading(count);
    let Some((warm, answer, resident)) = seen else {
        stopped(&what, &transcript);
    };
    let (warm, answer) = (
        String::from_utf8_lossy(&warm),
        String::from_utf8_lossy(&answer),
    );
    for (got, count, first) in [(&warm, 3, " (first, to warm up)"), (&answer, count, "")] {
        let expected = stream_digest(count, max);
        let got = without_field(got, "peak:");
        assert!(
            got == expected,
            "{}{first}: expected {}, got {} (frames lost, repeated or changed)",
            reading(count),
            stream_human(&expected),
            stream_human(got)
        );
    }
    // On Linux the kernel's count, from outside the probe; elsewhere the
    // probe's own count of what was allocated (`peak:`).
    let (used, bound, how) = match resident {
        Some((before, after)) => (
            after.saturating_sub(before),
            4 << 20,
            "the probe's peak resident memory grew by",
        ),
        None => (
            answer
                .strip_prefix("peak:")
                .and_then(|rest| rest.split(' ').next()?.parse().ok())
                .unwrap_or(u64::MAX),
            // The documented bound for the buffer, doubled for Vec's
            // growth, plus the frame being returned.
            (2 * (max + HEADER_LEN + READ_CHUNK) + max) as u64,
            "the reader allocated up to",
        ),
    };
    assert!(
        used <= bound,
        "{what}: {how} {used} bytes (at most {bound} expected): the buffer keeps frames already \
         returned; move the unread bytes to the front before reading more"
    );
}
