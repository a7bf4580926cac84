//! `lab06-server [ADDR] [--max-clients N | --pool N]`: lab 2's echo server,
//! serving many clients at once.
//!
//! The protocol is lab 2's, line for line: for each client, read up to 1024
//! bytes, print them, reply `已收到` ("received"), until the client closes
//! (a read returns 0 bytes) or the connection fails. What changes is that a
//! client no longer waits in the backlog while another one is served. Two
//! ways, one option each (the student writes both):
//!
//! - **A thread per client** (the default): the accept loop starts a new
//!   thread for each accepted client, at most `--max-clients N` at once
//!   (default 64). When that many are connected, the loop waits for one to
//!   leave before it accepts again, so the next client waits in the kernel's
//!   backlog, as in lab 2, instead of the server starting threads without
//!   limit.
//! - **A fixed pool** (`--pool N`): N worker threads are started once; the
//!   accept loop accepts every client at once and hands the connection over
//!   a channel; a free worker takes the oldest one. With N clients busy, the
//!   next one is accepted and waits in the channel, in the server's own
//!   memory.
//!
//! The Python original is the tutorial series' next step, `socketserver`:
//!
//! ```python
//! import socketserver
//!
//! class Handler(socketserver.BaseRequestHandler):
//!     def handle(self):                       # serve_client, on its own thread
//!         while True:
//!             msg = self.request.recv(1024)
//!             if not msg:
//!                 break
//!             print(msg.decode('utf-8'))
//!             self.request.sendall('已收到'.encode('utf-8'))
//!
//! server = socketserver.ThreadingTCPServer(('127.0.0.1', 18000), Handler)
//! server.serve_forever()                      # serve_threads
//! ```
//!
//! `ThreadingTCPServer` starts a thread per client without any limit; this
//! server has one (`--max-clients`). Python has no pool in `socketserver`;
//! `concurrent.futures.ThreadPoolExecutor(max_workers=N)` is the pool
//! (`executor.submit(handle, sock)` after each `accept`), and `--pool N` is
//! that model.
//!
//! # What it prints
//!
//! Every line is printed with one `println!`, which holds the lock on stdout
//! for that one line: lines from clients served at the same time never mix
//! inside a line.
//!
//! - `listening on IP:PORT` first.
//! - `accepted a client from IP:PORT` for each client it accepts.
//! - Each message, as text.
//! - `client IP:PORT closed the connection (recv returned 0 bytes)` when a
//!   client leaves, or `lost the connection with client IP:PORT: WHY` when
//!   its connection fails (WHY is `could not read from the client: ...` or
//!   `could not send the reply: ...`).
//! - `a client gave up before it was accepted` (BSD, macOS: a client that
//!   left while it waited in the backlog).
//! - At the end of its input (Ctrl-D in a terminal, or a closed pipe):
//!   `end of input: no new clients; waiting for the connected ones to leave`,
//!   then, once every client has left and every thread has been joined,
//!   `every client has left: the server stops`, and it exits with status 0.
//!
//! Errors that stop it, on stderr with status 1: a bad `ADDR` or option
//! (`--max-clients` and `--pool` take a number from 1 up), `could not bind
//! IP:PORT`, `accept failed`.

use anyhow::{Context, Result, bail};
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// The tutorial's `('127.0.0.1', 18000)`.
const DEFAULT_ADDR: &str = "127.0.0.1:18000";
/// How many clients the thread-per-client server serves at once unless
/// `--max-clients` says otherwise.
const DEFAULT_MAX_CLIENTS: usize = 64;
/// The tutorial's `recv(1024)`: one read returns at most this many bytes.
const BUFFER_SIZE: usize = 1024;
/// What the server answers to every message, in UTF-8 (9 bytes).
const REPLY: &str = "已收到";

/// How the server serves its clients: the command-line options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A thread per client, at most this many at once (`--max-clients N`).
    ThreadPerClient { max_clients: usize },
    /// This many worker threads, started once (`--pool N`).
    Pool { workers: usize },
}

fn main() -> ExitCode {
    labkit::run(|| {
        let (addr, mode) = parse_args(std::env::args().skip(1))?;
        let listener = TcpListener::bind(addr).with_context(|| format!("could not bind {addr}"))?;
        labkit::announce_listening(listener.local_addr())?;
        match mode {
            Mode::ThreadPerClient { max_clients } => serve_threads(&listener, max_clients)?,
            Mode::Pool { workers } => serve_pool(&listener, workers)?,
        }
        println!("every client has left: the server stops");
        Ok(())
    })
}

/// `[ADDR] [--max-clients N | --pool N]`, in any order.
fn parse_args(args: impl Iterator<Item = String>) -> Result<(SocketAddr, Mode)> {
    let mut addr = None;
    let mut mode = Mode::ThreadPerClient {
        max_clients: DEFAULT_MAX_CLIENTS,
    };
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let mut count = |option: &str| -> Result<usize> {
            let value = args.next().unwrap_or_default();
            match value.parse::<usize>() {
                Ok(n) if n >= 1 => Ok(n),
                _ => bail!("bad {option} `{value}`: expected a number from 1 up"),
            }
        };
        match arg.as_str() {
            "--max-clients" => {
                mode = Mode::ThreadPerClient {
                    max_clients: count("--max-clients")?,
                }
            }
            "--pool" => {
                mode = Mode::Pool {
                    workers: count("--pool")?,
                }
            }
            _ if addr.is_none() && !arg.starts_with("--") => {
                addr = Some(labkit::parse_addr(Some(&arg), DEFAULT_ADDR)?);
            }
            _ => bail!(
                "unexpected argument `{arg}`: usage: lab06-server [ADDR] [--max-clients N | --pool N]"
            ),
        }
    }
    Ok((
        addr.map_or_else(|| labkit::parse_addr(None, DEFAULT_ADDR), Ok)?,
        mode,
    ))
}

/// A thread per client, at most `max_clients` at once: Python's
/// `ThreadingTCPServer`, with a bound.
///
/// The bound is a channel of free slots: it starts with `max_clients`
/// tokens (`()`); the accept loop takes one (`recv`, which waits while there
/// is none) before each `accept`, and each client's thread gives its token
/// back (`send`) after it has printed how its client left. While every slot
/// is taken the loop does not call `accept`, so the next client waits in the
/// kernel's backlog, as in lab 2, and is accepted when one leaves.
///
/// Start each client's thread with `scope.spawn` inside
/// [`std::thread::scope`]: the scope joins every thread it started before it
/// returns, so when [`accept_client`] says the server stops (end of input,
/// `None`), print [`report_stopping`] and leave the loop; the scope then
/// waits for the clients still connected. Never `join` a thread right after
/// spawning it: that waits for its client to leave, and the server is serial
/// again, like lab 2.
///
/// # Errors
///
/// `accept failed` (see [`accept_client`]).
fn serve_threads(listener: &TcpListener, max_clients: usize) -> Result<()> {
    let (free_slot, wait_for_slot) = mpsc::channel::<()>();
    // At the end of input, one more token wakes the loop if it is waiting
    // for a slot (it then sees that the server stops).
    let wake = free_slot.clone();
    let stop = stop_at_end_of_input(listener, move || {
        let _ = wake.send(());
    })?;
    // ANCHOR: serve_threads
    // Each thread owns its connection (`move`) and a clone of the sender,
    // which it uses once its client has gone. The slot is given back after
    // the client's last line is printed, so that line always comes before
    // the next client's `accepted a client from ...`.
    // BEGIN SOLUTION
    for _ in 0..max_clients {
        let _ = free_slot.send(());
    }
    thread::scope(|scope| {
        loop {
            let _ = wait_for_slot.recv();
            let Some((conn, peer)) = accept_client(listener, &stop)? else {
                break;
            };
            report_accepted(peer);
            let free_slot = free_slot.clone();
            scope.spawn(move || {
                serve_and_report(conn, peer);
                let _ = free_slot.send(());
            });
        }
        report_stopping();
        Ok(())
    })
    // END SOLUTION
    // ANCHOR_END: serve_threads
}

/// A fixed pool of `workers` threads, started once, taking accepted
/// connections from a channel: the thread-pool model.
///
/// Make the channel (`mpsc::channel`), put its receiving end in a `Mutex`
/// so that all the workers can share it (a `Receiver` has one owner; the
/// lock makes the workers take turns), and start the workers with
/// `scope.spawn` inside [`std::thread::scope`], each running [`work`]. Then
/// the accept loop: [`accept_client`], [`report_accepted`], and `send` the
/// connection with its address to the workers; it never waits for a worker,
/// so a client accepted while every worker is busy waits in the channel.
///
/// When [`accept_client`] says the server stops (`None`): print
/// [`report_stopping`] and drop the sender. A worker's `recv` then returns
/// the connections still queued, and after them an error, which tells it to
/// return; the scope joins the workers once each has finished its client.
///
/// # Errors
///
/// `accept failed` (see [`accept_client`]); `the workers are gone` if the
/// channel cannot take a connection (it always can: the receiver lives in
/// this function).
fn serve_pool(listener: &TcpListener, workers: usize) -> Result<()> {
    let stop = stop_at_end_of_input(listener, || {})?;
    // ANCHOR: serve_pool
    // `drop(queue)` inside the scope's closure moves the sender into it, so
    // it is dropped when the closure returns, also on an early `?`: the
    // workers' `recv` then fails and the scope can join them.
    // BEGIN SOLUTION
    let (queue, connections) = mpsc::channel::<(TcpStream, SocketAddr)>();
    let connections = Mutex::new(connections);
    thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| work(&connections));
        }
        while let Some((conn, peer)) = accept_client(listener, &stop)? {
            report_accepted(peer);
            queue.send((conn, peer)).context("the workers are gone")?;
        }
        report_stopping();
        drop(queue);
        Ok(())
    })
    // END SOLUTION
    // ANCHOR_END: serve_pool
}

/// One worker of the pool: takes the next connection from the channel,
/// serves it with [`serve_and_report`], and takes the next, until the
/// channel is closed and empty (`recv` returns an error): then it returns.
///
/// Hold the lock only while taking a connection, never while serving one:
/// `connections.lock()` in a statement of its own (a `let`), so the guard
/// is dropped at its end. A worker that kept the lock while it served its
/// client would leave the other workers waiting for the lock: one client
/// at a time again.
fn work(connections: &Mutex<Receiver<(TcpStream, SocketAddr)>>) {
    // ANCHOR: work
    // A poisoned lock (a worker panicked while holding it) still holds a
    // usable receiver: `into_inner` takes it.
    // BEGIN SOLUTION
    loop {
        let next = connections
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .recv();
        let Ok((conn, peer)) = next else {
            return;
        };
        serve_and_report(conn, peer);
    }
    // END SOLUTION
    // ANCHOR_END: work
}

/// Serves one client with [`serve_client`] and prints how it left:
/// [`report_closed`] when `serve_client` returns `Ok`, or [`report_lost`]
/// when it returns an error.
///
/// A client's error is a value to report, never a reason to panic: a panic
/// ends the thread it happens on, so a pool's worker that panics is gone
/// for good, and with it, once every worker is gone, the server.
fn serve_and_report(conn: TcpStream, peer: SocketAddr) {
    // ANCHOR: serve_and_report
    // BEGIN SOLUTION
    let mut conn = conn;
    match serve_client(&mut conn) {
        Ok(()) => report_closed(peer),
        Err(e) => report_lost(peer, &e),
    }
    // END SOLUTION
    // ANCHOR_END: serve_and_report
}

/// Lab 2's inner loop, for one client: read up to 1024 bytes; 0 bytes is
/// EOF, return `Ok(())`; otherwise print the message (`labkit::show`) and
/// reply `已收到` with `write_all`, and read again.
///
/// Print each message with its own `println!`: it locks stdout for that
/// line only. Never keep stdout locked (`io::stdout().lock()`) across a
/// read: the read waits for this client, and every other thread that wants
/// to print (the accept loop, the other clients) would wait for it too.
///
/// # Errors
///
/// A failed read, with the context `could not read from the client`, or a
/// failed reply, with `could not send the reply` (for example the client
/// reset the connection).
fn serve_client(conn: &mut TcpStream) -> Result<()> {
    // ANCHOR: serve_client
    // BEGIN SOLUTION
    let mut buffer = [0u8; BUFFER_SIZE];
    loop {
        let n = conn
            .read(&mut buffer)
            .context("could not read from the client")?;
        if n == 0 {
            return Ok(());
        }
        println!("{}", labkit::show(&buffer[..n]));
        conn.write_all(REPLY.as_bytes())
            .context("could not send the reply")?;
    }
    // END SOLUTION
    // ANCHOR_END: serve_client
}

/// Waits for the next client, like lab 2's `accept`, and returns `None`
/// once the end of input has asked the server to stop (see
/// [`stop_at_end_of_input`]).
///
/// `accept` blocks, and nothing but a new connection ends it; so the thread
/// that sees the end of input sets `stop` and then connects to the server
/// itself. This loop accepts that connection, sees `stop`, and closes it.
///
/// # Errors
///
/// `accept failed`, when `accept` fails in a way that is not one client's
/// fault (for example the process ran out of file descriptors).
fn accept_client(
    listener: &TcpListener,
    stop: &AtomicBool,
) -> Result<Option<(TcpStream, SocketAddr)>> {
    loop {
        if stop.load(Ordering::SeqCst) {
            return Ok(None);
        }
        match listener.accept() {
            Ok(_) if stop.load(Ordering::SeqCst) => return Ok(None),
            Ok(accepted) => return Ok(Some(accepted)),
            Err(e) if labkit::is_aborted_before_accept(&e) => {
                println!("a client gave up before it was accepted");
            }
            Err(e) => return Err(e).context("accept failed"),
        }
    }
}

/// Starts a thread that reads stdin to its end (Ctrl-D in a terminal, the
/// end of a pipe), then sets the flag it returns, calls `wake`, and
/// connects once to the listener's address so that a blocked `accept`
/// returns (see [`accept_client`]).
///
/// This is how the server stops without Ctrl-C: Ctrl-C kills the process
/// at once, in the middle of whatever its threads were doing; the end of
/// input lets it finish every conversation and join its threads.
///
/// # Errors
///
/// The listener's address cannot be read (it always can).
fn stop_at_end_of_input(
    listener: &TcpListener,
    wake: impl FnOnce() + Send + 'static,
) -> Result<Arc<AtomicBool>> {
    let mut addr = listener
        .local_addr()
        .context("could not read the listening address")?;
    // A server on 0.0.0.0 or [::] is reached through loopback.
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr.ip() {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
        });
    }
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    thread::spawn(move || {
        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
        flag.store(true, Ordering::SeqCst);
        wake();
        let _ = TcpStream::connect_timeout(&addr, Duration::from_secs(2));
    });
    Ok(stop)
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

/// Prints that the server accepts no more clients and waits for the
/// connected ones.
fn report_stopping() {
    println!("end of input: no new clients; waiting for the connected ones to leave");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<(SocketAddr, Mode)> {
        parse_args(args.iter().map(|a| (*a).to_owned()))
    }

    #[test]
    fn options_choose_the_mode_and_the_address() {
        let (addr, mode) = parse(&[]).unwrap();
        assert_eq!(addr.to_string(), DEFAULT_ADDR);
        assert_eq!(
            mode,
            Mode::ThreadPerClient {
                max_clients: DEFAULT_MAX_CLIENTS
            }
        );
        let (addr, mode) = parse(&["--pool", "4", "127.0.0.1:0"]).unwrap();
        assert_eq!(addr.port(), 0);
        assert_eq!(mode, Mode::Pool { workers: 4 });
        let (_, mode) = parse(&["127.0.0.1:0", "--max-clients", "2"]).unwrap();
        assert_eq!(mode, Mode::ThreadPerClient { max_clients: 2 });
    }

    #[test]
    fn bad_options_are_one_clear_error() {
        let error = parse(&["--pool", "0"]).unwrap_err().to_string();
        assert_eq!(error, "bad --pool `0`: expected a number from 1 up");
        let error = parse(&["--max-clients"]).unwrap_err().to_string();
        assert_eq!(error, "bad --max-clients ``: expected a number from 1 up");
        assert!(parse(&["--threads", "2"]).is_err());
    }
}
