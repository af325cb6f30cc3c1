# Run once when oxrpc embeds the host's CPython: makes the embedded
# interpreter look like the `python` of the user's environment.
import os
import site
import sys
# Imported here, as rpyc_classic's start imports it: its main thread is
# then this starting thread, and a connection's worker is a thread of its
# own (see `space.rs`), not the main one.
import threading  # noqa: F401


def prepare():
    # An embedded interpreter has no argv, or [''] (as `python -c` has);
    # pdb, code and argparse want a program name.
    if not getattr(sys, 'argv', None) or not sys.argv[0]:
        sys.argv = ['oxrpc']
    # The embedding program is not Python: sys.executable names the python
    # of the embedded library, which subprocess and multiprocessing run.
    python = os.path.join(sys.base_exec_prefix, 'bin', 'python%d.%d' % sys.version_info[:2])
    if os.access(python, os.X_OK):
        sys.executable = sys._base_executable = python


def add_venv(path):
    """Adds a virtualenv's site-packages (and its .pth files) to sys.path,
    as its own python would see them. Returns the directory added."""
    path = os.path.abspath(path)
    if not os.path.isdir(path):
        raise FileNotFoundError('no virtualenv at %r' % path)
    version = 'python%d.%d' % sys.version_info[:2]
    for lib in ('lib', 'lib64'):
        candidate = os.path.join(path, lib, version, 'site-packages')
        if os.path.isdir(candidate):
            site.addsitedir(candidate)
            # Its packages win over the system's, as in the venv's python.
            if candidate in sys.path:
                sys.path.remove(candidate)
            sys.path.insert(0, candidate)
            # The venv's python, as it sees itself (the first venv given
            # is added last, and wins).
            python = os.path.join(path, 'bin', 'python')
            if os.access(python, os.X_OK):
                sys.executable = python
                sys.prefix = sys.exec_prefix = path
            return candidate
    raise FileNotFoundError(
        'the virtualenv %r has no site-packages for Python %d.%d (this oxrpc embeds '
        'Python %s); create it with the same Python version'
        % (path, sys.version_info[0], sys.version_info[1], sys.version.split()[0]))
