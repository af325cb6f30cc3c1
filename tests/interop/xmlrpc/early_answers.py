"""Answers an oxrpc XML-RPC server gives before it needs a body, as
Python's http.client meets them.

    python early_answers.py URL MAX_BODY_SIZE [USER:PASSWORD]

http.client writes a request's headers, then its whole body, then reads,
and keeps the connection for the next request unless the answer says
`Connection: close`. An answer that needs no body (a wrong path, a refused
encoding, missing credentials) must not leave the client writing into a
closed socket (BrokenPipeError): the server reads the body and throws it
away, answers, and the same connection carries the next request. A client
waiting for `100 Continue` before sending a body the server refuses gets
the refusal, never an invitation to send it. With credentials: the scheme
name is matched in any case, and two Authorization headers are refused.
Prints "checks passed".
"""
import base64
import http.client
import socket
import sys
import urllib.parse

URL, MAX_BODY = sys.argv[1], int(sys.argv[2])
CREDENTIALS = sys.argv[3] if len(sys.argv) > 3 else None
parts = urllib.parse.urlsplit(URL)
HOST, PORT = parts.hostname, parts.port
CALL = (b"<?xml version='1.0'?><methodCall><methodName>add</methodName><params>"
        b"<param><value><int>2</int></value></param><param><value><int>3</int></value></param>"
        b"</params></methodCall>")


def token(credentials):
    return base64.b64encode(credentials.encode()).decode()


def sequence(requests, auth=None):
    """Sends (path, headers, body) requests on one HTTPConnection; returns
    (status, Connection header) of each, or the exception's name."""
    connection = http.client.HTTPConnection(HOST, PORT, timeout=10)
    seen, sockets = [], set()
    for path, headers, body in requests:
        headers = dict(headers, **({"Authorization": "Basic " + token(auth)} if auth else {}))
        try:
            connection.request("POST", path, body, dict({"Content-Type": "text/xml"}, **headers))
            response = connection.getresponse()
            response.read()
            seen.append((response.status, response.getheader("Connection")))
            sockets.add(id(connection.sock))
        except OSError as e:
            seen.append(type(e).__name__)
            connection.close()
    connection.close()
    assert len(sockets) == 1, ("the connection was not kept", seen)
    return seen


for size in (len(CALL), 1 << 20):
    body = CALL + b" " * (size - len(CALL))
    seen = sequence([("/nope", {}, body), ("/nope", {}, body), ("/", {}, body)], CREDENTIALS)
    assert seen == [(404, None), (404, None), (200, None)], (size, seen)
    seen = sequence([("/", {"Content-Encoding": "br"}, body), ("/", {}, body)], CREDENTIALS)
    assert seen == [(501, None), (200, None)], (size, seen)

# Expect: 100-continue for a body over the limit: the refusal comes first.
with socket.create_connection((HOST, PORT), timeout=10) as s:
    auth = "Authorization: Basic %s\r\n" % token(CREDENTIALS) if CREDENTIALS else ""
    s.sendall(("POST / HTTP/1.1\r\nHost: x\r\n%sContent-Type: text/xml\r\n"
               "Content-Length: %d\r\nExpect: 100-continue\r\n\r\n" % (auth, MAX_BODY + 1)).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(4096)
        assert chunk, head
        head += chunk
    assert head.startswith(b"HTTP/1.1 413 "), head

if CREDENTIALS:
    def status(headers):
        with socket.create_connection((HOST, PORT), timeout=10) as s:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: text/xml\r\n"
                      + b"".join(b"Authorization: %s\r\n" % h.encode() for h in headers)
                      + b"Content-Length: %d\r\n\r\n" % len(CALL) + CALL)
            data = b""
            while chunk := s.recv(65536):
                data += chunk
            return int(data.split(b" ", 2)[1])
    good = token(CREDENTIALS)
    wrong = token("someone:else")
    assert status(["Basic " + good]) == 200
    assert status(["BASIC " + good]) == 200
    assert status(["basic " + good]) == 200
    assert status(["Basic " + wrong]) == 401
    assert status(["Bearer " + good]) == 401
    assert status(["Basic " + good, "Basic " + wrong]) == 401
    assert status(["Basic " + wrong, "Basic " + good]) == 401
    assert status(["Basic " + good, "Basic " + good]) == 401
    # Missing credentials: refused, on a connection kept for the next try.
    seen = sequence([("/", {}, CALL), ("/", {}, CALL)])
    assert seen == [(401, None), (401, None)], seen

print("checks passed")
