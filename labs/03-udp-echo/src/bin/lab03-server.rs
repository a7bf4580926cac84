//! `lab03-server [ADDR]`: the tutorial's UDP server (Socket UDP通讯, 循环链接),
//! as an echo server.
//!
//! It binds a UDP socket and, for each datagram that arrives, prints
//! `来自客户端ADDR的信息:MSG` ("message from client ADDR: MSG") and sends the
//! same bytes back to the address the datagram came from. There is no
//! `listen` and no `accept`: UDP has no connections, every datagram carries
//! its sender's address, and one socket talks to any number of clients.
//!
//! The Python original (its server asks you to type each reply with
//! `input()`; this one echoes instead, so that it can be tested):
//!
//! ```python
//! server = socket.socket(type=socket.SOCK_DGRAM)   # open_socket
//! server.bind(('127.0.0.1', 8080))                 # open_socket
//! while True:
//!     msg, addr = server.recvfrom(1024)            # receive_datagram
//!     print("来自客户端%s的信息:%s" % (addr, msg.decode('utf-8')))
//!     server.sendto(msg, addr)                     # send_back
//! ```
//!
//! `recvfrom(1024)` takes ONE datagram from the socket's queue, whatever its
//! size: if it is longer than the buffer, the kernel copies the first 1024
//! bytes and throws the rest away (UDP "loses data but never merges it", as
//! the tutorial says). Python does not tell you when that happens; this
//! server does, with the second line `(cut: ...)`.

use anyhow::Result;
use std::net::{SocketAddr, UdpSocket};
use std::process::ExitCode;

/// The tutorial's `('127.0.0.1', 8080)`.
const DEFAULT_ADDR: &str = "127.0.0.1:8080";
/// The tutorial's `recvfrom(1024)`: the most bytes of one datagram we keep.
const BUFFER_SIZE: usize = 1024;
/// Larger than any UDP payload (65507 bytes over IPv4, 65527 over IPv6):
/// a buffer this size always holds a whole datagram.
const LARGEST_PAYLOAD: usize = 65535;

/// One datagram as the server received it.
#[derive(Debug)]
struct Datagram {
    /// The bytes that fit in the buffer: at most [`BUFFER_SIZE`].
    bytes: Vec<u8>,
    /// The sender's address: where the reply goes.
    from: SocketAddr,
    /// How long the datagram really was; more than `bytes.len()` when the
    /// buffer was too small and the rest was lost.
    len: usize,
}

fn main() -> ExitCode {
    labkit::run(|| {
        let addr = labkit::addr_arg(DEFAULT_ADDR)?;
        let socket = open_socket(addr)?;
        labkit::announce_listening(socket.local_addr())?;
        // No accept: the same socket receives from every client.
        loop {
            let datagram = match receive_datagram(&socket) {
                Ok(datagram) => datagram,
                // Windows reports an ICMP "port unreachable", caused by an
                // earlier reply to a client that had gone, as a failed
                // recvfrom (WSAECONNRESET). That client is gone; go on.
                Err(e) if e.downcast_ref().is_some_and(labkit::is_unreachable_reset) => {
                    println!("{}", labkit::error_line(&e));
                    continue;
                }
                Err(e) => return Err(e),
            };
            println!(
                "来自客户端{}的信息:{}",
                datagram.from,
                labkit::show(&datagram.bytes)
            );
            if datagram.len > datagram.bytes.len() {
                println!(
                    "(cut: the datagram had {} bytes, only the first {} fit in the buffer; the rest is lost)",
                    datagram.len,
                    datagram.bytes.len()
                );
            }
            // A failed reply is that one client's problem: say so and go on.
            if let Err(e) = send_back(&socket, &datagram.bytes, datagram.from) {
                println!("{}", labkit::error_line(&e));
            }
        }
    })
}

/// Python's `socket.socket(type=socket.SOCK_DGRAM)` and `bind(addr)`.
fn open_socket(addr: SocketAddr) -> Result<UdpSocket> {
    // ANCHOR: open_socket
    // BEGIN SOLUTION
    use anyhow::Context;

    // UdpSocket::bind creates a SOCK_DGRAM socket and binds it. There is
    // nothing to listen for: from now on datagrams sent to `addr` queue up
    // in this socket's receive buffer, each with its sender's address.
    UdpSocket::bind(addr).with_context(|| format!("could not bind {addr}"))
    // END SOLUTION
    // ANCHOR_END: open_socket
}

/// Python's `msg, addr = server.recvfrom(1024)`, plus what Python does not
/// tell: how long the datagram really was.
///
/// Peek first (`MSG_PEEK`: look at the next datagram without taking it from
/// the queue) with a buffer large enough for any datagram, to learn its
/// length and sender; then receive it into the tutorial's 1024-byte buffer,
/// which takes it from the queue and drops whatever did not fit. (Windows
/// reports a datagram that did not fit as an error after filling the
/// buffer; [`labkit::received_len`] makes that the cut length, as on Unix.)
fn receive_datagram(socket: &UdpSocket) -> Result<Datagram> {
    // ANCHOR: receive_datagram
    // BEGIN SOLUTION
    use anyhow::Context;

    let mut whole = vec![0u8; LARGEST_PAYLOAD];
    let (len, from) = socket
        .peek_from(&mut whole)
        .context("could not peek at the next datagram")?;
    let mut buffer = [0u8; BUFFER_SIZE];
    let n = labkit::received_len(socket.recv_from(&mut buffer), BUFFER_SIZE)
        .context("could not receive a datagram")?;
    Ok(Datagram {
        bytes: buffer[..n].to_vec(),
        from,
        len,
    })
    // END SOLUTION
    // ANCHOR_END: receive_datagram
}

/// Python's `server.sendto(msg, addr)`: one datagram to the sender.
fn send_back(socket: &UdpSocket, bytes: &[u8], to: SocketAddr) -> Result<()> {
    // ANCHOR: send_back
    // BEGIN SOLUTION
    use anyhow::Context;

    // One send_to is one datagram: it goes whole or not at all, so there is
    // no send_all for UDP.
    socket
        .send_to(bytes, to)
        .with_context(|| format!("could not send the reply to {to}"))?;
    Ok(())
    // END SOLUTION
    // ANCHOR_END: send_back
}
