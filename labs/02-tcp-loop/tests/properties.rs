//! The property scenarios of lab 2: what must hold for ANY sequence of
//! clients and messages, not only the stories'. Each draws its clients,
//! messages and endings from a seed (printed with the verdict; `cargo
//! xtask check-lab 2 --seed N` replays it) and is listed with its points
//! under `properties` in `labs/info.toml`. There is no snapshot: the checks
//! are written here.

use harness::property::{self, Case};
use harness::seed::Rng;

const SERVER: &str = env!("CARGO_BIN_EXE_lab02-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_lab02-client");
const REPLY: &str = "已收到";

/// How one drawn client leaves.
#[derive(Clone, Copy, Debug)]
enum Ending {
    /// Closes normally (FIN): the server's read returns 0 bytes.
    Close,
    /// Resets the connection (RST): the server's read fails, and it must
    /// go on with the next client.
    Reset,
}

#[test]
fn server_serves_any_sequence_of_clients() {
    property::check(
        "server_serves_any_sequence_of_clients",
        2,
        |rng: &mut Rng, case: &Case| {
            // Each message is at most the 1024 bytes one read takes, and is
            // sent only after the previous reply, so each read is one
            // message.
            let clients: Vec<(Vec<Vec<u8>>, Ending)> = (0..rng.range(2..=4))
                .map(|_| {
                    let messages = (0..rng.range(0..=4))
                        .map(|_| rng.message(1..=1024))
                        .collect();
                    let ending = if rng.chance(30) {
                        Ending::Reset
                    } else {
                        Ending::Close
                    };
                    (messages, ending)
                })
                .collect();
            case.run(|s| {
                let mut server = case.start_server(s, SERVER, &[])?;
                for (i, (messages, ending)) in clients.iter().enumerate() {
                    let mut client = s.connect(&format!("client {}", i + 1), &server)?;
                    let peer = client.stream().local_addr().map_err(|_| harness::Stop)?;
                    case.expect_line(
                        &mut server,
                        "the server accepts each client in turn",
                        format!("accepted a client from {peer}"),
                    )?;
                    for message in messages {
                        client.send(message)?;
                        case.expect_line(
                            &mut server,
                            "every message is printed exactly once, in order",
                            labkit::show(message),
                        )?;
                        let reply = client.recv_exact(REPLY.len())?;
                        case.equal(
                            "every message gets the reply 已收到",
                            "the reply",
                            REPLY.as_bytes(),
                            &reply,
                        )?;
                    }
                    match ending {
                        Ending::Close => {
                            client.close();
                            case.expect_line(
                                &mut server,
                                "the server reports a client that closed",
                                format!(
                                    "client {peer} closed the connection (recv returned 0 bytes)"
                                ),
                            )?;
                        }
                        Ending::Reset => {
                            client.reset();
                            case.expect_line_starting(
                                &mut server,
                                "the server survives a reset and reports it",
                                format!("lost the connection with client {peer}: "),
                            )?;
                        }
                    }
                }
                Ok(())
            });
        },
    );
}

#[test]
fn client_prints_every_reply_in_order() {
    property::check(
        "client_prints_every_reply_in_order",
        4,
        |rng: &mut Rng, case: &Case| {
            let lines: Vec<String> = (0..rng.range(1..=4)).map(|_| rng.text(1..=200)).collect();
            let replies: Vec<Vec<u8>> = lines.iter().map(|_| rng.message(1..=1024)).collect();
            // The session ends with an empty line (and what is typed after
            // it must not be sent) or at the end of input.
            let after_empty_line = rng.chance(50).then(|| rng.text(1..=20));
            case.run(|s| {
                let mut listener = s.listen("server")?;
                let mut client = s.start_with_stdin(CLIENT, &[&listener.addr().to_string()])?;
                for line in &lines {
                    client.type_line(line)?;
                }
                if let Some(more) = &after_empty_line {
                    client.type_line("")?;
                    client.type_line(more)?;
                }
                client.close_stdin();
                let mut conn = listener.accept("lab02-client")?;
                for (line, reply) in lines.iter().zip(&replies) {
                    let got = conn.recv_exact(line.len())?;
                    case.equal(
                        "the client sends each line, without its newline",
                        "what the server received",
                        line.as_bytes(),
                        &got,
                    )?;
                    conn.send(reply)?;
                    case.expect_line(
                        &mut client,
                        "the client prints every reply once, in order",
                        format!("服务器发送回来的内容:{}", labkit::show(reply)),
                    )?;
                }
                let why = if after_empty_line.is_some() {
                    "empty line"
                } else {
                    "end of input"
                };
                case.expect_line(
                    &mut client,
                    "the client says why the session ends",
                    format!("{why}: closing the connection (你自己终止了程序)"),
                )?;
                conn.expect_eof()?;
                case.expect_exit(&mut client, "the client exits with status 0", 0)
            });
        },
    );
}
