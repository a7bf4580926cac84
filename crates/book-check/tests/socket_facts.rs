//! Socket behaviour the errata cite and no lab scenario shows, checked on
//! loopback. Each test is named after the fact it demonstrates. (What a lab
//! scenario shows, such as an empty TCP write or a truncated datagram, is
//! cited from the lab instead.)
//!
//! Bounded: every blocking call has a timeout, nothing sleeps.

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
