//! The scenarios of lab 7. Each test is one story, checked against the
//! snapshot of the same name in `snapshots/` (the specification) and listed
//! with its points in `labs/info.toml`.
//!
//! The harness plays several of the tutorial's clients at once. The server
//! runs one thread, so each thing a client does makes it print exactly one
//! line, and the script waits for that line before the next step: the
//! transcript's order is the script's, never the scheduler's. "Nothing has
//! arrived yet" is checked only once every thread of the server sleeps in
//! the kernel (`/proc` on Linux), which is also how a busy loop is caught.

use harness::{Step, TcpPeer, assert_transcript};

const SERVER: &str = env!("CARGO_BIN_EXE_lab07-server");
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
fn server_two_clients_at_once() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server(SERVER, &[])?;
        let mut a = s.connect("client A", &server)?;
        server.expect_line()?;
        let mut b = s.connect("client B", &server)?;
        server.expect_line()?;
        exchange(&mut a, &mut server, "hello from A")?;
        exchange(&mut b, &mut server, "hello from B")?;
        // Not UTF-8: labkit::show prints the byte as \xff, never U+FFFD.
        exchange(&mut a, &mut server, b"A again \xff")?;
        a.expect_nothing_yet()?;
        b.expect_nothing_yet()?;
        b.close();
        server.expect_line()?;
        exchange(&mut a, &mut server, "A is still served")?;
        a.close();
        server.expect_line()?;
        Ok(())
    });
    assert_transcript!(
        "server_two_clients_at_once",
        "Unlike lab 2, client B is accepted and answered while A is still connected: one thread \
         serves both, each message as it arrives. Between messages the server sleeps in the poll \
         (no busy loop: every thread asleep), and when B leaves, A is still served. A byte that is \
         not UTF-8 is printed as \\xNN (labkit::show), never replaced.",
        transcript
    );
}

#[test]
fn server_idle_clients_cost_no_cpu() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server(SERVER, &[])?;
        // The three arrive together, announced by one readiness event: the
        // server must accept until WouldBlock, not once per event.
        let mut idle = s.connect_together(&["client 1", "client 2", "client 3"], &server)?;
        for _ in &idle {
            server.expect_line()?;
        }
        let mut talker = s.connect("client 4", &server)?;
        server.expect_line()?;
        exchange(&mut talker, &mut server, "anyone there?")?;
        for client in &mut idle {
            client.expect_nothing_yet()?;
        }
        talker.expect_nothing_yet()?;
        // Asleep is not enough: a poll with a 1 ms timeout sleeps too, and
        // wakes a thousand times a second. The harness reads the timeout of
        // the poll the server sleeps in.
        server.expect_waiting()?;
        exchange(&mut idle[1], &mut server, "now me")?;
        talker.close();
        server.expect_line()?;
        for client in idle {
            client.close();
            server.expect_line()?;
        }
        Ok(())
    });
    assert_transcript!(
        "server_idle_clients_cost_no_cpu",
        "Three clients connect together (while the server is suspended, so that one readiness \
         event announces all three: it accepts until WouldBlock, not once per event) and send \
         nothing; a fourth is answered at once. A read with \
         nothing queued returns WouldBlock and the server goes back to the poll, which sleeps: \
         idle connections cost no CPU (a server that retries on WouldBlock is still running when \
         the harness looks, and is reported as a busy loop; one that polls with a timeout below a \
         second wakes up for nothing, and is reported too).",
        transcript
    );
}

#[test]
fn server_message_longer_than_one_read() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server(SERVER, &[])?;
        let mut client = s.connect("client", &server)?;
        server.expect_line()?;
        client.send("a".repeat(2500))?;
        server.expect_line()?;
        server.expect_line()?;
        server.expect_line()?;
        client.recv_exact(3 * REPLY.len())?;
        client.close();
        server.expect_line()?;
        Ok(())
    });
    assert_transcript!(
        "server_message_longer_than_one_read",
        "2500 bytes arrive in one piece: one readiness event. mio is edge-triggered, so the \
         server reads until WouldBlock: three reads of 1024, 1024 and 452 bytes, three lines, \
         three replies, as lab 2 would. A server that reads once per event prints 1024 bytes and \
         leaves the rest unread until the client sends again.",
        transcript
    );
}

#[test]
fn server_slow_reader_does_not_block_others() {
    // Enough for the kernel's buffers to fill many times over (about
    // 350 are needed on Linux 6.x), and few enough to stay quick.
    const AT_MOST: usize = 5_000;
    let transcript = harness::run(|s| {
        let mut server = s.start_server(SERVER, &[])?;
        let mut slow = s.connect_slow_reader("client S", &server)?;
        server.expect_line()?;
        let sent = slow.send_until_replies_wait(&mut server, b"x", REPLY.len(), AT_MOST)?;
        let mut other = s.connect("client B", &server)?;
        server.expect_line()?;
        exchange(&mut other, &mut server, "am I served?")?;
        other.close();
        server.expect_line()?;
        slow.recv_repeated(REPLY.as_bytes(), sent)?;
        slow.expect_nothing_yet()?;
        slow.close();
        server.expect_line()?;
        Ok(())
    });
    assert_transcript!(
        "server_slow_reader_does_not_block_others",
        "Client S sends one-byte messages and reads none of the replies: the kernel's buffers fill, the server's non-blocking writes stop short (WouldBlock), and it \
         keeps the rest in S's output buffer. Meanwhile client B is served at once. When S \
         finally reads, every reply arrives, in order: the server sent the rest as the socket \
         became writable.",
        transcript
    );
}

#[test]
fn server_client_half_closes() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server(SERVER, &[])?;
        let mut other = s.connect("client A", &server)?;
        server.expect_line()?;
        let mut client = s.connect("client B", &server)?;
        server.expect_line()?;
        exchange(&mut client, &mut server, "hello")?;
        client.shutdown_write()?;
        server.expect_line()?;
        client.expect_eof()?;
        client.close();
        exchange(&mut other, &mut server, "still here")?;
        other.close();
        server.expect_line()?;
        Ok(())
    });
    assert_transcript!(
        "server_client_half_closes",
        "Client B shuts down its sending side: the server's read returns 0 bytes (EOF). It says \
         so, deregisters and closes B's connection, so B reads EOF too; client A, connected all \
         along, is still served. A server that forgets to close the connection leaves B waiting \
         for an EOF that never comes.",
        transcript
    );
}

#[test]
fn server_client_resets_mid_conversation() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server(SERVER, &[])?;
        let mut a = s.connect("client A", &server)?;
        server.expect_line()?;
        let mut b = s.connect("client B", &server)?;
        server.expect_line()?;
        exchange(&mut a, &mut server, "hello")?;
        a.reset();
        server.expect_line()?;
        exchange(&mut b, &mut server, "are you still there?")?;
        let mut c = s.connect("client C", &server)?;
        server.expect_line()?;
        exchange(&mut c, &mut server, "new here")?;
        // C must not take B's place: a token numbered by the size of the
        // client table (1 client left, so 2) is B's.
        exchange(&mut b, &mut server, "B again, after C came")?;
        c.close();
        server.expect_line()?;
        b.close();
        server.expect_line()?;
        Ok(())
    });
    assert_transcript!(
        "server_client_resets_mid_conversation",
        "Client A, the first connected, aborts its connection (RST instead of FIN): the read fails \
         with \"connection reset by peer\", not EOF. The server prints one line, closes that \
         connection only, and goes on serving B and a new client C, each with a token of its own: \
         C takes no one's place, and B is still answered after C came.",
        transcript
    );
}
