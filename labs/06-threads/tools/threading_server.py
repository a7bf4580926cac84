"""Lab 2's echo server with Python's socketserver: a thread per client.

The tutorial's connection-loop server (链接循环) rewritten on
socketserver.ThreadingTCPServer, the model of lab06-server: each accepted
client is served by handle() on a thread of its own, so a second client is
answered while the first is still connected. Unlike lab06-server it has no
limit: ThreadingTCPServer starts a thread for every client it accepts.

    python3 threading_server.py [PORT]     (default 18000; 0: any free port)

It prints what lab06-server prints, and stops the same way: at the end of
its input (Ctrl-D, or the end of a pipe) shutdown() ends serve_forever(),
and server_close() joins the threads of the clients still connected
(ThreadingMixIn.block_on_close, true by default since Python 3.7).
"""

import socketserver
import sys
import threading


def say(line):
    # print() writes the text and the end of line in two writes, so lines
    # from two threads could mix; one write per line cannot.
    sys.stdout.write(line + '\n')
    sys.stdout.flush()


class Handler(socketserver.BaseRequestHandler):
    def handle(self):  # serve_client, on the client's own thread
        peer = '%s:%d' % self.client_address
        say('accepted a client from ' + peer)
        try:
            while True:
                msg = self.request.recv(1024)
                if not msg:  # 0 bytes: the client closed (the tutorial's bug)
                    say('client %s closed the connection (recv returned 0 bytes)' % peer)
                    return
                say(msg.decode('utf-8', 'replace'))
                self.request.sendall('已收到'.encode('utf-8'))
        except OSError as e:  # a reset: this client's problem only
            say('lost the connection with client %s: %s' % (peer, e))


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True  # SO_REUSEADDR, as in lab 2


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 18000
    with Server(('127.0.0.1', port), Handler) as server:
        say('listening on %s:%d' % server.server_address)
        accepting = threading.Thread(target=server.serve_forever)
        accepting.start()
        sys.stdin.read()  # until the end of input
        say('end of input: no new clients; waiting for the connected ones to leave')
        server.shutdown()  # serve_forever() returns
        accepting.join()
    # Leaving `with` called server_close(): it joined every client's thread.
    say('every client has left: the server stops')


if __name__ == '__main__':
    main()
