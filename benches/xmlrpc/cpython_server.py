"""The CPython side of the XML-RPC benchmark: stock SimpleXMLRPCServer with
the same add and echo as examples/xmlrpc_bench_server.rs and the notebook's
list_contents, no request log."""
import os
import sys
from xmlrpc.server import SimpleXMLRPCServer


def add(a, b):
    return a + b


def echo(value):
    return value


def list_contents(dir_name):
    return os.listdir(dir_name)


port = int(sys.argv[1])
server = SimpleXMLRPCServer(('127.0.0.1', port), logRequests=False)
server.register_function(add)
server.register_function(echo)
server.register_function(list_contents)
print('ready', port, flush=True)
server.serve_forever()
