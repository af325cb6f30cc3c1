"""CPython's SimpleXMLRPCServer over https (its socket wrapped by the ssl
module), with the notebook's list_contents and an echo.

    python https_xmlrpc_server.py KEY CERT

Prints "ready PORT" once listening.
"""
import os
import ssl
import sys
import threading
from xmlrpc.server import SimpleXMLRPCServer

key, cert = sys.argv[1:3]
server = SimpleXMLRPCServer(('127.0.0.1', 0), logRequests=False)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
server.register_function(os.listdir, 'list_contents')
server.register_function(lambda value: value, 'echo')
print('ready', server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
threading.Event().wait()
