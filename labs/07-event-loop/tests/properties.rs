//! The property scenarios of lab 7: what must hold for ANY number of
//! clients connected at once and ANY interleaving of their messages and
//! endings, not only the stories'. Each draws its clients, messages, order
//! and endings from a seed (printed with the verdict; `cargo xtask
//! check-lab 7 --seed N` replays it) and is listed with its points in
//! `labs/info.toml`. There is no snapshot: the checks are written here.

use harness::TcpPeer;
use harness::property::{self, Case};
use harness::seed::Rng;

const SERVER: &str = env!("CARGO_BIN_EXE_lab07-server");
const REPLY: &str = "已收到";

/// One step of a drawn interleaving.
#[derive(Clone, Debug)]
enum Step {
    /// Client `i` sends a message (1 to 1024 bytes: one read) and reads
    /// its reply.
    Send(usize, Vec<u8>),
    /// Client `i` closes normally (FIN): the server reads 0 bytes.
    Close(usize),
    /// Client `i` resets (RST): the server's read fails.
    Reset(usize),
}

#[test]
fn server_serves_any_interleaving_of_clients() {
    property::check(
        "server_serves_any_interleaving_of_clients",
        3,
        |rng: &mut Rng, case: &Case| {
            let count = rng.range(2..=5);
            // Each client sends 0 to 3 messages, then ends; the steps of
            // all clients are shuffled together, each client's in order.
            let mut left: Vec<Vec<Step>> = (0..count)
                .map(|i| {
                    let mut steps: Vec<Step> = (0..rng.range(0..=3))
                        .map(|_| Step::Send(i, rng.message(1..=1024)))
                        .collect();
                    steps.push(if rng.chance(30) {
                        Step::Reset(i)
                    } else {
                        Step::Close(i)
                    });
                    steps.reverse();
                    steps
                })
                .collect();
            let mut order = Vec::new();
            while left.iter().any(|steps| !steps.is_empty()) {
                let live: Vec<usize> = (0..count).filter(|i| !left[*i].is_empty()).collect();
                let i = *rng.pick(&live);
                order.extend(left[i].pop());
            }
            case.run(|s| {
                let mut server = case.start_server(s, SERVER, &[])?;
                let mut clients: Vec<Option<TcpPeer>> = Vec::new();
                let mut addrs = Vec::new();
                for i in 0..count {
                    let client = s.connect(&format!("client {}", i + 1), &server)?;
                    let peer = client.stream().local_addr().map_err(|_| harness::Stop)?;
                    case.expect_line(
                        &mut server,
                        "every client is accepted while the others stay connected",
                        format!("accepted a client from {peer}"),
                    )?;
                    clients.push(Some(client));
                    addrs.push(peer);
                }
                for step in &order {
                    match step {
                        Step::Send(i, message) => {
                            let Some(client) = clients[*i].as_mut() else {
                                continue;
                            };
                            client.send(message)?;
                            case.expect_line(
                                &mut server,
                                "every message is printed exactly once, whoever sends it",
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
                        Step::Close(i) => {
                            if let Some(client) = clients[*i].take() {
                                client.close();
                            }
                            case.expect_line(
                                &mut server,
                                "the server reports a client that closed, and goes on",
                                format!(
                                    "client {} closed the connection (recv returned 0 bytes)",
                                    addrs[*i]
                                ),
                            )?;
                        }
                        Step::Reset(i) => {
                            if let Some(client) = clients[*i].take() {
                                client.reset();
                            }
                            case.expect_line_starting(
                                &mut server,
                                "the server survives a reset, reports it, and goes on",
                                format!("lost the connection with client {}: ", addrs[*i]),
                            )?;
                        }
                    }
                }
                Ok(())
            });
        },
    );
}
