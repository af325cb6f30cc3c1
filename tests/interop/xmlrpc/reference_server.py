"""CPython's SimpleXMLRPCServer with the methods the Rust client tests call.

    python reference_server.py [PORT]     # 0 (default) picks a free port

Prints "ready PORT" once listening. allow_none is on, introspection and
multicall are registered; everything else is stock CPython.
"""
import os
import sys
import time
import xmlrpc.client
from xmlrpc.server import SimpleXMLRPCServer


def list_contents(dir_name):
    return os.listdir(dir_name)


def echo(value):
    """Returns its argument unchanged."""
    return value


def echo_encoded(value):
    """Returns its argument unchanged (oxrpc answers it encoded ahead)."""
    return value


def add(a, b):
    return a + b


def fail(message):
    raise ValueError(message)


def fault(code, message):
    raise xmlrpc.client.Fault(code, message)


def none():
    return None


def big(n):
    return 'x' * n


def big_int():
    return 2 ** 40


def sleep(millis):
    time.sleep(millis / 1000)
    return millis


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = SimpleXMLRPCServer(('127.0.0.1', port), allow_none=True, logRequests=False)
    server.register_introspection_functions()
    server.register_multicall_functions()
    for f in (list_contents, echo, echo_encoded, add, fail, fault, none, big, big_int, sleep):
        server.register_function(f)
    print('ready', server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == '__main__':
    main()
