//! Socket behaviour the errata cite and no lab scenario shows, checked on
//! loopback. Each test is named after the fact it demonstrates.
//!
//! Bounded: every blocking call has a timeout, nothing sleeps.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};

const TIMEOUT: Duration = Duration::from_secs(5);

fn any_v4() -> SocketAddr {
    "127.0.0.1:0".parse().expect("address")
}

fn udp() -> UdpSocket {
    let socket = UdpSocket::bind(any_v4()).expect("bind UDP");
    socket.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    socket
}

/// `socket(AF_INET, SOCK_DGRAM, 0)` is UDP, not TCP: protocol 0 means "the
/// default protocol of this type", TCP for SOCK_STREAM and UDP for
/// SOCK_DGRAM. Asking for TCP on a datagram socket fails.
#[test]
fn protocol_zero_means_the_default_protocol_of_the_type() {
    let dgram = Socket::new(Domain::IPV4, Type::DGRAM, None).expect("DGRAM with protocol 0");
    dgram.bind(&any_v4().into()).expect("bind");
    let dgram: UdpSocket = dgram.into();
    let peer = udp();
    dgram
        .send_to(b"hi", peer.local_addr().expect("address"))
        .expect("send a datagram");
    let mut buf = [0u8; 16];
    let (n, from) = peer.recv_from(&mut buf).expect("a UDP socket receives it");
    assert_eq!(&buf[..n], b"hi");
    assert_eq!(from, dgram.local_addr().expect("address"));

    let stream = Socket::new(Domain::IPV4, Type::STREAM, None).expect("STREAM with protocol 0");
    assert_eq!(stream.r#type().expect("type"), Type::STREAM);

    assert!(
        Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::TCP)).is_err(),
        "TCP is not a datagram protocol"
    );
}

fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind(any_v4()).expect("bind");
    let addr = listener.local_addr().expect("address");
    let client = TcpStream::connect_timeout(&addr, TIMEOUT).expect("connect");
    let (server, _) = listener.accept().expect("accept");
    server.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    client.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    (client, server)
}

/// A TCP write of 0 bytes is allowed and sends nothing: the receiver sees
/// no "empty message", only the bytes of the next write. (The tutorial's
/// client must skip empty input because its server would then wait for a
/// message that never comes, not because TCP forbids empty sends.)
#[test]
fn an_empty_tcp_write_sends_nothing() {
    let (mut client, mut server) = tcp_pair();
    assert_eq!(client.write(b"").expect("an empty write"), 0);
    client.write_all(b"x").expect("write");
    let mut buf = [0u8; 16];
    assert_eq!(server.read(&mut buf).expect("read"), 1);
    assert_eq!(buf[0], b'x');
}

/// A read of 0 bytes on a TCP stream means the peer closed (EOF); it is the
/// only way a 0 comes back, so it is never an empty message.
#[test]
fn a_tcp_read_of_zero_bytes_means_the_peer_closed() {
    let (client, mut server) = tcp_pair();
    drop(client);
    let mut buf = [0u8; 16];
    assert_eq!(server.read(&mut buf).expect("read"), 0);
    assert_eq!(
        server.read(&mut buf).expect("read again"),
        0,
        "EOF stays EOF"
    );
}

/// An empty UDP datagram is a real message: it arrives as a read of 0
/// bytes, with the sender's address.
#[test]
fn an_empty_udp_datagram_arrives_as_a_message_of_zero_bytes() {
    let (a, b) = (udp(), udp());
    a.send_to(b"", b.local_addr().expect("address"))
        .expect("send");
    let mut buf = [0u8; 16];
    let (n, from) = b.recv_from(&mut buf).expect("receive");
    assert_eq!(n, 0);
    assert_eq!(from, a.local_addr().expect("address"));
}

/// The largest UDP payload over IPv4 is 65535 - 20 (IP header) - 8 (UDP
/// header) = 65507 bytes, and it arrives whole, as one datagram, even though
/// it is far above 1472. One byte more is refused by the sender's kernel
/// (EMSGSIZE).
#[test]
fn a_udp_datagram_of_65507_bytes_arrives_whole_and_65508_is_refused() {
    let (a, b) = (udp(), udp());
    let to = b.local_addr().expect("address");
    let big = vec![7u8; 65507];
    assert_eq!(a.send_to(&big, to).expect("send 65507 bytes"), 65507);
    let mut buf = vec![0u8; 70000];
    let (n, _) = b.recv_from(&mut buf).expect("receive");
    assert_eq!(n, 65507, "one read returns the whole datagram");
    let err = a.send_to(&[7u8; 65508], to).unwrap_err();
    assert_ne!(err.kind(), ErrorKind::WouldBlock);
    #[cfg(target_os = "linux")]
    assert_eq!(err.raw_os_error(), Some(90), "EMSGSIZE");
}

/// A datagram larger than the buffer of `recv_from` is cut to the buffer;
/// the rest of it is gone, and the next read does not see it.
#[test]
fn a_datagram_larger_than_the_buffer_loses_the_rest() {
    let (a, b) = (udp(), udp());
    let to = b.local_addr().expect("address");
    a.send_to(&[1u8; 100], to).expect("send 100");
    a.send_to(b"next", to).expect("send next");
    let mut small = [0u8; 10];
    #[cfg(not(windows))]
    {
        let (n, _) = b.recv_from(&mut small).expect("receive");
        assert_eq!(n, 10);
    }
    #[cfg(windows)]
    assert!(
        b.recv_from(&mut small).is_err(),
        "Windows reports WSAEMSGSIZE"
    );
    let mut buf = [0u8; 100];
    let (n, _) = b.recv_from(&mut buf).expect("receive the next");
    assert_eq!(&buf[..n], b"next", "the other 90 bytes are not there");
}

/// `listen(backlog)` sizes the queue of connections the kernel has already
/// completed (the three-way handshake is done) and that wait for
/// `accept`: a client can connect and even send before the server calls
/// `accept`. It is not a pool of half-open connections.
#[test]
fn the_backlog_queues_completed_connections_before_accept() {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
    socket.bind(&any_v4().into()).expect("bind");
    socket.listen(1).expect("listen(1)");
    let listener: TcpListener = socket.into();
    let addr = listener.local_addr().expect("address");

    let mut client =
        TcpStream::connect_timeout(&addr, TIMEOUT).expect("connect completes before accept");
    client.write_all(b"early").expect("send before accept");

    let (mut server, _) = listener.accept().expect("accept");
    server.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    let mut buf = [0u8; 16];
    let n = server.read(&mut buf).expect("read");
    assert_eq!(&buf[..n], b"early");
}

/// The kernel gives a client socket a free port of its own (an ephemeral
/// port) when it connects; binding port 0 asks for one explicitly. Ports
/// belong to sockets, not to programs.
#[test]
fn port_zero_and_connect_get_a_port_from_the_kernel() {
    let listener = TcpListener::bind(any_v4()).expect("bind port 0");
    let addr = listener.local_addr().expect("address");
    assert_ne!(addr.port(), 0, "the kernel chose a port");
    let a = TcpStream::connect_timeout(&addr, TIMEOUT).expect("connect");
    let b = TcpStream::connect_timeout(&addr, TIMEOUT).expect("connect");
    let (pa, pb) = (
        a.local_addr().expect("address").port(),
        b.local_addr().expect("address").port(),
    );
    assert!(
        pa != 0 && pb != 0 && pa != pb,
        "each socket has its own port"
    );
    assert_eq!(a.peer_addr().expect("peer"), addr);
}
