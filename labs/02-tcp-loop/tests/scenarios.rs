//! The scenarios of lab 2. Each test is one story, checked against the
//! snapshot of the same name in `snapshots/` (the specification) and listed
//! with its points in `labs/info.toml`.
//!
//! The server scenarios play the tutorial's client (several of them, one
//! after another or at once); the client scenarios play its server. The
//! server never exits by itself: the harness stops it when the story is
//! over ("stopped by the harness").

use harness::{Step, TcpPeer, assert_transcript};

const SERVER: &str = env!("CARGO_BIN_EXE_lab02-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_lab02-client");
const REPLY: &str = "已收到";

/// One message and its reply: the client sends, the server prints the
/// message, the client reads the whole reply.
fn exchange(
    client: &mut TcpPeer,
    server: &mut harness::Program,
    message: impl AsRef<[u8]>,
) -> Step {
    client.send(message)?;
    server.expect_line()?;
    client.recv_exact(REPLY.len())?;
    Ok(())
}

#[test]
fn server_three_clients_one_after_another() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server(SERVER, &[])?;
        // Waiting in accept for the first client, the server sleeps: a
        // server that spins on a non-blocking accept is a busy loop here.
        server.expect_waiting()?;
        for (name, messages) in [
            ("client 1", &[&b"hello"[..], b"second message"][..]),
            ("client 2", &["你好".as_bytes()][..]),
            // Not UTF-8: labkit::show prints the byte as \xff.
            ("client 3", &[&b"bye \xff"[..]][..]),
        ] {
            let mut client = s.connect(name, &server)?;
            server.expect_line()?;
            for message in messages {
                exchange(&mut client, &mut server, message)?;
            }
            client.close();
            server.expect_line()?;
        }
        Ok(())
    });
    assert_transcript!(
        "server_three_clients_one_after_another",
        "The connection loop: the server serves three clients in turn, each for as many messages \
         as it sends; when one closes (a read of 0 bytes) it accepts the next. While it waits in \
         accept it sleeps (no busy loop), and a byte that is not UTF-8 is printed as \\xNN \
         (labkit::show), never replaced.",
        transcript
    );
}

#[test]
fn server_client_closes_without_sending() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server(SERVER, &[])?;
        let client = s.connect("client 1", &server)?;
        server.expect_line()?;
        client.close();
        server.expect_line()?;
        let mut client = s.connect("client 2", &server)?;
        server.expect_line()?;
        exchange(&mut client, &mut server, "hello")?;
        client.close();
        server.expect_line()?;
        Ok(())
    });
    assert_transcript!(
        "server_client_closes_without_sending",
        "A client connects and closes at once: the server's first read returns 0 bytes, which means \
         the client closed, not that it sent an empty message. The server says so and serves the \
         next client.",
        transcript
    );
}

#[test]
fn server_client_half_closes() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server(SERVER, &[])?;
        let mut client = s.connect("client", &server)?;
        server.expect_line()?;
        exchange(&mut client, &mut server, "hello")?;
        client.shutdown_write()?;
        server.expect_line()?;
        client.expect_eof()?;
        client.close();
        Ok(())
    });
    assert_transcript!(
        "server_client_half_closes",
        "The client shuts down only its sending side and keeps reading. The server's read returns \
         0 bytes: it stops reading and closes, so the client reads EOF. The tutorial's loop would \
         instead print an empty line and reply 已收到 again and again, forever.",
        transcript
    );
}

#[test]
fn server_client_resets_mid_conversation() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server(SERVER, &[])?;
        let mut client = s.connect("client 1", &server)?;
        server.expect_line()?;
        exchange(&mut client, &mut server, "hello")?;
        client.reset();
        server.expect_line()?;
        let mut client = s.connect("client 2", &server)?;
        server.expect_line()?;
        exchange(&mut client, &mut server, "are you still there?")?;
        client.close();
        server.expect_line()?;
        Ok(())
    });
    assert_transcript!(
        "server_client_resets_mid_conversation",
        "A client aborts the connection (RST instead of FIN): the server's read fails with \
         \"connection reset by peer\". The server prints one line about it and serves the next \
         client: one bad client never stops it.",
        transcript
    );
}

#[test]
fn server_second_client_waits_in_backlog() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server(SERVER, &[])?;
        let mut a = s.connect("client A", &server)?;
        server.expect_line()?;
        exchange(&mut a, &mut server, "hello from A")?;
        let mut b = s.connect("client B", &server)?;
        b.say(
            "connect succeeded, yet the server has not accepted: the kernel completed the \
             handshake and queued the connection in the listen backlog",
        );
        b.send("hello from B")?;
        exchange(&mut a, &mut server, "A again")?;
        b.expect_nothing_yet()?;
        a.close();
        server.expect_line()?;
        server.expect_line()?;
        server.expect_line()?;
        b.recv_exact(REPLY.len())?;
        b.close();
        server.expect_line()?;
        Ok(())
    });
    assert_transcript!(
        "server_second_client_waits_in_backlog",
        "One client at a time: client B connects while A is served. Its connect succeeds (the \
         kernel queues it in the backlog of listen(5)) and its message waits in the kernel, \
         unread, while the server keeps talking to A. Only when A leaves does the server accept \
         B, read its message and reply.",
        transcript
    );
}

#[test]
fn server_empty_write_sends_nothing() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server(SERVER, &[])?;
        let mut client = s.connect("client", &server)?;
        server.expect_line()?;
        {
            use std::io::Write;
            let mut stream = client.stream();
            match stream.write(b"") {
                Ok(n) => client.say(format!(
                    "wrote an empty message (Python's send(b'')): write returned {n}"
                )),
                Err(e) => client.say(format!(
                    "writing 0 bytes failed: {}",
                    harness::describe_io_error(&e)
                )),
            }
        }
        exchange(&mut client, &mut server, "hello")?;
        client.expect_nothing_yet()?;
        client.close();
        server.expect_line()?;
        Ok(())
    });
    assert_transcript!(
        "server_empty_write_sends_nothing",
        "Writing 0 bytes on TCP sends nothing: the server's first read returns the next real \
         message, and exactly one reply comes back. This is why the client must not send an empty \
         line: the server would read nothing and never reply.",
        transcript
    );
}

#[test]
fn server_restart_on_same_port() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server(SERVER, &[])?;
        let addr = server.addr.to_string();
        let mut a = s.connect("client A", &server)?;
        server.expect_line()?;
        exchange(&mut a, &mut server, "hello")?;
        server.stop();
        a.expect_eof()?;
        a.close();
        s.say(
            "the server's side closed first, so its end of that connection is now in TIME_WAIT \
             and still holds the port",
        );
        let mut server = s.start_server_at(SERVER, &[&addr])?;
        let mut b = s.connect("client B", &server)?;
        server.expect_line()?;
        exchange(&mut b, &mut server, "hello again")?;
        b.close();
        server.expect_line()?;
        Ok(())
    });
    assert_transcript!(
        "server_restart_on_same_port",
        "Stopping the server (Ctrl-C) while a client is connected leaves the server's end of the \
         connection in TIME_WAIT. Thanks to SO_REUSEADDR the restarted server binds the same port \
         at once; without it, bind fails with \"address already in use\" (see \
         tests/reuse_address.rs).",
        transcript
    );
}

/// Starts the client under test against a scripted server and accepts its
/// connection.
fn start_client(s: &mut harness::Scenario) -> Step<(harness::Program, TcpPeer)> {
    let mut listener = s.listen("server")?;
    let client = s.start_with_stdin(CLIENT, &[&listener.addr().to_string()])?;
    let conn = listener.accept("lab02-client")?;
    Ok((client, conn))
}

/// The client under test sends a typed line; the scripted server reads it
/// and replies; the client prints the reply.
fn client_exchange(client: &mut harness::Program, conn: &mut TcpPeer, line: &str) -> Step {
    client.type_line(line)?;
    conn.recv(1024)?;
    conn.send(REPLY)?;
    client.expect_line()?;
    Ok(())
}

#[test]
fn client_session_ends_on_empty_line() {
    let transcript = harness::run(|s| {
        let (mut client, mut conn) = start_client(s)?;
        client_exchange(&mut client, &mut conn, "hello")?;
        client_exchange(&mut client, &mut conn, "你好")?;
        client.type_line("")?;
        client.expect_line()?;
        conn.expect_eof()?;
        client.expect_exit()
    });
    assert_transcript!(
        "client_session_ends_on_empty_line",
        "The tutorial's client loop: each typed line is sent and its reply printed. An empty line \
         is not sent (0 bytes would send nothing, and no reply would come): it ends the session, \
         and the server reads EOF.",
        transcript
    );
}

#[test]
fn client_session_ends_at_end_of_input() {
    let transcript = harness::run(|s| {
        let (mut client, mut conn) = start_client(s)?;
        client_exchange(&mut client, &mut conn, "hello")?;
        client.close_stdin();
        client.expect_line()?;
        conn.expect_eof()?;
        client.expect_exit()
    });
    assert_transcript!(
        "client_session_ends_at_end_of_input",
        "The end of input (Ctrl-D, or the end of a pipe) ends the session like an empty line: the \
         client closes the connection and exits with status 0.",
        transcript
    );
}

#[test]
fn client_server_closes_instead_of_replying() {
    let transcript = harness::run(|s| {
        let (mut client, mut conn) = start_client(s)?;
        client_exchange(&mut client, &mut conn, "hello")?;
        client.type_line("second message")?;
        conn.recv(1024)?;
        conn.close();
        client.expect_exit()
    });
    assert_transcript!(
        "client_server_closes_instead_of_replying",
        "The server closes the connection instead of replying: the client's read returns 0 bytes, \
         which it reports in one line before exiting with status 1.",
        transcript
    );
}
