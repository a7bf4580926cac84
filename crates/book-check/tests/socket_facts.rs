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

/// A socket that never called `bind` gets an ephemeral port from the kernel
/// the first time it needs one: a UDP socket on its first `sendto`, a TCP
/// socket on `connect`, and also on `listen` (a listener the kernel placed
/// on a port nobody chose). Servers are not the only ones with ports.
#[test]
fn an_unbound_socket_gets_a_port_when_it_first_sends_or_listens() {
    let peer = udp();
    let unbound = Socket::new(Domain::IPV4, Type::DGRAM, None).expect("UDP socket");
    unbound
        .send_to(b"hi", &peer.local_addr().expect("address").into())
        .expect("send a datagram without binding");
    let port = unbound
        .local_addr()
        .expect("address")
        .as_socket()
        .expect("an IP address")
        .port();
    assert_ne!(port, 0, "the first sendto gave the UDP socket a port");
    let mut buf = [0u8; 16];
    let (_, from) = peer.recv_from(&mut buf).expect("the datagram arrives");
    assert_eq!(from.port(), port, "and the datagram came from that port");

    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).expect("TCP socket");
    listener.listen(5).expect("listen without binding");
    let addr = listener
        .local_addr()
        .expect("address")
        .as_socket()
        .expect("an IP address");
    assert_ne!(addr.port(), 0, "listen gave the TCP socket a port");
}

/// Reads a number, or a pair of numbers, from a file of `/proc/sys`.
#[cfg(target_os = "linux")]
fn proc_sys_numbers(path: &str) -> Vec<u16> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
        .split_whitespace()
        .map(|n| n.parse().expect("a port number"))
        .collect()
}

/// Linux gives connecting clients ports from `net.ipv4.ip_local_port_range`
/// (32768 to 60999 by default; IANA's dynamic range, RFC 6335, is 49152 to
/// 65535), and only ports from `net.ipv4.ip_unprivileged_port_start` (1024
/// by default: below it are IANA's system ports, 0 to 1023) can be bound
/// without privileges. A fixed service port should stay out of the first
/// range, or an outgoing connection may already hold it.
#[cfg(target_os = "linux")]
#[test]
fn a_connected_client_gets_a_port_in_the_ephemeral_range() {
    let range = proc_sys_numbers("/proc/sys/net/ipv4/ip_local_port_range");
    let [low, high] = range[..] else {
        panic!("ip_local_port_range holds two numbers, not {range:?}")
    };
    let unprivileged = proc_sys_numbers("/proc/sys/net/ipv4/ip_unprivileged_port_start")[0];
    let listener = TcpListener::bind(any_v4()).expect("bind port 0");
    let client = TcpStream::connect_timeout(&listener.local_addr().expect("address"), TIMEOUT)
        .expect("connect");
    let port = client.local_addr().expect("address").port();
    assert!(
        (low..=high).contains(&port),
        "the client's port {port} is in ip_local_port_range {low}-{high}"
    );
    assert!(
        port >= unprivileged,
        "an ephemeral port ({port}) is never a privileged one (below {unprivileged})"
    );
}

/// EMSGSIZE on Linux: "message too long".
#[cfg(target_os = "linux")]
const EMSGSIZE: i32 = 90;

/// One UDP datagram carries at most 65535 − 20 (IPv4 header) − 8 (UDP
/// header) = 65507 bytes on IPv4; on IPv6, whose payload length does not
/// count its 40-byte header, UDP's own 16-bit length is the limit: 65535 −
/// 8 = 65527. One byte more and `send_to` fails (EMSGSIZE). (Linux: macOS
/// caps datagrams lower, at `net.inet.udp.maxdgram`.)
#[cfg(target_os = "linux")]
#[test]
fn the_largest_udp_payload_is_65507_on_ipv4_and_65527_on_ipv6() {
    fn largest(any: &str) -> Option<(std::io::Result<usize>, std::io::Result<usize>)> {
        let receiver = UdpSocket::bind(any).ok()?;
        let sender = UdpSocket::bind(any).expect("bind a second socket");
        let to = receiver.local_addr().expect("address");
        let fits = if to.is_ipv4() { 65507 } else { 65527 };
        Some((
            sender.send_to(&vec![b'a'; fits], to),
            sender.send_to(&vec![b'a'; fits + 1], to),
        ))
    }
    let (fits, too_long) = largest("127.0.0.1:0").expect("bind 127.0.0.1");
    assert_eq!(fits.expect("65507 bytes fit on IPv4"), 65507);
    assert_eq!(
        too_long.expect_err("65508 do not").raw_os_error(),
        Some(EMSGSIZE)
    );
    // A machine without IPv6 on loopback has nothing to show here.
    if let Some((fits, too_long)) = largest("[::1]:0") {
        assert_eq!(fits.expect("65527 bytes fit on IPv6"), 65527);
        assert_eq!(
            too_long.expect_err("65528 do not").raw_os_error(),
            Some(EMSGSIZE)
        );
    }
}

/// `recv` is not "for TCP" and `recvfrom` "for UDP": both calls work on both
/// kinds of socket. `recv` on a UDP socket takes one datagram and drops the
/// sender's address; `recvfrom` on a TCP socket returns the bytes and no
/// address (the connection already says who the peer is). What decides is
/// whether you need the sender's address: a UDP server does.
#[test]
fn recv_and_recvfrom_work_on_both_tcp_and_udp() {
    use std::io::Write;
    use std::mem::MaybeUninit;

    let peer = udp();
    let receiver = udp();
    peer.send_to(b"one", receiver.local_addr().expect("address"))
        .expect("send a datagram");
    let mut buf = [0u8; 16];
    // std's `UdpSocket::recv` is the recv(2) call, here on a socket that
    // never called `connect`.
    let n = receiver.recv(&mut buf).expect("recv takes a datagram");
    assert_eq!(&buf[..n], b"one");

    let listener = TcpListener::bind(any_v4()).expect("bind");
    let mut client = TcpStream::connect_timeout(&listener.local_addr().expect("address"), TIMEOUT)
        .expect("connect");
    let (server, _) = listener.accept().expect("accept");
    server.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    client.write_all(b"two").expect("write");
    // socket2's `recv_from` is the recvfrom(2) call. Its buffer is
    // `MaybeUninit` (reading it back needs unsafe code, which this
    // workspace denies), so the count and the address are what we check.
    let mut buf = [MaybeUninit::<u8>::new(0); 16];
    let (n, from) = socket2::SockRef::from(&server)
        .recv_from(&mut buf)
        .expect("recvfrom reads a TCP stream");
    assert_eq!(n, 3, "recvfrom took the 3 bytes written");
    assert!(
        from.as_socket().is_none(),
        "recvfrom on TCP gives no address"
    );
}
