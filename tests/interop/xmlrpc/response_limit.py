"""CPython's ServerProxy against an oxrpc server's response size limit.

    python response_limit.py URL LIMIT

An echo of structs whose response CPython would write larger than LIMIT
bytes must come back as a Fault, not as the document; a small echo before
and after it comes back whole over the same proxy. The same for
echo_encoded, which answers encoded ahead. Prints "checks passed".
"""
import sys
import xmlrpc.client

URL, LIMIT = sys.argv[1], int(sys.argv[2])
proxy = xmlrpc.client.ServerProxy(URL)


def structs(n):
    return [
        {
            'id': i * 7919,
            'name': 'item %d \u00e9t\u00e9' % i,
            'price': i * 1.25 + 0.1,
            'active': i % 3 == 0,
            'tags': ['a-%d' % i, 'b-%d' % i],
        }
        for i in range(n)
    ]


def response_size(value):
    return len(xmlrpc.client.dumps((value,), methodresponse=True).encode())


small = structs(20)
assert response_size(small) < LIMIT // 4, response_size(small)

# Mostly member markup: a limit that counted only the values' own text
# would let this through. echo_encoded answers encoded ahead: measured as
# exactly, refused with the same fault.
large = structs(216)
assert response_size(large) > LIMIT, response_size(large)
for method in ('echo', 'echo_encoded'):
    call = getattr(proxy, method)
    assert call(small) == small, method
    try:
        call(large)
    except xmlrpc.client.Fault as fault:
        assert 'would be larger than %d bytes' % LIMIT in fault.faultString, fault.faultString
    else:
        raise AssertionError('%s: a %d-byte response went out past the %d-byte limit'
                             % (method, response_size(large), LIMIT))
    assert call(small) == small, method

print('checks passed')
