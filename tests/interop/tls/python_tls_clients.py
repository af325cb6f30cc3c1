"""Python's TLS clients against oxrpc servers started with --ssl-* options.

    python python_tls_clients.py DIR SERVICE_PORT CLASSIC_PORT XMLRPC_PORT

DIR holds ca.pem, client.pem/client.key (signed by ca.pem) and
other-client.pem/other-client.key (signed by another CA). The RPyC servers
require client certificates from ca.pem; the XML-RPC server serves https
with basic auth user "alice", password "s3cret".
"""
import os
import ssl
import sys
import time
import xmlrpc.client

import rpyc

d, service_port, classic_port, xmlrpc_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
p = lambda name: os.path.join(d, name)
failures = []
passed = 0


def check(name, cond, detail=''):
    global passed
    if cond:
        passed += 1
    else:
        failures.append('%s: %s' % (name, detail))


def refused(name, fn):
    try:
        fn()
    except Exception as e:
        check(name, True)
        return
    check(name, False, 'was not refused')


# rpyc.ssl_connect with a client certificate from the trusted CA.
conn = rpyc.ssl_connect('localhost', service_port, keyfile=p('client.key'),
                        certfile=p('client.pem'), ca_certs=p('ca.pem'))
check('ssl_connect get_answer', conn.root.get_answer() == 42)
check('ssl_connect attribute', conn.root.the_real_answer_though == 43)
conn.close()


def no_cert():
    c = rpyc.ssl_connect('localhost', service_port, ca_certs=p('ca.pem'))
    c.root.get_answer()


def other_ca():
    c = rpyc.ssl_connect('localhost', service_port, keyfile=p('other-client.key'),
                         certfile=p('other-client.pem'), ca_certs=p('ca.pem'))
    c.root.get_answer()


def plain():
    c = rpyc.connect('localhost', service_port)
    c.root.get_answer()


refused('no client certificate', no_cert)
refused('client certificate from another CA', other_ca)
refused('plain TCP to a TLS server', plain)

# Classic mode over TLS.
c = rpyc.classic.ssl_connect('localhost', classic_port, keyfile=p('client.key'),
                             certfile=p('client.pem'), ca_certs=p('ca.pem'))
check('classic ssl eval', c.eval('6 * 7') == 42)
c.close()
refused('classic without certificate',
        lambda: rpyc.classic.ssl_connect('localhost', classic_port, ca_certs=p('ca.pem')).eval('1'))

# XML-RPC over https with a custom context, and basic auth.
context = ssl.create_default_context(cafile=p('ca.pem'))
proxy = xmlrpc.client.ServerProxy('https://alice:s3cret@localhost:%d' % xmlrpc_port, context=context)
check('https list_contents', sorted(proxy.list_contents('/')) == sorted(os.listdir('/')))
# The same proxy after the server's idle timeout (1 s here): CPython's
# server closes every connection after its answer, so ServerProxy never
# meets a TLS connection the server closed while idle (a write to one
# raises ssl.SSLEOFError, which ServerProxy does not retry).
time.sleep(1.6)
check('https after an idle pause', sorted(proxy.list_contents('/')) == sorted(os.listdir('/')))
try:
    xmlrpc.client.ServerProxy('https://localhost:%d' % xmlrpc_port, context=context).list_contents('/')
    check('https without credentials', False, 'no error')
except xmlrpc.client.ProtocolError as e:
    check('https without credentials', e.errcode == 401, e)
try:
    xmlrpc.client.ServerProxy('https://alice:wrong@localhost:%d' % xmlrpc_port, context=context).list_contents('/')
    check('https wrong password', False, 'no error')
except xmlrpc.client.ProtocolError as e:
    check('https wrong password', e.errcode == 401, e)
refused('https with an untrusted CA',
        lambda: xmlrpc.client.ServerProxy('https://alice:s3cret@localhost:%d' % xmlrpc_port,
                                          context=ssl.create_default_context()).list_contents('/'))

if failures:
    print('%d passed, %d failed' % (passed, len(failures)))
    for f in failures:
        print('FAIL', f)
    sys.exit(1)
print('%d checks passed' % passed)
