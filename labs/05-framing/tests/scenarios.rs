//! The scenarios of lab 5. Each test is one story, checked against the
//! snapshot of the same name in `snapshots/` (the specification) and listed
//! with its points in `labs/info.toml`.
//!
//! The scripted peers build their frames by hand (never with the lab's own
//! `frame` module, which is what the student writes), so a scenario checks
//! the wire format itself: 4-byte big-endian length, then the payload.

use harness::{Scenario, ServerUnderTest, Step, TcpPeer, assert_transcript};

const SERVER: &str = env!("CARGO_BIN_EXE_lab05-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_lab05-client");

/// `payload` as one frame, as Python's `struct.pack('>I', n) + payload`.
fn frame(payload: impl AsRef<[u8]>) -> Vec<u8> {
    let payload = payload.as_ref();
    let mut bytes = u32::try_from(payload.len())
        .expect("test payloads are small")
        .to_be_bytes()
        .to_vec();
    bytes.extend_from_slice(payload);
    bytes
}

/// Several frames back to back.
fn frames<T: AsRef<[u8]>>(payloads: &[T]) -> Vec<u8> {
    payloads.iter().flat_map(frame).collect()
}

/// Starts the server under test and connects a scripted client to it.
fn server_and_client(s: &mut Scenario) -> Step<(ServerUnderTest, TcpPeer)> {
    let mut server = s.start_server(SERVER, &[])?;
    let client = s.connect("client", &server)?;
    server.expect_line()?; // connection from ...
    Ok((server, client))
}

/// The client closes after its messages; the server says so and waits for
/// the next client.
fn close_and_expect_goodbye(server: &mut ServerUnderTest, client: TcpPeer) -> Step {
    client.close();
    server.expect_line().map(drop)
}

#[test]
fn server_hundred_frames_in_one_write() {
    let transcript = harness::run(|s| {
        let (mut server, mut client) = server_and_client(s)?;
        let payloads: Vec<String> = (0..100).map(|i| format!("msg {i}")).collect();
        let wire = frames(&payloads);
        client.send(&wire)?;
        for _ in &payloads {
            server.expect_line()?;
        }
        client.recv_exact(wire.len())?;
        close_and_expect_goodbye(&mut server, client)
    });
    assert_transcript!(
        "server_hundred_frames_in_one_write",
        "100 frames glued together in ONE write (sticky packets at their worst): the server takes \
         them apart by their lengths, prints 100 messages and echoes 100 frames, byte for byte.",
        transcript
    );
}

#[test]
fn server_frame_one_byte_at_a_time() {
    let transcript = harness::run(|s| {
        let (mut server, mut client) = server_and_client(s)?;
        let wire = frame("你好, framing");
        let pieces: Vec<&[u8]> = wire.chunks(1).collect();
        client.send_paced(&server, &pieces)?;
        server.expect_line()?;
        client.recv_exact(wire.len())?;
        close_and_expect_goodbye(&mut server, client)
    });
    assert_transcript!(
        "server_frame_one_byte_at_a_time",
        "半包 at its worst: one frame arrives one byte at a time, and the harness sends each byte \
         only once the server has read the one before, so every read returns ONE byte (even the \
         length header takes four reads). The server waits until the whole frame is there and \
         prints one message.",
        transcript
    );
}

#[test]
fn server_header_and_payload_each_cut_across_reads() {
    let transcript = harness::run(|s| {
        let (mut server, mut client) = server_and_client(s)?;
        // 12, not 10: a length byte of 0x0a would be shown as "\n".
        let wire = frame("hello, world");
        // Half the header: a single `read` into [u8; 4] gets these 2 bytes.
        client.send_paced(&server, &[&wire[..2]])?;
        client.expect_nothing_yet()?;
        // The rest of the header and 7 of the 12 payload bytes: a single
        // `read` of the payload gets these 7.
        client.send_paced(&server, &[&wire[2..11]])?;
        client.expect_nothing_yet()?;
        client.send_paced(&server, &[&wire[11..]])?;
        server.expect_line()?;
        client.recv_exact(wire.len())?;
        close_and_expect_goodbye(&mut server, client)
    });
    assert_transcript!(
        "server_header_and_payload_each_cut_across_reads",
        "Paced delivery: the harness sends 2 bytes of the header, then the other 2 with 7 bytes of \
         the payload, then the last 5, each only once the server has read the one before. No read \
         returns a whole header or a whole payload; the server keeps reading until it has them, and \
         answers nothing before the frame is complete.",
        transcript
    );
}

#[test]
fn server_echo_of_8_mib_cut_short_by_ctrl_z() {
    let transcript = harness::run(|s| {
        let (mut server, mut client) = server_and_client(s)?;
        let wire = frame(vec![b'x'; 8 * 1024 * 1024]);
        client.send(&wire)?;
        server.expect_line()?;
        // The client does not read yet: the server's echo fills both
        // sockets' buffers (about 4 MiB) and its write blocks.
        client.suspend_writer(&server)?;
        client.recv_exact(wire.len())?;
        close_and_expect_goodbye(&mut server, client)
    });
    assert_transcript!(
        "server_echo_of_8_mib_cut_short_by_ctrl_z",
        "An 8 MiB frame, echoed to a client that does not read yet: the server's write blocks, and \
         the harness suspends and resumes the server (Ctrl-Z, fg), which makes that write return a \
         short count; then again each time it is blocked writing more, up to 3 times. write_all \
         (Python's sendall) sends the rest; a single write, or one retried once or twice, would \
         lose it.",
        transcript
    );
}

#[test]
fn server_oversized_length_then_next_client() {
    let transcript = harness::run(|s| {
        let (mut server, mut bad) = server_and_client(s)?;
        bad.send([0xff, 0xff, 0xff, 0xff])?;
        server.expect_line()?;
        bad.expect_eof()?;
        let mut good = s.connect("client 2", &server)?;
        server.expect_line()?;
        let wire = frame("hello");
        good.send(&wire)?;
        server.expect_line()?;
        good.recv_exact(wire.len())?;
        close_and_expect_goodbye(&mut server, good)
    });
    assert_transcript!(
        "server_oversized_length_then_next_client",
        "A length of ff ff ff ff (4 GiB) is above the 8 MiB maximum: the server refuses it from the \
         header alone, before allocating anything, closes that connection with one line, and \
         serves the next client normally.",
        transcript
    );
}

#[test]
fn server_truncated_frame_then_eof() {
    let transcript = harness::run(|s| {
        let (mut server, mut client) = server_and_client(s)?;
        // 12, not 10: a length byte of 0x0a would be shown as "\n".
        let mut wire = 12u32.to_be_bytes().to_vec();
        wire.extend(b"abc");
        client.send(&wire)?;
        client.shutdown_write()?;
        server.expect_line()?;
        client.expect_eof()
    });
    assert_transcript!(
        "server_truncated_frame_then_eof",
        "The header promises 12 bytes, 3 arrive, then EOF: the connection closed in the middle \
         of a frame, which is an error (not a clean end), reported with how much was missing.",
        transcript
    );
}

#[test]
fn server_client_resets_mid_frame() {
    let transcript = harness::run(|s| {
        let (mut server, mut client) = server_and_client(s)?;
        // 12, not 10: a length byte of 0x0a would be shown as "\n".
        let mut wire = 12u32.to_be_bytes().to_vec();
        wire.extend(b"abc");
        // Paced: the server has read these 7 bytes and waits in `read` for
        // the other 9 when the reset arrives, so that `read` itself fails.
        client.send_paced(&server, &[&wire])?;
        client.reset();
        server.expect_line()?;
        let mut good = s.connect("client 2", &server)?;
        server.expect_line()?;
        let wire = frame("hello");
        good.send(&wire)?;
        server.expect_line()?;
        good.recv_exact(wire.len())?;
        close_and_expect_goodbye(&mut server, good)
    });
    assert_transcript!(
        "server_client_resets_mid_frame",
        "The header promises 12 bytes, 3 arrive, then the client aborts (RST): the server's read \
         fails with \"connection reset by peer\", which is not the same as EOF, and is not retried \
         like an interrupted read. The server says so in one line and serves the next client.",
        transcript
    );
}

#[test]
fn server_empty_frame() {
    let transcript = harness::run(|s| {
        let mut server = s.start_server(SERVER, &[])?;
        // Waiting in accept, the server sleeps: one that spins on a
        // non-blocking accept is reported as a busy loop here.
        server.expect_waiting()?;
        let mut client = s.connect("client", &server)?;
        server.expect_line()?;
        let wire = frames(&["", "after the empty one"]);
        client.send(&wire)?;
        server.expect_line()?;
        server.expect_line()?;
        client.recv_exact(wire.len())?;
        close_and_expect_goodbye(&mut server, client)
    });
    assert_transcript!(
        "server_empty_frame",
        "A frame of length 0 is an empty message, and it works: impossible without framing, where \
         a write of 0 bytes sends nothing at all (lab 2 and the tutorial's point 3). Before the \
         client comes, the server sleeps in accept (no busy loop).",
        transcript
    );
}

#[test]
fn server_payload_not_utf8() {
    let transcript = harness::run(|s| {
        let (mut server, mut client) = server_and_client(s)?;
        let wire = frame(b"\xff\xfe ok \xe7\xb2");
        client.send(&wire)?;
        server.expect_line()?;
        client.recv_exact(wire.len())?;
        close_and_expect_goodbye(&mut server, client)
    });
    assert_transcript!(
        "server_payload_not_utf8",
        "A frame carries bytes, not text: a payload that is not UTF-8 is echoed untouched, and \
         printed with \\xNN escapes instead of crashing or corrupting it.",
        transcript
    );
}

#[test]
fn client_burst_arrives_merged_and_is_split_by_lengths() {
    let transcript = harness::run(|s| {
        let mut listener = s.listen("server")?;
        let mut client = s.start_with_stdin(CLIENT, &[&listener.addr().to_string()])?;
        let lines = ["hello", "", "你好"];
        for line in lines {
            client.type_line(line)?;
        }
        client.close_stdin();
        let mut conn = listener.accept("lab05-client")?;
        let wire = frames(&lines);
        conn.wait_until_queued(wire.len())?;
        conn.recv(1024)?;
        client.expect_line()?;
        conn.send(&wire)?;
        client.expect_exit()?;
        conn.expect_eof()
    });
    assert_transcript!(
        "client_burst_arrives_merged_and_is_split_by_lengths",
        "The client sends its three lines as frames in one burst; the server reads them all in ONE \
         recv (merged), and replies with three frames in one write. The client still prints three \
         replies, one empty, because each frame says how long it is.",
        transcript
    );
}

#[test]
fn client_burst_of_8_mib_cut_short_by_ctrl_z() {
    let transcript = harness::run(|s| {
        let mut listener = s.listen("server")?;
        let mut client = s.start_with_stdin(CLIENT, &[&listener.addr().to_string()])?;
        let line = "x".repeat(8 * 1024 * 1024);
        client.type_line(&line)?;
        client.close_stdin();
        let mut conn = listener.accept("lab05-client")?;
        // The server does not read yet: the client's burst fills both
        // sockets' buffers and its write blocks.
        conn.suspend_writer(&client)?;
        let wire = frame(&line);
        conn.recv_exact(wire.len())?;
        client.expect_line()?;
        conn.send(&wire)?;
        client.expect_line()?;
        client.expect_exit()?;
        conn.expect_eof()
    });
    assert_transcript!(
        "client_burst_of_8_mib_cut_short_by_ctrl_z",
        "The client's burst is one 8 MiB frame, to a server that does not read yet: the client's \
         write blocks, and the harness suspends and resumes it (Ctrl-Z, fg), which makes that write \
         return a short count; then again each time it is blocked writing more, up to 3 times. \
         write_all sends the rest and the whole frame arrives.",
        transcript
    );
}

#[test]
fn client_server_closes_mid_reply() {
    let transcript = harness::run(|s| {
        let mut listener = s.listen("server")?;
        let mut client = s.start_with_stdin(CLIENT, &[&listener.addr().to_string()])?;
        client.type_line("hello")?;
        client.close_stdin();
        let mut conn = listener.accept("lab05-client")?;
        conn.recv_exact(frame("hello").len())?;
        client.expect_line()?;
        conn.send(&frame("hello")[..6])?;
        conn.close();
        client.expect_exit()
    });
    assert_transcript!(
        "client_server_closes_mid_reply",
        "The server sends the header and 2 of the 5 bytes of its reply, then closes: the client \
         says in one line that the connection closed mid-frame and exits with status 1.",
        transcript
    );
}

#[test]
fn client_server_closes_between_replies() {
    let transcript = harness::run(|s| {
        let mut listener = s.listen("server")?;
        let mut client = s.start_with_stdin(CLIENT, &[&listener.addr().to_string()])?;
        for line in ["one", "two"] {
            client.type_line(line)?;
        }
        client.close_stdin();
        let mut conn = listener.accept("lab05-client")?;
        conn.recv_exact(frames(&["one", "two"]).len())?;
        client.expect_line()?;
        conn.send(frame("one"))?;
        client.expect_line()?;
        conn.close();
        client.expect_exit()
    });
    assert_transcript!(
        "client_server_closes_between_replies",
        "The server replies to the first of two frames, then closes cleanly, between two frames: \
         no frame is cut, yet a reply is missing. The client says how many replies came and \
         exits with status 1.",
        transcript
    );
}

#[test]
fn server_client_resets_while_its_echo_is_blocked() {
    let transcript = harness::run(|s| {
        let (mut server, mut client) = server_and_client(s)?;
        let wire = frame(vec![b'x'; 8 * 1024 * 1024]);
        client.send(&wire)?;
        server.expect_line()?;
        // The client does not read: the echo fills both sockets' buffers
        // (about 4 MiB) and the server's write blocks. The reset then
        // reaches the server inside that write, which fails.
        client.expect_writer_blocked(&server)?;
        client.reset();
        server.expect_line()?;
        let mut good = s.connect("client 2", &server)?;
        server.expect_line()?;
        let wire = frame("hello");
        good.send(&wire)?;
        server.expect_line()?;
        good.recv_exact(wire.len())?;
        close_and_expect_goodbye(&mut server, good)
    });
    assert_transcript!(
        "server_client_resets_while_its_echo_is_blocked",
        "A client sends an 8 MiB frame and does not read the echo: the server's write blocks on \
         full socket buffers. The client then aborts (RST), and the blocked write fails with \
         \"connection reset by peer\". A failed write is one client's problem like a failed read: \
         the server says so in one line and serves the next client.",
        transcript
    );
}

#[test]
fn client_reply_length_above_the_maximum() {
    let transcript = harness::run(|s| {
        let mut listener = s.listen("server")?;
        let mut client = s.start_with_stdin(CLIENT, &[&listener.addr().to_string()])?;
        client.type_line("hello")?;
        client.close_stdin();
        let mut conn = listener.accept("lab05-client")?;
        conn.recv_exact(frame("hello").len())?;
        client.expect_line()?;
        conn.send([0xff, 0xff, 0xff, 0xff])?;
        conn.close();
        client.expect_exit()
    });
    assert_transcript!(
        "client_reply_length_above_the_maximum",
        "The server's reply starts with the length ff ff ff ff (4 GiB), then the server closes: the \
         client reads its replies with the default maximum (8 MiB), so it refuses the length from \
         the header alone, before allocating anything, says so in one line and exits with status \
         1. A server cannot make the client allocate 4 GiB either.",
        transcript
    );
}
