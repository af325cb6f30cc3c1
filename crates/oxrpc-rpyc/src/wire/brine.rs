//! Brine: rpyc's serializer for immutable values.
//!
//! Every message rpyc puts on the wire is one brine document, so this is the
//! innermost layer of the protocol. Brine is deliberately small: it encodes
//! only values that cannot refer to anything else (`None`, booleans, ints,
//! floats, complex numbers, bytes, str, tuples, frozensets, slices and the
//! `NotImplemented` / `Ellipsis` singletons). Anything mutable travels by
//! reference instead (see [`crate::boxing`]).
//!
//! The encoding is a one-byte tag followed by a tag-specific body. Python's
//! `brine.dump` picks the tag, and we must pick exactly the same one, because a
//! golden test compares our bytes with Python's:
//!
//! | value                         | tag(s)                                                     |
//! |-------------------------------|------------------------------------------------------------|
//! | `None` / `True` / `False`     | `00` / `03` / `04`                                         |
//! | `NotImplemented` / `Ellipsis` | `05` / `06`                                                |
//! | int in `-48..=159`            | the single byte `int + 0x50` (`0x20..=0xef`)               |
//! | other ints                    | `16` + u8 length or `17` + u32 length, then decimal ASCII  |
//! | float                         | `18` + IEEE-754 f64, big-endian                            |
//! | complex                       | `1b` + two big-endian f64 (real, imag)                     |
//! | bytes                         | `01` (empty), `0a`..`0d` (1..4 bytes), `0e` + u8 length, `0f` + u32 length |
//! | str                           | `08` followed by its UTF-8 encoding as *bytes* (above)     |
//! | tuple                         | `02` (empty), `10`..`13` (1..4 items), `14` + u8 count, `15` + u32 count |
//! | frozenset                     | `1a` followed by a tuple of its items                      |
//! | slice                         | `19` followed by the tuple `(start, stop, step)`           |
//!
//! Ints have no size limit in Python, so brine writes large ones as decimal
//! text. We keep the common case fast with [`BrineValue::Int`] (`i64`) and only
//! fall back to [`BrineValue::BigInt`] outside that range; decoding always
//! produces the `Int` form when the value fits, so equal numbers compare equal.
//!
//! # Hostile input
//!
//! The bytes come from a peer we do not trust, so [`load`] never panics and
//! never allocates more than the input can justify: a declared length is
//! checked against the bytes actually present before anything is reserved,
//! nesting is capped by [`BrineLimits::max_depth`] and the total number of
//! values by [`BrineLimits::max_elements`]. Python's loader is far laxer (it
//! ignores trailing bytes and silently returns short strings when the input is
//! truncated); we reject both, which costs nothing with a real peer because
//! Python's `dump` never produces either.

use std::fmt;

use num_bigint::BigInt;
use num_traits::ToPrimitive;

use super::error::BrineError;

// Tags, with the names brine.py gives them.
const TAG_NONE: u8 = 0x00;
const TAG_EMPTY_STR: u8 = 0x01;
const TAG_EMPTY_TUPLE: u8 = 0x02;
const TAG_TRUE: u8 = 0x03;
const TAG_FALSE: u8 = 0x04;
const TAG_NOT_IMPLEMENTED: u8 = 0x05;
const TAG_ELLIPSIS: u8 = 0x06;
const TAG_UNICODE: u8 = 0x08;
const TAG_STR1: u8 = 0x0a;
const TAG_STR4: u8 = 0x0d;
const TAG_STR_L1: u8 = 0x0e;
const TAG_STR_L4: u8 = 0x0f;
const TAG_TUP1: u8 = 0x10;
const TAG_TUP4: u8 = 0x13;
const TAG_TUP_L1: u8 = 0x14;
const TAG_TUP_L4: u8 = 0x15;
const TAG_INT_L1: u8 = 0x16;
const TAG_INT_L4: u8 = 0x17;
const TAG_FLOAT: u8 = 0x18;
const TAG_SLICE: u8 = 0x19;
const TAG_FSET: u8 = 0x1a;
const TAG_COMPLEX: u8 = 0x1b;

/// Smallest int brine writes as a single byte.
const IMM_INT_MIN: i64 = -0x30;
/// Largest int brine writes as a single byte.
const IMM_INT_MAX: i64 = 0x9f;
/// Added to an immediate int to get its tag byte.
const IMM_INT_OFFSET: i64 = 0x50;
/// The tag byte range holding immediate ints.
const IMM_TAG_MIN: u8 = (IMM_INT_MIN + IMM_INT_OFFSET) as u8;
const IMM_TAG_MAX: u8 = (IMM_INT_MAX + IMM_INT_OFFSET) as u8;

/// A value brine can carry.
///
/// Python's `True`/`False` are [`Bool`](BrineValue::Bool); Python's `bytes`
/// are [`Bytes`](BrineValue::Bytes) and `str` is [`Str`](BrineValue::Str).
/// A [`FrozenSet`](BrineValue::FrozenSet) keeps the wire order of its items, so
/// decoding and re-encoding a Python document reproduces it byte for byte.
///
/// Invariant kept by [`load`] and by the `From` conversions: an int that fits
/// in `i64` is an [`Int`](BrineValue::Int), never a [`BigInt`](BrineValue::BigInt).
/// Encoding accepts either form for any value.
///
/// ```
/// use oxrpc_rpyc::brine::{self, BrineValue};
///
/// let v = BrineValue::tuple([BrineValue::from("he"), BrineValue::from(7)]);
/// assert_eq!(brine::dump(&v), b"\x11\x08\x0bhe\x57");
/// assert_eq!(brine::load(&brine::dump(&v)).unwrap(), v);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub enum BrineValue {
    /// `None`.
    #[default]
    None,
    /// `True` or `False`.
    Bool(bool),
    /// The `NotImplemented` singleton.
    NotImplemented,
    /// The `Ellipsis` (`...`) singleton.
    Ellipsis,
    /// An int that fits in 64 bits.
    Int(i64),
    /// An int outside the `i64` range.
    BigInt(BigInt),
    /// A float (IEEE-754 double; NaN payloads and `-0.0` survive a round trip).
    Float(f64),
    /// A complex number `(real, imag)`.
    Complex(f64, f64),
    /// `bytes`.
    Bytes(Vec<u8>),
    /// `str`.
    Str(String),
    /// A tuple.
    Tuple(Vec<BrineValue>),
    /// A frozenset, items in wire order.
    FrozenSet(Vec<BrineValue>),
    /// `slice(start, stop, step)`.
    Slice(Box<BrineValue>, Box<BrineValue>, Box<BrineValue>),
}

impl BrineValue {
    /// Builds a tuple from anything iterable.
    pub fn tuple(items: impl IntoIterator<Item = BrineValue>) -> BrineValue {
        BrineValue::Tuple(items.into_iter().collect())
    }

    /// Builds `slice(start, stop, step)`.
    pub fn slice(start: BrineValue, stop: BrineValue, step: BrineValue) -> BrineValue {
        BrineValue::Slice(Box::new(start), Box::new(stop), Box::new(step))
    }

    /// The Python type name of this value (`"int"`, `"tuple"`, ...), for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            BrineValue::None => "NoneType",
            BrineValue::Bool(_) => "bool",
            BrineValue::NotImplemented => "NotImplementedType",
            BrineValue::Ellipsis => "ellipsis",
            BrineValue::Int(_) | BrineValue::BigInt(_) => "int",
            BrineValue::Float(_) => "float",
            BrineValue::Complex(..) => "complex",
            BrineValue::Bytes(_) => "bytes",
            BrineValue::Str(_) => "str",
            BrineValue::Tuple(_) => "tuple",
            BrineValue::FrozenSet(_) => "frozenset",
            BrineValue::Slice(..) => "slice",
        }
    }

    /// The value as an `i64`, if it is an int in range (booleans are not ints here).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            BrineValue::Int(i) => Some(*i),
            BrineValue::BigInt(b) => b.to_i64(),
            _ => None,
        }
    }

    /// The value as an `i128`, if it is an int in range.
    pub fn as_i128(&self) -> Option<i128> {
        match self {
            BrineValue::Int(i) => Some(i128::from(*i)),
            BrineValue::BigInt(b) => b.to_i128(),
            _ => None,
        }
    }

    /// The text of a `str`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            BrineValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The bytes of a `bytes`.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            BrineValue::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The items of a tuple.
    pub fn as_tuple(&self) -> Option<&[BrineValue]> {
        match self {
            BrineValue::Tuple(items) => Some(items),
            _ => None,
        }
    }

    /// Whether this is `None`.
    pub fn is_none(&self) -> bool {
        matches!(self, BrineValue::None)
    }

    /// Appends the brine encoding of `self` to `out`.
    ///
    /// ```
    /// use oxrpc_rpyc::brine::BrineValue;
    ///
    /// let mut out = vec![0x01]; // e.g. a message-type byte already in the buffer
    /// BrineValue::Int(900).encode_into(&mut out);
    /// assert_eq!(out, b"\x01\x16\x03900");
    /// ```
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        match self {
            BrineValue::None => out.push(TAG_NONE),
            BrineValue::Bool(true) => out.push(TAG_TRUE),
            BrineValue::Bool(false) => out.push(TAG_FALSE),
            BrineValue::NotImplemented => out.push(TAG_NOT_IMPLEMENTED),
            BrineValue::Ellipsis => out.push(TAG_ELLIPSIS),
            BrineValue::Int(i) => encode_i64(*i, out),
            BrineValue::BigInt(b) => match b.to_i64() {
                Some(i) => encode_i64(i, out),
                None => encode_int_text(b.to_str_radix(10).as_bytes(), out),
            },
            BrineValue::Float(f) => {
                out.push(TAG_FLOAT);
                out.extend_from_slice(&f.to_be_bytes());
            }
            BrineValue::Complex(re, im) => {
                out.push(TAG_COMPLEX);
                out.extend_from_slice(&re.to_be_bytes());
                out.extend_from_slice(&im.to_be_bytes());
            }
            BrineValue::Bytes(b) => encode_bytes(b, out),
            BrineValue::Str(s) => {
                out.push(TAG_UNICODE);
                encode_bytes(s.as_bytes(), out);
            }
            BrineValue::Tuple(items) => encode_tuple(items, out),
            BrineValue::FrozenSet(items) => {
                out.push(TAG_FSET);
                encode_tuple(items, out);
            }
            BrineValue::Slice(start, stop, step) => {
                out.push(TAG_SLICE);
                out.push(TAG_TUP1 + 2);
                start.encode_into(out);
                stop.encode_into(out);
                step.encode_into(out);
            }
        }
    }
}

/// Writes the tag (and count) that starts a tuple of `n` items; the caller
/// writes the items.
pub(crate) fn write_tuple_header(n: usize, out: &mut Vec<u8>) {
    match n {
        0 => out.push(TAG_EMPTY_TUPLE),
        1..=4 => out.push(TAG_TUP1 + (n as u8 - 1)),
        n => encode_len(n, TAG_TUP_L1, TAG_TUP_L4, out),
    }
}

/// Writes a `str` without building a [`BrineValue`].
pub(crate) fn write_str(s: &str, out: &mut Vec<u8>) {
    out.push(TAG_UNICODE);
    encode_bytes(s.as_bytes(), out);
}

/// Writes an int without building a [`BrineValue`].
pub(crate) fn write_i128(i: i128, out: &mut Vec<u8>) {
    match i64::try_from(i) {
        Ok(i) => encode_i64(i, out),
        Err(_) => encode_int_text(itoa::Buffer::new().format(i).as_bytes(), out),
    }
}

pub(crate) fn encode_i64(i: i64, out: &mut Vec<u8>) {
    if (IMM_INT_MIN..=IMM_INT_MAX).contains(&i) {
        // In range by the check above, so the cast cannot wrap.
        out.push((i + IMM_INT_OFFSET) as u8);
        return;
    }
    // Object ids (15 digits) go out twice in every call on a proxy.
    encode_int_text(itoa::Buffer::new().format(i).as_bytes(), out);
}

fn encode_int_text(text: &[u8], out: &mut Vec<u8>) {
    encode_len(text.len(), TAG_INT_L1, TAG_INT_L4, out);
    out.extend_from_slice(text);
}

fn encode_bytes(b: &[u8], out: &mut Vec<u8>) {
    match b.len() {
        0 => out.push(TAG_EMPTY_STR),
        n @ 1..=4 => out.push(TAG_STR1 + (n as u8 - 1)),
        n => encode_len(n, TAG_STR_L1, TAG_STR_L4, out),
    }
    out.extend_from_slice(b);
}

fn encode_tuple(items: &[BrineValue], out: &mut Vec<u8>) {
    write_tuple_header(items.len(), out);
    for item in items {
        item.encode_into(out);
    }
}

/// Writes a one-byte length form when it fits, else the four-byte one.
///
/// Like Python's `struct.pack("!L")`, lengths beyond `u32::MAX` cannot be
/// represented; such a value (4 GiB of bytes in one message) is truncated
/// here, and the peer would see garbage. Frames are limited long before that.
fn encode_len(len: usize, short_tag: u8, long_tag: u8, out: &mut Vec<u8>) {
    if let Ok(short) = u8::try_from(len) {
        out.push(short_tag);
        out.push(short);
    } else {
        out.push(long_tag);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    }
}

/// Encodes a value, exactly as Python's `brine.dump` would.
///
/// ```
/// use oxrpc_rpyc::brine::{dump, BrineValue};
///
/// assert_eq!(dump(&BrineValue::Int(-48)), [0x20]);
/// assert_eq!(dump(&BrineValue::Int(160)), b"\x16\x03160");
/// ```
pub fn dump(value: &BrineValue) -> Vec<u8> {
    let mut out = Vec::new();
    value.encode_into(&mut out);
    out
}

/// Limits protecting [`load`] from hostile input.
///
/// ```
/// use oxrpc_rpyc::brine::{load_with, BrineLimits};
///
/// let limits = BrineLimits { max_depth: 2, ..BrineLimits::default() };
/// assert!(load_with(b"\x10\x10\x00", &limits).is_ok()); // ((None,),)
/// assert!(load_with(b"\x10\x10\x10\x00", &limits).is_err()); // one level too deep
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrineLimits {
    /// Deepest nesting of tuples, frozensets and slices. The default, 400,
    /// is past what rpyc itself can send (its recursive `brine.dump` gives up
    /// near 330 levels) and keeps the recursive decoder's stack use small
    /// even on 2 MiB worker-thread stacks.
    pub max_depth: usize,
    /// Most values (at any depth, containers included) in one document. The
    /// default, 1 Mi, bounds the decoded tree to about 40 MiB and its
    /// decoding to about 50 ms of CPU, however well the frame compressed
    /// (a million-element tuple still crosses).
    pub max_elements: usize,
    /// Most decimal digits in an int. The default matches CPython's
    /// `sys.int_info.default_max_str_digits` (4300), beyond which Python
    /// itself refuses to parse or print an int, so no real peer exceeds it.
    pub max_int_digits: usize,
}

impl Default for BrineLimits {
    fn default() -> Self {
        BrineLimits {
            max_depth: 400,
            max_elements: 1024 * 1024,
            max_int_digits: 4300,
        }
    }
}

/// Decodes one brine document that must span all of `data`.
///
/// ```
/// use oxrpc_rpyc::brine::{load, BrineValue};
///
/// assert_eq!(load(b"\x08\x0bhe").unwrap(), BrineValue::from("he"));
/// assert!(load(b"\x08\x0bhe!").is_err()); // trailing byte
/// assert!(load(b"\x07").is_err()); // unknown tag
/// ```
pub fn load(data: &[u8]) -> Result<BrineValue, BrineError> {
    load_with(data, &BrineLimits::default())
}

/// [`load`] with explicit limits.
pub fn load_with(data: &[u8], limits: &BrineLimits) -> Result<BrineValue, BrineError> {
    let (value, used) = load_prefix(data, limits)?;
    if used != data.len() {
        return Err(BrineError::TrailingBytes {
            offset: used,
            count: data.len() - used,
        });
    }
    Ok(value)
}

/// Decodes one brine document from the start of `data`, returning it and the
/// number of bytes it used. Bytes after it are left alone (this is what
/// Python's `brine.load` does with them).
///
/// ```
/// use oxrpc_rpyc::brine::{load_prefix, BrineLimits, BrineValue};
///
/// let (v, used) = load_prefix(b"\x55rest", &BrineLimits::default()).unwrap();
/// assert_eq!((v, used), (BrineValue::Int(5), 1));
/// ```
pub fn load_prefix(data: &[u8], limits: &BrineLimits) -> Result<(BrineValue, usize), BrineError> {
    let mut decoder = Decoder::new(data, limits);
    let value = decoder.value(0)?;
    Ok((value, decoder.pos))
}

/// A cursor over one brine document, counting what it reads against the
/// limits. [`load_prefix`] decodes a whole value with it; the message layer
/// also walks the envelope of a request or reply with it (see
/// `wire::common_shape`).
pub(crate) struct Decoder<'a> {
    data: &'a [u8],
    pos: usize,
    limits: &'a BrineLimits,
    values: usize,
}

impl<'a> Decoder<'a> {
    /// A cursor at the start of `data`.
    pub(crate) fn new(data: &'a [u8], limits: &'a BrineLimits) -> Decoder<'a> {
        Decoder {
            data,
            pos: 0,
            limits,
            values: 0,
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], BrineError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.data.len())
            .ok_or(BrineError::Truncated {
                offset: self.pos,
                needed: n,
                available: self.data.len() - self.pos,
            })?;
        let bytes = &self.data[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }

    fn byte(&mut self) -> Result<u8, BrineError> {
        Ok(self.take(1)?[0])
    }

    fn len_u8(&mut self) -> Result<usize, BrineError> {
        Ok(usize::from(self.byte()?))
    }

    fn len_u32(&mut self) -> Result<usize, BrineError> {
        let b = self.take(4)?;
        let n = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        // usize is at least 32 bits on every target we build for.
        Ok(n as usize)
    }

    fn f64(&mut self) -> Result<f64, BrineError> {
        let b = self.take(8)?;
        let mut raw = [0u8; 8];
        raw.copy_from_slice(b);
        Ok(f64::from_be_bytes(raw))
    }

    fn count_value(&mut self) -> Result<(), BrineError> {
        self.values += 1;
        if self.values > self.limits.max_elements {
            return Err(BrineError::TooManyValues {
                max: self.limits.max_elements,
            });
        }
        Ok(())
    }

    /// Decodes the value at the cursor, at nesting `depth`.
    pub(crate) fn value(&mut self, depth: usize) -> Result<BrineValue, BrineError> {
        self.count_value()?;
        let offset = self.pos;
        let tag = self.byte()?;
        Ok(match tag {
            TAG_NONE => BrineValue::None,
            TAG_TRUE => BrineValue::Bool(true),
            TAG_FALSE => BrineValue::Bool(false),
            TAG_NOT_IMPLEMENTED => BrineValue::NotImplemented,
            TAG_ELLIPSIS => BrineValue::Ellipsis,
            IMM_TAG_MIN..=IMM_TAG_MAX => BrineValue::Int(i64::from(tag) - IMM_INT_OFFSET),
            TAG_INT_L1 => {
                let n = self.len_u8()?;
                self.int(n)?
            }
            TAG_INT_L4 => {
                let n = self.len_u32()?;
                self.int(n)?
            }
            TAG_FLOAT => BrineValue::Float(self.f64()?),
            TAG_COMPLEX => {
                let re = self.f64()?;
                BrineValue::Complex(re, self.f64()?)
            }
            TAG_EMPTY_STR | TAG_STR1..=TAG_STR4 | TAG_STR_L1 | TAG_STR_L4 => {
                BrineValue::Bytes(self.bytes_body(tag)?.to_vec())
            }
            TAG_UNICODE => {
                // Python loads a whole nested value and calls `.decode("utf-8")`
                // on it; only bytes have that method, so only bytes tags work.
                let inner_offset = self.pos;
                let inner = self.byte()?;
                if !is_bytes_tag(inner) {
                    return Err(BrineError::BadStr {
                        offset: inner_offset,
                        tag: inner,
                    });
                }
                let raw = self.bytes_body(inner)?;
                let text = std::str::from_utf8(raw).map_err(|_| BrineError::InvalidUtf8 {
                    offset: inner_offset,
                })?;
                BrineValue::Str(text.to_owned())
            }
            TAG_EMPTY_TUPLE => BrineValue::Tuple(Vec::new()),
            TAG_TUP1..=TAG_TUP4 => self.tuple_items(usize::from(tag - TAG_TUP1) + 1, depth)?,
            TAG_TUP_L1 => {
                let n = self.len_u8()?;
                self.tuple_items(n, depth)?
            }
            TAG_TUP_L4 => {
                let n = self.len_u32()?;
                self.tuple_items(n, depth)?
            }
            TAG_FSET => match self.nested(depth)? {
                BrineValue::Tuple(items) => BrineValue::FrozenSet(items),
                other => {
                    return Err(BrineError::BadFrozenSet {
                        offset,
                        found: other.type_name(),
                    })
                }
            },
            TAG_SLICE => match self.nested(depth)? {
                BrineValue::Tuple(items) if items.len() == 3 => {
                    let mut it = items.into_iter();
                    match (it.next(), it.next(), it.next()) {
                        (Some(start), Some(stop), Some(step)) => {
                            BrineValue::slice(start, stop, step)
                        }
                        _ => return Err(BrineError::BadSlice { offset }),
                    }
                }
                _ => return Err(BrineError::BadSlice { offset }),
            },
            _ => return Err(BrineError::UnknownTag { offset, tag }),
        })
    }

    /// Decodes the value a frozenset or slice tag wraps, one level deeper.
    fn nested(&mut self, depth: usize) -> Result<BrineValue, BrineError> {
        let depth = self.enter(depth)?;
        self.value(depth)
    }

    fn enter(&self, depth: usize) -> Result<usize, BrineError> {
        let depth = depth + 1;
        if depth > self.limits.max_depth {
            return Err(BrineError::TooDeep {
                max: self.limits.max_depth,
                offset: self.pos,
            });
        }
        Ok(depth)
    }

    fn tuple_items(&mut self, n: usize, depth: usize) -> Result<BrineValue, BrineError> {
        let depth = self.begin_tuple(n, depth)?;
        let mut items = Vec::with_capacity(n.min(self.remaining()));
        for _ in 0..n {
            items.push(self.value(depth)?);
        }
        Ok(BrineValue::Tuple(items))
    }

    /// Enters a tuple of `n` items: the depth its items are at.
    fn begin_tuple(&self, n: usize, depth: usize) -> Result<usize, BrineError> {
        let depth = self.enter(depth)?;
        // Every item takes at least one byte. A count the bytes left could
        // hold but the values left in the budget cannot is refused before
        // anything is built (and nobody reserves more than the bytes left).
        if n <= self.remaining() && n > self.limits.max_elements.saturating_sub(self.values) {
            return Err(BrineError::TooManyValues {
                max: self.limits.max_elements,
            });
        }
        Ok(depth)
    }

    /// Bytes not yet read.
    pub(crate) fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// Opens the tuple at the cursor, counted and checked as [`load`] does
    /// it: its item count and the depth its items are at (read them with
    /// [`Decoder::value`]). `None` when the next value is not a non-empty
    /// tuple or breaks a limit; the cursor is then of no further use.
    pub(crate) fn open_tuple(&mut self, depth: usize) -> Option<(usize, usize)> {
        self.count_value().ok()?;
        let n = match self.byte().ok()? {
            tag @ TAG_TUP1..=TAG_TUP4 => usize::from(tag - TAG_TUP1) + 1,
            TAG_TUP_L1 => self.len_u8().ok()?,
            TAG_TUP_L4 => self.len_u32().ok()?,
            _ => return None,
        };
        let depth = self.begin_tuple(n, depth).ok()?;
        Some((n, depth))
    }

    /// The int at the cursor, counted as [`load`] counts it, when brine
    /// writes it in one byte (`-48..=159`); `None` for anything else.
    pub(crate) fn small_int(&mut self) -> Option<i64> {
        self.count_value().ok()?;
        match self.byte().ok()? {
            tag @ IMM_TAG_MIN..=IMM_TAG_MAX => Some(i64::from(tag) - IMM_INT_OFFSET),
            _ => None,
        }
    }

    fn bytes_body(&mut self, tag: u8) -> Result<&'a [u8], BrineError> {
        let n = match tag {
            TAG_EMPTY_STR => 0,
            TAG_STR1..=TAG_STR4 => usize::from(tag - TAG_STR1) + 1,
            TAG_STR_L1 => self.len_u8()?,
            _ => self.len_u32()?,
        };
        self.take(n)
    }

    fn int(&mut self, n: usize) -> Result<BrineValue, BrineError> {
        let offset = self.pos;
        let text = self.take(n)?;
        parse_int(text, self.limits.max_int_digits).ok_or(BrineError::InvalidInt { offset })
    }
}

fn is_bytes_tag(tag: u8) -> bool {
    matches!(
        tag,
        TAG_EMPTY_STR | TAG_STR1..=TAG_STR4 | TAG_STR_L1 | TAG_STR_L4
    )
}

/// Parses what Python's `int(bytes)` accepts in base 10: surrounding ASCII
/// whitespace, an optional sign, digits with single underscores between them.
/// Returns `None` when Python would raise (including CPython's 4300-digit limit).
fn parse_int(text: &[u8], max_digits: usize) -> Option<BrineValue> {
    // What every peer sends: plain digits that fit an i64, read in place.
    if let Some(i) = plain_i64(text, max_digits) {
        return Some(BrineValue::Int(i));
    }
    let text = text.trim_ascii();
    let (negative, body) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    let mut digits = Vec::with_capacity(body.len().min(max_digits + 1) + 1);
    if negative {
        digits.push(b'-');
    }
    let mut previous_was_digit = false;
    for &b in body {
        match b {
            b'0'..=b'9' => {
                digits.push(b);
                previous_was_digit = true;
            }
            b'_' if previous_was_digit => previous_was_digit = false,
            _ => return None,
        }
    }
    let ndigits = digits.len() - usize::from(negative);
    if ndigits == 0 || !previous_was_digit || ndigits > max_digits {
        return None;
    }
    // ASCII digits and '-' only, so this is valid UTF-8.
    let text = std::str::from_utf8(&digits).ok()?;
    if let Ok(i) = text.parse::<i64>() {
        return Some(BrineValue::Int(i));
    }
    text.parse::<BigInt>().ok().map(BrineValue::BigInt)
}

/// `text` as an i64 when it is an optional `-` and at most `max_digits`
/// ASCII digits whose value fits; `None` for anything else, which the
/// full parse handles.
fn plain_i64(text: &[u8], max_digits: usize) -> Option<i64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    if digits.is_empty() || digits.len() > 19.min(max_digits) {
        return None;
    }
    // Nineteen digits fit a u64 without overflow; the sign is applied once.
    let mut value: u64 = 0;
    for &b in digits {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        value = value * 10 + u64::from(digit);
    }
    if negative {
        0i64.checked_sub_unsigned(value)
    } else {
        i64::try_from(value).ok()
    }
}

impl From<bool> for BrineValue {
    fn from(v: bool) -> Self {
        BrineValue::Bool(v)
    }
}

macro_rules! from_small_int {
    ($($t:ty),*) => {$(
        impl From<$t> for BrineValue {
            fn from(v: $t) -> Self {
                BrineValue::Int(i64::from(v))
            }
        }
    )*};
}
from_small_int!(i8, i16, i32, i64, u8, u16, u32);

macro_rules! from_wide_int {
    ($($t:ty),*) => {$(
        impl From<$t> for BrineValue {
            fn from(v: $t) -> Self {
                match i64::try_from(v) {
                    Ok(i) => BrineValue::Int(i),
                    Err(_) => BrineValue::BigInt(BigInt::from(v)),
                }
            }
        }
    )*};
}
from_wide_int!(u64, i128, u128, usize, isize);

impl From<BigInt> for BrineValue {
    fn from(v: BigInt) -> Self {
        match v.to_i64() {
            Some(i) => BrineValue::Int(i),
            None => BrineValue::BigInt(v),
        }
    }
}

impl From<f64> for BrineValue {
    fn from(v: f64) -> Self {
        BrineValue::Float(v)
    }
}

impl From<&str> for BrineValue {
    fn from(v: &str) -> Self {
        BrineValue::Str(v.to_owned())
    }
}

impl From<String> for BrineValue {
    fn from(v: String) -> Self {
        BrineValue::Str(v)
    }
}

impl From<&[u8]> for BrineValue {
    fn from(v: &[u8]) -> Self {
        BrineValue::Bytes(v.to_vec())
    }
}

impl From<Vec<u8>> for BrineValue {
    fn from(v: Vec<u8>) -> Self {
        BrineValue::Bytes(v)
    }
}

impl From<Vec<BrineValue>> for BrineValue {
    fn from(v: Vec<BrineValue>) -> Self {
        BrineValue::Tuple(v)
    }
}

impl<T: Into<BrineValue>> From<Option<T>> for BrineValue {
    fn from(v: Option<T>) -> Self {
        v.map_or(BrineValue::None, Into::into)
    }
}

/// Formats the value exactly as Python's `repr()` does (floats, complex
/// numbers, str and bytes escapes included: see `oxrpc-pyfmt`).
///
/// ```
/// use oxrpc_rpyc::brine::BrineValue;
///
/// let v = BrineValue::tuple([BrineValue::Float(1e-05), BrineValue::from("it's")]);
/// assert_eq!(v.to_string(), "(1e-05, \"it's\")");
/// ```
impl fmt::Display for BrineValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn seq(f: &mut fmt::Formatter<'_>, items: &[BrineValue]) -> fmt::Result {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{item}")?;
            }
            Ok(())
        }
        match self {
            BrineValue::None => f.write_str("None"),
            BrineValue::Bool(true) => f.write_str("True"),
            BrineValue::Bool(false) => f.write_str("False"),
            BrineValue::NotImplemented => f.write_str("NotImplemented"),
            BrineValue::Ellipsis => f.write_str("Ellipsis"),
            BrineValue::Int(i) => write!(f, "{i}"),
            BrineValue::BigInt(b) => write!(f, "{b}"),
            BrineValue::Float(v) => f.write_str(&oxrpc_pyfmt::float_repr(*v)),
            BrineValue::Complex(re, im) => f.write_str(&oxrpc_pyfmt::complex_repr(*re, *im)),
            BrineValue::Bytes(b) => f.write_str(&oxrpc_pyfmt::bytes_repr(b)),
            BrineValue::Str(s) => f.write_str(&oxrpc_pyfmt::str_repr(s)),
            BrineValue::Tuple(items) => {
                f.write_str("(")?;
                seq(f, items)?;
                f.write_str(if items.len() == 1 { ",)" } else { ")" })
            }
            BrineValue::FrozenSet(items) if items.is_empty() => f.write_str("frozenset()"),
            BrineValue::FrozenSet(items) => {
                f.write_str("frozenset({")?;
                seq(f, items)?;
                f.write_str("})")
            }
            BrineValue::Slice(a, b, c) => write!(f, "slice({a}, {b}, {c})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// The vector from brine.py's module docstring:
    /// `("he", 7, u"llo", 8, (), 900, None, True, Ellipsis, 18.2, 18.2j + 13,
    ///   slice(1,2,3), frozenset([5,6,7]), NotImplemented)`.
    /// (`"he"` there is a Python 2 byte string; `u"llo"` the unicode one.)
    #[test]
    fn module_docstring_vector() {
        let x = BrineValue::tuple([
            BrineValue::from(&b"he"[..]),
            BrineValue::Int(7),
            BrineValue::from("llo"),
            BrineValue::Int(8),
            BrineValue::Tuple(vec![]),
            BrineValue::Int(900),
            BrineValue::None,
            BrineValue::Bool(true),
            BrineValue::Ellipsis,
            BrineValue::Float(18.2),
            BrineValue::Complex(13.0, 18.2),
            BrineValue::slice(1.into(), 2.into(), 3.into()),
            BrineValue::FrozenSet(vec![5.into(), 6.into(), 7.into()]),
            BrineValue::NotImplemented,
        ]);
        let expected = hex(
            "140e0b686557080c6c6c6f580216033930300003061840323333333333331b402a00000000000040323333333333331912515253\
             1a1255565705",
        );
        assert_eq!(dump(&x), expected);
        assert_eq!(load(&expected).unwrap(), x);
    }

    #[test]
    fn immediate_int_boundaries() {
        assert_eq!(dump(&BrineValue::Int(-49)), b"\x16\x03-49");
        assert_eq!(dump(&BrineValue::Int(-48)), [0x20]);
        assert_eq!(dump(&BrineValue::Int(0)), [0x50]);
        assert_eq!(dump(&BrineValue::Int(159)), [0xef]);
        assert_eq!(dump(&BrineValue::Int(160)), b"\x16\x03160");
        assert_eq!(
            dump(&BrineValue::Int(i64::MIN)),
            b"\x16\x14-9223372036854775808"
        );
        for i in [-49, -48, 0, 159, 160, i64::MIN, i64::MAX] {
            assert_eq!(
                load(&dump(&BrineValue::Int(i))).unwrap(),
                BrineValue::Int(i)
            );
        }
    }

    #[test]
    fn big_ints_normalise() {
        let big = BigInt::from(1u8) << 200u32;
        let v = BrineValue::from(big.clone());
        assert_eq!(load(&dump(&v)).unwrap(), BrineValue::BigInt(big));
        // A BigInt that fits is encoded like the i64 it equals.
        assert_eq!(dump(&BrineValue::BigInt(BigInt::from(5))), [0x55]);
        assert_eq!(load(b"\x16\x015").unwrap(), BrineValue::Int(5));
    }

    #[test]
    fn python_int_syntax() {
        assert_eq!(load(b"\x16\x04 +7\n").unwrap(), BrineValue::Int(7));
        assert_eq!(load(b"\x16\x051_000").unwrap(), BrineValue::Int(1000));
        // Plain digits, read in place, agree with the full parse at the
        // edges: a sign, leading zeros, 18 to 20 digits, i64's ends.
        for text in [
            "0",
            "-0",
            "007",
            "-42",
            "999999999999999999",
            "-999999999999999999",
            "1000000000000000000",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "-9223372036854775809",
            "10000000000000000000",
            "99999999999999999999",
        ] {
            let mut encoded = vec![TAG_INT_L1, text.len() as u8];
            encoded.extend_from_slice(text.as_bytes());
            let expected = match text.parse::<i64>() {
                Ok(i) => BrineValue::Int(i),
                Err(_) => BrineValue::BigInt(text.parse().unwrap()),
            };
            assert_eq!(load(&encoded).unwrap(), expected, "{text}");
        }
        // The digit limit holds for plain digits too.
        let limits = BrineLimits {
            max_int_digits: 3,
            ..BrineLimits::default()
        };
        assert!(load_with(b"\x16\x03999", &limits).is_ok());
        assert!(matches!(
            load_with(b"\x16\x041000", &limits),
            Err(BrineError::InvalidInt { .. })
        ));
        for bad in [
            &b"\x16\x00"[..],
            b"\x16\x01-",
            b"\x16\x021_",
            b"\x16\x02_1",
            b"\x16\x031__0",
        ] {
            assert!(
                matches!(load(bad), Err(BrineError::InvalidInt { .. })),
                "{bad:?}"
            );
        }
        let mut long = vec![TAG_INT_L4];
        long.extend_from_slice(&4301u32.to_be_bytes());
        long.extend(std::iter::repeat_n(b'9', 4301));
        assert!(matches!(load(&long), Err(BrineError::InvalidInt { .. })));
    }

    #[test]
    fn strings_and_bytes_tags() {
        assert_eq!(dump(&BrineValue::from("")), [0x08, 0x01]);
        assert_eq!(dump(&BrineValue::from("é")), [0x08, 0x0b, 0xc3, 0xa9]);
        let s = "x".repeat(256);
        let d = dump(&BrineValue::from(s.as_str()));
        assert_eq!(&d[..6], &[0x08, 0x0f, 0, 0, 1, 0]);
        assert!(matches!(
            load(b"\x08\x0a\xff"),
            Err(BrineError::InvalidUtf8 { .. })
        ));
        assert!(matches!(load(b"\x08\x55"), Err(BrineError::BadStr { .. })));
    }

    #[test]
    fn float_bits_survive() {
        for f in [f64::NAN, -0.0, f64::INFINITY, f64::NEG_INFINITY, 1e-310] {
            let BrineValue::Float(g) = load(&dump(&BrineValue::Float(f))).unwrap() else {
                panic!("not a float");
            };
            assert_eq!(f.to_bits(), g.to_bits());
        }
    }

    #[test]
    fn truncated_inputs_fail_cleanly() {
        let full = dump(&BrineValue::tuple([
            BrineValue::from("hello world"),
            BrineValue::Float(1.5),
            BrineValue::Int(1 << 40),
            BrineValue::Complex(1.0, 2.0),
            BrineValue::FrozenSet(vec![1.into()]),
            BrineValue::slice(BrineValue::None, 1.into(), BrineValue::None),
        ]));
        for cut in 0..full.len() {
            let err = load(&full[..cut]).unwrap_err();
            assert!(matches!(err, BrineError::Truncated { .. }), "{cut}: {err}");
        }
        assert!(load(&full).is_ok());
    }

    #[test]
    fn huge_declared_lengths_do_not_allocate() {
        // 4 GiB of bytes claimed, 0 present.
        assert!(matches!(
            load(b"\x0f\xff\xff\xff\xff"),
            Err(BrineError::Truncated { .. })
        ));
        // 4 Gi tuple items claimed: capacity is bounded by the input.
        assert!(matches!(
            load(b"\x15\xff\xff\xff\xff\x00"),
            Err(BrineError::Truncated { .. })
        ));
    }

    #[test]
    fn unknown_tags() {
        for tag in [0x07u8, 0x09, 0x1c, 0x1f, 0xf0, 0xff] {
            assert_eq!(
                load(&[tag]).unwrap_err(),
                BrineError::UnknownTag { offset: 0, tag }
            );
        }
    }

    #[test]
    fn depth_bomb() {
        let mut bomb = vec![TAG_TUP1; 10_000];
        bomb.push(TAG_NONE);
        assert!(matches!(
            load(&bomb),
            Err(BrineError::TooDeep { max: 400, .. })
        ));
        let mut slices = Vec::new();
        for _ in 0..10_000 {
            slices.extend_from_slice(&[TAG_FSET, TAG_TUP1]);
        }
        slices.push(TAG_NONE);
        assert!(matches!(load(&slices), Err(BrineError::TooDeep { .. })));
        // Exactly at the limit is fine.
        let mut ok = vec![TAG_TUP1; 128];
        ok.push(TAG_NONE);
        assert!(load(&ok).is_ok());
    }

    #[test]
    fn element_limit() {
        let limits = BrineLimits {
            max_elements: 10,
            ..BrineLimits::default()
        };
        let mut doc = vec![TAG_TUP_L1, 20];
        doc.extend(std::iter::repeat_n(TAG_NONE, 20));
        assert_eq!(
            load_with(&doc, &limits).unwrap_err(),
            BrineError::TooManyValues { max: 10 }
        );
        assert!(load(&doc).is_ok());
        // The tuple and its nine items are ten values: exactly the limit.
        let mut at_limit = vec![TAG_TUP_L1, 9];
        at_limit.extend(std::iter::repeat_n(TAG_NONE, 9));
        assert!(load_with(&at_limit, &limits).is_ok());
    }

    #[test]
    fn trailing_bytes_rejected() {
        assert_eq!(
            load(b"\x00\x00").unwrap_err(),
            BrineError::TrailingBytes {
                offset: 1,
                count: 1
            }
        );
    }

    #[test]
    fn slice_and_frozenset_shapes() {
        assert!(matches!(
            load(b"\x19\x11\x00\x00"),
            Err(BrineError::BadSlice { .. })
        ));
        assert!(matches!(
            load(b"\x19\x0c\x01\x02\x03"),
            Err(BrineError::BadSlice { .. })
        ));
        assert!(matches!(
            load(b"\x1a\x55"),
            Err(BrineError::BadFrozenSet { .. })
        ));
        assert_eq!(
            load(b"\x1a\x02").unwrap(),
            BrineValue::FrozenSet(Vec::new())
        );
    }

    #[test]
    fn display_is_pythonish() {
        let v = BrineValue::tuple([
            BrineValue::from(1.0),
            BrineValue::from("a"),
            BrineValue::Bytes(b"\x00".to_vec()),
            BrineValue::tuple([BrineValue::None]),
        ]);
        assert_eq!(v.to_string(), "(1.0, 'a', b'\\x00', (None,))");
        assert_eq!(BrineValue::from("it's é\n").to_string(), "\"it's é\\n\"");
        assert_eq!(BrineValue::from("a'\"").to_string(), "'a\\'\"'");
    }
}
