"""rpyc.utils.teleportation for interpreters that have no rpyc installed:
the side that rebuilds a function a client teleports (import_function),
and the side that exports one, for the server's own code teleporting to a
peer (export_function, on CPython only).

rpyc.classic.teleport_function(conn, func) exports a function locally as
(name, module, defaults, kwdefaults, code tuple) and calls
rpyc.utils.teleportation.import_function on the server with it. The code
tuple holds CPython bytecode, which only a CPython of the same minor
version can run. Any other interpreter compiles the function from its
source instead: the code tuple names the file and line it was defined at.
The lines of that file come from this machine when it has the file, else
from the client's own linecache (asked through its classic service: a
Jupyter cell, or a file the server does not have); the definition at that
line, if its name and arguments are those the client sent, is the
function. Otherwise import_function says why.
"""
import builtins
import sys
import types

# The marker rpyc's exporter puts before the code tuple of a nested code
# object (a def or lambda inside the teleported function): a wire constant.
NESTED_CODE = 'MAg1c J0hNNzo0hn ZqhuBP17LQk8'


def _cannot(why):
    return NotImplementedError(
        'teleport_function sends CPython bytecode, which this server cannot run '
        '(its interpreter is %s, embedded in oxrpc), so it compiles the function '
        'from its source, but %s. Serve classic mode with `oxrpc classic serve '
        '--python cpython` (the host\'s own CPython) to teleport any function, or '
        'send source with conn.execute.' % (sys.implementation.name, why))


def _fields(codetup):
    """(argcount, posonlyargcount, kwonlyargcount, flags, varnames,
    filename, name, firstlineno) of a code tuple as rpyc exports it from
    CPython 3.11+ (18 fields), 3.8 to 3.10 (16) or older (15)."""
    if len(codetup) == 18:
        return codetup[0:3] + (codetup[5], codetup[9], codetup[10], codetup[11], codetup[13])
    if len(codetup) == 16:
        return codetup[0:3] + (codetup[5], codetup[9], codetup[10], codetup[11], codetup[12])
    return ((codetup[0], 0, codetup[1], codetup[4], codetup[8])
            + (codetup[9], codetup[10], codetup[11]))


def _arguments(code_varnames, argcount, kwonlyargcount, flags):
    # The names of the arguments lead co_varnames, *args and **kwargs last.
    count = argcount + kwonlyargcount + bool(flags & 0x04) + bool(flags & 0x08)
    return tuple(code_varnames[:count])


def _code(codetup):
    """The code object of a code tuple, on the CPython it was exported from."""
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


def _requesting_connection():
    """The connection whose request called import_function: support.py's
    `call(self, obj, args, kwargs)`, as rpyc's `_handle_call`, is the
    frame that called it (None when Python code called it itself)."""
    try:
        caller = sys._getframe(2).f_locals.get('self')
    except (AttributeError, ValueError):
        return None
    kind = type(caller)
    if kind.__name__ == 'Connection' and kind.__module__ == 'rpyc.core.protocol':
        return caller
    return None


def _client_lines(connection, filename):
    """The lines the client's linecache holds for `filename`, or []."""
    if connection is None:
        return []
    try:
        lines = connection.root.eval(
            'tuple(__import__("linecache").getlines(%r))' % (filename,))
        return [line for line in lines if isinstance(line, str)]
    except Exception:
        return []


def _compile_definition(lines, codetup):
    """The code of the definition at the code tuple's line of `lines`,
    checked against the tuple's name and arguments."""
    import inspect
    import textwrap
    argcount, posonly, kwonly, flags, varnames, filename, name, firstlineno = _fields(codetup)
    where = '%s, line %s' % (filename, firstlineno)
    if not 0 < firstlineno <= len(lines):
        raise _cannot('%s is past the end of the source found for %r' % (where, name))
    try:
        block = inspect.getblock(lines[firstlineno - 1:])
        # Blank lines first keep the line numbers tracebacks show.
        source = '\n' * (firstlineno - 1) + textwrap.dedent(''.join(block))
        module = compile(source, filename, 'exec')
    except Exception as e:  # tokenize's and compile's errors alike
        raise _cannot('%s does not hold the definition of %r: %s' % (where, name, e))
    wanted = _arguments(varnames, argcount, kwonly, flags)
    found = []
    pending = list(module.co_consts)
    while pending:
        const = pending.pop(0)
        if isinstance(const, types.CodeType):
            if (const.co_name == name and const.co_argcount == argcount and _arguments(
                    const.co_varnames, const.co_argcount, const.co_kwonlyargcount,
                    const.co_flags) == wanted):
                found.append(const)
            pending.extend(const.co_consts)
    if not found:
        raise _cannot('%s does not define %r with the arguments %r (the file changed, or '
                      'the one found is another file of that name)' % (where, name, wanted))
    # The definition on that line, or else the first of that name.
    code = next((c for c in found if c.co_firstlineno == firstlineno), found[0])
    if code.co_posonlyargcount != posonly and posonly <= argcount:
        code = code.replace(co_posonlyargcount=posonly)
    return code


def _code_from_source(codetup, connection):
    import linecache
    filename, name, firstlineno = _fields(codetup)[5:]
    linecache.checkcache(filename)
    failure = None
    # The client is asked only when this machine's copy does not serve.
    sources = (lambda: linecache.getlines(filename), lambda: _client_lines(connection, filename))
    for source in sources:
        lines = source()
        if lines:
            try:
                return _compile_definition(lines, codetup)
            except NotImplementedError as e:
                failure = failure or e
    raise failure or _cannot('the source of %r (%s, line %s) can be read neither here nor '
                             'through the client' % (name, filename, firstlineno))


# rpyc's brine.dumpable (what crosses by value), given by the server when
# it installs this module (support.py's `dumpable`).
_brinable = None


def _export_code(code):
    """The code tuple of `code` as rpyc exports it from this CPython's
    version, nested code objects marked with NESTED_CODE."""
    consts = []
    for const in code.co_consts:
        if _brinable(const):
            consts.append(const)
        elif isinstance(const, types.CodeType):
            consts.append((NESTED_CODE, _export_code(const)))
        else:
            raise TypeError(f"Cannot export a function with non-brinable constants: {const!r}")
    head = (code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount, code.co_nlocals,
            code.co_stacksize, code.co_flags, code.co_code, tuple(consts), code.co_names,
            code.co_varnames, code.co_filename, code.co_name)
    if sys.version_info >= (3, 11):
        return head + (code.co_qualname, code.co_firstlineno, code.co_linetable,
                       code.co_exceptiontable, code.co_freevars, code.co_cellvars)
    table = code.co_linetable if sys.version_info >= (3, 10) else code.co_lnotab
    return head + (code.co_firstlineno, table, code.co_freevars, code.co_cellvars)


def export_function(func):
    """What rpyc's teleport_function sends of `func`: its name, module,
    defaults and code tuple. Only a CPython makes CPython bytecode."""
    if sys.implementation.name != 'cpython':
        raise NotImplementedError(
            'teleport_function sends CPython bytecode, which this server cannot make (its '
            'interpreter is %s, embedded in oxrpc). Serve classic mode with `oxrpc classic '
            'serve --python cpython` (the host\'s own CPython) to teleport functions from the '
            'server\'s code, or send source with conn.execute.' % sys.implementation.name)
    defaults = func.__defaults__
    kwdefaults = func.__kwdefaults__
    if kwdefaults is not None:
        kwdefaults = tuple(kwdefaults.items())
    if func.__closure__:
        raise TypeError("Cannot export a function closure")
    if not _brinable(defaults):
        raise TypeError("Cannot export a function with non-brinable defaults (__defaults__)")
    if not _brinable(kwdefaults):
        raise TypeError("Cannot export a function with non-brinable defaults (__kwdefaults__)")
    return func.__name__, func.__module__, defaults, kwdefaults, _export_code(func.__code__)


def import_function(functup, globals=None, def_=True):
    """Rebuilds a function exported by rpyc's teleportation."""
    name, modname, defaults, kwdefaults, codetup = functup
    if sys.implementation.name == 'cpython':
        code = _code(codetup)
    else:
        code = _code_from_source(codetup, _requesting_connection())
    if globals is None:
        # As rpyc: the function's module, imported here, else __main__'s.
        try:
            globals = __import__(modname, None, None, '*').__dict__
        except ImportError:
            globals = __import__('__main__', None, None, '*').__dict__
    elif type(globals) is not dict:
        # The client's own dict, by reference: copy it over.
        globals = {key: globals[key] for key in list(globals.keys())}
    globals.setdefault('__builtins__', builtins)
    func = types.FunctionType(code, globals, name, defaults)
    if kwdefaults is not None:
        func.__kwdefaults__ = dict(kwdefaults)
    if def_:
        globals[name] = func
    return func
