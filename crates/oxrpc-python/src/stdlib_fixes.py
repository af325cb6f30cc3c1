# Where RustPython's standard library differs from CPython's in ways
# clients meet. Run once per interpreter, before any client code.
import pyexpat
import _sysconfigdata

# --- sysconfig's build-time variables -------------------------------------
#
# RustPython's build script copies every environment variable of the build
# into sysconfig's variables (CARGO_*, HOME, PATH, whatever the builder's
# shell held): clients saw them in sysconfig.get_config_vars(). Only the
# variables RustPython sets itself are kept, and TZPATH is added (CPython's
# default on Debian), without which zoneinfo finds no time zone at all.
_KEPT_SYSCONFIG_VARS = frozenset([
    'EXT_SUFFIX', 'MULTIARCH', 'RUST_MULTIARCH', 'HAVE_GETRANDOM', 'Py_GIL_DISABLED',
    'Py_DEBUG', 'ABIFLAGS', 'CC', 'CXX', 'CFLAGS', 'CPPFLAGS', 'LDFLAGS', 'LDSHARED',
    'CCSHARED', 'SHLIB_SUFFIX', 'SO', 'AR', 'ARFLAGS', 'OPT', 'BASECFLAGS', 'BLDSHARED',
    'prefix', 'exec_prefix', 'BINDIR',
])
_build_time_vars = _sysconfigdata.build_time_vars
for _name in [n for n in _build_time_vars if n not in _KEPT_SYSCONFIG_VARS]:
    del _build_time_vars[_name]
_build_time_vars['TZPATH'] = '/usr/share/zoneinfo:/usr/lib/zoneinfo:/usr/share/lib/zoneinfo:/etc/zoneinfo'
del _name, _build_time_vars

# --- pyexpat's ordered_attributes -------------------------------------------
#
# RustPython's parser always hands StartElementHandler a dict of the
# attributes. ElementTree and minidom set `ordered_attributes` and read
# the flat [name, value, ...] list CPython then passes, so every element
# with attributes was lost or broke the parse. This runs before
# `xml.parsers.expat` copies pyexpat's names.

_native_parser_create = pyexpat.ParserCreate


def _flat(attributes):
    flat = []
    for name, value in attributes.items():
        flat.append(name)
        flat.append(value)
    return flat


class _Parser:
    """A pyexpat parser whose start handler gets the attributes as
    `ordered_attributes` asks (the native parser's other behaviour is
    unchanged)."""

    __slots__ = ('_parser', '_ordered', '_start')

    def __init__(self, parser):
        object.__setattr__(self, '_parser', parser)
        object.__setattr__(self, '_ordered', False)
        object.__setattr__(self, '_start', None)

    def __getattr__(self, name):
        if name == 'ordered_attributes':
            return self._ordered
        if name == 'StartElementHandler':
            return self._start
        return getattr(self._parser, name)

    def __setattr__(self, name, value):
        if name == 'ordered_attributes':
            object.__setattr__(self, '_ordered', bool(value))
        elif name == 'StartElementHandler':
            object.__setattr__(self, '_start', value)
            if value is None:
                self._parser.StartElementHandler = None
            else:
                def start(tag, attributes, _handler=value, _parser=self):
                    if _parser._ordered and isinstance(attributes, dict):
                        attributes = _flat(attributes)
                    return _handler(tag, attributes)
                self._parser.StartElementHandler = start
        else:
            setattr(self._parser, name, value)


_Parser.__name__ = _Parser.__qualname__ = 'xmlparser'
_Parser.__module__ = 'pyexpat'


def ParserCreate(encoding=None, namespace_separator=None, intern=None):
    return _Parser(_native_parser_create(encoding, namespace_separator, intern))


ParserCreate.__doc__ = _native_parser_create.__doc__
pyexpat.ParserCreate = ParserCreate
