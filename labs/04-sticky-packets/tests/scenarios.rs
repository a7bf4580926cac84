//! The scenarios of lab 4. Each test is one story, checked against the
//! snapshot of the same name in `snapshots/` (the specification) and listed
//! with its points in `labs/info.toml`.
//!
//! Sticky packets happen "sometimes" in real life: three small writes read
//! as they arrive came out as 1, 2 or 3 chunks at random on our machine
//! (see the README). A scenario must come out the same every time, so each
//! one fixes WHEN the receiver reads by a real condition, never by sleeping:
//!
//! - the client scenarios play a slow receiver that reads only once all the
//!   bytes are queued in its socket (`wait_until_queued`), or one that does
//!   not read until the harness has suspended and resumed the blocked client
//!   (`suspend_writer`, the Ctrl-Z story);
//! - the server scenarios send one write that arrives whole (one segment on
//!   loopback: 300 runs out of 300 gave the same cuts), or wait for the
//!   server to print each chunk before sending the next write.

use harness::{Scenario, Step, assert_transcript};

const SERVER: &str = env!("CARGO_BIN_EXE_lab04-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_lab04-client");

/// The client under test sends `hello`, `world` and `!` as three writes to a
/// scripted server that accepts and reads only after all 11 bytes arrived.
fn slow_receiver(s: &mut Scenario, client_args: &[&str]) -> Step {
    let mut listener = s.listen("server")?;
    let addr = listener.addr().to_string();
    let mut args = vec![addr.as_str()];
    args.extend_from_slice(client_args);
    let mut client = s.start_with_stdin(CLIENT, &args)?;
    client.expect_line()?; // connected to ...
    client.expect_line()?; // TCP_NODELAY is ...
    // What the kernel says, not only what the client printed: on Linux the
    // harness reads the option on the client's own socket (no line when it
    // matches; one line and a failure when it does not).
    listener.expect_tcp_nodelay(&client, client_args.contains(&"--nodelay"))?;
    for line in ["hello", "world", "!"] {
        client.type_line(line)?;
        client.expect_line()?;
    }
    client.close_stdin();
    client.expect_exit()?;
    s.say("the server is slow: it accepts and reads only now, after the client is done");
    let mut conn = listener.accept("lab04-client")?;
    conn.wait_until_queued(11)?;
    conn.recv(1024)?;
    conn.expect_eof()
}

#[test]
fn client_slow_receiver_merges_three_writes() {
    assert_transcript!(
        "client_slow_receiver_merges_three_writes",
        "粘包, the tutorial's case 2: three writes (hello, world, !) wait in the receiver's socket; \
         one recv(1024) takes all 11 bytes and the boundaries are gone: helloworld!",
        harness::run(|s| slow_receiver(s, &[]))
    );
}

#[test]
fn client_nodelay_does_not_prevent_merging() {
    assert_transcript!(
        "client_nodelay_does_not_prevent_merging",
        "The same three writes with TCP_NODELAY on (the client reads the option back with socket2): \
         each write leaves at once as its own segment, yet the slow receiver still reads helloworld! \
         in one piece. Nagle's algorithm is not the cause of sticky packets, and turning it off is no fix.",
        harness::run(|s| slow_receiver(s, &["--nodelay"]))
    );
}

#[test]
fn client_empty_line_sends_nothing() {
    let transcript = harness::run(|s| {
        let mut listener = s.listen("server")?;
        let mut client = s.start_with_stdin(CLIENT, &[&listener.addr().to_string()])?;
        client.expect_line()?;
        client.expect_line()?;
        for line in ["ab", "", "cd"] {
            client.type_line(line)?;
            client.expect_line()?;
        }
        client.close_stdin();
        client.expect_exit()?;
        let mut conn = listener.accept("lab04-client")?;
        conn.wait_until_queued(4)?;
        conn.recv(1024)?;
        conn.expect_eof()
    });
    assert_transcript!(
        "client_empty_line_sends_nothing",
        "An empty line is a write of 0 bytes, which sends nothing: a byte stream has no empty \
         messages (the tutorial's point 3), so the receiver cannot even tell it was there.",
        transcript
    );
}

#[test]
fn client_long_line_cut_short_by_ctrl_z() {
    let transcript = harness::run(|s| {
        let mut listener = s.listen("server")?;
        let mut client = s.start_with_stdin(CLIENT, &[&listener.addr().to_string()])?;
        client.expect_line()?; // connected to ...
        client.expect_line()?; // TCP_NODELAY is ...
        // 8 MiB, as in lab 1: the socket buffers of both ends hold about
        // 4 MiB here (a blocked `send` cut short returned 3,919,467 of
        // 8,388,608 bytes), so the write blocks, and what is left after each
        // suspension is enough to block it 2 or 3 times. The client reads
        // stdin a line at a time into a String, so one 8 MiB line is no
        // problem for it.
        let line = "x".repeat(8 * 1024 * 1024);
        client.type_line(&line)?;
        client.close_stdin();
        let mut conn = listener.accept("lab04-client")?;
        // The server does not read yet: the client's write blocks.
        conn.suspend_writer(&client)?;
        conn.recv_exact(line.len())?;
        // write #1: ... with the whole line, of which the harness keeps the
        // first `harness::process::LINE_LIMIT` (4096) bytes, and says so.
        client.expect_line()?;
        client.expect_line()?; // end of input ...
        conn.expect_eof()?;
        client.expect_exit()
    });
    assert_transcript!(
        "client_long_line_cut_short_by_ctrl_z",
        "One 8 MiB line to a server that does not read yet: the client's write blocks, and the \
         harness suspends and resumes the client (Ctrl-Z, fg), which makes that write return a \
         short count; then again each time the client is blocked writing more, up to 3 times. \
         write_all (Python's sendall) sends the rest, so all 8 MiB arrive before the client \
         closes; a single write (Python's send, the tutorial's client.send(msg)), or one retried \
         once or twice, would lose the rest of the line. (The client prints the line it sent; the \
         harness keeps the first 4096 bytes of a printed line, and says where it cut.)",
        transcript
    );
}

/// Starts the server under test and connects a scripted client to it.
fn server_and_client(s: &mut Scenario) -> Step<(harness::ServerUnderTest, harness::TcpPeer)> {
    let mut server = s.start_server(SERVER, &[])?;
    let client = s.connect("client", &server)?;
    server.expect_line()?; // connection from ...
    Ok((server, client))
}

#[test]
fn server_short_reads_of_one_long_write() {
    let transcript = harness::run(|s| {
        let (mut server, mut client) = server_and_client(s)?;
        let mut message = vec![b'a'; 1024];
        message.extend([b'b'; 1024]);
        message.extend([b'c'; 952]);
        client.send(&message)?;
        for _ in 0..3 {
            server.expect_line()?;
        }
        client.close();
        server.expect_line().map(drop)
    });
    assert_transcript!(
        "server_short_reads_of_one_long_write",
        "半包: one write of 3000 bytes, read with a 1024-byte buffer, comes out as 1024 + 1024 + 952. \
         Nothing is lost: what one read leaves stays queued for the next.",
        transcript
    );
}

#[test]
fn server_utf8_character_cut_between_reads() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server(SERVER, &[])?;
        // Waiting in accept, the server sleeps: one that spins on a
        // non-blocking accept is reported as a busy loop here.
        server.expect_waiting()?;
        let mut client = s.connect("client", &server)?;
        server.expect_line()?;
        // 1023 ASCII bytes, then 粘 (e7 b2 98) across the 1024-byte mark.
        let mut message = vec![b'a'; 1023];
        message.extend("粘包".as_bytes());
        client.send(&message)?;
        for _ in 0..6 {
            server.expect_line()?;
        }
        client.close();
        server.expect_line().map(drop)
    });
    assert_transcript!(
        "server_utf8_character_cut_between_reads",
        "A 3-byte character lands across the 1024-byte boundary: the first chunk ends with its first \
         byte, the second starts with the other two. Decoding each chunk strictly fails (Python's \
         .decode('utf-8') raises); decoding it lossily turns one character into three U+FFFD. \
         Before the client comes, the server sleeps in accept (no busy loop).",
        transcript
    );
}

#[test]
fn server_reads_each_write_when_the_sender_waits() {
    let transcript = harness::run(|s| {
        let (mut server, mut client) = server_and_client(s)?;
        // Paced: each word goes only once the server has read the one
        // before and waits in `read` again, so each `read` returns one
        // word, every run (a server that keeps reading until the line is
        // quiet for a while gets all three in one chunk).
        client.send_paced(&server, &[b"hello", b"world", b"!"])?;
        for _ in 0..3 {
            server.expect_line()?;
        }
        client.close();
        server.expect_line().map(drop)
    });
    assert_transcript!(
        "server_reads_each_write_when_the_sender_waits",
        "The client waits until the server has read each chunk and waits in read again before it \
         writes the next, so each write is read alone. The boundaries look kept, but only because \
         of timing: nothing on the wire marks them.",
        transcript
    );
}

#[test]
fn server_client_resets_then_next_client_is_served() {
    let transcript = harness::run(|s| {
        let (mut server, mut client) = server_and_client(s)?;
        // Paced: the server has read `hello` and waits in `read` again when
        // the reset arrives, so that `read` itself fails (loopback delivers
        // the RST before `close` returns).
        client.send_paced(&server, &[b"hello"])?;
        server.expect_line()?; // recv #1
        client.reset();
        server.expect_line()?; // connection from ... failed: ...
        // The server must still be there for the next client.
        let mut next = s.connect("client 2", &server)?;
        server.expect_line()?; // connection from ...
        next.send_paced(&server, &[b"world"])?;
        server.expect_line()?; // recv #1
        next.close();
        server.expect_line().map(drop)
    });
    assert_transcript!(
        "server_client_resets_then_next_client_is_served",
        "A client sends hello, then aborts the connection (RST instead of FIN): the server's read \
         fails with \"connection reset by peer\", which is not EOF. The server says so in one line \
         (not \"EOF after 1 reads\") and serves the next client: one bad client never stops it, \
         so a read error must not panic (no unwrap or expect) nor be taken for a close.",
        transcript
    );
}

#[test]
fn server_waits_for_a_client_that_pauses() {
    let transcript = harness::run(|s| {
        let (mut server, mut client) = server_and_client(s)?;
        client.send_paced(&server, &[b"hello"])?;
        server.expect_line()?; // recv #1
        // A person typing pauses between lines. The harness sends nothing
        // for 1 s and watches (on Linux, in /proc) the server's thread sleep
        // in the same read all that time: a read with a timeout would wake
        // it up before then.
        client.pause(&server, std::time::Duration::from_secs(1))?;
        client.send_paced(&server, &[b"world"])?;
        server.expect_line()?; // recv #2
        client.close();
        server.expect_line().map(drop)
    });
    assert_transcript!(
        "server_waits_for_a_client_that_pauses",
        "The client sends hello, then nothing for 1 s, then world. A quiet connection is not a \
         closed one: only a read of 0 bytes is EOF. The server sleeps in the same read all that \
         time (a read with a timeout would wake up, and one that takes the timeout for EOF loses \
         world), then reads world as its second chunk.",
        transcript
    );
}
