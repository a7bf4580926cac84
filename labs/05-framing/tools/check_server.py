#!/usr/bin/env python3
"""Talks to lab05-server with Python's struct.pack('>I', n) framing.

Usage: python3 check_server.py [HOST:PORT]   (default 127.0.0.1:8000)

Three checks, each on its own connection, every socket call with a timeout:
  1. a burst of 1000 frames in one sendall, then 1000 echoed frames;
  2. one frame sent one byte per send (TCP_NODELAY on), echoed whole;
  3. a length of 0xffffffff (4 GiB): the server must close that connection,
     and then serve a good client normally.
"""
import socket
import struct
import sys

TIMEOUT = 5.0


def frame(payload: bytes) -> bytes:
    # '>I': big-endian ('>'), unsigned 32-bit ('I'): the 4-byte length.
    return struct.pack('>I', len(payload)) + payload


def recv_exactly(sock: socket.socket, n: int) -> bytes:
    data = b''
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError(f'connection closed after {len(data)} of {n} bytes')
        data += chunk
    return data


def recv_frame(sock: socket.socket) -> bytes:
    (n,) = struct.unpack('>I', recv_exactly(sock, 4))
    return recv_exactly(sock, n)


def connect(addr):
    sock = socket.create_connection(addr, timeout=TIMEOUT)
    sock.settimeout(TIMEOUT)
    return sock


def burst(addr, count=1000):
    payloads = [f'message {i} 粘包'.encode() for i in range(count)]
    with connect(addr) as sock:
        sock.sendall(b''.join(frame(p) for p in payloads))
        echoed = [recv_frame(sock) for _ in payloads]
    assert echoed == payloads, 'the echoes differ from what was sent'
    print(f'burst: {count} frames sent in one sendall, {len(echoed)} echoed intact')


def byte_at_a_time(addr):
    payload = '一个字节一个字节 (one byte at a time)'.encode()
    wire = frame(payload)
    with connect(addr) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i in range(len(wire)):
            sock.send(wire[i:i + 1])
        echoed = recv_frame(sock)
    assert echoed == payload, f'echo differs: {echoed!r}'
    print(f'byte at a time: {len(wire)} sends of 1 byte, echoed intact: {echoed.decode()}')


def oversized_then_good(addr):
    with connect(addr) as sock:
        sock.sendall(b'\xff\xff\xff\xff')
        try:
            rest = sock.recv(1024)
            closed = 'closed (EOF)' if rest == b'' else f'sent {rest!r} instead of closing'
        except ConnectionResetError:
            closed = 'closed (reset)'
    print(f'oversized length 0xffffffff: the server {closed}')
    with connect(addr) as sock:
        sock.sendall(frame(b'hello again'))
        echoed = recv_frame(sock)
    assert echoed == b'hello again', f'echo differs: {echoed!r}'
    print(f'next client: served normally, echo {echoed!r}')


def main():
    text = sys.argv[1] if len(sys.argv) > 1 else '127.0.0.1:8000'
    host, port = text.rsplit(':', 1)
    addr = (host.strip('[]'), int(port))
    burst(addr)
    byte_at_a_time(addr)
    oversized_then_good(addr)
    print('all checks passed')


if __name__ == '__main__':
    main()
