"""What the server's Python takes from the environment it starts in,
driven by rpyc 6.0.2.

    python startup_environment.py PORT

rpyc_classic's CPython reads the PYTHON* variables of its environment when
it starts (PYTHONOPTIMIZE, PYTHONWARNINGS, PYTHONDONTWRITEBYTECODE,
PYTHONINTMAXSTRDIGITS, PYTHONIOENCODING, PYTHONUNBUFFERED,
PYTHONNOUSERSITE); the code its clients run sees them in sys.flags, in
whether `assert` runs and docstrings are kept, in the warnings filters,
in the limit on int-to-text conversion, in the standard streams and in
whether an import writes bytecode. The test starts the server under each
environment and compares these lines with rpyc_classic's.
"""
import sys

import rpyc

PORT = int(sys.argv[1])
conn = rpyc.classic.connect('127.0.0.1', PORT)
conn.execute('''
import os
import shutil
import sys
import tempfile
import warnings


def flagged():
    assert False, 'assert ran'
    return 'assert skipped'


def documented():
    """a docstring"""


def conversion():
    try:
        return int('7' * 700) % 1000
    except ValueError as e:
        return 'ValueError: %s' % e


def writes_bytecode():
    where = tempfile.mkdtemp(prefix='oxrpc-startup-')
    try:
        with open(os.path.join(where, 'startup_probe_module.py'), 'w') as f:
            f.write('VALUE = 1\\n')
        sys.path.insert(0, where)
        sys.modules.pop('startup_probe_module', None)
        import startup_probe_module
        sys.modules.pop('startup_probe_module', None)
        sys.path.remove(where)
        return os.path.isdir(os.path.join(where, '__pycache__'))
    finally:
        shutil.rmtree(where)


def warned():
    try:
        warnings.warn('deprecated', DeprecationWarning)
        return 'no error'
    except DeprecationWarning as e:
        return 'raised %s' % e
''')
for label, expression in [
    ('sys.flags', 'sys.flags'),
    ('the flags as a tuple', 'tuple(sys.flags)'),
    ('dont_write_bytecode', 'sys.dont_write_bytecode'),
    ('an import writes bytecode', 'writes_bytecode()'),
    ('__debug__', '__debug__'),
    ('assert', 'flagged()'),
    ('a docstring', 'documented.__doc__'),
    ('warnoptions', 'sys.warnoptions'),
    ('the first filters', '[(f[0], f[2].__name__, f[3]) for f in warnings.filters[:3]]'),
    ('a DeprecationWarning', 'warned()'),
    ('the int digits limit', 'sys.get_int_max_str_digits()'),
    ('a 700-digit int read', 'conversion()'),
    ('stdin errors', 'sys.stdin.errors'),
    ('stdout errors', 'sys.stdout.errors'),
    ('stderr errors', 'sys.stderr.errors'),
    ('the streams\' encodings', '[s.encoding for s in (sys.stdin, sys.stdout, sys.stderr)]'),
    ('stdout writes through', 'sys.stdout.write_through'),
]:
    try:
        value = repr(conn.eval(expression))
    except Exception as e:
        value = '%s: %s' % (type(e).__name__, str(e).split('\n')[0])
    print(label, '->', value)
conn.close()
