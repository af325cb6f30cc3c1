# Where RustPython's standard library differs from CPython's in ways
# clients meet. Run once per interpreter, before any client code.
import pyexpat
import _sysconfigdata


def _as_its_own(replacement, original):
    """`replacement`, named and documented as the `original` it stands for."""
    for attribute in ('__name__', '__qualname__', '__doc__', '__module__'):
        setattr(replacement, attribute, getattr(original, attribute))
    return replacement


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


# --- inspect's reading of a builtin's signature ------------------------------
#
# A builtin's `__text_signature__` marks its first parameter with `$`
# (`'($self, /)'`). RustPython's inspect takes the mark off only when its
# tokenizer reads `$` as an operator, which RustPython's tokenizer does
# not: `inspect.signature(len)` raised "builtin has invalid signature", so
# `help()` in the server's Python showed no signature. Once inspect is
# first imported, its reading of a signature takes the mark off first;
# the mark always stands before the first parameter.

import _frozen_importlib
import sys


def _without_mark(strip):
    def _signature_strip_non_python_syntax(signature):
        if not signature or '$' not in signature:
            return strip(signature)
        clean, _ = strip(signature.replace('$', '', 1))
        return clean, 0
    _signature_strip_non_python_syntax.__doc__ = strip.__doc__
    return _signature_strip_non_python_syntax


# RustPython's inspect is 3.13's, whose `cleandoc` strips only spaces where
# 3.11's strips all whitespace (a full-width space, a form feed), so
# `inspect.getdoc` and `help()` of a docstring starting with one differed.

def _cleandoc(doc):
    try:
        lines = doc.expandtabs().split('\n')
    except UnicodeError:
        return None
    margin = sys.maxsize
    for line in lines[1:]:
        content = len(line.lstrip())
        if content:
            margin = min(margin, len(line) - content)
    if lines:
        lines[0] = lines[0].lstrip()
    if margin < sys.maxsize:
        for i in range(1, len(lines)):
            lines[i] = lines[i][margin:]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return '\n'.join(lines)


_cleandoc.__name__ = _cleandoc.__qualname__ = 'cleandoc'
_cleandoc.__doc__ = ('Clean up indentation from docstrings.\n\n    Any whitespace that can be '
                     'uniformly removed from the second line\n    onwards is removed.')


# --- hashlib.new's signature --------------------------------------------------
#
# RustPython's hashlib is 3.14's, whose `new(name, *args, **kwargs)` passes
# the data on as given: `hashlib.new('blake2b', data=b'x')` reached
# `_blake2.blake2b` as a keyword, which 3.11's refuses (its data is
# positional only). 3.11's `new(name, data=b'', **kwargs)` hands the data
# on by position, and refuses a third positional argument by its own name.

_new_of_3_14 = None


def __hash_new(name, data=b'', **kwargs):
    return _new_of_3_14(name, data, **kwargs)


__hash_new.__module__ = 'hashlib'
__hash_new.__doc__ = ("new(name, data=b'') - Return a new hashing object using the named algorithm;\n"
                      "    optionally initialized with data (which must be a bytes-like object).\n    ")


# --- hmac as 3.11's -------------------------------------------------------------
#
# 3.14's hmac says "Missing required argument 'digestmod'."; 3.11's says
# "parameter". The check runs after the key's, as in both. And 3.11's
# `HMAC.copy()` leaves the copy without `block_size` (reading it raises
# AttributeError); 3.14's copies it.

def _hmac_init(self, key, msg=None, digestmod=''):
    # 3.14's own checks and call, but 3.11's words: no layer added.
    if not isinstance(key, (bytes, bytearray)):
        raise TypeError(f"key: expected bytes or bytearray, but got {type(key).__name__!r}")
    if not digestmod:
        raise TypeError("Missing required parameter 'digestmod'.")
    self._HMAC__init(key, msg, digestmod)


def _with_3_11_words(init):
    return _as_its_own(_hmac_init, init)


def _copy_without_block_size(copy):
    def copy_(self):
        other = self.__class__.__new__(self.__class__)
        other.digest_size = self.digest_size
        if self._hmac:
            other._hmac = self._hmac.copy()
            other._inner = other._outer = None
        else:
            other._inner = self._inner.copy()
            other._outer = self._outer.copy()
        return other
    return _as_its_own(copy_, copy)


# --- datetime's range errors ----------------------------------------------------
#
# RustPython's datetime is 3.14's pure-Python one, whose range errors say
# more than 3.11's C one did: "day 30 must be in range 1..29 for month 2
# in year 2020" where 3.11 says "day is out of range for month", "hour
# must be in 0..23, not 24" for "hour must be in 0..23". The constructors,
# replace(), strptime() and fromisoformat() all check through these two.

def _fields_checked_as_3_11(module):
    index = module._index
    days_in_month = module._days_in_month

    def _check_date_fields(year, month, day):
        year = index(year)
        month = index(month)
        day = index(day)
        if not 1 <= year <= 9999:
            raise ValueError('year %i is out of range' % year)
        if not 1 <= month <= 12:
            raise ValueError('month must be in 1..12')
        if not 1 <= day <= days_in_month(year, month):
            raise ValueError('day is out of range for month')
        return year, month, day

    def _check_time_fields(hour, minute, second, microsecond, fold):
        hour = index(hour)
        minute = index(minute)
        second = index(second)
        microsecond = index(microsecond)
        for name, value, most in (('hour', hour, 23), ('minute', minute, 59),
                                  ('second', second, 59), ('microsecond', microsecond, 999999)):
            if not 0 <= value <= most:
                raise ValueError('%s must be in 0..%d' % (name, most))
        if fold not in (0, 1):
            raise ValueError('fold must be either 0 or 1')
        return hour, minute, second, microsecond, fold

    for function in (_check_date_fields, _check_time_fields):
        function.__module__ = 'datetime'
        setattr(module, function.__name__, function)


# --- UTF-16 and UTF-32 text without a byte order mark -------------------------
#
# RustPython's encodings are 3.14's, whose UTF-16 and UTF-32 incremental
# decoders and stream readers refuse text that does not start with a byte
# order mark as UnicodeDecodeError("utf-16", ..., "Stream does not start
# with BOM"); 3.11's raise UnicodeError("UTF-16 stream does not start with
# BOM"). `open(p, encoding='utf-16')` of such a file is the common way in.

def _bom_refused_as_3_11(module, width):
    import codecs
    name = 'utf_%d' % (width * 8)
    ex_decode = getattr(codecs, name + '_ex_decode')
    little, big = getattr(codecs, name + '_le_decode'), getattr(codecs, name + '_be_decode')
    refusal = 'UTF-%d stream does not start with BOM' % (width * 8)

    def first_decode(input, errors, final):
        """The first bytes decoded, and the decoder their mark chose."""
        output, consumed, byteorder = ex_decode(input, errors, 0, final)
        if byteorder == -1:
            return output, consumed, little
        if byteorder == 1:
            return output, consumed, big
        if consumed >= width:
            raise UnicodeError(refusal)
        return output, consumed, None

    def _buffer_decode(self, input, errors, final):
        if self.decoder is not None:
            return self.decoder(input, self.errors, final)
        output, consumed, self.decoder = first_decode(input, errors, final)
        return output, consumed

    def decode(self, input, errors='strict'):
        output, consumed, decoder = first_decode(input, errors, False)
        if decoder is not None:
            self.decode = decoder
        return output, consumed

    for function in (_buffer_decode, decode):
        function.__module__ = module.__name__
    _buffer_decode.__qualname__ = 'IncrementalDecoder._buffer_decode'
    decode.__qualname__ = 'StreamReader.decode'
    module.IncrementalDecoder._buffer_decode = _buffer_decode
    module.StreamReader.decode = decode


# --- pickle's default protocol, calendar's weekdays ----------------------------
#
# RustPython's pickle is 3.14's, whose default protocol is 5: pickle.dumps()
# wrote other bytes than 3.11's (protocol 4) for the same object. Its
# calendar is 3.14's too, whose weekdays are an IntEnum: monthrange(2024, 2)
# gave (calendar.THURSDAY, 29), which rpyc cannot send as a value, where
# 3.11 gives (3, 29).

_PICKLE_DEFAULT_PROTOCOL_3_11 = 4


def _days_as_3_11(module):
    weekday_of = module.weekday

    def weekday(year, month, day):
        return int(weekday_of(year, month, day))
    weekday.__doc__ = weekday_of.__doc__
    weekday.__module__ = module.__name__
    module.weekday = weekday
    for day in module.Day:
        setattr(module, day.name, int(day))


# --- sqlite3's dump -------------------------------------------------------------
#
# RustPython's Connection.iterdump() reads `_iterdump` from what
# `import sqlite3.dump` gives it, the `sqlite3` package, where 3.14's
# package does not hold it: every iterdump() raised AttributeError.

def _iterdump(connection):
    from sqlite3.dump import _iterdump as dump
    return dump(connection)


# --- os, given posix.sched_getaffinity -----------------------------------------
#
# RustPython's os is 3.14's, which asks `sys._get_cpu_count_config()` (the
# `-X cpu_count` option; RustPython's sys has none) once posix has
# `sched_getaffinity`, as it has here (`as_cpython::posix_additions`):
# `import os` raised AttributeError. While os runs, sys answers -1, no
# option given, as 3.14's does; then the name goes again (3.11's sys has
# none).

def _run_os(exec_module, module):
    import sys
    answered = not hasattr(sys, '_get_cpu_count_config')
    if answered:
        sys._get_cpu_count_config = lambda: -1
    try:
        exec_module(module)
    finally:
        if answered:
            del sys._get_cpu_count_config
    _supports_as_3_11(module)


# --- os.supports_* as 3.11's, where it holds here ---------------------------------
#
# Code asks these sets before it passes a descriptor, a dir_fd or
# follow_symlinks=False (shutil.rmtree, os.fwalk, pathlib). RustPython's
# listed functions CPython's do not (fstat, fchdir, fsync, ... in
# supports_fd; fstat and remove in supports_dir_fd), and left out ones
# that take a descriptor here (chdir, chmod, statvfs); supports_effective_ids
# was missing, so `os.access in os.supports_effective_ids` raised. Each set
# is CPython 3.11's on Linux, less what RustPython's function refuses here:
# dir_fd for access, chmod, link, mkfifo, readlink and rename; a descriptor
# for execve; follow_symlinks and effective_ids for access.
_SUPPORTS_AS_3_11 = {
    'supports_dir_fd': ('chown', 'mkdir', 'mknod', 'open', 'rmdir', 'stat', 'symlink', 'unlink',
                        'utime'),
    'supports_fd': ('chdir', 'chmod', 'chown', 'listdir', 'pathconf', 'scandir', 'stat', 'statvfs',
                    'truncate', 'utime'),
    'supports_follow_symlinks': ('chown', 'link', 'stat', 'utime'),
    'supports_effective_ids': (),
}


def _supports_as_3_11(module):
    for name, functions in _SUPPORTS_AS_3_11.items():
        setattr(module, name, {getattr(module, f) for f in functions if hasattr(module, f)})


# --- locale's aliases as 3.11's ---------------------------------------------------
#
# RustPython's locale is 3.14's, whose alias table differs from 3.11's in 28
# names. The one clients meet: 3.11 reads 'C.UTF-8' as 'en_US.UTF-8', so
# `locale.getlocale()` under LANG=C.UTF-8 is ('en_US', 'UTF-8') there and
# was ('C', 'UTF-8') here.

_LOCALE_ALIASES_OF_3_11 = {
    'c.utf8': 'en_US.UTF-8', 'de_li.utf8': 'de_LI.UTF-8', 'english.iso88591': 'en_US.ISO8859-1',
    'univ': 'en_US.utf', 'universal': 'en_US.utf', 'es_cu': 'es_CU.UTF-8', 'de_it': 'de_IT.ISO8859-1',
    'en_il': 'en_IL.UTF-8', 'sr@latn': 'sr_CS.UTF-8@latin', 'russian': 'ru_RU.KOI8-R',
}
_LOCALE_ALIASES_AFTER_3_11 = (
    'gbm_in', 'ie', 'scn_it', 'zgh_ma', 'sah_ru', 'crh_ru', 'dsb_de', 'syr', 'tok', 'ssy_er', 'su_id',
    'mnw_mm', 'kv_ru', 'ltg_lv.utf8', 'mdf_ru', 'univ.utf8', 'rif_ma', 'de_li',
)


def _aliases_as_3_11(aliases):
    for name in _LOCALE_ALIASES_AFTER_3_11:
        aliases.pop(name, None)
    aliases.update(_LOCALE_ALIASES_OF_3_11)


# --- ssl as 3.11's over OpenSSL ------------------------------------------------
#
# 3.12 took wrap_socket, match_hostname and RAND_pseudo_bytes out of ssl;
# clients written for 3.11 still call them. They come back as 3.11 has
# them: deprecated, with its warnings and its words. The rest is where
# RustPython's _ssl, on rustls, answers otherwise than CPython's on
# OpenSSL: RAND_status's bool, a context's TLS 1.2 floor, the words for a
# protocol it does not know, the verify flags of create_default_context
# (3.13's), the names of the cipher suites, and the check of a server's
# name (below).

def _address_of(hostname, ssl):
    """`hostname` as the packed IP address it writes, or None."""
    try:
        return ssl._inet_paton(hostname)
    except ValueError:
        return None


def _name_mismatch(cert, hostname, ssl):
    """How OpenSSL's X509_check_host or X509_check_ip, asked as CPython
    3.11 asks them, refuses `cert` (as getpeercert() gives it) for
    `hostname`: None where it is the certificate of that name, else the
    verify code and words. An IP address must be among its IP Address
    names; a DNS name among its DNS names or, when it has none, its
    common names; a wildcard only stands as the whole leftmost label."""
    names = cert.get('subjectAltName', ())
    address = _address_of(hostname, ssl)
    if address is not None:
        if any(kind == 'IP Address' and ssl._ipaddress_match(value, address)
               for kind, value in names):
            return None
        return 64, 'IP address mismatch, certificate is not valid for %r.' % hostname
    patterns = [value for kind, value in names if kind == 'DNS']
    if not patterns:
        patterns = [value for relative_name in cert.get('subject', ())
                    for kind, value in relative_name if kind == 'commonName']
    name = hostname[:-1] if hostname.endswith('.') else hostname
    for pattern in patterns:
        try:
            if ssl._dnsname_match(pattern, name):
                return None
        except ssl.CertificateError:
            pass
    return 62, 'Hostname mismatch, certificate is not valid for %r.' % hostname


def _shaped_as_openssl(error, code, words):
    """`error`, a certificate's refusal, with OpenSSL's verify code and
    words, its args (1, message) and their errno and strerror, as
    CPython's _ssl makes it (RustPython's has the message alone)."""
    message = '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ' + words
    error.args = (1, message)
    error.errno, error.strerror = 1, message
    error.library, error.reason = 'SSL', 'CERTIFICATE_VERIFY_FAILED'
    error.verify_code, error.verify_message = code, words
    return error


def _handshake_as_openssl(handshake, end, ssl):
    """`handshake()`, the one of `end` (an SSLObject or SSLSocket), its
    refusal of a certificate shaped as OpenSSL's, then the check OpenSSL
    makes of the server's name. RustPython's _ssl, given a self-signed
    certificate its context trusts as such, takes the certificate's
    common name even where it has DNS names (a certificate for
    `oxrpc.test` whose subject says `localhost` passed for `localhost`),
    which OpenSSL never does: such a handshake ends in CPython's
    SSLCertVerificationError, before anything is sent or read. And it
    words an IP address it refuses as a host name (62)."""
    try:
        handshake()
    except ssl.SSLCertVerificationError as error:
        code = getattr(error, 'verify_code', None)
        words = getattr(error, 'verify_message', None)
        if not isinstance(code, int) or not isinstance(words, str):
            raise
        if code == 62 and _address_of(end.server_hostname or '', ssl) is not None:
            code, words = 64, 'IP address mismatch, certificate is not valid for %r.' % end.server_hostname
        raise _shaped_as_openssl(error, code, words)
    if end.server_side or not end.server_hostname or not end.context.check_hostname:
        return
    cert = end.getpeercert()
    mismatch = cert and _name_mismatch(cert, end.server_hostname, ssl)
    if mismatch:
        raise _shaped_as_openssl(ssl.SSLCertVerificationError(), *mismatch)


# A self-signed certificate a context trusts ends its own chain under
# OpenSSL, whether the server's name is checked or not. RustPython's _ssl
# accepts it that way only when the name is checked, or when told
# VERIFY_X509_PARTIAL_CHAIN; otherwise rustls's verifier alone refused it
# (`create_default_context(cafile=own_cert)` with `check_hostname =
# False`, the usual way to reach a server by its address). Before a
# handshake, a context that checks certificates but not names gets that
# flag underneath; `verify_flags` shows only what was set on it. (The flag
# also lets a trusted certificate that is not self-signed end its chain,
# as a certificate pinned alone.)

_PARTIAL_CHAIN_ADDED = None


def _self_signed_trusted_as_openssl(context, ssl):
    import _ssl
    import weakref
    global _PARTIAL_CHAIN_ADDED
    if _PARTIAL_CHAIN_ADDED is None:
        _PARTIAL_CHAIN_ADDED = weakref.WeakSet()
    partial = ssl.VERIFY_X509_PARTIAL_CHAIN
    underneath = _ssl._SSLContext.verify_flags
    flags = underneath.__get__(context)
    added = context in _PARTIAL_CHAIN_ADDED
    wanted = (not context.check_hostname and context.verify_mode != ssl.CERT_NONE
              and (added or not flags & partial))
    if wanted and not added:
        underneath.__set__(context, flags | partial)
        _PARTIAL_CHAIN_ADDED.add(context)
    elif added and not wanted:
        underneath.__set__(context, flags & ~partial)
        _PARTIAL_CHAIN_ADDED.discard(context)


def _verify_flags_shown_as_set(ssl):
    import _ssl
    underneath = _ssl._SSLContext.verify_flags
    shown = ssl.SSLContext.verify_flags

    def get(self):
        flags = underneath.__get__(self)
        if _PARTIAL_CHAIN_ADDED is not None and self in _PARTIAL_CHAIN_ADDED:
            flags &= ~ssl.VERIFY_X509_PARTIAL_CHAIN
        return ssl.VerifyFlags(flags)

    def set(self, value):
        if _PARTIAL_CHAIN_ADDED is not None:
            _PARTIAL_CHAIN_ADDED.discard(self)
        underneath.__set__(self, value)

    ssl.SSLContext.verify_flags = property(_as_its_own(get, shown.fget),
                                           _as_its_own(set, shown.fset), doc=shown.__doc__)


# The names OpenSSL gives the TLS 1.2 suites rustls offers, where
# RustPython's cipher() and shared_ciphers() give their IANA names (its
# TLS 1.3 names are OpenSSL's already).
_OPENSSL_SUITE_NAMES = {
    'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384': 'ECDHE-ECDSA-AES256-GCM-SHA384',
    'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256': 'ECDHE-ECDSA-AES128-GCM-SHA256',
    'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256': 'ECDHE-ECDSA-CHACHA20-POLY1305',
    'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384': 'ECDHE-RSA-AES256-GCM-SHA384',
    'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256': 'ECDHE-RSA-AES128-GCM-SHA256',
    'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256': 'ECDHE-RSA-CHACHA20-POLY1305',
}


def _named_as_openssl(cipher):
    """A (name, protocol, secret bits) triple, named as OpenSSL names it."""
    name, protocol, bits = cipher
    return (_OPENSSL_SUITE_NAMES.get(name, name), protocol, bits)


def _ciphers_named_as_openssl(end_class):
    """`end_class`'s (SSLObject's or SSLSocket's) cipher() and
    shared_ciphers(), naming the suites as OpenSSL does."""
    own_cipher, own_shared = end_class.cipher, end_class.shared_ciphers

    def cipher(self):
        cipher = own_cipher(self)
        return None if cipher is None else _named_as_openssl(cipher)

    def shared_ciphers(self):
        shared = own_shared(self)
        return None if shared is None else [_named_as_openssl(cipher) for cipher in shared]

    end_class.cipher = _as_its_own(cipher, own_cipher)
    end_class.shared_ciphers = _as_its_own(shared_ciphers, own_shared)


def _ssl_as_3_11(ssl):
    import warnings
    import _ssl

    def __new__(cls, protocol=None, *args, **kwargs):
        if protocol is None:
            warnings.warn('ssl.SSLContext() without protocol argument is deprecated.',
                          category=DeprecationWarning, stacklevel=2)
            protocol = ssl.PROTOCOL_TLS
        try:
            context = _ssl._SSLContext.__new__(cls, protocol)
        except ValueError as error:
            if str(error) != 'invalid protocol version: %s' % (protocol,):
                raise
            raise ValueError('invalid or unsupported protocol version %d' % protocol) from None
        if protocol in (ssl.PROTOCOL_TLS, ssl.PROTOCOL_TLS_CLIENT, ssl.PROTOCOL_TLS_SERVER):
            context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context
    ssl.SSLContext.__new__ = staticmethod(_as_its_own(__new__, ssl.SSLContext.__new__))

    object_handshake = ssl.SSLObject.do_handshake
    socket_handshake = ssl.SSLSocket.do_handshake

    def do_handshake_of_object(self):
        _self_signed_trusted_as_openssl(self.context, ssl)
        _handshake_as_openssl(lambda: object_handshake(self), self, ssl)

    def do_handshake_of_socket(self, block=False):
        _self_signed_trusted_as_openssl(self.context, ssl)
        _handshake_as_openssl(lambda: socket_handshake(self, block), self, ssl)

    _verify_flags_shown_as_set(ssl)

    ssl.SSLObject.do_handshake = _as_its_own(do_handshake_of_object, object_handshake)
    ssl.SSLSocket.do_handshake = _as_its_own(do_handshake_of_socket, socket_handshake)
    _ciphers_named_as_openssl(ssl.SSLObject)
    _ciphers_named_as_openssl(ssl.SSLSocket)

    # 3.13's also sets the verify flags VERIFY_X509_PARTIAL_CHAIN (a
    # certificate the context trusts that is not self-signed ends the
    # chain) and VERIFY_X509_STRICT; 3.11's sets neither.
    create_with_3_13_flags = ssl.create_default_context

    def create_default_context(purpose=ssl.Purpose.SERVER_AUTH, *, cafile=None, capath=None,
                               cadata=None):
        context = create_with_3_13_flags(purpose, cafile=cafile, capath=capath, cadata=cadata)
        context.verify_flags &= ~(ssl.VERIFY_X509_PARTIAL_CHAIN | ssl.VERIFY_X509_STRICT)
        return context

    ssl.create_default_context = _as_its_own(create_default_context, create_with_3_13_flags)

    def RAND_status():
        """Returns True if the OpenSSL PRNG has been seeded with enough data
        and False if not."""
        return bool(_ssl.RAND_status())

    def wrap_socket(sock, keyfile=None, certfile=None, server_side=False,
                    cert_reqs=ssl.CERT_NONE, ssl_version=ssl.PROTOCOL_TLS,
                    ca_certs=None, do_handshake_on_connect=True,
                    suppress_ragged_eofs=True, ciphers=None):
        warnings.warn('ssl.wrap_socket() is deprecated, use SSLContext.wrap_socket()',
                      category=DeprecationWarning, stacklevel=2)
        if server_side and not certfile:
            raise ValueError('certfile must be specified for server-side operations')
        if keyfile and not certfile:
            raise ValueError('certfile must be specified')
        context = ssl.SSLContext(ssl_version)
        context.verify_mode = cert_reqs
        if ca_certs:
            context.load_verify_locations(ca_certs)
        if certfile:
            context.load_cert_chain(certfile, keyfile)
        if ciphers:
            context.set_ciphers(ciphers)
        return context.wrap_socket(
            sock=sock, server_side=server_side,
            do_handshake_on_connect=do_handshake_on_connect,
            suppress_ragged_eofs=suppress_ragged_eofs)

    def match_hostname(cert, hostname):
        """Verify that *cert* (in decoded format as returned by
        SSLSocket.getpeercert()) matches the *hostname*.  RFC 2818 and RFC 6125
        rules are followed.

        The function matches IP addresses rather than dNSNames if hostname is a
        valid ipaddress string. IPv4 addresses are supported on all platforms.
        IPv6 addresses are supported on platforms with IPv6 support (AF_INET6
        and inet_pton).

        CertificateError is raised on failure. On success, the function
        returns nothing.
        """
        warnings.warn('ssl.match_hostname() is deprecated',
                      category=DeprecationWarning, stacklevel=2)
        if not cert:
            raise ValueError('empty or no certificate, match_hostname needs a '
                             'SSL socket or SSL context with either '
                             'CERT_OPTIONAL or CERT_REQUIRED')
        try:
            host_ip = ssl._inet_paton(hostname)
        except ValueError:
            host_ip = None
        # The names the certificate offers, in its order: its subjectAltName
        # entries of the hostname's kind, else (none at all) its commonNames.
        names = []
        for kind, value in cert.get('subjectAltName', ()):
            if kind == 'DNS':
                if host_ip is None and ssl._dnsname_match(value, hostname):
                    return
                names.append(value)
            elif kind == 'IP Address':
                if host_ip is not None and ssl._ipaddress_match(value, host_ip):
                    return
                names.append(value)
        if not names:
            for relative_name in cert.get('subject', ()):
                for kind, value in relative_name:
                    if kind != 'commonName':
                        continue
                    if ssl._dnsname_match(value, hostname):
                        return
                    names.append(value)
        if not names:
            raise ssl.CertificateError(
                'no appropriate commonName or subjectAltName fields were found')
        if len(names) == 1:
            raise ssl.CertificateError('hostname %r doesn\'t match %r' % (hostname, names[0]))
        raise ssl.CertificateError('hostname %r doesn\'t match either of %s'
                                   % (hostname, ', '.join(map(repr, names))))

    for function in (wrap_socket, match_hostname, RAND_status):
        function.__module__ = 'ssl'
        function.__qualname__ = function.__name__
        setattr(ssl, function.__name__, function)
    ssl.RAND_pseudo_bytes = _ssl.RAND_pseudo_bytes


# --- tracebacks as 3.11 formats them ------------------------------------------
#
# RustPython's traceback is 3.14's, and a client reads its output at the end
# of every remote error. 3.11's differs in three ways:
#
# - 3.12 and later add "Did you mean: 'x'?" to NameError, AttributeError and
#   ImportError, and "Did you forget to import 'x'?" to a NameError naming a
#   standard module; 3.11's traceback module adds none (only its
#   interpreter's own printing in C does).
# - Under a line, 3.13 and later mark a call's arguments apart from what is
#   called (`~~~~^^^^`), show every line of an expression spanning lines,
#   and leave the marks out by other rules. 3.11 marks a binary operator or
#   a subscript's brackets apart, underlines only the first line of the
#   failing expression, and draws nothing when that covers the whole line.
# - 3.14's StackSummary.format passes a `colorize` keyword to
#   format_frame_summary, which a subclass written for 3.11 refuses.

def _caret_anchors_3_11(segment):
    """Where 3.11 marks a segment's binary operator (`^` under it, `~`
    around) or a subscript's brackets: (left_end, right_start) character
    offsets, or None when the segment is neither."""
    import ast
    tree = ast.parse(segment)
    if len(tree.body) != 1 or type(tree.body[0]) is not ast.Expr:
        return None
    expression = tree.body[0].value

    def character(offset):
        return _character_offset(segment, offset)

    if isinstance(expression, ast.BinOp):
        between = segment[character(expression.left.end_col_offset):
                          character(expression.right.col_offset)]
        skipped = len(between) - len(between.lstrip())
        # 3.11 adds the count of characters to a byte offset here.
        left = expression.left.end_col_offset + skipped
        right = left + 1
        if skipped + 1 < len(between) and not between[skipped + 1].isspace():
            right += 1
        while left < len(segment) and (segment[left].isspace() or segment[left] in ')#'):
            left += 1
            right += 1
        return character(left), character(right)
    if isinstance(expression, ast.Subscript):
        left = character(expression.value.end_col_offset)
        right = character(expression.slice.end_col_offset + 1)
        while left < len(segment) and segment[left] != '[':
            left += 1
        while right < len(segment) and segment[right] != ']':
            right += 1
        if right < len(segment):
            right += 1
        return left, right
    return None


def _character_offset(text, byte_offset):
    """The character offset of a UTF-8 byte offset into `text`."""
    return len(text.encode('utf-8')[:byte_offset].decode('utf-8', errors='replace'))


def _display_width_3_11(text, offset):
    """How many terminal columns text[:offset] takes: two for a wide
    character."""
    if text.isascii():
        return offset
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(c) in 'WF' else 1 for c in text[:offset])


def _traceback_as_3_11(traceback):
    import linecache
    StackSummary = traceback.StackSummary

    def original_line(frame_summary):
        # 3.11 measures against the line as linecache has it, its
        # indentation, trailing blanks and newline included.
        stripped = frame_summary.line
        line = linecache.getline(frame_summary.filename, frame_summary.lineno)
        if line.strip() == stripped:
            return line
        lines = frame_summary._original_lines or ''
        return lines.partition('\n')[0]

    def format_frame_summary(self, frame_summary, **kwargs):
        row = ['  File "{}", line {}, in {}\n'.format(
            frame_summary.filename, frame_summary.lineno, frame_summary.name)]
        if frame_summary.line:
            stripped_line = frame_summary.line.strip()
            row.append('    {}\n'.format(stripped_line))
            line = original_line(frame_summary)
            stripped_characters = len(line) - len(frame_summary.line.lstrip())
            if frame_summary.colno is not None and frame_summary.end_colno is not None:
                start = _character_offset(line, frame_summary.colno)
                end = _character_offset(line, frame_summary.end_colno)
                segment = line[start:end]
                anchors = None
                if frame_summary.lineno == frame_summary.end_lineno:
                    try:
                        anchors = _caret_anchors_3_11(segment)
                    except Exception:
                        pass
                else:
                    end = len(line.rstrip())
                if end - start < len(stripped_line) or (anchors and anchors[1] - anchors[0] > 0):
                    shown_start = _display_width_3_11(line, start) + 1
                    shown_end = _display_width_3_11(line, end) + 1
                    row.append('    ')
                    row.append(' ' * (shown_start - stripped_characters))
                    if anchors:
                        left = _display_width_3_11(segment, anchors[0])
                        right = _display_width_3_11(segment, anchors[1])
                        row.append('~' * left)
                        row.append('^' * (right - left))
                        row.append('~' * (shown_end - shown_start - right))
                    else:
                        row.append('^' * (shown_end - shown_start))
                    row.append('\n')
        if frame_summary.locals:
            for name, value in sorted(frame_summary.locals.items()):
                row.append('    {name} = {value}\n'.format(name=name, value=value))
        return ''.join(row)

    def format(self, **kwargs):
        cutoff = traceback._RECURSIVE_CUTOFF
        result = []
        last = None
        count = 0

        def repeated(count):
            count -= cutoff
            return f'  [Previous line repeated {count} more time{"s" if count > 1 else ""}]\n'

        for frame_summary in self:
            formatted = self.format_frame_summary(frame_summary)
            if formatted is None:
                continue
            this = (frame_summary.filename, frame_summary.lineno, frame_summary.name)
            if last is None or last != this or None in last:
                if count > cutoff:
                    result.append(repeated(count))
                last = this
                count = 0
            count += 1
            if count > cutoff:
                continue
            result.append(formatted)
        if count > cutoff:
            result.append(repeated(count))
        return result

    StackSummary.format_frame_summary = _as_its_own(
        format_frame_summary, StackSummary.format_frame_summary)
    StackSummary.format = _as_its_own(format, StackSummary.format)

    # No suggestions: none is looked for, and a NameError's text is its own.
    traceback._compute_suggestion_error = lambda exc_value, tb, wrong_name: None
    own_init = traceback.TracebackException.__init__

    def __init__(self, exc_type, exc_value, exc_traceback, *args, **kwargs):
        own_init(self, exc_type, exc_value, exc_traceback, *args, **kwargs)
        if (isinstance(exc_type, type) and issubclass(exc_type, NameError)
                and exc_value is not None):
            self._str = traceback._safe_string(exc_value, 'exception')

    traceback.TracebackException.__init__ = _as_its_own(__init__, own_init)


# --- dis reading this compiler's constants ------------------------------------
#
# The compiler's LOAD_COMMON_CONSTANT names seven builtins; opcode's table
# (3.14's) lists five, so `dis.dis()` of code that uses `list` or `set`
# that way (`list(x for x in y)`) raised IndexError. dis reads opcode's
# own list, which gains the two.

def _common_constants_of_this_compiler(opcode):
    import builtins
    constants = opcode._common_constants
    for extra in (builtins.list, builtins.set)[max(0, len(constants) - 5):]:
        constants.append(extra)


# --- pkgutil: the frozen standard library, and 3.11's loaders --------------------
#
# pkgutil lists the modules it finds in sys.path's directories; the
# standard library here is frozen into the server, so iter_modules() and
# walk_packages() listed none of it (`json`, `email`, ...), and a frozen
# package's modules only where its __path__ happens to exist. The frozen
# modules are listed where CPython's files would be: at the top when no
# path is given, and under a frozen package's __path__ entry. 3.12 took
# get_loader and find_loader out of pkgutil; they come back as 3.11's.

def _frozen_package_at(entry, lib):
    """The frozen package whose __path__ holds `entry` ('' for the frozen
    library's own directory), or None."""
    import _imp
    import os
    if not isinstance(entry, str):
        return None
    entry = os.path.normpath(entry)
    if entry == lib:
        return ''
    if not entry.startswith(lib + os.sep):
        return None
    package = entry[len(lib) + 1:].replace(os.sep, '.')
    try:
        return package if _imp.is_frozen_package(package) else None
    except ImportError:
        return None


def _pkgutil_as_3_11(pkgutil):
    import _imp
    import importlib.util
    import os
    from types import ModuleType

    lib = os.path.dirname(os.__file__)
    frozen = sorted(name for name in _imp._frozen_module_names()
                    if not name.endswith('.__init__'))
    own_iter_modules = pkgutil.iter_modules

    def frozen_under(package):
        depth = package.count('.') + 1 if package else 0
        start = package + '.' if package else ''
        return [name for name in frozen if name.startswith(start) and name.count('.') == depth]

    def iter_modules(path=None, prefix=''):
        if isinstance(path, str):
            yield from own_iter_modules(path, prefix)
            return
        if path is None:
            packages, searched = [''], None
        else:
            path = list(path)
            found = [_frozen_package_at(entry, lib) for entry in path]
            packages = [package for package in found if package is not None]
            searched = [entry for entry, package in zip(path, found) if package is None]
        yielded = set()
        for package in packages:
            for name in frozen_under(package):
                full = prefix + name.rpartition('.')[2]
                if full not in yielded:
                    yielded.add(full)
                    yield pkgutil.ModuleInfo(_frozen_importlib.FrozenImporter, full,
                                             _imp.is_frozen_package(name))
        for info in own_iter_modules(searched, prefix):
            if info.name not in yielded:
                yielded.add(info.name)
                yield info

    def get_loader(module_or_name):
        """Get a "loader" object for module_or_name

        Returns None if the module cannot be found or imported.
        If the named module is not already imported, its containing package
        (if any) is imported, in order to establish the package __path__.
        """
        if module_or_name in sys.modules:
            module_or_name = sys.modules[module_or_name]
            if module_or_name is None:
                return None
        if isinstance(module_or_name, ModuleType):
            loader = getattr(module_or_name, '__loader__', None)
            if loader is not None:
                return loader
            if getattr(module_or_name, '__spec__', None) is None:
                return None
            module_or_name = module_or_name.__name__
        return find_loader(module_or_name)

    def find_loader(fullname):
        """Find a "loader" object for fullname

        This is a backwards compatibility wrapper around
        importlib.util.find_spec that converts most failures to ImportError
        and only returns the loader rather than the full spec
        """
        if fullname.startswith('.'):
            raise ImportError('Relative module name {!r} not supported'.format(fullname))
        try:
            spec = importlib.util.find_spec(fullname)
        except (ImportError, AttributeError, TypeError, ValueError) as error:
            raise ImportError('Error while finding loader for {!r} ({}: {})'.format(
                fullname, type(error), error)) from error
        return None if spec is None else spec.loader

    iter_modules.__doc__ = own_iter_modules.__doc__
    for function in (iter_modules, get_loader, find_loader):
        function.__module__ = 'pkgutil'
        function.__qualname__ = function.__name__
        setattr(pkgutil, function.__name__, function)


def _mending_exec_module(exec_module):
    """os, inspect, hashlib, hmac, locale, _pydatetime, pickle, calendar,
    sqlite3, ssl, pkgutil, traceback, opcode and the UTF-16 and UTF-32 encodings are frozen modules: the frozen
    importer's exec_module, which runs os with sys as it needs, and mends
    the rest once it has run them."""
    def mending(module):
        if module.__name__ == 'os':
            return _run_os(exec_module, module)
        exec_module(module)
        if module.__name__ == 'inspect':
            module._signature_strip_non_python_syntax = _without_mark(
                module._signature_strip_non_python_syntax)
            _cleandoc.__module__ = 'inspect'
            module.cleandoc = _cleandoc
        elif module.__name__ == 'hashlib':
            global _new_of_3_14
            _new_of_3_14 = module.new
            module.new = __hash_new
        elif getattr(module.__spec__, 'name', None) == '_pydatetime':
            # It renames itself `datetime` as it runs.
            _fields_checked_as_3_11(module)
        elif module.__name__ in ('encodings.utf_16', 'encodings.utf_32'):
            _bom_refused_as_3_11(module, 2 if module.__name__.endswith('16') else 4)
        elif module.__name__ == 'pickle':
            module.DEFAULT_PROTOCOL = _PICKLE_DEFAULT_PROTOCOL_3_11
        elif module.__name__ == 'calendar':
            _days_as_3_11(module)
        elif module.__name__ == 'sqlite3':
            _iterdump.__module__ = 'sqlite3.dump'
            module._iterdump = _iterdump
            # The module's own version, which 3.11 still names.
            module.version, module.version_info = '2.6.0', (2, 6, 0)
        elif module.__name__ == 'locale':
            _aliases_as_3_11(module.locale_alias)
        elif module.__name__ == 'hmac':
            module.HMAC.__init__ = _with_3_11_words(module.HMAC.__init__)
            module.HMAC.copy = _copy_without_block_size(module.HMAC.copy)
        elif module.__name__ == 'ssl':
            _ssl_as_3_11(module)
        elif module.__name__ == 'pkgutil':
            _pkgutil_as_3_11(module)
        elif module.__name__ == 'traceback':
            _traceback_as_3_11(module)
        elif module.__name__ == 'opcode':
            _common_constants_of_this_compiler(module)
    return staticmethod(_as_its_own(mending, exec_module))


_frozen_importlib.FrozenImporter.exec_module = _mending_exec_module(
    _frozen_importlib.FrozenImporter.exec_module)


# --- the frozen standard library's sources -----------------------------------------
#
# RustPython's frozen importer had no source for the standard library it
# freezes (bytecode alone): a traceback through `json` showed none of its
# lines and `inspect.getsource(json.dumps)` raised "could not get source
# code". The sources are packed into the server (`frozen_sources.rs`,
# given here as `_frozen_source`); the importer's get_source gives them,
# as CPython's file loader gives its, to linecache and inspect.

_get_no_source = _frozen_importlib.FrozenImporter.get_source


def _get_frozen_source(cls, fullname):
    """Return the source code of the frozen module."""
    source = _frozen_source(fullname) if isinstance(fullname, str) else None
    return _get_no_source(fullname) if source is None else source


_get_frozen_source.__name__ = 'get_source'
_get_frozen_source.__qualname__ = 'FrozenImporter.get_source'
_get_frozen_source.__module__ = '_frozen_importlib'
_frozen_importlib.FrozenImporter.get_source = classmethod(_get_frozen_source)


# --- sys.flags in 3.11's order --------------------------------------------------------
#
# RustPython's sys.flags has 3.11's fields but ends them in another order
# (int_max_str_digits before safe_path and warn_default_encoding), so its
# repr and its items differed from CPython 3.11's. The same values, in
# 3.11's order, as a tuple of named fields that cannot be made anew.

_FLAG_NAMES = (
    'debug', 'inspect', 'interactive', 'optimize', 'dont_write_bytecode', 'no_user_site',
    'no_site', 'ignore_environment', 'verbose', 'bytes_warning', 'quiet', 'hash_randomization',
    'isolated', 'dev_mode', 'utf8_mode', 'warn_default_encoding', 'safe_path',
    'int_max_str_digits')


class flags(tuple):
    """sys.flags

Flags provided through command line arguments or environment vars."""
    __slots__ = ()
    n_sequence_fields = n_fields = len(_FLAG_NAMES)
    n_unnamed_fields = 0
    __match_args__ = _FLAG_NAMES

    def __new__(cls, *args, **kwargs):
        raise TypeError("cannot create 'sys.flags' instances")

    def __repr__(self):
        return 'sys.flags(%s)' % ', '.join(
            '%s=%r' % (name, value) for name, value in zip(_FLAG_NAMES, self))

    def __reduce__(self):
        return (type(self), (tuple(self), {}))


def _flag_field(index):
    return property(lambda self: tuple.__getitem__(self, index))


for _index, _name in enumerate(_FLAG_NAMES):
    setattr(flags, _name, _flag_field(_index))
# Read by RustPython's own standard library (warnings, threading): 3.14's
# flags beyond the tuple.
for _name in ('context_aware_warnings', 'thread_inherit_context'):
    setattr(flags, _name, getattr(sys.flags, _name))
flags.__module__ = 'sys'
sys.flags = tuple.__new__(flags, [getattr(sys.flags, _name) for _name in _FLAG_NAMES])
del flags, _flag_field, _index, _name
