//! `lab02-client` talks to a Python `socketserver.ThreadingTCPServer`
//! version of the echo server (`labs/06-threads/tools/threading_server.py`,
//! shown in the book beside lab 6): two clients connected at once, both
//! answered; then the end of input stops the Python server, which joins
//! its threads. Not a graded scenario: it needs `python3` and says so when
//! there is none.

// lab 6's helpers for the tutorial's Python programs, one copy for labs
// 2, 6 and 7 (this lab uses all but the tutorial client's script).
#[path = "../../06-threads/tests/python/mod.rs"]
#[allow(dead_code)]
mod python;

use python::{Line, Python, expect};

const CLIENT: &str = env!("CARGO_BIN_EXE_lab02-client");

#[test]
fn lab02_client_talks_to_pythons_threading_server() {
    python::run(|s| {
        let script = python::tool("threading_server.py");
        let Some(mut server) = python::start_python(s, &script, &["0"]) else {
            return Ok(Python::Missing);
        };
        let listening = expect(s, &mut server, Line::StartsWith("listening on "))?;
        let addr = listening["listening on ".len()..].to_owned();
        let accepted = Line::StartsWith("accepted a client from ");
        let reply = Line::Is("服务器发送回来的内容:已收到");
        let closed = Line::EndsWith("closed the connection (recv returned 0 bytes)");

        let mut first = s.start_with_stdin(CLIENT, &[&addr])?;
        expect(s, &mut server, accepted)?;
        first.type_line("hello from the first")?;
        expect(s, &mut server, Line::Is("hello from the first"))?;
        expect(s, &mut first, reply)?;

        // The first client is still connected: the second is served anyway,
        // by a thread of its own.
        let mut second = s.start_with_stdin(CLIENT, &[&addr])?;
        expect(s, &mut server, accepted)?;
        second.type_line("你好 from the second")?;
        expect(s, &mut server, Line::Is("你好 from the second"))?;
        expect(s, &mut second, reply)?;
        second.type_line("")?;
        let typed_empty = "empty line: closing the connection (你自己终止了程序)";
        expect(s, &mut second, Line::Is(typed_empty))?;
        second.expect_exit()?;
        expect(s, &mut server, closed)?;

        first.type_line("the first, still served")?;
        expect(s, &mut server, Line::Is("the first, still served"))?;
        expect(s, &mut first, reply)?;
        first.close_stdin();
        let ended = "end of input: closing the connection (你自己终止了程序)";
        expect(s, &mut first, Line::Is(ended))?;
        first.expect_exit()?;
        expect(s, &mut server, closed)?;

        // The Python server stops at the end of its input, joining the
        // threads of its clients (none is left).
        server.close_stdin();
        let stopping = "end of input: no new clients; waiting for the connected ones to leave";
        expect(s, &mut server, Line::Is(stopping))?;
        expect(
            s,
            &mut server,
            Line::Is("every client has left: the server stops"),
        )?;
        server.expect_exit()?;
        Ok(Python::Ran)
    });
}
