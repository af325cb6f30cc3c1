"""CPython's xmlrpc.client over a Unix socket, against an oxrpc XML-RPC server.

CPython has no Unix transport; this is the small Transport subclass that
gives it one: HTTPConnection with its connect() opening an AF_UNIX socket.

Usage: xmlrpc_unix.py PATH -- prints one line per check, then OK.
"""

import http.client
import socket
import sys
import xmlrpc.client


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost")
        self.path_ = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(self.path_)
        self.sock = sock


class UnixTransport(xmlrpc.client.Transport):
    def __init__(self, path):
        super().__init__()
        self.path_ = path

    def make_connection(self, host):
        # Keep one connection, as Transport does for HTTP/1.1 servers.
        if self._connection and host == self._connection[0]:
            return self._connection[1]
        self._connection = host, UnixConnection(self.path_)
        return self._connection[1]


path = sys.argv[1]
proxy = xmlrpc.client.ServerProxy("http://localhost/RPC2", transport=UnixTransport(path))
print("add", proxy.add(2, 3))
print("echo", proxy.echo({"a": [1, 2.5, "x"]}))
print("methods", ",".join(m for m in proxy.system.listMethods() if not m.startswith("system.")))
multi = xmlrpc.client.MultiCall(proxy)
multi.add(1, 1)
multi.add(2, 2)
print("multicall", list(multi()))
try:
    proxy.nope()
except xmlrpc.client.Fault as fault:
    print("fault", fault.faultCode, fault.faultString)
print("OK")
