//! The tutorial's Python client talks to `lab06-server`: two of them
//! connected at once, both answered (against lab 2's server the second
//! would wait until the first leaves); then the end of input stops the
//! server, which joins its threads and exits with status 0. Not a graded
//! scenario: it needs `python3` and says so when there is none.
//!
//! `tools/tutorial_client.py` is the tutorial's 链接循环 client as it is,
//! but for the port, which it takes from the command line.

mod python;

use python::{Line, Python, expect};

const SERVER: &str = env!("CARGO_BIN_EXE_lab06-server");

#[test]
fn two_tutorial_clients_are_answered_at_once() {
    python::run(|s| {
        let mut server = s.start_server_with_stdin(SERVER, &[])?;
        if let Python::Missing = python::two_tutorial_clients(s, &mut server)? {
            return Ok(Python::Missing);
        }
        let server = &mut server.program;
        server.close_stdin();
        let stopping = "end of input: no new clients; waiting for the connected ones to leave";
        expect(s, server, Line::Is(stopping))?;
        let stopped = "every client has left: the server stops";
        expect(s, server, Line::Is(stopped))?;
        server.expect_exit()?;
        Ok(Python::Ran)
    });
}
