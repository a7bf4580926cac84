//! The property scenarios of lab 1: what must hold for ANY message, not
//! only the stories' `123`. Each draws its messages from a seed (printed
//! with the verdict; `cargo xtask check-lab 1 --seed N` replays it) and is
//! listed with its points under `properties` in `labs/info.toml`. There is
//! no snapshot: the checks are written here.
//!
//! A program that never reads the socket and prints a line it guesses
//! cannot pass them: it cannot guess a random message.

use harness::property::{self, Case};
use harness::seed::Rng;

const SERVER: &str = env!("CARGO_BIN_EXE_lab01-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_lab01-client");
const REPLY: &str = "已收到";
/// How many messages each property tries: each case starts a program,
/// a few milliseconds.
const CASES: usize = 6;

#[test]
fn server_prints_any_message_once_and_acknowledges_it() {
    property::check(
        "server_prints_any_message_once_and_acknowledges_it",
        CASES,
        |rng: &mut Rng, case: &Case| {
            // Up to the 1024 bytes one read takes; any characters, and
            // sometimes bytes that are not UTF-8 (printed as \xNN).
            let message = rng.message(1..=1024);
            case.run(|s| {
                let mut server = case.start_server(s, SERVER, &[])?;
                let mut client = s.connect("client", &server)?;
                client.send(&message)?;
                case.expect_line(
                    &mut server,
                    "the server prints the message it received, as labkit::show shows it",
                    labkit::show(&message),
                )?;
                let reply = client.recv_exact(REPLY.len())?;
                case.equal(
                    "the server replies 已收到",
                    "the reply",
                    REPLY.as_bytes(),
                    &reply,
                )?;
                client.expect_eof()?;
                case.expect_exit(&mut server, "the server exits with status 0", 0)
            });
        },
    );
}

#[test]
fn client_sends_any_line_and_prints_any_reply() {
    property::check(
        "client_sends_any_line_and_prints_any_reply",
        CASES,
        |rng: &mut Rng, case: &Case| {
            // What a person types (valid UTF-8, one line), and a reply the
            // client cannot guess (sometimes not UTF-8).
            let line = rng.text(1..=512);
            let reply = rng.message(1..=1024);
            case.run(|s| {
                let mut listener = s.listen("server")?;
                let mut client = s.start_with_stdin(CLIENT, &[&listener.addr().to_string()])?;
                client.type_line(&line)?;
                client.close_stdin();
                let mut conn = listener.accept("lab01-client")?;
                let got = conn.recv_exact(line.len())?;
                case.equal(
                    "the client sends the line it read, without its newline",
                    "what the server received",
                    line.as_bytes(),
                    &got,
                )?;
                conn.send(&reply)?;
                case.expect_line(
                    &mut client,
                    "the client prints the reply it received",
                    labkit::show(&reply),
                )?;
                conn.expect_eof()?;
                case.expect_exit(&mut client, "the client exits with status 0", 0)
            });
        },
    );
}
