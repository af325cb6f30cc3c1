"""CPython's SimpleXMLRPCServer over TLS, requiring HTTP basic auth.

    python tls_auth_server.py CERT_PEM KEY_PEM USER PASSWORD

Prints "ready PORT" once listening on 127.0.0.1. Requests without the right
Authorization header get 401, as a reverse proxy in front of it would answer.
"""
import base64
import ssl
import sys
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

cert, key, user, password = sys.argv[1:5]
expected = 'Basic ' + base64.b64encode(('%s:%s' % (user, password)).encode()).decode()


class AuthHandler(SimpleXMLRPCRequestHandler):
    def do_POST(self):
        if self.headers.get('Authorization') != expected:
            self.send_response(401)
            self.send_header('WWW-Authenticate', 'Basic realm="oxrpc"')
            self.send_header('Content-length', '0')
            self.end_headers()
            return
        super().do_POST()


def whoami():
    return user


server = SimpleXMLRPCServer(('127.0.0.1', 0), requestHandler=AuthHandler, logRequests=False)
server.register_function(whoami)
server.register_function(lambda a, b: a + b, 'add')
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
print('ready', server.server_address[1], flush=True)
server.serve_forever()
