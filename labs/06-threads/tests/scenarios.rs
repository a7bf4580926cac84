//! The scenarios of lab 6. Each test is one story, checked against the
//! snapshot of the same name in `snapshots/` (the specification) and listed
//! with its points in `labs/info.toml`.
//!
//! The harness plays several clients connected at the same time. A
//! transcript's order still comes from the script, never from the threads'
//! timing: the script does one thing at a time (connect, send, close) and
//! waits for the one line the server prints about it before the next, so
//! every run gives the same transcript. Every story ends the way the server
//! is meant to stop: its stdin is closed (Ctrl-D), it says it stops
//! accepting, the clients still connected leave, and it exits with status 0
//! once it has joined its threads.

use harness::{Step, TcpPeer, assert_transcript};

const SERVER: &str = env!("CARGO_BIN_EXE_lab06-server");
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

/// A client connects and the server prints that it accepted it.
fn arrive(
    s: &mut harness::Scenario,
    server: &mut harness::ServerUnderTest,
    name: &str,
) -> Step<TcpPeer> {
    let client = s.connect(name, server)?;
    server.expect_line()?;
    Ok(client)
}

/// A client closes and the server prints that it left.
fn leave(client: TcpPeer, server: &mut harness::Program) -> Step {
    client.close();
    server.expect_line()?;
    Ok(())
}

/// The end of the story, with no client left: stdin closed, the server says
/// it stops accepting, then that every client has left, and exits.
fn stop(server: &mut harness::Program) -> Step {
    server.close_stdin();
    server.expect_line()?;
    server.expect_line()?;
    server.expect_exit()
}

#[test]
fn server_two_clients_served_at_once() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server_with_stdin(SERVER, &[])?;
        let mut a = arrive(s, &mut server, "client A")?;
        let mut b = arrive(s, &mut server, "client B")?;
        exchange(&mut a, &mut server, "hello from A")?;
        exchange(&mut b, &mut server, "hello from B")?;
        // Not UTF-8: labkit::show prints the byte as \xff, never U+FFFD.
        exchange(&mut a, &mut server, b"A again \xff")?;
        leave(b, &mut server)?;
        exchange(&mut a, &mut server, "A, after B left")?;
        leave(a, &mut server)?;
        stop(&mut server)
    });
    assert_transcript!(
        "server_two_clients_served_at_once",
        "A thread per client: B is accepted while A is still connected, and both are answered, \
         turn by turn, before either closes. Compare lab 2's server_second_client_waits_in_backlog, \
         where B waits until A leaves. A byte that is not UTF-8 is printed as \\xNN (labkit::show), \
         never replaced.",
        transcript
    );
}

#[test]
fn server_silent_client_does_not_delay_another() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server_with_stdin(SERVER, &[])?;
        let mut a = arrive(s, &mut server, "client A")?;
        a.say("connected and sends nothing: its thread waits in read");
        let mut b = arrive(s, &mut server, "client B")?;
        exchange(&mut b, &mut server, "hello from B")?;
        exchange(&mut b, &mut server, "B again")?;
        leave(b, &mut server)?;
        a.expect_nothing_yet()?;
        exchange(&mut a, &mut server, "A at last")?;
        leave(a, &mut server)?;
        stop(&mut server)
    });
    assert_transcript!(
        "server_silent_client_does_not_delay_another",
        "A client that connects and sends nothing blocks only its own thread, in read: the next \
         client is accepted and answered at once, and the silent one is still served when it \
         finally speaks. A server that kept stdout locked across that read would print nothing \
         for anyone.",
        transcript
    );
}

#[test]
fn server_client_waits_at_the_limit() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server_with_stdin(SERVER, &["--max-clients", "2"])?;
        let mut a = arrive(s, &mut server, "client A")?;
        let mut b = arrive(s, &mut server, "client B")?;
        let mut c = s.connect("client C", &server)?;
        c.say(
            "connect succeeded, yet the server has not accepted: two clients are connected, the \
             limit, so it waits for one to leave before it calls accept",
        );
        c.send("hello from C")?;
        exchange(&mut a, &mut server, "hello from A")?;
        exchange(&mut b, &mut server, "hello from B")?;
        c.expect_nothing_yet()?;
        leave(a, &mut server)?;
        server.expect_line()?;
        server.expect_line()?;
        c.recv_exact(REPLY.len())?;
        leave(c, &mut server)?;
        leave(b, &mut server)?;
        stop(&mut server)
    });
    assert_transcript!(
        "server_client_waits_at_the_limit",
        "With --max-clients 2, a third client's connect succeeds (the kernel queues it in the \
         backlog) but the server does not accept it while two are connected, so its message waits \
         unread. When A leaves, a slot is free: the server accepts C, reads its message and \
         replies. A server that spawned a thread for every client would have answered C at once.",
        transcript
    );
}

#[test]
fn server_pool_client_waits_for_a_free_worker() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server_with_stdin(SERVER, &["--pool", "2"])?;
        let mut a = arrive(s, &mut server, "client A")?;
        let mut b = arrive(s, &mut server, "client B")?;
        exchange(&mut a, &mut server, "hello from A")?;
        exchange(&mut b, &mut server, "hello from B")?;
        let mut c = arrive(s, &mut server, "client C")?;
        c.say("accepted, but both workers are busy: the connection waits in the pool's channel");
        c.send("hello from C")?;
        c.expect_nothing_yet()?;
        leave(a, &mut server)?;
        server.expect_line()?;
        c.recv_exact(REPLY.len())?;
        leave(c, &mut server)?;
        leave(b, &mut server)?;
        stop(&mut server)
    });
    assert_transcript!(
        "server_pool_client_waits_for_a_free_worker",
        "A pool of two workers: A and B are served at once. C is accepted at once too, but no \
         worker is free, so its connection waits in the channel and its message unread. When A \
         leaves, A's worker takes C from the channel and answers it.",
        transcript
    );
}

#[test]
fn server_pool_survives_a_reset() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server_with_stdin(SERVER, &["--pool", "1"])?;
        let mut a = arrive(s, &mut server, "client A")?;
        exchange(&mut a, &mut server, "hello")?;
        a.reset();
        server.expect_line()?;
        let mut b = arrive(s, &mut server, "client B")?;
        exchange(&mut b, &mut server, "are you still there?")?;
        leave(b, &mut server)?;
        stop(&mut server)
    });
    assert_transcript!(
        "server_pool_survives_a_reset",
        "A pool of one worker; its client aborts the connection (RST): the read fails with \
         \"connection reset by peer\", the worker prints one line about it and takes the next \
         client. A worker that panicked on the error would be gone, and with it the whole pool.",
        transcript
    );
}

#[test]
fn server_stops_at_end_of_input() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server_with_stdin(SERVER, &[])?;
        let mut a = arrive(s, &mut server, "client A")?;
        let mut b = arrive(s, &mut server, "client B")?;
        exchange(&mut a, &mut server, "hello from A")?;
        server.close_stdin();
        server.expect_line()?;
        exchange(&mut b, &mut server, "still served")?;
        leave(b, &mut server)?;
        exchange(&mut a, &mut server, "me too")?;
        leave(a, &mut server)?;
        server.expect_line()?;
        server.expect_exit()
    });
    assert_transcript!(
        "server_stops_at_end_of_input",
        "The end of input (Ctrl-D) stops the server without Ctrl-C: it accepts no one new, goes \
         on serving the two clients still connected, joins their threads once both have left, \
         and exits with status 0.",
        transcript
    );
}

#[test]
fn server_pool_stops_at_end_of_input() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server_with_stdin(SERVER, &["--pool", "2"])?;
        let mut a = arrive(s, &mut server, "client A")?;
        server.close_stdin();
        server.expect_line()?;
        exchange(&mut a, &mut server, "hello from A")?;
        leave(a, &mut server)?;
        server.expect_line()?;
        server.expect_exit()
    });
    assert_transcript!(
        "server_pool_stops_at_end_of_input",
        "The end of input with a pool: the accept loop drops the channel's sender; the workers \
         finish their clients, find the channel closed and empty, and return; the server joins \
         them and exits with status 0.",
        transcript
    );
}
