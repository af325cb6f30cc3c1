"""The server side of rpyc.utils.teleportation, for interpreters that have
no rpyc installed.

rpyc.classic.teleport_function(conn, func) exports a function locally as
(name, module, defaults, kwdefaults, code tuple) and calls
rpyc.utils.teleportation.import_function on the server with it. The code
tuple holds CPython bytecode: only a CPython of the same minor version
can run it, so on any other interpreter import_function says so.
"""
import builtins
import sys
import types

# The marker rpyc's exporter puts before the code tuple of a nested code
# object (a def or lambda inside the teleported function): a wire constant.
NESTED_CODE = 'MAg1c J0hNNzo0hn ZqhuBP17LQk8'


def _check_interpreter():
    if sys.implementation.name != 'cpython':
        raise NotImplementedError(
            'teleport_function sends CPython bytecode, which this server cannot run: '
            'its interpreter is %s, embedded in oxrpc. Serve classic mode with '
            '`oxrpc classic serve --python cpython` (the host\'s own CPython) to '
            'teleport functions, or send source with conn.execute.'
            % sys.implementation.name)


def _code(codetup):
    consts = tuple(
        _code(const[1])
        if type(const) is tuple and len(const) == 2 and const[0] == NESTED_CODE
        else const
        for const in codetup[7]
    )
    fields = list(codetup)
    fields[7] = consts
    try:
        return types.CodeType(*fields)
    except TypeError as e:
        raise TypeError(
            'cannot rebuild the teleported code on Python %d.%d (the client must run '
            'the same minor version): %s' % (sys.version_info[0], sys.version_info[1], e))


def import_function(functup, globals=None, def_=True):
    """Rebuilds a function exported by rpyc's teleportation."""
    _check_interpreter()
    name, modname, defaults, kwdefaults, codetup = functup
    if globals is None:
        try:
            globals = sys.modules[modname].__dict__
        except KeyError:
            globals = __import__(modname, None, None, '*').__dict__
    elif type(globals) is not dict:
        # The client's own dict, by reference: copy it over.
        globals = {key: globals[key] for key in list(globals.keys())}
    globals.setdefault('__builtins__', builtins)
    func = types.FunctionType(_code(codetup), globals, name, defaults)
    if kwdefaults is not None:
        func.__kwdefaults__ = dict(kwdefaults)
    if def_:
        globals[name] = func
    return func
