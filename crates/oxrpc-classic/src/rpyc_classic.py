"""rpyc.utils.classic's helpers that take a connection, for the server's
code on an interpreter without rpyc: copying files and directories both
ways (upload, download and their kin), sending an object by value
(deliver), the peer's standard streams pointed at this side's
(redirected_stdio, and pm and interact, which use it), and
teleport_function.

The connection is one the code opened with `rpyc.classic.connect` (or any
classic peer's: `conn.modules`, `conn.builtin`, `conn.namespace`), so
these do what rpyc 6.0.2's do, through its netrefs. Loaded the first time
code reaches for one of them through the `rpyc.classic` stand-in; modules
beyond contextlib, os and sys are imported where they are used.
"""
import contextlib
import os
import sys

# rpyc.core.consts.STREAM_CHUNK: the bytes each read and write copies.
STREAM_CHUNK = 64000


def upload(conn, localpath, remotepath, filter=None, ignore_invalid=False, chunk_size=STREAM_CHUNK):
    """Copies the file or directory `localpath` to `remotepath` on the
    peer; `filter(name)` chooses the names of a directory to copy."""
    if os.path.isdir(localpath):
        upload_dir(conn, localpath, remotepath, filter, chunk_size)
    elif os.path.isfile(localpath):
        upload_file(conn, localpath, remotepath, chunk_size)
    elif not ignore_invalid:
        raise ValueError(f"cannot upload {localpath!r}")


def upload_file(conn, localpath, remotepath, chunk_size=STREAM_CHUNK):
    with open(localpath, 'rb') as source:
        with conn.builtin.open(remotepath, 'wb') as target:
            _copy(source, target, chunk_size)


def upload_dir(conn, localpath, remotepath, filter=None, chunk_size=STREAM_CHUNK):
    remote_os = conn.modules.os
    if not remote_os.path.isdir(remotepath):
        remote_os.makedirs(remotepath)
    for name in os.listdir(localpath):
        if not filter or filter(name):
            upload(conn, os.path.join(localpath, name), remote_os.path.join(remotepath, name),
                   filter=filter, ignore_invalid=True, chunk_size=chunk_size)


def download(conn, remotepath, localpath, filter=None, ignore_invalid=False, chunk_size=STREAM_CHUNK):
    """Copies the peer's file or directory `remotepath` to `localpath`;
    `filter(name)` chooses the names of a directory to copy."""
    remote_os = conn.modules.os
    if remote_os.path.isdir(remotepath):
        download_dir(conn, remotepath, localpath, filter, chunk_size)
    elif remote_os.path.isfile(remotepath):
        download_file(conn, remotepath, localpath, chunk_size)
    elif not ignore_invalid:
        raise ValueError(f"cannot download {remotepath!r}")


def download_file(conn, remotepath, localpath, chunk_size=STREAM_CHUNK):
    with conn.builtin.open(remotepath, 'rb') as source:
        with open(localpath, 'wb') as target:
            _copy(source, target, chunk_size)


def download_dir(conn, remotepath, localpath, filter=None, chunk_size=STREAM_CHUNK):
    if not os.path.isdir(localpath):
        os.makedirs(localpath)
    remote_os = conn.modules.os
    for name in remote_os.listdir(remotepath):
        if not filter or filter(name):
            download(conn, remote_os.path.join(remotepath, name), os.path.join(localpath, name),
                     filter=filter, ignore_invalid=True, chunk_size=chunk_size)


def _copy(source, target, chunk_size):
    while True:
        chunk = source.read(chunk_size)
        if not chunk:
            break
        target.write(chunk)


def upload_package(conn, module, remotepath=None, chunk_size=STREAM_CHUNK):
    """Copies the directory of a module or package to the peer: to
    `remotepath`, or to a directory of that name in the peer's
    `distutils.sysconfig.get_python_lib()`."""
    import inspect
    if remotepath is None:
        site = conn.modules['distutils.sysconfig'].get_python_lib()
        remotepath = conn.modules.os.path.join(site, module.__name__)
    localpath = os.path.dirname(os.path.abspath(inspect.getsourcefile(module)))
    upload(conn, localpath, remotepath, chunk_size=chunk_size)


upload_module = upload_package


def deliver(conn, localobj):
    """A copy of `localobj` made on the peer (pickled here, unpickled
    there): the peer's object, by reference."""
    import pickle
    return conn.modules['rpyc.lib.compat'].pickle.loads(bytes(pickle.dumps(localobj)))


@contextlib.contextmanager
def redirected_stdio(conn):
    """While in the `with` block, the peer's sys.stdin, stdout and stderr
    are this side's, so what the peer prints shows here."""
    remote = conn.modules.sys
    saved = (remote.stdin, remote.stdout, remote.stderr)
    try:
        remote.stdin, remote.stdout, remote.stderr = sys.stdin, sys.stdout, sys.stderr
        yield
    finally:
        remote.stdin, remote.stdout, remote.stderr = saved


def pm(conn):
    """pdb's post-mortem, run on the peer, on the traceback of its last
    failed request, with its streams pointed here."""
    with redirected_stdio(conn):
        conn.modules.pdb.post_mortem(conn.root.getconn()._last_traceback)


def interact(conn, namespace=None):
    """An interactive interpreter run on the peer (its streams pointed
    here), whose namespace holds `namespace` and `conn`."""
    if namespace is None:
        namespace = {}
    namespace['conn'] = conn
    with redirected_stdio(conn):
        conn.execute('def _rinteract(ns):\n'
                     '    import code\n'
                     '    code.interact(local=dict(ns))')
        conn.namespace['_rinteract'](namespace)


def teleport_function(conn, func, globals=None, def_=True):
    """`func` rebuilt on the peer from its code (rpyc's teleportation):
    defined in `globals` (the peer's namespace unless given), and there
    under its name too with `def_`."""
    if globals is None:
        globals = conn.namespace
    from rpyc.utils.teleportation import export_function
    exported = export_function(func)
    return conn.modules['rpyc.utils.teleportation'].import_function(exported, globals, def_)


for _name, _value in list(globals().items()):
    if callable(_value) and not _name.startswith('_') and getattr(_value, '__module__', None) == __name__:
        _value.__module__ = 'rpyc.utils.classic'
del _name, _value
