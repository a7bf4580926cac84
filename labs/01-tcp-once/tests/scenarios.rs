//! The scenarios of lab 1. Each test is one story, checked against the
//! snapshot of the same name in `snapshots/` (the specification) and listed
//! with its points in `labs/info.toml`.
//!
//! The server scenarios play the tutorial's client; the client scenarios
//! play its server.

use harness::{Step, assert_transcript};

const SERVER: &str = env!("CARGO_BIN_EXE_lab01-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_lab01-client");
const REPLY: &str = "已收到";

/// The tutorial's client against the server under test: connect, send
/// `message` in one write, read the reply, see the server close.
fn server_exchange(message: &[u8]) -> harness::Transcript {
    harness::run(|s| {
        let mut server = s.start_server(SERVER, &[])?;
        let mut client = s.connect("client", &server)?;
        // The server now sleeps in `recv`, waiting: a server that spins on
        // a non-blocking socket instead is reported as a busy loop here.
        client.expect_nothing_yet()?;
        client.send(message)?;
        server.expect_line()?;
        client.recv_exact(REPLY.len())?;
        client.expect_eof()?;
        server.expect_exit()
    })
}

#[test]
fn server_normal_exchange() {
    assert_transcript!(
        "server_normal_exchange",
        "The tutorial's exchange: the client sends 123, the server prints it, replies 已收到 and closes.",
        server_exchange(b"123")
    );
}

#[test]
fn server_chinese_message() {
    assert_transcript!(
        "server_chinese_message",
        "A message in Chinese is 3 bytes per character in UTF-8; the server prints it as text.",
        server_exchange("你好,服务器".as_bytes())
    );
}

#[test]
fn server_message_of_1024_bytes() {
    assert_transcript!(
        "server_message_of_1024_bytes",
        "A 1024-byte message fills the 1024-byte buffer exactly: one read gets all of it.",
        server_exchange(&[b'a'; 1024])
    );
}

#[test]
fn server_message_of_1500_bytes() {
    assert_transcript!(
        "server_message_of_1500_bytes",
        "One recv(1024) returns at most 1024 bytes: the server prints the first 1024 and never reads \
         the other 476. Closing a socket with unread bytes sends RST instead of FIN (RFC 2525, 2.17), \
         so the client's last read fails with a reset instead of EOF.",
        server_exchange(&[b'a'; 1500])
    );
}

#[test]
fn server_client_closes_without_sending() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server(SERVER, &[])?;
        // Waiting in accept, the server sleeps: one that spins on a
        // non-blocking accept is reported as a busy loop here.
        server.expect_waiting()?;
        let client = s.connect("client", &server)?;
        client.close();
        server.expect_line()?;
        server.expect_exit()
    });
    assert_transcript!(
        "server_client_closes_without_sending",
        "The client connects and closes at once: the server's read returns 0 bytes (EOF), \
         which it reports instead of printing an empty message. Before the client comes, the \
         server sleeps in accept (no busy loop).",
        transcript
    );
}

#[test]
fn server_client_resets_without_sending() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server(SERVER, &[])?;
        let client = s.connect("client", &server)?;
        client.reset();
        server.expect_exit()
    });
    assert_transcript!(
        "server_client_resets_without_sending",
        "The client connects and aborts the connection at once (RST instead of FIN): the \
         server's read fails with \"connection reset by peer\". That is an error, not an empty \
         message and not a normal close: the server says so in one line and exits with status 1.",
        transcript
    );
}

/// Starts the client under test against `server_addr` and types `line`.
fn start_client(
    s: &mut harness::Scenario,
    server_addr: std::net::SocketAddr,
    line: &str,
) -> Step<harness::Program> {
    let mut client = s.start_with_stdin(CLIENT, &[&server_addr.to_string()])?;
    client.type_line(line)?;
    client.close_stdin();
    Ok(client)
}

#[test]
fn client_normal_exchange() {
    let transcript = harness::run(|s| {
        let mut listener = s.listen("server")?;
        let mut client = start_client(s, listener.addr(), "123")?;
        let mut conn = listener.accept("lab01-client")?;
        conn.recv(1024)?;
        conn.send(REPLY)?;
        client.expect_line()?;
        conn.expect_eof()?;
        client.expect_exit()
    });
    assert_transcript!(
        "client_normal_exchange",
        "The tutorial's server against the client under test: the client sends the line it read, \
         prints the reply and closes.",
        transcript
    );
}

#[test]
fn client_message_of_8_mib_cut_short_by_ctrl_z() {
    let transcript = harness::run(|s| {
        let mut listener = s.listen("server")?;
        let message = "x".repeat(8 * 1024 * 1024);
        let mut client = start_client(s, listener.addr(), &message)?;
        let mut conn = listener.accept("lab01-client")?;
        // The server does not read yet: the client's message fills both
        // sockets' buffers (about 4 MiB) and its write blocks.
        conn.suspend_writer(&client)?;
        conn.recv_exact(message.len())?;
        conn.send(REPLY)?;
        client.expect_line()?;
        conn.expect_eof()?;
        client.expect_exit()
    });
    assert_transcript!(
        "client_message_of_8_mib_cut_short_by_ctrl_z",
        "An 8 MiB message to a server that does not read yet: the client's write blocks, and the \
         harness suspends and resumes the client (Ctrl-Z, fg), which makes that write return a \
         short count; then again each time the client is blocked writing more, up to 3 times. \
         write_all (Python's sendall) sends the rest, so all 8 MiB arrive; a single write (Python's \
         send), or one retried once or twice, would lose the rest.",
        transcript
    );
}

#[test]
fn client_server_closes_without_replying() {
    let transcript = harness::run(|s| {
        let mut listener = s.listen("server")?;
        let mut client = start_client(s, listener.addr(), "123")?;
        let mut conn = listener.accept("lab01-client")?;
        conn.recv(1024)?;
        conn.close();
        client.expect_exit()
    });
    assert_transcript!(
        "client_server_closes_without_replying",
        "The server reads the message and closes without replying: the client's read returns 0 bytes, \
         and it says so in one line and exits with status 1.",
        transcript
    );
}

#[test]
fn client_nothing_listening() {
    let transcript = harness::run(|s| {
        // A port that is bound but not listening: connect is refused, and
        // no other test can take the port meanwhile.
        let (_reserved, addr) = s.reserve_port("server")?;
        let mut client = start_client(s, addr, "123")?;
        client.expect_exit()
    });
    assert_transcript!(
        "client_nothing_listening",
        "No server: connect is refused (the kernel answers the SYN with RST); the client says so \
         in one line and exits with status 1.",
        transcript
    );
}
