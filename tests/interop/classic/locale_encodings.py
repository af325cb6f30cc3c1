"""How a classic server's Python opens text, as its process's locale decides.

    locale_encodings.py PORT  ->  prints one line per expression

CPython sets LC_CTYPE from the environment when it starts, coerces the C
locale to a UTF-8 one unless LC_ALL is set, and turns its UTF-8 mode on
under the C or POSIX locale unless PYTHONUTF8 says otherwise. What that
gives a file opened without an encoding, or with encoding='locale', is
printed here, with the locale `locale.getlocale()` names for it and the
time zone's constants (from `TZ`, and again after `time.tzset()`), for a
test to compare a server started
under some environment with rpyc_classic started under the same.
"""
import sys

import rpyc

EXPRESSIONS = [
    "sys.flags.utf8_mode",
    "locale.getencoding()",
    "locale.getpreferredencoding(False)",
    "locale.setlocale(locale.LC_CTYPE)",
    "io.text_encoding(None)",
    "open(path).encoding",
    "open(path, encoding='locale').encoding",
    "io.TextIOWrapper(io.BytesIO()).encoding",
    "io.TextIOWrapper(io.BytesIO(), 'locale').encoding",
    "repr(open(path))",
    "open(path, encoding='locale').read()",
    "locale.getlocale()",
    "locale.getlocale(locale.LC_CTYPE)",
    "locale.normalize('C.UTF-8')",
    "(time.timezone, time.altzone, time.daylight, time.tzname)",
    "time.strftime('%Z %z', time.localtime(0))",
    "time.strftime('%Z %z', time.gmtime(0))",
    "(os.environ.__setitem__('TZ', 'America/Chicago'), time.strftime('%Z'), os.environ.pop('TZ'),"
    " time.localtime(0).tm_hour, time.strftime('%H %Z', time.localtime(0)))[3:]",
    # tzset() moves the process to the zone TZ names, then back to the
    # zone it started in.
    "(lambda start: (os.environ.__setitem__('TZ', 'Pacific/Auckland'), time.tzset(), time.localtime(0).tm_hour,"
    " time.timezone, time.altzone, time.daylight, time.tzname, time.strftime('%Z %z', time.localtime(0)),"
    " os.environ.pop('TZ') if start is None else os.environ.__setitem__('TZ', start), time.tzset(),"
    " time.localtime(0).tm_hour, time.timezone, time.altzone, time.tzname))(os.environ.get('TZ'))[2:]",
]

port = int(sys.argv[1])
c = rpyc.classic.connect('127.0.0.1', port)
c.execute(
    "import io, locale, os, sys, tempfile, time\n"
    "path = os.path.join(tempfile.gettempdir(), 'oxrpc-locale-encodings')\n"
    "with open(path, 'wb') as out:\n"
    "    out.write('caf\\u00e9\\n'.encode())\n"
    "def outcome(source):\n"
    "    try:\n"
    "        return ascii(eval(source))\n"
    "    except Exception as error:\n"
    "        return 'raised %s %s' % (type(error).__name__, ascii(str(error)))\n"
)
for expression in EXPRESSIONS:
    print(expression, '->', c.namespace['outcome'](expression))
