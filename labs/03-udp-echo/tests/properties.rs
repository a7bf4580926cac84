//! The property scenarios of lab 3: what must hold for ANY datagrams, not
//! only the stories'. Each draws its datagrams, their sizes, senders and
//! bursts from a seed (printed with the verdict; `cargo xtask check-lab 3
//! --seed N` replays it) and is listed with its points under `properties`
//! in `labs/info.toml`. There is no snapshot: the checks are written here.

use harness::UdpPeer;
use harness::property::{self, Case};
use harness::seed::Rng;

const SERVER: &str = env!("CARGO_BIN_EXE_lab03-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_lab03-client");
/// The server's `recvfrom(1024)`: a longer datagram is cut to this.
const BUFFER_SIZE: usize = 1024;
/// The scripted peers read with a buffer large enough for any datagram, so
/// that what they check is what was sent.
const ANY_DATAGRAM: usize = 65535;

#[test]
fn server_echoes_every_datagram_whole_and_alone() {
    property::check(
        "server_echoes_every_datagram_whole_and_alone",
        1,
        |rng: &mut Rng, case: &Case| {
            // Datagrams of 0 to 1400 bytes (some longer than the server's
            // buffer), each from client A or B, sent in bursts of 1 to 3
            // back to back: a burst must not merge, a datagram must not
            // split, and each echo goes to its sender.
            let datagrams: Vec<(usize, Vec<u8>)> = (0..rng.range(4..=10))
                .map(|_| {
                    let len = if rng.chance(20) {
                        rng.range(BUFFER_SIZE + 1..=1400)
                    } else {
                        rng.range(0..=BUFFER_SIZE)
                    };
                    (rng.below(2), rng.message(len..=len))
                })
                .collect();
            let mut bursts = Vec::new();
            let mut rest = &datagrams[..];
            while !rest.is_empty() {
                let (burst, after) = rest.split_at(rng.range(1..=3).min(rest.len()));
                bursts.push(burst);
                rest = after;
            }
            case.run(|s| {
                let mut server = case.start_server(s, SERVER, &[])?;
                let name = server.name();
                let mut clients: [UdpPeer; 2] = [s.udp("client A")?, s.udp("client B")?];
                for burst in &bursts {
                    for (who, bytes) in *burst {
                        clients[*who].send_to(bytes, server.addr, &name)?;
                    }
                    for (who, bytes) in *burst {
                        let kept = &bytes[..bytes.len().min(BUFFER_SIZE)];
                        case.expect_line(
                            &mut server,
                            "every datagram is printed once, in order, with its sender",
                            format!(
                                "来自客户端{}的信息:{}",
                                clients[*who].addr(),
                                labkit::show(kept)
                            ),
                        )?;
                        if bytes.len() > BUFFER_SIZE {
                            case.expect_line(
                                &mut server,
                                "a datagram longer than the buffer is reported as cut",
                                format!(
                                    "(cut: the datagram had {} bytes, only the first {BUFFER_SIZE} fit in the buffer; the rest is lost)",
                                    bytes.len()
                                ),
                            )?;
                        }
                    }
                    for (who, bytes) in *burst {
                        let kept = &bytes[..bytes.len().min(BUFFER_SIZE)];
                        let (echo, from) = clients[*who].recv_from(ANY_DATAGRAM, &name)?;
                        case.holds(
                            "each echo comes from the server's address",
                            from == server.addr,
                            || format!("the echo came from {from}"),
                        )?;
                        case.equal(
                            "each datagram comes back whole and alone, to its sender",
                            "the echo",
                            kept,
                            &echo,
                        )?;
                    }
                }
                Ok(())
            });
        },
    );
}

#[test]
fn client_prints_each_reply_with_its_sender() {
    property::check(
        "client_prints_each_reply_with_its_sender",
        4,
        |rng: &mut Rng, case: &Case| {
            let lines: Vec<String> = (0..rng.range(1..=4)).map(|_| rng.text(1..=200)).collect();
            let replies: Vec<Vec<u8>> =
                lines.iter().map(|_| rng.message(0..=BUFFER_SIZE)).collect();
            let ends_with_empty_line = rng.chance(50);
            case.run(|s| {
                let mut server = s.udp("server")?;
                let addr = server.addr();
                let mut client = s.start_with_stdin(CLIENT, &[&addr.to_string()])?;
                for line in &lines {
                    client.type_line(line)?;
                }
                if ends_with_empty_line {
                    client.type_line("")?;
                    client.type_line("never sent")?;
                }
                client.close_stdin();
                for (line, reply) in lines.iter().zip(&replies) {
                    let (got, from) = server.recv_from(ANY_DATAGRAM, "lab03-client")?;
                    case.equal(
                        "the client sends each line as one datagram, without its newline",
                        "the datagram the server received",
                        line.as_bytes(),
                        &got,
                    )?;
                    server.send_to(reply, from, "lab03-client")?;
                    case.expect_line(
                        &mut client,
                        "the client prints every reply once, in order, with its sender",
                        format!("来自服务器{addr}的信息:{}", labkit::show(reply)),
                    )?;
                }
                case.expect_line(
                    &mut client,
                    "the client says why it stops",
                    if ends_with_empty_line {
                        "empty line: the client stops (输入为空,客户端自动退出)"
                    } else {
                        "end of input: the client stops"
                    },
                )?;
                case.expect_exit(&mut client, "the client exits with status 0", 0)
            });
        },
    );
}
