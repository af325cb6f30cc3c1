# `_multibytecodec` as CPython 3.11's: the codec objects `_codecs_jp` and
# its kin give (`getcodec`), and the incremental and stream classes the
# `encodings` modules of the CJK codecs derive from. The bytes are decoded
# and encoded in Rust (`_oxrpc_decode`, `_oxrpc_encode`, from CPython's
# own tables); what happens at a sequence or character the codec cannot
# handle is CPython's, here: the built-in `strict`, `ignore` and `replace`
# (one U+FFFD, or one `?`, for the whole sequence), any other handler
# looked up only when an error comes and given one exception object per
# call, its answer checked as CPython checks it.

import codecs as _codecs

_ILLEGAL = "illegal multibyte sequence"
_INCOMPLETE = "incomplete multibyte sequence"
# What an incremental decoder and encoder may hold back between calls.
_MAX_PENDING_BYTES = 8
_MAX_PENDING_CHARACTERS = 2


class MultibyteCodec:
    # The codec's name, and the states of a new encoder and decoder.
    __slots__ = ("_oxrpc_name", "_oxrpc_states")

    def __new__(cls, *args, **kwargs):
        raise TypeError("cannot create '_multibytecodec.MultibyteCodec' instances")

    def encode(self, input, errors=None):
        errors = _errors_argument("encode", errors)
        text = _as_text(input, "couldn't convert the object to unicode.")
        data, _, _ = _encode(self._oxrpc_name, text, errors, True, self._oxrpc_states[0])
        return data, len(text)

    def decode(self, input, errors=None):
        errors = _errors_argument("decode", errors)
        data = _as_bytes(input)
        text, _, _ = _decode(self._oxrpc_name, data, errors, True, False, self._oxrpc_states[1])
        return text, len(data)


# The codec objects' class is not one of the module's names (as in
# CPython's), only their type.
_Codec = MultibyteCodec
del MultibyteCodec


def _oxrpc_codec(name):
    codec = object.__new__(_Codec)
    codec._oxrpc_name = name
    codec._oxrpc_states = _oxrpc_first_states(name)
    return codec


def _errors_argument(function, errors):
    if errors is None:
        return "strict"
    if not isinstance(errors, str):
        raise TypeError("%s() argument 'errors' must be str or None, not %s"
                        % (function, type(errors).__name__))
    return errors


def _as_bytes(value):
    # Bytes as they are (the decoder reads them in place), any other
    # buffer copied.
    return value if type(value) is bytes else bytes(memoryview(value))


def _as_text(value, refusal):
    if isinstance(value, str):
        return value
    value = str(value)
    if not isinstance(value, str):
        raise TypeError(refusal)
    return value


def _checked_position(position, length):
    if position < 0:
        position += length
    if position < 0 or position > length:
        raise IndexError("position %d from error handler out of bounds" % position)
    return position


def _built_in(errors):
    """`errors` where the codec handles it itself, as CPython's does."""
    return errors if errors == "ignore" or errors == "replace" else None


def _decode(name, data, errors, last, incremental, state):
    """The text of `data`'s sequences, how far it read and the codec's
    state there: to its end, or (not `last`) up to an incomplete sequence
    at its end. An incremental decoder's last call hands such a sequence
    to the handler once and keeps what the handler leaves (as CPython's
    does)."""
    error = None

    def replaced(at, end, incomplete):
        nonlocal error
        reason = _INCOMPLETE if incomplete else _ILLEGAL
        if errors == "strict":
            raise UnicodeDecodeError(name, data, at, end, reason)
        if errors == "replace":
            return "\ufffd", end
        if errors == "ignore":
            return "", end
        handler = _codecs.lookup_error(errors)
        if error is None:
            error = UnicodeDecodeError(name, data, at, end, reason)
        else:
            error.start, error.end, error.reason = at, end, reason
        answer = handler(error)
        if (not isinstance(answer, tuple) or len(answer) != 2
                or not isinstance(answer[0], str) or not isinstance(answer[1], int)):
            raise TypeError("decoding error handler must return (str, int) tuple")
        return answer[0], _checked_position(answer[1], len(data))

    return _oxrpc_decode(name, data, last, incremental, state, _built_in(errors) or replaced)


def _encode(name, text, errors, last, state, reset=None):
    """The bytes of `text`, how far it wrote and the codec's state there:
    to its end, or (not `last`) up to a character at its end that may
    start a pair. `reset` (by default `last`) ends the text as the codec
    ends it (HZ closes its GB2312 run)."""
    error = None

    def replaced(at, end, state):
        # What stands for text[at:end], written in the codec's state
        # (which it may change: HZ leaves its GB2312 run for a `?`).
        nonlocal error
        if errors == "strict":
            raise UnicodeEncodeError(name, text, at, end, _ILLEGAL)
        if errors == "ignore":
            return b"", end, state
        if errors == "replace":
            replacement, position = "?", end
        else:
            handler = _codecs.lookup_error(errors)
            if error is None:
                error = UnicodeEncodeError(name, text, at, end, _ILLEGAL)
            else:
                error.start, error.end = at, end
            answer = handler(error)
            if (not isinstance(answer, tuple) or len(answer) != 2
                    or not isinstance(answer[0], (str, bytes))
                    or not isinstance(answer[1], int)):
                raise TypeError("encoding error handler must return (str, int) tuple")
            replacement, position = answer[0], _checked_position(answer[1], len(text))
        if isinstance(replacement, str):
            replacement, _, state = _encode(name, replacement, "strict", True, state, False)
        return replacement, position, state

    return _oxrpc_encode(name, text, last, last if reset is None else reset, state,
                         _built_in(errors) or replaced)


def _codec_of(cls):
    try:
        codec = cls.codec
    except AttributeError:
        if cls.__module__ != __name__:
            raise
        # This module's classes are named with it, as CPython's C types are.
        raise AttributeError("type object '%s.%s' has no attribute 'codec'"
                             % (__name__, cls.__name__)) from None
    if not isinstance(codec, _Codec):
        raise TypeError("codec is unexpected type")
    return codec


def _held_back(rest, limit):
    """What an incremental or stream object keeps for its next call, at
    most `limit` bytes or characters (more would be a codec's fault)."""
    if len(rest) > limit:
        raise UnicodeError("pending buffer overflow")
    return rest


def _started(cls, errors, pending, stream=None):
    """A new incremental or stream object of `cls`, in its codec's first
    state (the four classes share their slots' names, not a base, as
    CPython's four types derive from `object` alone)."""
    codec = _codec_of(cls)
    self = object.__new__(cls)
    self._oxrpc_codec = codec
    self._oxrpc_errors = "strict" if errors is None else errors
    self._oxrpc_pending = pending
    self._oxrpc_state = codec._oxrpc_states[isinstance(pending, bytes)]
    if stream is not None:
        self._oxrpc_stream = stream
    return self


class _Errors:
    """The `errors` attribute of the incremental and stream objects."""

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return instance._oxrpc_errors

    def __set__(self, instance, value):
        if not isinstance(value, str):
            raise TypeError("errors must be a string")
        instance._oxrpc_errors = value

    def __delete__(self, instance):
        raise AttributeError("cannot delete attribute")


def _unsigned_bytes(value, size):
    if not isinstance(value, int):
        raise TypeError("setstate() argument must be int, not %s" % type(value).__name__)
    if value < 0:
        raise OverflowError("can't convert negative int to unsigned")
    if value.bit_length() > size * 8:
        raise OverflowError("int too big to convert")
    return value.to_bytes(size, "little")


class MultibyteIncrementalEncoder:
    __slots__ = ("_oxrpc_codec", "_oxrpc_errors", "_oxrpc_pending", "_oxrpc_state")
    errors = _Errors()

    def __new__(cls, errors=None):
        return _started(cls, errors, "")

    def __init__(self, *args, **kwargs):
        pass

    def encode(self, input, final=False):
        text = self._oxrpc_pending + _as_text(input, "couldn't convert the object to str.")
        data, position, state = _encode(self._oxrpc_codec._oxrpc_name, text, self._oxrpc_errors,
                                        bool(final), self._oxrpc_state)
        self._oxrpc_pending = _held_back(text[position:], _MAX_PENDING_CHARACTERS)
        self._oxrpc_state = state
        return data

    def reset(self):
        # What the codec would write to end its text is dropped.
        _, self._oxrpc_state = _oxrpc_reset(self._oxrpc_codec._oxrpc_name, self._oxrpc_state,
                                            False)
        self._oxrpc_pending = ""

    def getstate(self):
        pending = self._oxrpc_pending.encode("utf-8")
        return int.from_bytes(bytes([len(pending)]) + pending
                              + self._oxrpc_state.to_bytes(8, "little"), "little")

    def setstate(self, state):
        state = _unsigned_bytes(state, 1 + _MAX_PENDING_CHARACTERS * 4 + 8)
        length = state[0]
        if length > _MAX_PENDING_CHARACTERS * 4:
            raise UnicodeError("pending buffer too large")
        self._oxrpc_pending = state[1:1 + length].decode("utf-8")
        self._oxrpc_state = int.from_bytes(state[1 + length:1 + length + 8], "little")


class MultibyteIncrementalDecoder:
    __slots__ = ("_oxrpc_codec", "_oxrpc_errors", "_oxrpc_pending", "_oxrpc_state")
    errors = _Errors()

    def __new__(cls, errors=None):
        return _started(cls, errors, b"")

    def __init__(self, *args, **kwargs):
        pass

    def decode(self, input, final=False):
        data = self._oxrpc_pending + _as_bytes(input)
        text, position, state = _decode(self._oxrpc_codec._oxrpc_name, data, self._oxrpc_errors,
                                        bool(final), True, self._oxrpc_state)
        self._oxrpc_pending = _held_back(data[position:], _MAX_PENDING_BYTES)
        self._oxrpc_state = state
        return text

    def reset(self):
        self._oxrpc_pending = b""
        _, self._oxrpc_state = _oxrpc_reset(self._oxrpc_codec._oxrpc_name, self._oxrpc_state,
                                            True)

    def getstate(self):
        return self._oxrpc_pending, self._oxrpc_state

    def setstate(self, state):
        if not isinstance(state, tuple):
            raise TypeError("setstate() argument must be tuple, not %s" % type(state).__name__)
        if len(state) != 2 or not isinstance(state[0], bytes) or not isinstance(state[1], int):
            raise TypeError("setstate(): illegal state argument")
        buffer, number = state
        number = int.from_bytes(_unsigned_bytes(number, 8), "little")
        if len(buffer) > _MAX_PENDING_BYTES:
            raise UnicodeError("pending buffer too large")
        self._oxrpc_pending = bytes(buffer)
        self._oxrpc_state = number


class MultibyteStreamReader:
    __slots__ = ("_oxrpc_codec", "_oxrpc_errors", "_oxrpc_pending", "_oxrpc_state",
                 "_oxrpc_stream")
    errors = _Errors()
    stream = property(lambda self: self._oxrpc_stream)

    def __new__(cls, stream, errors=None):
        return _started(cls, errors, b"", stream)

    def __init__(self, *args, **kwargs):
        pass

    def _read(self, method, size):
        if size == 0:
            return ""
        parts = []
        while True:
            chunk = getattr(self._oxrpc_stream, method)() if size < 0 \
                else getattr(self._oxrpc_stream, method)(size)
            if not isinstance(chunk, bytes):
                raise TypeError("stream function returned a non-bytes object (%s)"
                                % type(chunk).__name__)
            at_end = not chunk
            data = self._oxrpc_pending + chunk
            self._oxrpc_pending = b""
            text, position, self._oxrpc_state = _decode(
                self._oxrpc_codec._oxrpc_name, data, self._oxrpc_errors, at_end or size < 0, True,
                self._oxrpc_state)
            self._oxrpc_pending = _held_back(data[position:], _MAX_PENDING_BYTES)
            parts.append(text)
            if size < 0 or text or not chunk:
                return "".join(parts)
            size = 1

    @staticmethod
    def _size(size, function):
        if size is None:
            return -1
        if not isinstance(size, int):
            raise TypeError("%s() argument must be int or None, not %s"
                            % (function, type(size).__name__))
        return size

    def read(self, sizeobj=None):
        return self._read("read", self._size(sizeobj, "read"))

    def readline(self, sizeobj=None):
        return self._read("readline", self._size(sizeobj, "readline"))

    def readlines(self, sizehintobj=None):
        return self._read("read", self._size(sizehintobj, "readlines")).splitlines(True)

    def reset(self):
        self._oxrpc_pending = b""
        _, self._oxrpc_state = _oxrpc_reset(self._oxrpc_codec._oxrpc_name, self._oxrpc_state,
                                            True)


class MultibyteStreamWriter:
    __slots__ = ("_oxrpc_codec", "_oxrpc_errors", "_oxrpc_pending", "_oxrpc_state",
                 "_oxrpc_stream")
    errors = _Errors()
    stream = property(lambda self: self._oxrpc_stream)

    def __new__(cls, stream, errors=None):
        return _started(cls, errors, "", stream)

    def __init__(self, *args, **kwargs):
        pass

    def write(self, strobj):
        text = self._oxrpc_pending + _as_text(strobj, "couldn't convert the object to str.")
        data, position, self._oxrpc_state = _encode(
            self._oxrpc_codec._oxrpc_name, text, self._oxrpc_errors, False, self._oxrpc_state)
        self._oxrpc_pending = text[position:]
        self._oxrpc_stream.write(data)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def reset(self):
        # As CPython's: with nothing held back, nothing is written, not even
        # what would end the codec's text.
        pending, self._oxrpc_pending = self._oxrpc_pending, ""
        if pending:
            data, _, self._oxrpc_state = _encode(
                self._oxrpc_codec._oxrpc_name, pending, self._oxrpc_errors, True, self._oxrpc_state)
            if data:
                self._oxrpc_stream.write(data)


del _Errors
