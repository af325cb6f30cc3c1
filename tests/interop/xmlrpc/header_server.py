"""CPython's SimpleXMLRPCServer that tells a client which headers it sent.

    python header_server.py

Prints "ready PORT" once listening on 127.0.0.1. Methods: headers() (the
request's headers, names lower-cased, repeated ones joined with ", "),
add(a, b), names(n) (n strings), nested(depth) (lists nested depth
deep), introspection and multicall.
"""
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

CURRENT = {}


class Recording(SimpleXMLRPCRequestHandler):
    def decode_request_content(self, data):
        CURRENT.clear()
        for name in set(self.headers.keys()):
            CURRENT[name.lower()] = ', '.join(self.headers.get_all(name))
        return super().decode_request_content(data)


def headers():
    return dict(CURRENT)


server = SimpleXMLRPCServer(('127.0.0.1', 0), requestHandler=Recording, logRequests=False)
server.register_function(headers)
server.register_function(lambda a, b: a + b, 'add')
server.register_function(lambda n: ['n%d' % i for i in range(n)], 'names')


def nested(depth):
    value = []
    for _ in range(depth - 1):
        value = [value]
    return value


server.register_function(nested)
server.register_introspection_functions()
server.register_multicall_functions()
print('ready', server.server_address[1], flush=True)
server.serve_forever()
