//! The property scenarios of lab 6: what must hold for ANY clients
//! connected at once, in either mode, not only the stories'. Each case
//! draws the mode (a thread per client or a pool), how many clients connect,
//! and an interleaving of their messages and endings from a seed (printed
//! with the verdict; `cargo xtask check-lab 6 --seed N` replays it), and is
//! listed with its points in `labs/info.toml`. There is no snapshot: the
//! checks are written here.
//!
//! The script does one thing at a time and waits for the line it causes,
//! so the expected order of the server's lines is the script's, whatever
//! the threads' timing.

use harness::property::{self, Case};
use harness::seed::Rng;
use harness::{Stop, TcpPeer};
use std::net::SocketAddr;

const SERVER: &str = env!("CARGO_BIN_EXE_lab06-server");
const REPLY: &str = "已收到";

/// One step of a drawn interleaving.
#[derive(Clone, Debug)]
enum Action {
    /// Client `i` sends a message and waits for its reply.
    Send(usize, Vec<u8>),
    /// Client `i` closes normally (FIN).
    Close(usize),
    /// Client `i` resets the connection (RST).
    Reset(usize),
}

#[test]
fn server_answers_any_interleaving_of_clients() {
    property::check(
        "server_answers_any_interleaving_of_clients",
        3,
        |rng: &mut Rng, case: &Case| {
            let clients = rng.range(2..=4);
            // Room for every client at once: each is served while the
            // others are connected.
            let room = (clients + rng.below(3)).to_string();
            let option = if rng.chance(50) {
                "--max-clients"
            } else {
                "--pool"
            };
            // Each message fits one 1024-byte read and is sent only after
            // the previous reply, so each read is one message.
            let mut open: Vec<usize> = (0..clients).collect();
            let mut actions = Vec::new();
            while !open.is_empty() {
                let at = rng.below(open.len());
                let i = open[at];
                if rng.chance(70) {
                    actions.push(Action::Send(i, rng.message(1..=1024)));
                } else {
                    open.remove(at);
                    actions.push(if rng.chance(30) {
                        Action::Reset(i)
                    } else {
                        Action::Close(i)
                    });
                }
            }
            case.run(|s| {
                let mut server =
                    case.start_server_with_stdin(s, SERVER, &[option, room.as_str()])?;
                let mut peers: Vec<Option<(TcpPeer, SocketAddr)>> = Vec::new();
                for i in 0..clients {
                    let client = s.connect(&format!("client {}", i + 1), &server)?;
                    let addr = client.stream().local_addr().map_err(|_| Stop)?;
                    case.expect_line(
                        &mut server,
                        "every client is accepted while the others are connected",
                        format!("accepted a client from {addr}"),
                    )?;
                    peers.push(Some((client, addr)));
                }
                for action in &actions {
                    match action {
                        Action::Send(i, message) => {
                            let (client, _) = peers[*i].as_mut().ok_or(Stop)?;
                            client.send(message)?;
                            case.expect_line(
                                &mut server,
                                "every message is printed once, whole, when it is sent",
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
                        Action::Close(i) => {
                            let (client, addr) = peers[*i].take().ok_or(Stop)?;
                            client.close();
                            case.expect_line(
                                &mut server,
                                "the server reports a client that closed",
                                format!(
                                    "client {addr} closed the connection (recv returned 0 bytes)"
                                ),
                            )?;
                        }
                        Action::Reset(i) => {
                            let (client, addr) = peers[*i].take().ok_or(Stop)?;
                            client.reset();
                            case.expect_line_starting(
                                &mut server,
                                "a reset ends only that client's conversation",
                                format!("lost the connection with client {addr}: "),
                            )?;
                        }
                    }
                }
                server.close_stdin();
                case.expect_line(
                    &mut server,
                    "the end of input stops the server",
                    "end of input: no new clients; waiting for the connected ones to leave",
                )?;
                case.expect_line(
                    &mut server,
                    "the server joins its threads and says so",
                    "every client has left: the server stops",
                )?;
                case.expect_exit(&mut server, "the server exits with status 0", 0)
            });
        },
    );
}
