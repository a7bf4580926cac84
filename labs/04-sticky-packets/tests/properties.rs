//! The property scenarios of lab 4: what must hold for ANY stream, however
//! TCP cuts it. Each draws its bytes and where the sender cuts them from a
//! seed (printed with the verdict; `cargo xtask check-lab 4 --seed N`
//! replays it) and is listed with its points under `properties` in
//! `labs/info.toml`. There is no snapshot: the checks are written here.
//!
//! How the kernel cuts the stream into reads differs from run to run, so
//! the server's property does not expect particular chunks: it follows the
//! chunks the server reports and checks that each one is the next piece of
//! what was sent, and that together they are all of it, once.

use harness::property::{self, Case};
use harness::seed::Rng;

const SERVER: &str = env!("CARGO_BIN_EXE_lab04-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_lab04-client");
/// The server's `recv(1024)`.
const BUFFER_SIZE: usize = 1024;

/// The lines the server prints for one chunk: `recv #N: …` and, when the
/// chunk is not valid UTF-8, what strict and lossy decoding make of it.
fn chunk_lines(number: usize, chunk: &[u8]) -> Vec<String> {
    let mut lines = vec![format!(
        "recv #{number}: {} {}",
        labkit::byte_count(chunk.len()),
        labkit::preview(chunk)
    )];
    if let Err(e) = String::from_utf8(chunk.to_vec()) {
        lines.push(format!(
            "  String::from_utf8 fails: {} (Python's .decode('utf-8') raises UnicodeDecodeError)",
            e.utf8_error()
        ));
        lines.push(format!(
            "  String::from_utf8_lossy gives {}",
            labkit::preview(String::from_utf8_lossy(chunk).as_bytes())
        ));
    }
    lines
}

/// Puts spaces and tabs (1 to 3 of them) at the start of `line`, at its
/// end, or both: an empty line becomes a line of blanks, which is not empty.
fn pad_with_blanks(rng: &mut Rng, line: &mut String) {
    let blanks = |rng: &mut Rng| -> String {
        (0..rng.range(1..=3))
            .map(|_| *rng.pick(&[' ', '\t']))
            .collect()
    };
    match rng.below(3) {
        0 => line.insert_str(0, &blanks(rng)),
        1 => line.push_str(&blanks(rng)),
        _ => {
            line.insert_str(0, &blanks(rng));
            line.push_str(&blanks(rng));
        }
    }
}

/// The byte count of a `recv #N: COUNT byte(s) …` line.
fn reported_len(line: &[u8], prefix: &str) -> Option<usize> {
    let rest = std::str::from_utf8(line.get(prefix.len()..)?).ok()?;
    rest.split(' ').next()?.parse().ok()
}

#[test]
fn server_prints_every_byte_once_in_order() {
    property::check(
        "server_prints_every_byte_once_in_order",
        1,
        |rng: &mut Rng, case: &Case| {
            // One to three clients in turn, each sending text (characters
            // of 1 to 4 bytes, so a read may cut one in two) in up to 8
            // separate writes cut at random places.
            let streams: Vec<(Vec<u8>, Vec<usize>)> = (0..rng.range(1..=3))
                .map(|_| {
                    let bytes = rng.text(1..=6000).into_bytes();
                    let cuts = rng.cuts(bytes.len(), 1..=8);
                    (bytes, cuts)
                })
                .collect();
            case.run(|s| {
                let mut server = case.start_server(s, SERVER, &[])?;
                for (i, (bytes, cuts)) in streams.iter().enumerate() {
                    let mut client = s.connect(&format!("client {}", i + 1), &server)?;
                    let peer = client.stream().local_addr().map_err(|_| harness::Stop)?;
                    case.expect_line(
                        &mut server,
                        "the server accepts each client in turn",
                        format!("connection from {peer}"),
                    )?;
                    property::send_cut(&mut client, "lab04-server", bytes, cuts)?;
                    client.close();
                    let mut offset = 0;
                    let mut reads = 0;
                    while offset < bytes.len() {
                        reads += 1;
                        let prefix = format!("recv #{reads}: ");
                        let line = case.expect_line_starting(
                            &mut server,
                            "each read is reported as `recv #N: …`, numbered from 1",
                            &prefix,
                        )?;
                        let len = reported_len(&line, &prefix).unwrap_or(0);
                        case.holds(
                            "a read returns 1 to 1024 bytes, never more than was sent",
                            (1..=BUFFER_SIZE).contains(&len) && offset + len <= bytes.len(),
                            || {
                                format!(
                                    "read #{reads} reports {len} bytes, with {} of {} bytes not yet read",
                                    bytes.len() - offset,
                                    bytes.len()
                                )
                            },
                        )?;
                        let chunk = &bytes[offset..offset + len];
                        let mut expected = chunk_lines(reads, chunk).into_iter();
                        let first = expected.next().unwrap_or_default();
                        case.equal(
                            "the chunks are the bytes sent, each once, in order",
                            &format!("the report of read #{reads} (bytes {offset}.. of what was sent)"),
                            first.as_bytes(),
                            &line,
                        )?;
                        for more in expected {
                            case.expect_line(
                                &mut server,
                                "a chunk that is not UTF-8 is reported with both decodings",
                                more,
                            )?;
                        }
                        offset += len;
                    }
                    case.expect_line(
                        &mut server,
                        "the server reports the end of each client's stream",
                        format!("EOF after {reads} reads: the client closed the connection"),
                    )?;
                }
                Ok(())
            });
        },
    );
}

#[test]
fn client_sends_exactly_the_typed_bytes() {
    property::check(
        "client_sends_exactly_the_typed_bytes",
        4,
        |rng: &mut Rng, case: &Case| {
            // Some lines are empty: nothing is sent for them. Some start
            // or end with spaces or tabs, which are part of the line and
            // sent like any other byte; at least one line does, so a client
            // that trims lines fails with every seed.
            let mut lines = rng.lines(1..=5, 20, 1..=100);
            let padded = rng.below(lines.len());
            for (i, line) in lines.iter_mut().enumerate() {
                if i == padded || rng.chance(30) {
                    pad_with_blanks(rng, line);
                }
            }
            let nodelay = rng.chance(50);
            let sent: Vec<u8> = lines.concat().into_bytes();
            case.run(|s| {
                let mut listener = s.listen("server")?;
                let addr = listener.addr().to_string();
                let mut args = vec![addr.as_str()];
                if nodelay {
                    args.push("--nodelay");
                }
                let mut client = s.start_with_stdin(CLIENT, &args)?;
                for line in &lines {
                    client.type_line(line)?;
                }
                client.close_stdin();
                let mut conn = listener.accept("lab04-client")?;
                // Nothing to read when every line was empty.
                let got = if sent.is_empty() {
                    Vec::new()
                } else {
                    conn.recv_exact(sent.len())?
                };
                case.equal(
                    "the server receives exactly the typed lines, back to back, once",
                    "the bytes received",
                    &sent,
                    &got,
                )?;
                conn.expect_eof()?;
                case.expect_line(
                    &mut client,
                    "the client says where it connected",
                    format!("connected to {addr}"),
                )?;
                case.expect_line(
                    &mut client,
                    "the client reports TCP_NODELAY as it is",
                    if nodelay {
                        "TCP_NODELAY is on: each write is sent at once (Nagle's algorithm is off)"
                    } else {
                        "TCP_NODELAY is off: Nagle's algorithm may hold a small write until earlier data is acknowledged"
                    },
                )?;
                for (i, line) in lines.iter().enumerate() {
                    let expected = if line.is_empty() {
                        format!(
                            "write #{}: 0 bytes: nothing is sent, TCP has no empty messages",
                            i + 1
                        )
                    } else {
                        format!("write #{}: {} {line:?}", i + 1, labkit::byte_count(line.len()))
                    };
                    case.expect_line(
                        &mut client,
                        "the client reports every write once, in order",
                        expected,
                    )?;
                }
                case.expect_line(
                    &mut client,
                    "the client reports the total",
                    format!(
                        "end of input after {} writes ({}): closing the connection",
                        lines.len(),
                        labkit::byte_count(sent.len())
                    ),
                )?;
                case.expect_exit(&mut client, "the client exits with status 0", 0)
            });
        },
    );
}
