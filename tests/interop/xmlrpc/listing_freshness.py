"""list_contents against os.listdir while the directories change.

    listing_freshness.py URL SCRATCH_DIR [STEPS]

A stock ServerProxy lists directories under SCRATCH_DIR between random
changes (files and directories created, renamed, removed, parents renamed
away and recreated, permissions changed, symbolic links swapped) and
compares every answer with os.listdir at that moment: a server that serves
a remembered listing must never serve a stale one. Prints "listings fresh"
and how many calls it made.
"""
import os
import random
import shutil
import sys
import xmlrpc.client

url, scratch = sys.argv[1], sys.argv[2]
steps = int(sys.argv[3]) if len(sys.argv) > 3 else 400
rng = random.Random(20261130)
proxy = xmlrpc.client.ServerProxy(url)
root = os.path.realpath(scratch)
shutil.rmtree(root, ignore_errors=True)
os.makedirs(os.path.join(root, 'a', 'b'))
os.symlink(os.path.join(root, 'a'), os.path.join(root, 'link'))


def dirs():
    found = [root]
    for base, subdirs, _ in os.walk(root):
        found.extend(os.path.join(base, d) for d in subdirs)
    return found


def names_in(path):
    try:
        return sorted(os.listdir(path)), None
    except OSError as e:
        return None, type(e).__name__


def served(path):
    try:
        return sorted(proxy.list_contents(path)), None
    except xmlrpc.client.Fault as f:
        return None, f.faultString.split("'")[1].split('.')[-1] if "'" in f.faultString else f.faultString


calls = 0
counter = 0
for step in range(steps):
    op = rng.choice(['file', 'file', 'mkdir', 'rename', 'remove', 'chmod', 'parent', 'relink'])
    target = rng.choice(dirs())
    counter += 1
    try:
        if op == 'file':
            open(os.path.join(target, 'f%d' % counter), 'w').close()
        elif op == 'mkdir':
            os.mkdir(os.path.join(target, 'd%d' % counter))
        elif op in ('rename', 'remove'):
            entries = [e for e in os.listdir(target)]
            if entries:
                victim = os.path.join(target, rng.choice(entries))
                if op == 'rename':
                    os.rename(victim, os.path.join(target, 'r%d' % counter))
                elif os.path.isdir(victim) and not os.path.islink(victim):
                    shutil.rmtree(victim)
                else:
                    os.remove(victim)
        elif op == 'chmod':
            os.utime(target)
        elif op == 'parent' and target != root:
            # The same path, another directory: rename it away, recreate it.
            os.rename(target, target + '.old%d' % counter)
            os.mkdir(target)
            open(os.path.join(target, 'fresh%d' % counter), 'w').close()
        elif op == 'relink':
            link = os.path.join(root, 'link')
            os.remove(link)
            os.symlink(rng.choice(dirs()), link)
    except OSError:
        pass
    # Ask about the changed directory, its parent, the link, and one more
    # (never above SCRATCH_DIR: other processes change those meanwhile).
    parent = os.path.dirname(target) if target != root else root
    for path in {target, parent, os.path.join(root, 'link'), rng.choice(dirs())}:
        for _ in range(2):
            calls += 1
            expected, got = names_in(path), served(path)
            if expected != got:
                print('step %d (%s): %s: os.listdir %r, list_contents %r' % (step, op, path, expected, got))
                sys.exit(1)

# What is not kept: a listing with a name XML cannot carry is a fault every
# time (the server's fault for a result it cannot encode) and is served
# once the name is gone; one of more than 1 MiB of names is read anew.
odd = os.path.join(root, 'odd')
os.mkdir(odd)
open(os.path.join(odd, 'bell\x07'), 'w').close()
for _ in range(2):
    calls += 1
    try:
        proxy.list_contents(odd)
        print('a name XML cannot carry was sent')
        sys.exit(1)
    except xmlrpc.client.Fault as f:
        if 'cannot encode the result' not in f.faultString:
            print('unexpected fault: %s' % f)
            sys.exit(1)
os.rename(os.path.join(odd, 'bell\x07'), os.path.join(odd, 'bell'))
many = os.path.join(root, 'many')
os.mkdir(many)
for i in range(9000):
    open(os.path.join(many, '%0120d' % i), 'w').close()
for path in (odd, many, many):
    calls += 1
    expected, got = names_in(path), served(path)
    if expected != got:
        print('%s: os.listdir %r, list_contents %r' % (path, expected[0][:3], got[0] and got[0][:3]))
        sys.exit(1)
open(os.path.join(many, 'one more'), 'w').close()
calls += 1
if names_in(many) != served(many):
    print('%s: a large listing went stale' % many)
    sys.exit(1)
shutil.rmtree(root, ignore_errors=True)
print('listings fresh after %d calls' % calls)
