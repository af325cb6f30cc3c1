"""A small forward HTTP proxy that says what it forwarded.

    python http_proxy.py UPSTREAM_PORT [USER:PASSWORD]

Listens on 127.0.0.1 and prints "proxy ready PORT". Requests must come in
absolute form (`POST http://any-host:port/path HTTP/1.1`); whatever host
they name, they go to 127.0.0.1:UPSTREAM_PORT (so a test can use a name
that resolves nowhere and prove the client did not connect directly).
With USER:PASSWORD, requests without that Proxy-Authorization get 407.
Client connections are kept alive (HTTP/1.1); each upstream request is
HTTP/1.0 on a fresh connection. Prints, flushed, one line per event:

    proxy connection N
    proxy request N METHOD TARGET auth=ok|none|bad
"""
import base64
import socket
import sys
import threading

UPSTREAM = int(sys.argv[1])
CREDENTIALS = sys.argv[2] if len(sys.argv) > 2 else None
EXPECTED = 'Basic ' + base64.b64encode(CREDENTIALS.encode()).decode() if CREDENTIALS else None
lock = threading.Lock()
connections = 0


def say(line):
    with lock:
        print(line, flush=True)


def read_head(reader):
    line = reader.readline(65537)
    if not line:
        return None, None
    headers = []
    while True:
        header = reader.readline(65537)
        if header in (b'\r\n', b'\n', b''):
            break
        name, _, value = header.decode('latin-1').partition(':')
        headers.append((name.strip(), value.strip()))
    return line.decode('latin-1').rstrip('\r\n'), headers


def serve(client, number):
    reader = client.makefile('rb')
    with client:
        while True:
            request_line, headers = read_head(reader)
            if request_line is None:
                return
            method, target, _version = request_line.split(' ', 2)
            lookup = {name.lower(): value for name, value in headers}
            length = int(lookup.get('content-length', '0'))
            body = reader.read(length) if length else b''
            auth = lookup.get('proxy-authorization')
            state = 'none' if auth is None else ('ok' if auth == EXPECTED else 'bad')
            say('proxy request %d %s %s auth=%s' % (number, method, target, state))
            if EXPECTED and state != 'ok':
                client.sendall(b'HTTP/1.1 407 Proxy Authentication Required\r\n'
                               b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n')
                continue
            if not target.startswith('http://'):
                client.sendall(b'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')
                continue
            path = '/' + target.split('://', 1)[1].partition('/')[2]
            upstream = socket.create_connection(('127.0.0.1', UPSTREAM))
            with upstream:
                forwarded = ['%s %s HTTP/1.0' % (method, path)]
                for name, value in headers:
                    if name.lower() not in ('proxy-authorization', 'connection', 'proxy-connection',
                                            'keep-alive'):
                        forwarded.append('%s: %s' % (name, value))
                forwarded.append('Connection: close')
                upstream.sendall(('\r\n'.join(forwarded) + '\r\n\r\n').encode('latin-1') + body)
                answer = upstream.makefile('rb')
                status, answer_headers = read_head(answer)
                rest = answer.read()
            out = [status.replace('HTTP/1.0', 'HTTP/1.1', 1)]
            for name, value in answer_headers:
                if name.lower() not in ('connection', 'content-length', 'keep-alive'):
                    out.append('%s: %s' % (name, value))
            out.append('Content-Length: %d' % len(rest))
            client.sendall(('\r\n'.join(out) + '\r\n\r\n').encode('latin-1') + rest)


listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(('127.0.0.1', 0))
listener.listen(16)
say('proxy ready %d' % listener.getsockname()[1])
while True:
    client, _ = listener.accept()
    connections += 1
    say('proxy connection %d' % connections)
    threading.Thread(target=serve, args=(client, connections), daemon=True).start()
