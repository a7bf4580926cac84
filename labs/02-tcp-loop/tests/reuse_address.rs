//! What SO_REUSEADDR changes, shown with socket2 directly (not a scenario:
//! it checks the operating system, not your code).
//!
//! A server that is stopped while a client is connected closes its side of
//! the connection first, so that side stays in TIME_WAIT (RFC 793) and keeps
//! the server's port. `bind` on that port then fails with "address already
//! in use" unless the new socket sets SO_REUSEADDR, as `open_listener` in
//! `lab02-server.rs` does. The scenario `server_restart_on_same_port` shows
//! the restart working; this test shows the error you get without it.
//!
//! Windows decides differently (there SO_REUSEADDR would even let a second
//! server take a port in use), so the test runs on Unix only.

#![cfg(unix)]

use anyhow::Context;
use socket2::{Domain, Protocol, Socket, Type};
use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};

/// A listening socket on `addr`, with or without SO_REUSEADDR.
fn listener(addr: SocketAddr, reuse_address: bool) -> anyhow::Result<TcpListener> {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(reuse_address)?;
    socket
        .bind(&addr.into())
        .with_context(|| format!("could not bind {addr}"))?;
    socket.listen(5)?;
    Ok(socket.into())
}

/// Leaves the server's end of a served connection in TIME_WAIT on the port
/// of a listener that had SO_REUSEADDR, as the lab's server has, and
/// returns that port's address.
fn port_held_by_time_wait() -> SocketAddr {
    let first = listener("127.0.0.1:0".parse().unwrap(), true).unwrap();
    let addr = first.local_addr().unwrap();
    let mut client = TcpStream::connect(addr).unwrap();
    let (server_side, _) = first.accept().unwrap();
    // The server closes first (as when it is stopped with Ctrl-C)...
    drop(server_side);
    drop(first);
    // ...the client reads EOF and closes too: the server's end is now in
    // TIME_WAIT (or in FIN_WAIT_2 for an instant before; both hold the port).
    assert_eq!(client.read(&mut [0u8; 16]).unwrap(), 0);
    drop(client);
    addr
}

#[test]
fn without_so_reuseaddr_a_restarted_server_cannot_bind_its_port() {
    let addr = port_held_by_time_wait();
    let err = listener(addr, false).unwrap_err();
    let io = err.downcast_ref::<std::io::Error>().unwrap();
    assert_eq!(io.kind(), std::io::ErrorKind::AddrInUse);
    assert_eq!(
        labkit::error_line(&err),
        format!("could not bind {addr}: address already in use")
    );
}

#[test]
fn with_so_reuseaddr_a_restarted_server_binds_its_port_at_once() {
    let addr = port_held_by_time_wait();
    let restarted = listener(addr, true).unwrap();
    assert_eq!(restarted.local_addr().unwrap(), addr);
}
