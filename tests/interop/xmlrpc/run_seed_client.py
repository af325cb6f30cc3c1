"""Runs the notebook's XML-RPC client cell (seed_client.py, verbatim) and
checks that what it printed is the listing of /tmp.

/tmp may change while the cell runs (other tests create files there), so the
printed list must contain every name present both before and after, and
nothing that was in neither listing.
"""
import ast
import contextlib
import io
import os
import runpy
import sys

here = os.path.dirname(os.path.abspath(__file__))
before = set(os.listdir('/tmp'))
out = io.StringIO()
with contextlib.redirect_stdout(out):
    runpy.run_path(os.path.join(here, 'seed_client.py'), run_name='__main__')
after = set(os.listdir('/tmp'))
printed = out.getvalue()
sys.stdout.write(printed)
names = ast.literal_eval(printed.strip())
assert isinstance(names, list), printed
missing = (before & after) - set(names)
extra = set(names) - (before | after)
assert not missing, 'missing from the listing: %r' % sorted(missing)
assert not extra, 'not in /tmp: %r' % sorted(extra)
print('seed client cell OK: %d names' % len(names))
