//! The tutorial's Python client talks to `lab07-server`: two of them
//! connected at once, both answered by the one thread of the event loop.
//! Not a graded scenario: it needs `python3` and says so when there is
//! none. The script is lab 6's (`labs/06-threads/tests/python/`), the same
//! for both servers: the clients cannot tell them apart.

#[path = "../../06-threads/tests/python/mod.rs"]
mod python;

const SERVER: &str = env!("CARGO_BIN_EXE_lab07-server");

#[test]
fn two_tutorial_clients_are_answered_at_once() {
    python::run(|s| {
        let mut server = s.start_server(SERVER, &[])?;
        python::two_tutorial_clients(s, &mut server)
    });
}
