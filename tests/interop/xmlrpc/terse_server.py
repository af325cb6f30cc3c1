"""A SimpleXMLRPCServer that lists its methods and answers little more
about them: system.listMethods only (no methodSignature), and a
system.methodHelp that gives None for one method. `oxrpc xmlrpc methods`
must still print the list. Prints 'ready PORT'."""

import pydoc
from xmlrpc.server import SimpleXMLRPCServer

server = SimpleXMLRPCServer(("127.0.0.1", 0), allow_none=True, logRequests=False)


def add(a, b):
    """Adds two numbers.

    The paragraph after a blank line."""
    return a + b


def nodoc():
    return 1


server.register_function(add)
server.register_function(nodoc)
server.register_function(server.system_listMethods, "system.listMethods")
server.register_function(
    lambda name: None if name == "nodoc" else pydoc.getdoc(server.funcs.get(name, None)), "system.methodHelp")
print("ready", server.server_address[1], flush=True)
server.serve_forever()
