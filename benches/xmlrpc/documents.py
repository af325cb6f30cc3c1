"""The request documents the XML-RPC benchmarks send, written by CPython.

    python documents.py DIR

Writes add.xml, list.xml, echo.xml (a 100 KB string) and structs.xml (216
structs of five members, the same values as
crates/oxrpc-xmlrpc/benches/codec.rs builds) into DIR.
"""
import sys
import xmlrpc.client

work = sys.argv[1]
structs = [
    {
        'id': i * 7919,
        'name': 'item %d & \u00e9t\u00e9' % i,
        'price': i * 1.25 + 0.1,
        'active': i % 3 == 0,
        'tags': ['%s-%d' % (t, i) for t in ('a', 'b')],
    }
    for i in range(216)
]
documents = {
    'add': xmlrpc.client.dumps((2, 3), 'add'),
    'list': xmlrpc.client.dumps(('/',), 'list_contents'),
    'echo': xmlrpc.client.dumps(('x' * 100_000,), 'echo'),
    'structs': xmlrpc.client.dumps((structs,), 'echo'),
}
for name, document in documents.items():
    with open('%s/%s.xml' % (work, name), 'w') as f:
        f.write(document)
