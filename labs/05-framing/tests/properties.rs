//! The property scenarios of lab 5: what must hold for ANY frames, however
//! the stream is cut. Each draws its frames (count, lengths, bytes), where
//! the sender cuts the stream and what goes wrong from a seed (printed with
//! the verdict; `cargo xtask check-lab 5 --seed N` replays it) and is listed
//! with its points under `properties` in `labs/info.toml`. There is no
//! snapshot: the checks are written here.
//!
//! The frames are built here, from the format (a 4-byte big-endian length,
//! then the payload), not with the lab's own `frame.rs`: the scenarios
//! check that code, they do not trust it.

use harness::property::{self, Case};
use harness::seed::Rng;

const SERVER: &str = env!("CARGO_BIN_EXE_lab05-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_lab05-client");
/// The largest payload a frame may announce (`DEFAULT_MAX_FRAME_LEN`).
const MAX_FRAME_LEN: usize = 8 * 1024 * 1024;

/// The frames of `payloads`, back to back.
fn encode(payloads: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for payload in payloads {
        let len = u32::try_from(payload.len()).expect("test payloads are small");
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(payload);
    }
    out
}

/// 0 to `most` payloads of any bytes, up to 2000 each; one in ten empty.
fn payloads(rng: &mut Rng, least: usize, most: usize) -> Vec<Vec<u8>> {
    (0..rng.range(least..=most))
        .map(|_| {
            let len = if rng.chance(10) {
                0
            } else {
                rng.range(1..=2000)
            };
            rng.bytes(len)
        })
        .collect()
}

/// Where to cut the frames of `payloads` into pieces: up to `pieces`
/// places anywhere, plus, for about half the frames, a place inside the
/// 4-byte length, so that a program which reads a length with one `read`
/// meets a short read.
fn cuts(
    rng: &mut Rng,
    payloads: &[Vec<u8>],
    pieces: std::ops::RangeInclusive<usize>,
) -> Vec<usize> {
    let len = encode(payloads).len();
    let mut cuts = rng.cuts(len, pieces);
    let mut start = 0;
    for payload in payloads {
        if rng.chance(50) && start > 0 {
            cuts.push(start + rng.range(1..=3));
        }
        start += 4 + payload.len();
    }
    cuts.push(rng.range(1..=3).min(len.saturating_sub(1)).max(1));
    cuts.retain(|&c| c > 0 && c < len);
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

/// `stream` cut at `cuts`.
fn pieces<'a>(stream: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut pieces = Vec::new();
    let mut start = 0;
    for &end in cuts.iter().chain(std::iter::once(&stream.len())) {
        pieces.push(&stream[start..end]);
        start = end;
    }
    pieces
}

/// `N messages`, as the server counts them.
fn messages(n: usize) -> String {
    format!("{n} message{}", if n == 1 { "" } else { "s" })
}

/// The server's line for message `number`.
fn message_line(number: usize, payload: &[u8]) -> String {
    format!(
        "message {number}: {} {}",
        labkit::byte_count(payload.len()),
        labkit::preview(payload)
    )
}

#[test]
fn server_echoes_any_frames_however_they_are_cut() {
    property::check(
        "server_echoes_any_frames_however_they_are_cut",
        1,
        |rng: &mut Rng, case: &Case| {
            // One or two clients in turn; each sends 1 to 6 frames as one
            // stream cut anywhere (inside lengths too), piece by piece: the
            // harness waits until the server has read each piece before it
            // sends the next (paced delivery), so every read returns at most
            // one piece, every run.
            let clients: Vec<(Vec<Vec<u8>>, Vec<usize>)> = (0..rng.range(1..=2))
                .map(|_| {
                    let frames = payloads(rng, 1, 6);
                    let cuts = cuts(rng, &frames, 1..=4);
                    (frames, cuts)
                })
                .collect();
            case.run(|s| {
                let mut server = case.start_server(s, SERVER, &[])?;
                for (i, (frames, cuts)) in clients.iter().enumerate() {
                    let mut client = s.connect(&format!("client {}", i + 1), &server)?;
                    let peer = client.stream().local_addr().map_err(|_| harness::Stop)?;
                    case.expect_line(
                        &mut server,
                        "the server accepts each client in turn",
                        format!("connection from {peer}"),
                    )?;
                    let stream = encode(frames);
                    client.send_paced(&server, &pieces(&stream, cuts))?;
                    for (n, payload) in frames.iter().enumerate() {
                        case.expect_line(
                            &mut server,
                            "every message is printed once, whole, in order",
                            message_line(n + 1, payload),
                        )?;
                    }
                    let echo = client.recv_exact(stream.len())?;
                    case.equal(
                        "the echo is the same frames, byte for byte",
                        "the frames echoed",
                        &stream,
                        &echo,
                    )?;
                    client.close();
                    case.expect_line(
                        &mut server,
                        "the server counts each client's messages",
                        format!(
                            "{peer} closed the connection after {}",
                            messages(frames.len())
                        ),
                    )?;
                }
                Ok(())
            });
        },
    );
}

/// A way to end a connection that is not a clean end of frames.
#[derive(Clone, Copy, Debug)]
enum Bad {
    /// A length above the maximum.
    Oversized,
    /// The first bytes of a frame (inside its length or its payload), then
    /// EOF.
    Truncated,
}

/// A client that sends good frames, then something bad.
struct BadClient {
    good: Vec<Vec<u8>>,
    bad: Bad,
    /// The good frames and the bad end, as sent.
    stream: Vec<u8>,
    /// Where the stream is cut into writes.
    cuts: Vec<usize>,
}

#[test]
fn server_survives_bad_frames() {
    property::check(
        "server_survives_bad_frames",
        1,
        |rng: &mut Rng, case: &Case| {
            // One or two clients that send good frames and then something
            // bad, then one well-behaved client that must still be served.
            let bad_clients: Vec<BadClient> = (0..rng.range(1..=2))
                .map(|_| {
                    let good = payloads(rng, 0, 3);
                    let mut stream = encode(&good);
                    let bad = if rng.chance(50) {
                        let len = rng.range(MAX_FRAME_LEN + 1..=u32::MAX as usize);
                        let len = u32::try_from(len).unwrap_or(u32::MAX);
                        stream.extend_from_slice(&len.to_be_bytes());
                        Bad::Oversized
                    } else {
                        // The first n bytes of a frame that announces n +
                        // 100 bytes of payload: cut inside its length when
                        // n < 4, inside its payload otherwise.
                        let n = rng.range(1..=2000);
                        let announced = u32::try_from(n + 100).unwrap_or(u32::MAX);
                        let mut frame = announced.to_be_bytes().to_vec();
                        frame.extend(filler(n + 100));
                        stream.extend_from_slice(&frame[..n]);
                        Bad::Truncated
                    };
                    let cuts = rng.cuts(stream.len(), 1..=8);
                    BadClient {
                        good,
                        bad,
                        stream,
                        cuts,
                    }
                })
                .collect();
            let last = payloads(rng, 1, 4);
            case.run(|s| {
                let mut server = case.start_server(s, SERVER, &[])?;
                for (i, bad_client) in bad_clients.iter().enumerate() {
                    let BadClient {
                        good,
                        bad,
                        stream,
                        cuts,
                    } = bad_client;
                    let mut client = s.connect(&format!("client {}", i + 1), &server)?;
                    let peer = client.stream().local_addr().map_err(|_| harness::Stop)?;
                    case.expect_line(
                        &mut server,
                        "the server accepts each client in turn",
                        format!("connection from {peer}"),
                    )?;
                    let echo = encode(good);
                    property::send_cut(&mut client, "lab05-server", stream, cuts)?;
                    if matches!(bad, Bad::Truncated) {
                        client.shutdown_write()?;
                    }
                    for (n, payload) in good.iter().enumerate() {
                        case.expect_line(
                            &mut server,
                            "every good message before the bad one is printed once, in order",
                            message_line(n + 1, payload),
                        )?;
                    }
                    case.expect_line_starting(
                        &mut server,
                        "a bad frame closes that connection with one line, and the server goes on",
                        format!("closing the connection from {peer}: "),
                    )?;
                    if !echo.is_empty() {
                        let got = client.recv_exact(echo.len())?;
                        case.equal(
                            "the good frames before the bad one are echoed",
                            "the frames echoed",
                            &echo,
                            &got,
                        )?;
                    }
                    client.expect_eof()?;
                }
                let mut client = s.connect("last client", &server)?;
                let peer = client.stream().local_addr().map_err(|_| harness::Stop)?;
                case.expect_line(
                    &mut server,
                    "the server still accepts clients after bad frames",
                    format!("connection from {peer}"),
                )?;
                let stream = encode(&last);
                client.send(&stream)?;
                for (n, payload) in last.iter().enumerate() {
                    case.expect_line(
                        &mut server,
                        "the server still serves clients after bad frames",
                        message_line(n + 1, payload),
                    )?;
                }
                let got = client.recv_exact(stream.len())?;
                case.equal(
                    "the server still echoes after bad frames",
                    "the frames echoed",
                    &stream,
                    &got,
                )?;
                client.close();
                case.expect_line(
                    &mut server,
                    "the server counts each client's messages",
                    format!(
                        "{peer} closed the connection after {}",
                        messages(last.len())
                    ),
                )?;
                Ok(())
            });
        },
    );
}

/// Payload bytes of a frame that is cut short: their value does not
/// matter, only that the frame is incomplete.
fn filler(len: usize) -> Vec<u8> {
    (0..len).map(|i| b'a' + (i % 26) as u8).collect()
}

#[test]
fn client_prints_every_reply_in_order() {
    property::check(
        "client_prints_every_reply_in_order",
        2,
        |rng: &mut Rng, case: &Case| {
            // Lines typed (an empty line is an empty message), and replies
            // of any bytes the client cannot guess, cut anywhere.
            let lines = rng.lines(1..=3, 15, 1..=100);
            let replies: Vec<Vec<u8>> = lines
                .iter()
                .map(|_| {
                    let len = rng.range(0..=1500);
                    rng.bytes(len)
                })
                .collect();
            let reply_stream = encode(&replies);
            let cuts = cuts(rng, &replies, 1..=3);
            let sent = encode(
                &lines
                    .iter()
                    .map(|l| l.as_bytes().to_vec())
                    .collect::<Vec<_>>(),
            );
            case.run(|s| {
                let mut listener = s.listen("server")?;
                let mut client = s.start_with_stdin(CLIENT, &[&listener.addr().to_string()])?;
                for line in &lines {
                    client.type_line(line)?;
                }
                client.close_stdin();
                let mut conn = listener.accept("lab05-client")?;
                let got = conn.recv_exact(sent.len())?;
                case.equal(
                    "the client sends each line as one frame, in order",
                    "the frames received",
                    &sent,
                    &got,
                )?;
                case.expect_line(
                    &mut client,
                    "the client reports its burst",
                    format!(
                        "sent {} frame{} ({}) in one burst",
                        lines.len(),
                        if lines.len() == 1 { "" } else { "s" },
                        labkit::byte_count(sent.len())
                    ),
                )?;
                conn.send_paced(&client, &pieces(&reply_stream, &cuts))?;
                for (i, reply) in replies.iter().enumerate() {
                    case.expect_line(
                        &mut client,
                        "the client prints every reply once, whole, in order",
                        format!(
                            "reply {}: {} {}",
                            i + 1,
                            labkit::byte_count(reply.len()),
                            labkit::preview(reply)
                        ),
                    )?;
                }
                conn.expect_eof()?;
                case.expect_exit(&mut client, "the client exits with status 0", 0)
            });
        },
    );
}
