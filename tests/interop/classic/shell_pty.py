"""Drives `oxrpc classic shell` under a pseudo-terminal, as a person would.

    python shell_pty.py OXRPC_BINARY PORT SERVER

PORT is a port on localhost, or any address the shell takes (unix:PATH).

SERVER is rpyc, cpython or rustpython: whether a running statement can be
interrupted with Ctrl-C depends on the server's interpreter. Types
statements, a multi-line block, Tab completion, history (Up arrow),
Ctrl-C at the prompt and while a statement runs, then Ctrl-D; reads the
screen after each step. Prints "N shell checks passed" or the failures.
"""
import os
import pty
import re
import select
import sys
import tempfile
import time

BINARY, PORT, SERVER = sys.argv[1], sys.argv[2], sys.argv[3]
failures = []
passed = 0
ANSI = re.compile(r'\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\r')


def check(name, cond, detail=''):
    global passed
    if cond:
        passed += 1
    else:
        failures.append('%s: %s' % (name, detail))


home = tempfile.mkdtemp(prefix='oxrpc-shell-home-')
env = dict(os.environ, HOME=home, TERM='xterm', COLUMNS='200', LINES='50')
pid, fd = pty.fork()
if pid == 0:
    target = PORT if ':' in PORT else 'localhost:%s' % PORT
    os.execve(BINARY, [BINARY, 'classic', 'shell', target], env)

screen = ''


def read_until(pattern, timeout=20.0):
    """Reads the terminal until the text since the last step matches."""
    global screen
    start = len(screen)
    deadline = time.time() + timeout
    while time.time() < deadline:
        if re.search(pattern, ANSI.sub('', screen[start:])):
            return ANSI.sub('', screen[start:])
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            screen += data.decode('utf-8', 'replace')
    return None


def send(text):
    os.write(fd, text.encode())


def step(name, keys, pattern, timeout=20.0):
    send(keys)
    got = read_until(pattern, timeout)
    check(name, got is not None, 'wanted %r; screen tail: %r' % (pattern, ANSI.sub('', screen[-600:])))
    return got or ''


check('banner', read_until(r'oxrpc classic shell[^\n]*\n.*>>> ') is not None,
      repr(ANSI.sub('', screen[-400:])))
step('statement', 'x = 6 * 7\r', r'>>> $')
step('print goes to this terminal', 'print(x, "from", __import__("os").getpid() > 0)\r', r'42 from True\n>>> ')
step('expression result', 'x + 1\r', r'43\n>>> ')
step('block continues', 'def f(n):\r', r'\.\.\. $')
# RustPython's codeop takes the block as complete one line early: its
# prompt may come back as >>> there (a difference README lists).
step('block body', '    return n * 2\r', r'\.\.\. $' if SERVER != 'rustpython' else r'(\.\.\.|>>>) $')
step('block ends', '\r', r'>>> $')
step('block defined', 'f(21)\r', r'42\n>>> ')
step('exception', '1/0\r', r'ZeroDivisionError[^\n]*\n>>> ')
step('import', 'import os\r', r'>>> $')
# Tab completes a remote name: os.getcw -> os.getcwd( (one match; as in
# Python's own prompt, rlcompleter opens the call of a callable).
got = step('completion', 'os.getcw\t', r'os\.getcwd\(')
# rlcompleter closes the call too when the callable takes no argument.
step('completed call runs', '\r' if got.rstrip().endswith('getcwd()') else ')\r', r"'/[^']*'\n>>> ")
# History: Up arrow brings back the last line.
step('history', '\x1b[A', r'os\.getcwd\(\)')
step('history runs', '\r', r"'/[^']*'\n>>> ")
# Ctrl-C at the prompt drops the line.
step('ctrl-c at the prompt', 'never run this\x03', r'KeyboardInterrupt\n>>> ')
step('ctrl-c in a block', 'if True:\r', r'\.\.\. $')
step('ctrl-c drops the block', '\x03', r'KeyboardInterrupt\n>>> ')
if SERVER in ('rpyc', 'cpython'):
    # Ctrl-C interrupts a running statement on a CPython server.
    step('endless loop starts', 'while True: pass\r', r'\.\.\. $')
    send('\r')
    time.sleep(1.5)
    step('ctrl-c interrupts it', '\x03', r'KeyboardInterrupt[^\n]*\n>>> ', timeout=30)
else:
    step('long statement starts', 'import time; time.sleep(3); print("slept")\r', r'.', timeout=5)
    time.sleep(0.5)
    step('ctrl-c says it cannot', '\x03', r'cannot interrupt', timeout=30)
    read_until(r'slept\n>>> ', 30)
step('alive after', 'print("alive")\r', r'alive\n>>> ')
send('\x04')
deadline = time.time() + 30
status = None
while time.time() < deadline:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    read_until(r'$^', 0.2)
else:
    os.kill(pid, 9)
check('ctrl-d exits cleanly', status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0,
      repr(status))
check('history saved', os.path.exists(os.path.join(home, '.oxrpc_classic_history')))

if failures:
    print('%d shell checks passed, %d failed:' % (passed, len(failures)))
    for failure in failures:
        print('  FAILED', failure)
    sys.exit(1)
print('%d shell checks passed' % passed)
