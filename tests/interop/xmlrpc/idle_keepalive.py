"""CPython's ServerProxy across an oxrpc server's idle keep-alive close.

    python idle_keepalive.py URL IDLE_SECONDS

ServerProxy keeps its HTTP/1.1 connection between calls. Quick calls must
share it; once the connection has sat idle past the server's header read
timeout (IDLE_SECONDS), the server closes it, and the next call, which
ServerProxy retries once on a fresh connection, must still succeed.
Prints "checks passed".
"""
import socket
import sys
import time
import xmlrpc.client

URL, IDLE = sys.argv[1], float(sys.argv[2])
proxy = xmlrpc.client.ServerProxy(URL)


def kept_socket():
    connection = proxy._ServerProxy__transport._connection[1]
    return connection.sock


assert proxy.add(2, 3) == 5
first = kept_socket()
first_name = first.getsockname()
for i in range(20):
    assert proxy.add(i, 1) == i + 1
assert kept_socket() is first and first.getsockname() == first_name, \
    "quick calls did not share the keep-alive connection"

# Idle past the timeout: the server has closed the connection (EOF waits
# on the kept socket).
time.sleep(IDLE * 2.5)
first.settimeout(IDLE * 10)
assert first.recv(1, socket.MSG_PEEK) == b"", "the idle connection is still open"

# The next call goes out on a fresh connection.
assert proxy.add(40, 2) == 42
assert kept_socket() is not first, "the closed connection was used again"
print("checks passed")
