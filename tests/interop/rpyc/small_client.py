"""One of many concurrent rpyc 6.0.2 clients of the oxrpc test service
(crates/oxrpc-rpyc/tests/python_clients.rs).

Usage: small_client.py HOST PORT ID -- prints "OK ID" after a few calls.
"""

import sys

import rpyc

host, port, ident = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
conn = rpyc.connect(host, port)
root = conn.root
assert root.get_answer() == 42
assert root.the_real_answer_though == 43
assert root.echo(("client", ident)) == ("client", ident)
assert root.add(ident, 1000) == ident + 1000
assert root.call_back(lambda x: x * 3, ident) == ident * 3
l = root.get_list()
assert len(l) == 5 and list(l) == [1, 2, 3, 4, 5]
assert root.get_dict()["two"] == 2
try:
    root.get_question()
except AttributeError:
    pass
else:
    raise AssertionError("get_question must not be exposed")
conn.close()
print(f"OK {ident}")
