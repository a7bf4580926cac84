//! `lab07-server [ADDR]`: lab 2's server (reply `已收到` to every message),
//! but serving any number of clients at once on ONE thread, with
//! non-blocking sockets and a readiness loop (mio's `Poll`).
//!
//! It prints the same lines as lab 2: `listening on IP:PORT`, then
//! `accepted a client from IP:PORT` for each client, each message as it
//! was read, `client IP:PORT closed the connection (recv returned 0 bytes)`
//! when a client closes, and `lost the connection with client IP:PORT:
//! WHY` when a connection fails (for example `could not read from the
//! client: connection reset by peer`, or `could not send the reply: broken
//! pipe` for a write that fails). A client that gives up while it
//! waits in the backlog (BSD, macOS) gives `a client gave up before it was
//! accepted`. Unlike lab 2, a second client is accepted and answered while
//! the first one is still connected.
//!
//! The Python version, with the standard library's `selectors` (the same
//! idea: one loop asks the kernel which sockets are ready, and touches only
//! those, never blocking on any one of them):
//!
//! ```python
//! import selectors, socket
//! sel = selectors.DefaultSelector()            # Poll::new
//! server = socket.socket()                     # open_listener
//! server.bind(('127.0.0.1', 18000))
//! server.listen(1024)
//! server.setblocking(False)
//! sel.register(server, selectors.EVENT_READ)   # register(LISTENER)
//! while True:                                  # serve_forever
//!     for key, mask in sel.select():           # poll.poll
//!         if key.fileobj is server:
//!             sock, addr = server.accept()     # accept_clients
//!             sock.setblocking(False)
//!             sel.register(sock, selectors.EVENT_READ)
//!         else:
//!             sock = key.fileobj               # serve_ready
//!             try:
//!                 msg = sock.recv(1024)        # receive_messages
//!             except BlockingIOError:
//!                 continue
//!             if not msg:                      # EOF
//!                 sel.unregister(sock)         # close_client
//!                 sock.close()
//!                 continue
//!             print(msg.decode('utf-8'))
//!             sock.send('已收到'.encode('utf-8'))  # flush (may be short!)
//! ```
//!
//! Python's `selectors` is level-triggered: a socket with bytes left unread
//! is reported again by the next `select()`. mio is edge-triggered (epoll's
//! `EPOLLET`, kqueue's `EV_CLEAR`): a socket is reported when it BECOMES
//! ready, once. So after an event the server must read until the kernel
//! says `WouldBlock` ("nothing more for now"), or the bytes left over wait
//! until the client sends something new. And a non-blocking `send` may
//! take only part of the reply (or nothing) when the socket's send buffer
//! is full because that client does not read: the server keeps the rest in
//! the client's output buffer and sends it when the poll says the socket
//! is writable again, answering everyone else meanwhile. The Python sketch
//! above ignores that short count; the Rust server must not.

use anyhow::{Context, Result};
use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};
use socket2::{Domain, Protocol, Socket, Type};
use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::process::ExitCode;

/// The tutorial's `('127.0.0.1', 18000)`, as in lab 2.
const DEFAULT_ADDR: &str = "127.0.0.1:18000";
/// How many connections, fully set up by the kernel, may wait for
/// `accept`. Lab 2 kept the tutorial's 5 because it accepted one client at
/// a time; a server meant for many clients at once takes a deep queue, so
/// that a burst of a thousand connections does not overflow it (the kernel
/// caps it at `net.core.somaxconn`, 4096 on recent Linux).
const BACKLOG: i32 = 1024;
/// The tutorial's `recv(1024)`: one read returns at most this many bytes.
const BUFFER_SIZE: usize = 1024;
/// What the server answers to every message, in UTF-8 (9 bytes).
const REPLY: &str = "已收到";
/// The listening socket's token: the poll reports events by token, and
/// clients get 1, 2, 3… (never 0).
const LISTENER: Token = Token(0);
/// How many events one call to `poll` may return at most; more ready
/// sockets are simply reported by the next call.
const EVENTS_CAPACITY: usize = 256;

/// One connected client, as the loop keeps it between events.
struct Client {
    /// The non-blocking connection.
    stream: TcpStream,
    /// The client's address, for the lines the server prints.
    peer: SocketAddr,
    /// Reply bytes that the kernel has not taken yet: a non-blocking write
    /// takes only what fits in the socket's send buffer, and this client may
    /// not be reading. Sent, from the front, when the socket is writable.
    output: Vec<u8>,
    /// The client closed its sending side (a read returned 0 bytes); the
    /// connection is closed as soon as `output` is empty.
    eof: bool,
}

/// What [`serve_ready`] found after serving one event.
#[derive(Debug, PartialEq, Eq)]
enum Progress {
    /// Everything that could be done without blocking is done; wait for
    /// the next event.
    Open,
    /// The client closed (EOF) and every reply has been handed to the
    /// kernel: close the connection.
    Closed,
}

fn main() -> ExitCode {
    labkit::run(|| {
        let addr = labkit::addr_arg(DEFAULT_ADDR)?;
        let listener = open_listener(addr)?;
        labkit::announce_listening(listener.local_addr())?;
        serve_forever(listener)
    })
}

/// Creates the listening socket as lab 2 does (SO_REUSEADDR before `bind`,
/// then `listen`), and makes it non-blocking: Python's
/// `server.setblocking(False)`. A non-blocking `accept` with no connection
/// waiting fails at once with `WouldBlock` instead of sleeping. mio's
/// `TcpListener::from_std` takes it as it is (it does not change the
/// mode itself).
///
/// # Errors
///
/// `could not create a TCP socket`, `could not set SO_REUSEADDR`,
/// `could not bind ADDR`, `could not listen on ADDR`, or `could not make
/// the listener non-blocking`.
fn open_listener(addr: SocketAddr) -> Result<TcpListener> {
    // ANCHOR: open_listener
    // BEGIN SOLUTION
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .context("could not create a TCP socket")?;
    socket
        .set_reuse_address(labkit::REUSE_ADDRESS)
        .context("could not set SO_REUSEADDR")?;
    socket
        .bind(&addr.into())
        .with_context(|| format!("could not bind {addr}"))?;
    socket
        .listen(BACKLOG)
        .with_context(|| format!("could not listen on {addr}"))?;
    socket
        .set_nonblocking(true)
        .context("could not make the listener non-blocking")?;
    Ok(TcpListener::from_std(socket.into()))
    // END SOLUTION
    // ANCHOR_END: open_listener
}

/// The readiness loop: Python's `while True: for key, mask in
/// sel.select()`.
///
/// Registers the listener with a `Poll` under [`LISTENER`] for
/// `Interest::READABLE` (a connection waiting to be accepted makes it
/// readable), then loops: `poll.poll(&mut events, None)` sleeps until at
/// least one registered socket is ready (`None`: no timeout; never poll
/// with a zero timeout, which returns at once and turns the loop into a
/// busy loop that burns a whole core while nothing happens). For each
/// event: the listener's token means [`accept_clients`]; any other token
/// is a client's, served by [`serve_ready`]: when it returns
/// [`Progress::Closed`] print [`report_closed`], when it returns an error
/// print [`report_lost`], and in both cases [`close_client`]. A token that
/// is no longer in the table (its client was closed by an earlier event of
/// the same batch) is skipped.
///
/// A `poll` interrupted by a signal (`ErrorKind::Interrupted`) is simply
/// called again.
///
/// # Errors
///
/// `could not create the poll`, `could not register the listener`, `poll
/// failed`, or what [`accept_clients`] returns: never because of one
/// client.
fn serve_forever(listener: TcpListener) -> Result<()> {
    // ANCHOR: serve_forever
    // Tokens are never reused: a late event for a closed client can then
    // never be mistaken for a new client's.
    // BEGIN SOLUTION
    let mut listener = listener;
    let mut poll = Poll::new().context("could not create the poll")?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .context("could not register the listener")?;
    let mut events = Events::with_capacity(EVENTS_CAPACITY);
    let mut clients: HashMap<Token, Client> = HashMap::new();
    let mut next_token = 1;
    loop {
        match poll.poll(&mut events, None) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).context("poll failed"),
        }
        for event in events.iter() {
            let token = event.token();
            if token == LISTENER {
                accept_clients(&poll, &listener, &mut clients, &mut next_token)?;
                continue;
            }
            let Some(client) = clients.get_mut(&token) else {
                continue;
            };
            match serve_ready(client) {
                Ok(Progress::Open) => {}
                Ok(Progress::Closed) => {
                    report_closed(client.peer);
                    close_client(&poll, &mut clients, token);
                }
                Err(e) => {
                    report_lost(client.peer, &e);
                    close_client(&poll, &mut clients, token);
                }
            }
        }
    }
    // END SOLUTION
    // ANCHOR_END: serve_forever
}

/// Accepts every connection waiting in the backlog: Python's
/// `server.accept()`, called until it raises `BlockingIOError`. The
/// listener's event is edge-triggered too: accepting only one would leave
/// the others waiting until yet another client connects.
///
/// Each new client is registered under a fresh token (`*next_token`, then
/// incremented) for `Interest::READABLE | Interest::WRITABLE`: readable
/// when it sent something (or closed), writable when a send buffer that
/// was full has room again. mio's accepted streams are already
/// non-blocking. Print [`report_accepted`] for each, and put it in
/// `clients` with an empty output buffer.
///
/// A client that gave up before it was accepted
/// ([`labkit::is_aborted_before_accept`]) is no reason to stop: print `a
/// client gave up before it was accepted` and go on.
///
/// # Errors
///
/// `accept failed` (for example out of file descriptors), or `could not
/// register a client`.
fn accept_clients(
    poll: &Poll,
    listener: &TcpListener,
    clients: &mut HashMap<Token, Client>,
    next_token: &mut usize,
) -> Result<()> {
    // ANCHOR: accept_clients
    // BEGIN SOLUTION
    loop {
        let (mut stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(()),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if labkit::is_aborted_before_accept(&e) => {
                println!("a client gave up before it was accepted");
                continue;
            }
            Err(e) => return Err(e).context("accept failed"),
        };
        let token = Token(*next_token);
        *next_token += 1;
        poll.registry()
            .register(&mut stream, token, Interest::READABLE | Interest::WRITABLE)
            .context("could not register a client")?;
        report_accepted(peer);
        let client = Client {
            stream,
            peer,
            output: Vec::new(),
            eof: false,
        };
        clients.insert(token, client);
    }
    // END SOLUTION
    // ANCHOR_END: accept_clients
}

/// Serves one client the poll reported ready (readable, writable or
/// both: doing both every time is simplest, and a read or write that has
/// nothing to do fails at once with `WouldBlock`):
/// [`receive_messages`], then [`flush`] its output buffer.
///
/// Returns [`Progress::Closed`] once the client has closed (EOF) and its
/// output buffer is empty, [`Progress::Open`] otherwise. Check that on
/// every event, not only on the one that read the EOF: a client may send
/// its messages and shut down its sending side before it reads a single
/// reply (`printf … | nc -N`, Python's `sock.shutdown(socket.SHUT_WR)`).
/// Its EOF then arrives while replies are still owed: closing at once would
/// drop them, and closing only when EOF and an empty buffer come in the
/// same event would never close it (the buffer empties on a later writable
/// event). Once EOF was read there is nothing more to read: only flush.
///
/// # Errors
///
/// What [`receive_messages`] or [`flush`] return (a reset, say).
fn serve_ready(client: &mut Client) -> Result<Progress> {
    // ANCHOR: serve_ready
    // BEGIN SOLUTION
    if !client.eof {
        receive_messages(client)?;
    }
    flush(client)?;
    if client.eof && client.output.is_empty() {
        Ok(Progress::Closed)
    } else {
        Ok(Progress::Open)
    }
    // END SOLUTION
    // ANCHOR_END: serve_ready
}

/// Reads until the kernel has nothing more: Python's `sock.recv(1024)` in
/// a loop that stops at `BlockingIOError` (Rust: `ErrorKind::WouldBlock`).
///
/// Each read of `n > 0` bytes (at most [`BUFFER_SIZE`]) is one message, as
/// in lab 2: print it (`labkit::show`) and append [`REPLY`] to the
/// client's output buffer. A read of 0 bytes is EOF: set `client.eof` and
/// stop. `WouldBlock` means everything queued has been read: stop (the
/// poll wakes the loop when more arrives), however many reads that took:
/// a cap per event ("three reads, to be fair to the others") strands the
/// rest of a long message, which the edge-triggered poll does not report
/// again. Never go round again on `WouldBlock`: retrying at once is a busy
/// loop that never lets the other clients' turn come. `Interrupted` is
/// retried.
///
/// # Errors
///
/// Any other failure, with the context `could not read from the client`
/// (lab 2's line: `lost the connection with client IP:PORT: could not
/// read from the client: connection reset by peer`).
fn receive_messages(client: &mut Client) -> Result<()> {
    // ANCHOR: receive_messages
    // BEGIN SOLUTION
    let mut buffer = [0u8; BUFFER_SIZE];
    loop {
        match client.stream.read(&mut buffer) {
            Ok(0) => {
                client.eof = true;
                return Ok(());
            }
            Ok(n) => {
                println!("{}", labkit::show(&buffer[..n]));
                client.output.extend_from_slice(REPLY.as_bytes());
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(()),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).context("could not read from the client"),
        }
    }
    // END SOLUTION
    // ANCHOR_END: receive_messages
}

/// Sends as much of the client's output buffer as the kernel takes now:
/// Python's `sock.send(data)`, whose return value counts what was taken.
///
/// Loop while the buffer is not empty: `write` returns `n`, the bytes the
/// kernel accepted, possibly fewer than asked: remove exactly those `n`
/// from the front of the buffer and keep the rest, never drop it.
/// `WouldBlock` means the send buffer is full (this client is not reading
/// fast enough): stop, and keep the rest for the next writable event.
/// (`write_all` is wrong here: on a non-blocking socket it fails with
/// `WouldBlock` and does not say how much it had sent.) `Interrupted` is
/// retried.
///
/// Any other failure is this client's end, never the server's: return it
/// (the loop prints `lost the connection with client IP:PORT: could not
/// send the reply: WHY` and closes that connection only). A panic here
/// would let one client stop the server for everyone; treating it as
/// `WouldBlock` would keep a dead connection, and its output, forever. A
/// client that resets after it shut down its sending side, while the
/// server still owes it replies, makes the next write fail with `broken
/// pipe` (Linux reports a reset that follows the client's FIN as EPIPE).
///
/// # Errors
///
/// A write of 0 bytes (`could not send the reply: the connection took no
/// bytes`) or any other failure (`could not send the reply`).
fn flush(client: &mut Client) -> Result<()> {
    // ANCHOR: flush
    // BEGIN SOLUTION
    while !client.output.is_empty() {
        match client.stream.write(&client.output) {
            Ok(0) => anyhow::bail!("could not send the reply: the connection took no bytes"),
            Ok(n) => {
                client.output.drain(..n);
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(()),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).context("could not send the reply"),
        }
    }
    Ok(())
    // END SOLUTION
    // ANCHOR_END: flush
}

/// Takes a finished client out of the loop: Python's `sel.unregister(sock)`
/// then `sock.close()`. Remove it from `clients`, deregister its stream
/// from the poll (a socket left registered, or left in the table, stays
/// open: the client never reads EOF and the server leaks a descriptor per
/// client), and let it drop, which closes it.
fn close_client(poll: &Poll, clients: &mut HashMap<Token, Client>, token: Token) {
    // ANCHOR: close_client
    // A failed deregister changes nothing for the client: the socket is
    // closed just after, which removes it from the poll anyway.
    // BEGIN SOLUTION
    if let Some(mut client) = clients.remove(&token) {
        let _ = poll.registry().deregister(&mut client.stream);
    }
    // END SOLUTION
    // ANCHOR_END: close_client
}

/// Prints that a client was accepted: `accepted a client from IP:PORT`.
fn report_accepted(peer: SocketAddr) {
    println!("accepted a client from {peer}");
}

/// Prints that the client closed the connection normally.
fn report_closed(peer: SocketAddr) {
    println!("client {peer} closed the connection (recv returned 0 bytes)");
}

/// Prints that the connection with the client failed, and why.
fn report_lost(peer: SocketAddr, error: &anyhow::Error) {
    println!(
        "lost the connection with client {peer}: {}",
        labkit::error_line(error)
    );
}
