//! The scenarios of lab 3. Each test is one story, checked against the
//! snapshot of the same name in `snapshots/` (the specification) and listed
//! with its points in `labs/info.toml`.
//!
//! The server scenarios play UDP clients (scripted sockets that send
//! datagrams to the server under test and read its echoes); the client
//! scenarios play the server. Nobody connects or accepts: every datagram
//! names its destination, and every received datagram tells its sender.

use harness::{Step, UdpPeer, assert_transcript};
use std::time::Duration;

const SERVER: &str = env!("CARGO_BIN_EXE_lab03-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_lab03-client");
/// The scripted peers read with a buffer large enough for any datagram, so
/// that what they show is what was sent.
const ANY_DATAGRAM: usize = 65535;

/// Sends one datagram to the server under test.
fn send(peer: &mut UdpPeer, bytes: impl AsRef<[u8]>, server: &harness::ServerUnderTest) -> Step {
    peer.send_to(bytes, server.addr, &server.name())
}

/// A datagram to the server, its line on the server's stdout, the echo.
fn echo(peer: &mut UdpPeer, server: &mut harness::ServerUnderTest, message: &str) -> Step {
    send(peer, message, server)?;
    server.expect_line()?;
    peer.recv_from(ANY_DATAGRAM, &server.name())?;
    Ok(())
}

#[test]
fn server_echo() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server(SERVER, &[])?;
        let mut client = s.udp("client")?;
        echo(&mut client, &mut server, "hello")?;
        echo(&mut client, &mut server, "你好")
    });
    assert_transcript!(
        "server_echo",
        "The tutorial's UDP exchange: the client sends a datagram, the server prints it with the \
         sender's address that recvfrom returned, and sends the same bytes back to that address.",
        transcript
    );
}

#[test]
fn server_two_clients_interleaved() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server(SERVER, &[])?;
        let mut a = s.udp("client A")?;
        let mut b = s.udp("client B")?;
        send(&mut a, "hello from A", &server)?;
        server.expect_line()?;
        send(&mut b, "hello from B", &server)?;
        server.expect_line()?;
        let name = server.name();
        b.recv_from(ANY_DATAGRAM, &name)?;
        a.recv_from(ANY_DATAGRAM, &name)?;
        echo(&mut a, &mut server, "A again")?;
        echo(&mut b, &mut server, "B again")
    });
    assert_transcript!(
        "server_two_clients_interleaved",
        "Two clients take turns with one socket: no connection, no accept, no waiting in a \
         backlog as in lab 2. Each datagram carries its sender's address, and each echo goes back \
         to the client that sent it.",
        transcript
    );
}

#[test]
fn server_keeps_message_boundaries() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server(SERVER, &[])?;
        let mut client = s.udp("client")?;
        let mut other = s.udp("other client")?;
        for message in ["one", "two", "three"] {
            send(&mut client, message, &server)?;
        }
        for _ in 0..3 {
            server.expect_line()?;
        }
        echo(&mut other, &mut server, "ping")?;
        s.say(
            "lab03-server echoed other client's ping after client's three datagrams, so it had \
             sent the three echoes to client before: they all wait, unread, in client's receive \
             buffer",
        );
        let name = server.name();
        for _ in 0..3 {
            client.recv_from(ANY_DATAGRAM, &name)?;
        }
        Ok(())
    });
    assert_transcript!(
        "server_keeps_message_boundaries",
        "UDP keeps message boundaries: three datagrams come out of three recvfrom calls, never \
         merged into \"onetwothree\" as TCP's stream may do (lab 4). The client reads the echoes \
         only when all three are queued, and still gets them one by one.",
        transcript
    );
}

#[test]
fn server_datagram_larger_than_buffer() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server(SERVER, &[])?;
        let mut client = s.udp("client")?;
        send(&mut client, [b'a'; 1500], &server)?;
        server.expect_line()?;
        server.expect_line()?;
        client.recv_from(ANY_DATAGRAM, &server.name())?;
        echo(&mut client, &mut server, "next")
    });
    assert_transcript!(
        "server_datagram_larger_than_buffer",
        "recvfrom(1024) takes one whole datagram from the queue: of a 1500-byte datagram the \
         server gets the first 1024 bytes and the other 476 are lost, so its next read returns \
         the next datagram (with TCP it would return the rest). The server says so, because it \
         peeked at the datagram's real length first.",
        transcript
    );
}

#[test]
fn server_empty_datagram() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server(SERVER, &[])?;
        let mut client = s.udp("client")?;
        echo(&mut client, &mut server, "")?;
        echo(&mut client, &mut server, "after the empty one")
    });
    assert_transcript!(
        "server_empty_datagram",
        "A datagram of 0 bytes is a real message: it arrives, recvfrom returns 0 bytes and the \
         sender's address, and the server echoes 0 bytes back. (In TCP, writing 0 bytes sends \
         nothing, and a read of 0 bytes means the peer closed: lab 2.)",
        transcript
    );
}

/// Starts the client under test against a scripted UDP server, with
/// `extra_args` after the server's address.
fn start_client(
    s: &mut harness::Scenario,
    extra_args: &[&str],
) -> Step<(harness::Program, UdpPeer)> {
    let server = s.udp("server")?;
    server.say(format!("bound {}", server.addr()));
    let addr = server.addr().to_string();
    let mut args = vec![addr.as_str()];
    args.extend_from_slice(extra_args);
    let client = s.start_with_stdin(CLIENT, &args)?;
    Ok((client, server))
}

/// The client under test sends a typed line; the scripted server receives
/// it and sends `reply` back to where it came from; the client prints it.
fn client_exchange(
    client: &mut harness::Program,
    server: &mut UdpPeer,
    line: &str,
    reply: &str,
) -> Step {
    client.type_line(line)?;
    let (_, from) = server.recv_from(ANY_DATAGRAM, "lab03-client")?;
    server.send_to(reply, from, "lab03-client")?;
    client.expect_line()?;
    Ok(())
}

#[test]
fn client_session_ends_on_empty_line() {
    let transcript = harness::run(|s| {
        let (mut client, mut server) = start_client(s, &[])?;
        client_exchange(&mut client, &mut server, "hello", "hello")?;
        client_exchange(&mut client, &mut server, "你好", "你好")?;
        client.type_line("")?;
        client.expect_line()?;
        client.expect_exit()
    });
    assert_transcript!(
        "client_session_ends_on_empty_line",
        "The tutorial's UDP client: each typed line goes out as one datagram and the reply is \
         printed with the address it came from. An empty line ends the client, as in the \
         tutorial; there is no connection to close.",
        transcript
    );
}

#[test]
fn client_reply_lost() {
    let transcript = harness::run(|s| {
        let (mut client, mut server) = start_client(s, &["100"])?;
        client.type_line("hello")?;
        let (_, from) = server.recv_from(ANY_DATAGRAM, "lab03-client")?;
        server.say("does not reply in time, as if the reply had been delayed or lost");
        client.expect_line()?;
        // The line alone does not show how long the client waited: its
        // socket's read timeout must be the 100 ms it was told, not a
        // constant (read from the socket itself; no line when it is).
        server.expect_read_timeout(&client, from, Duration::from_millis(100))?;
        server.send_to("late reply to hello", from, "lab03-client")?;
        client.type_line("are you there?")?;
        client.expect_line()?;
        server.recv_from(ANY_DATAGRAM, "lab03-client")?;
        client.close_stdin();
        client.expect_line()?;
        client.expect_exit()
    });
    assert_transcript!(
        "client_reply_lost",
        "UDP gives no delivery guarantee and no error when a datagram is lost: the client waits \
         for the reply with a read timeout (here 100 ms, the optional second argument: the \
         harness reads it from the client's socket), says that none came, and goes on. When the late reply finally arrives, it waits in the socket and \
         the client takes it for the answer to its next message: UDP does not pair replies with \
         requests (real protocols number their messages, as DNS does with its ID).",
        transcript
    );
}

#[test]
fn client_message_too_long() {
    let transcript = harness::run(|s| {
        let (mut client, mut server) = start_client(s, &[])?;
        let largest = "a".repeat(65507);
        client_exchange(&mut client, &mut server, &largest, "已收到")?;
        client.type_line(&format!("{largest}a"))?;
        client.expect_line()?;
        client_exchange(&mut client, &mut server, "short again", "已收到")?;
        client.type_line("")?;
        client.expect_line()?;
        client.expect_exit()
    });
    assert_transcript!(
        "client_message_too_long",
        "65507 bytes is the largest UDP payload over IPv4 (65535 - 20 bytes of IP header - 8 of \
         UDP header): it goes out as one datagram. One byte more cannot be sent at all: send_to \
         fails with EMSGSIZE, and the client says so in one line and goes on.",
        transcript
    );
}
