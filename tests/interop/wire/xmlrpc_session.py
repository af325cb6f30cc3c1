"""One CPython xmlrpc.client session for crates/oxrpc-cli/tests/wire_tools.rs.

Usage: xmlrpc_session.py URL DIR -- lists DIR, asks for a missing directory
(a fault), lists the server's methods.
"""

import sys
import xmlrpc.client

url, directory = sys.argv[1], sys.argv[2]
proxy = xmlrpc.client.ServerProxy(url)
print("contents", sorted(proxy.list_contents(directory)))
try:
    proxy.list_contents("/no/such/dir")
except xmlrpc.client.Fault as fault:
    print("fault", fault.faultCode, fault.faultString)
else:
    raise AssertionError("a missing directory must be a fault")
print("methods", proxy.system.listMethods())
print("session OK")
