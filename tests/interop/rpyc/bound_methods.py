"""Prints what a stock rpyc client sees of the notebook MyService's methods
as objects: the docstring, format(), dir(), equality and hashing of two
lookups, and calls with arguments they do not take; then the root's class
as the client builds it from the server's method list (HANDLE_INSPECT).
Run against Python's rpyc_base.py and against `oxrpc service serve`; the
test compares the two outputs.

Usage: bound_methods.py HOST [PORT]
"""

import inspect
import re
import sys

import rpyc

host = sys.argv[1]
port = int(sys.argv[2]) if len(sys.argv) > 2 else 18861
conn = rpyc.connect(host, port)
root = conn.root


def show(label, fn):
    try:
        value = fn()
    except Exception as e:  # the remote exception, as the client sees it
        value = "%s: %s" % (type(e).__name__, str(e).split("\n")[0])
    print(label, re.sub(r" at 0x[0-9a-fA-F]+", " at 0x?", repr(value)))


for name in ["get_answer", "get_service_name", "get_service_aliases"]:
    show(name + ".__doc__", lambda: getattr(root, name).__doc__)
    show("format(%s)" % name, lambda: format(getattr(root, name)))
    show("format(%s, '>9')" % name, lambda: format(getattr(root, name), ">9"))
    show(name + " == " + name, lambda: getattr(root, name) == getattr(root, name))
    show(name + " != " + name, lambda: getattr(root, name) != getattr(root, name))
    show("hash equal " + name, lambda: hash(getattr(root, name)) == hash(getattr(root, name)))
    show("dir(%s)" % name, lambda: dir(getattr(root, name)))
    show(name + "(1)", lambda: getattr(root, name)(1))
    show(name + "(x=1)", lambda: getattr(root, name)(x=1))
    show(name + "(self=1)", lambda: getattr(root, name)(self=1))
    show(name + "(cls=1)", lambda: getattr(root, name)(cls=1))
show("get_answer == get_service_name", lambda: root.get_answer == root.get_service_name)
show("get_answer == root", lambda: root.get_answer == root)
cls = type(root)
show("class methods", lambda: sorted(n for n in dir(cls) if not n.startswith("__")))
show("class routines", lambda: [n for n, _ in inspect.getmembers(cls, callable) if not n.startswith("__")])
for name in ["exposed_get_answer", "get_service_name", "on_connect", "get_question", "__format__", "__sizeof__"]:
    show("class has " + name, lambda: hasattr(cls, name))
    show("class %s.__doc__" % name, lambda: getattr(cls, name).__doc__)
show("format(root, 'x')", lambda: format(root, "x"))
show("format(root, '')", lambda: format(root, "")[:22])
show("getsizeof(root)", lambda: sys.getsizeof(root))
# A method object's missing names, and object's dunders fetched as objects:
# the slot wrappers and __format__, a built-in method.
for name in ["__len__", "__iter__", "__bool__", "exposed_x", "exposed_get_answer", "x"]:
    show("get_answer." + name, lambda: getattr(root.get_answer, name))
for target in ["root", "root.get_answer"]:
    obj = eval(target)
    for dunder in ["__format__", "__eq__", "__str__", "__hash__"]:
        label = "%s.%s" % (target, dunder)
        show("repr " + label, lambda: repr(getattr(obj, dunder)))
        show("type " + label, lambda: type(getattr(obj, dunder)).__name__)
    show(target + ".__format__()", lambda: obj.__format__())
    show(target + ".__format__('', 1)", lambda: obj.__format__("", 1))
    show(target + ".__format__(format_spec='')", lambda: obj.__format__(format_spec=""))
    show(target + ".__eq__()", lambda: obj.__eq__())
    show(target + ".__eq__(other=1)", lambda: obj.__eq__(other=1))
    show(target + ".__str__(1)", lambda: obj.__str__(1))
conn.close()
