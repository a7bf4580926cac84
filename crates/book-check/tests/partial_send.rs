//! The errata's claim about `send`: the tutorial says that `send` "loses"
//! what does not fit in the send buffer. It does not: `send` (Rust's
//! `Write::write`) returns how many bytes the kernel took, and the caller
//! must send the rest later; that loop is `sendall` (Rust's `write_all`).
//!
//! Loopback only, bounded: every blocking call has a timeout, nothing
//! sleeps.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use socket2::{Domain, SockRef, Socket, Type};

/// Far more than a small send buffer plus a small receive buffer can hold.
const MESSAGE_LEN: usize = 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(5);

fn message() -> Vec<u8> {
    (0..MESSAGE_LEN).map(|i| (i % 251) as u8).collect()
}

/// A connected pair whose receiving side has a small receive buffer (set on
/// the listener before the handshake, so the advertised window is small)
/// and whose sending side has a small send buffer.
fn small_buffer_pair() -> (TcpStream, TcpStream) {
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
    listener.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    let any: SocketAddr = "127.0.0.1:0".parse().expect("address");
    listener.bind(&any.into()).expect("bind");
    listener.listen(1).expect("listen");
    let listener: TcpListener = listener.into();
    let addr = listener.local_addr().expect("local address");
    let sender = TcpStream::connect_timeout(&addr, TIMEOUT).expect("connect");
    let (receiver, _) = listener.accept().expect("accept");
    SockRef::from(&sender)
        .set_send_buffer_size(4096)
        .expect("SO_SNDBUF");
    receiver.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    sender.set_write_timeout(Some(TIMEOUT)).expect("timeout");
    (sender, receiver)
}

#[test]
fn a_send_takes_only_what_fits_and_loses_nothing() {
    let (mut sender, mut receiver) = small_buffer_pair();
    let message = message();

    // One non-blocking write (Python's send on a non-blocking socket): the
    // kernel takes what fits in the buffers and says how much.
    sender.set_nonblocking(true).expect("non-blocking");
    let taken = sender
        .write(&message)
        .expect("the first write takes something");
    assert!(
        taken > 0 && taken < MESSAGE_LEN,
        "a write of {MESSAGE_LEN} bytes into small buffers should be partial, took {taken}"
    );
    // Further writes take what has been freed since, until the buffers are
    // full: then a write takes nothing and says WouldBlock. Nothing was
    // dropped on the way; the rest is still in our `message`.
    let mut sent = taken;
    let mut writes = 1;
    loop {
        match sender.write(&message[sent..]) {
            Ok(n) => sent += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
            Err(e) => panic!("a non-blocking write failed: {e}"),
        }
        writes += 1;
        assert!(
            sent < MESSAGE_LEN && writes < 100_000,
            "the buffers should fill up"
        );
    }

    // The receiver drains the connection while the sender sends the rest
    // the way sendall does: write, see how much was taken, write the rest.
    let reader = thread::spawn(move || {
        let mut got = Vec::with_capacity(MESSAGE_LEN);
        receiver.read_to_end(&mut got).map(|_| got)
    });
    sender.set_nonblocking(false).expect("blocking again");
    while sent < MESSAGE_LEN {
        let n = sender.write(&message[sent..]).expect("a blocking write");
        assert!(n > 0, "a blocking write returns at least one byte");
        sent += n;
        writes += 1;
        assert!(writes <= MESSAGE_LEN, "each write takes at least one byte");
    }
    sender.shutdown(Shutdown::Write).expect("shutdown");
    let got = reader.join().expect("reader thread").expect("read to end");
    assert!(writes > 2, "the rest needed more writes, took {writes}");
    assert_eq!(got.len(), MESSAGE_LEN, "every byte arrives");
    assert!(got == message, "the bytes arrive in order, none lost");
}

#[test]
fn write_all_is_the_loop_that_sendall_is() {
    let (mut sender, mut receiver) = small_buffer_pair();
    let message = message();
    let reader = thread::spawn(move || {
        let mut got = Vec::with_capacity(MESSAGE_LEN);
        receiver.read_to_end(&mut got).map(|_| got)
    });
    sender
        .write_all(&message)
        .expect("write_all sends everything");
    sender.shutdown(Shutdown::Write).expect("shutdown");
    let got = reader.join().expect("reader thread").expect("read to end");
    assert!(got == message, "all {MESSAGE_LEN} bytes arrive in order");
}
