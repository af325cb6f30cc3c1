//! The registry's messages: what a request and a reply are on the wire.
//!
//! A registry message is one bare brine document: no frame, no length
//! prefix, no message-type byte. A request is the 3-tuple
//! `("RPYC", CMD, ARGS)`; a reply is the brine of the command's result:
//!
//! | request | reply |
//! |---|---|
//! | `("RPYC", "REGISTER", (("MY",), 45537))` | `"OK"` |
//! | `("RPYC", "UNREGISTER", (45537,))` | `"OK"` |
//! | `("RPYC", "QUERY", ("MY",))` | `(("127.0.0.1", 45537),)`, or `()` when none |
//! | `("RPYC", "LIST", ((None,),))`: a 1-tuple holding the 1-tuple `(filter_host,)` | `("MY", "SLAVE")`, or `None` when listing is off |
//!
//! The tests hold these to the bytes captured from rpyc 6.0.2's own
//! clients and registry.
//!
//! # Decoding as rpyc does
//!
//! rpyc's server unpacks whatever `brine.load` gives it the Python way, and
//! [`Request::decode`] reproduces what that accepts:
//!
//! * the command is looked up case-insensitively (`"query"`, `"Query"`);
//! * `ARGS` is splatted into the handler, so any iterable of the right
//!   length works: a tuple, a frozenset, a `str` (one argument per
//!   character) or `bytes` (one int per byte);
//! * REGISTER's names are iterated too: a `str` registers one name per
//!   character, and a name that is not a `str` refuses the whole request;
//! * LIST's argument is kept as sent ([`Request::List`]): the server
//!   interprets it only when listing is enabled, as rpyc does.
//!
//! Everything rpyc would drop without a reply (undecodable data, not a
//! 3-tuple, magic other than the *str* `"RPYC"`, an unknown command, the
//! wrong number of arguments, a handler that would raise) is a
//! [`RequestError`] here, and the server sends nothing back.
//!
//! # Where oxrpc is stricter
//!
//! Bounds rpyc does not have: a request is at most [`MAX_PACKET`] bytes
//! (rpyc reads 1500 bytes and parses what it got); brine nesting and value
//! counts are capped; a port must be a scalar, not a tuple, frozenset or
//! slice (rpyc stores any hashable value, but only ints, from TCP servers,
//! and strs, from Unix-socket servers, are ever sent by rpyc itself), and
//! ports compare by value *and* type (Python holds `1`, `1.0` and `True`
//! for one port). A QUERY for a name that is not a `str` is dropped (rpyc
//! answers `()` to a bytes name). The server's table adds its own bounds.

use crate::wire::brine::{self, BrineLimits, BrineValue};
use crate::wire::error::BrineError;
use thiserror::Error;

/// The largest request a registry accepts, in bytes (rpyc's
/// `MAX_DGRAM_SIZE`: its server reads at most this much per datagram or
/// TCP connection).
pub const MAX_PACKET: usize = 1500;

/// The magic every request starts with.
pub const MAGIC: &str = "RPYC";

/// Brine limits for registry messages: a request is a few levels deep and
/// at most [`MAX_PACKET`] bytes, so these never bind a real peer.
const REQUEST_LIMITS: BrineLimits = BrineLimits {
    max_depth: 16,
    max_elements: MAX_PACKET,
    max_int_digits: 4300,
};

/// A registry request.
///
/// ```
/// use oxrpc_rpyc::registry::protocol::Request;
///
/// // Byte for byte what rpyc's ThreadedServer(MyService) sends.
/// let register = Request::register(["MY"], 45537).encode();
/// assert_eq!(register, b"\x12\x08\x0dRPYC\x08\x0e\x08REGISTER\x11\x10\x08\x0bMY\x16\x0545537");
/// assert_eq!(Request::decode(&register).unwrap(), Request::register(["MY"], 45537));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// `REGISTER`: the sender serves `names` on `port` (at the packet's
    /// source address).
    Register {
        /// The service names (aliases), as sent; the server upper-cases them.
        names: Vec<String>,
        /// The server's port: an int for TCP servers (rpyc's Unix-socket
        /// servers send their path).
        port: BrineValue,
    },
    /// `UNREGISTER`: the sender no longer serves on `port`.
    Unregister {
        /// The port given when registering.
        port: BrineValue,
    },
    /// `QUERY`: which servers expose `name`?
    Query {
        /// The service name (any case).
        name: String,
    },
    /// `LIST`: which names are registered? `filter` is the argument as
    /// sent, normally the 1-tuple `(filter_host,)`; see
    /// [`Request::list_filter`].
    List {
        /// The argument as sent.
        filter: BrineValue,
    },
}

/// The host a LIST request asks about, interpreted as rpyc does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListFilter {
    /// Every name (`filter_host` is falsy: `None`, `""`, ...).
    All,
    /// Only names with a server whose host is exactly this string.
    Host(String),
    /// A truthy filter that is not a `str`: it equals no host, so the
    /// answer is `()`.
    Nothing,
}

/// Why a request gets no reply (rpyc drops all of these silently, logging
/// some).
#[derive(Debug, Clone, PartialEq, Error)]
pub enum RequestError {
    /// More than [`MAX_PACKET`] bytes.
    #[error("request of {len} bytes exceeds {max}")]
    TooLarge {
        /// Its size.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Not a brine document.
    #[error("undecodable request: {0}")]
    Brine(#[from] BrineError),
    /// Not a 3-tuple.
    #[error("not a (magic, cmd, args) triple: {0}")]
    NotATriple(String),
    /// The first item is not the str `"RPYC"` (rpyc: `invalid magic: b'RPYC'`).
    #[error("invalid magic: {0}")]
    BadMagic(String),
    /// No such command (rpyc: `unknown command: 'FOO'`).
    #[error("unknown command: {0}")]
    UnknownCommand(String),
    /// Arguments the command's handler would raise on.
    #[error("error executing function {command}: {why}")]
    BadArguments {
        /// The command, upper-case.
        command: &'static str,
        /// What was wrong.
        why: String,
    },
}

/// Why a reply could not be read.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ReplyError {
    /// Not a brine document.
    #[error("undecodable reply: {0}")]
    Brine(#[from] BrineError),
    /// A brine value of the wrong shape.
    #[error("unexpected reply: {0}")]
    Shape(String),
}

impl Request {
    /// `REGISTER` of `names` on TCP `port`.
    pub fn register<S: Into<String>>(names: impl IntoIterator<Item = S>, port: u16) -> Request {
        Request::Register {
            names: names.into_iter().map(Into::into).collect(),
            port: BrineValue::Int(i64::from(port)),
        }
    }

    /// `UNREGISTER` of TCP `port`.
    pub fn unregister(port: u16) -> Request {
        Request::Unregister {
            port: BrineValue::Int(i64::from(port)),
        }
    }

    /// `QUERY` for `name`.
    pub fn query(name: impl Into<String>) -> Request {
        Request::Query { name: name.into() }
    }

    /// `LIST`, of every name or of those served from `filter_host`.
    pub fn list(filter_host: Option<&str>) -> Request {
        let host = filter_host.map_or(BrineValue::None, BrineValue::from);
        Request::List {
            filter: BrineValue::Tuple(vec![host]),
        }
    }

    /// The command's name on the wire.
    pub fn command(&self) -> &'static str {
        match self {
            Request::Register { .. } => "REGISTER",
            Request::Unregister { .. } => "UNREGISTER",
            Request::Query { .. } => "QUERY",
            Request::List { .. } => "LIST",
        }
    }

    /// The request as rpyc's clients write it.
    pub fn encode(&self) -> Vec<u8> {
        let args = match self {
            Request::Register { names, port } => vec![
                BrineValue::Tuple(names.iter().map(|n| BrineValue::from(n.as_str())).collect()),
                port.clone(),
            ],
            Request::Unregister { port } => vec![port.clone()],
            Request::Query { name } => vec![BrineValue::from(name.as_str())],
            Request::List { filter } => vec![filter.clone()],
        };
        brine::dump(&BrineValue::Tuple(vec![
            BrineValue::from(MAGIC),
            BrineValue::from(self.command()),
            BrineValue::Tuple(args),
        ]))
    }

    /// Reads a request the way rpyc's server does (see the module docs).
    /// Bytes after a complete document are ignored, as Python's
    /// `brine.load` ignores them.
    pub fn decode(packet: &[u8]) -> Result<Request, RequestError> {
        if packet.len() > MAX_PACKET {
            return Err(RequestError::TooLarge {
                len: packet.len(),
                max: MAX_PACKET,
            });
        }
        let (value, _) = brine::load_prefix(packet, &REQUEST_LIMITS)?;
        let [magic, command, args] = match value {
            BrineValue::Tuple(items) => <[BrineValue; 3]>::try_from(items)
                .map_err(|items| RequestError::NotATriple(BrineValue::Tuple(items).to_string()))?,
            other => return Err(RequestError::NotATriple(other.to_string())),
        };
        if magic.as_str() != Some(MAGIC) {
            return Err(RequestError::BadMagic(magic.to_string()));
        }
        let command = match command.as_str().map(str::to_lowercase).as_deref() {
            Some("register") => "REGISTER",
            Some("unregister") => "UNREGISTER",
            Some("query") => "QUERY",
            Some("list") => "LIST",
            _ => return Err(RequestError::UnknownCommand(command.to_string())),
        };
        let bad = |why: String| RequestError::BadArguments { command, why };
        let args = splat(args).map_err(bad)?;
        let arity = if command == "REGISTER" { 2 } else { 1 };
        if args.len() != arity {
            return Err(bad(format!(
                "takes {} positional argument(s) after the host but {} were given",
                arity,
                args.len()
            )));
        }
        let mut args = args.into_iter();
        let mut next = || args.next().unwrap_or_default();
        Ok(match command {
            "REGISTER" => {
                let names = splat(next())
                    .map_err(bad)?
                    .into_iter()
                    .map(|name| match name {
                        BrineValue::Str(s) => Ok(s),
                        other => Err(bad(format!(
                            "sequence item: expected str instance, {} found",
                            other.type_name()
                        ))),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Request::Register {
                    names,
                    port: scalar_port(next()).map_err(bad)?,
                }
            }
            "UNREGISTER" => Request::Unregister {
                port: scalar_port(next()).map_err(bad)?,
            },
            "QUERY" => match next() {
                BrineValue::Str(name) => Request::Query { name },
                other => {
                    return Err(bad(format!(
                        "the name is a {}, not a str",
                        other.type_name()
                    )))
                }
            },
            _ => Request::List { filter: next() },
        })
    }

    /// What a LIST request's argument asks for, as rpyc reads it
    /// (`filter_host[0]`, then its truth value); `Err` where rpyc's
    /// handler raises (an empty tuple, `None`, an int, ...).
    ///
    /// ```
    /// use oxrpc_rpyc::registry::protocol::{ListFilter, Request};
    ///
    /// let Request::List { filter } = Request::list(Some("127.0.0.1")) else { unreachable!() };
    /// assert_eq!(Request::list_filter(&filter), Ok(ListFilter::Host("127.0.0.1".into())));
    /// let Request::List { filter } = Request::list(None) else { unreachable!() };
    /// assert_eq!(Request::list_filter(&filter), Ok(ListFilter::All));
    /// ```
    pub fn list_filter(filter: &BrineValue) -> Result<ListFilter, String> {
        let first = match filter {
            BrineValue::Tuple(items) => items.first().cloned(),
            BrineValue::Str(s) => s.chars().next().map(|c| BrineValue::Str(c.to_string())),
            BrineValue::Bytes(b) => b.first().map(|&byte| BrineValue::Int(i64::from(byte))),
            other => {
                return Err(format!(
                    "'{}' object is not subscriptable",
                    other.type_name()
                ))
            }
        };
        let Some(first) = first else {
            return Err(format!("{} index out of range", filter.type_name()));
        };
        Ok(match first {
            value if !truthy(&value) => ListFilter::All,
            BrineValue::Str(host) => ListFilter::Host(host),
            _ => ListFilter::Nothing,
        })
    }
}

/// Python's `*args` over a brine value: the items of any iterable.
fn splat(value: BrineValue) -> Result<Vec<BrineValue>, String> {
    match value {
        BrineValue::Tuple(items) | BrineValue::FrozenSet(items) => Ok(items),
        BrineValue::Str(s) => Ok(s.chars().map(|c| BrineValue::Str(c.to_string())).collect()),
        BrineValue::Bytes(b) => Ok(b
            .into_iter()
            .map(|byte| BrineValue::Int(i64::from(byte)))
            .collect()),
        other => Err(format!(
            "argument after * must be an iterable, not {}",
            other.type_name()
        )),
    }
}

/// A port must be a scalar (see the module docs).
fn scalar_port(port: BrineValue) -> Result<BrineValue, String> {
    match port {
        BrineValue::Tuple(_) | BrineValue::FrozenSet(_) | BrineValue::Slice(..) => Err(format!(
            "a port must be a scalar, not a {}",
            port.type_name()
        )),
        scalar => Ok(scalar),
    }
}

/// Python's truth value of a brine value.
fn truthy(value: &BrineValue) -> bool {
    match value {
        BrineValue::None => false,
        BrineValue::Bool(b) => *b,
        BrineValue::Int(i) => *i != 0,
        BrineValue::BigInt(_) => true, // never zero: zero is an Int
        BrineValue::Float(f) => *f != 0.0,
        BrineValue::Complex(re, im) => *re != 0.0 || *im != 0.0,
        BrineValue::Bytes(b) => !b.is_empty(),
        BrineValue::Str(s) => !s.is_empty(),
        BrineValue::Tuple(items) | BrineValue::FrozenSet(items) => !items.is_empty(),
        BrineValue::NotImplemented | BrineValue::Ellipsis | BrineValue::Slice(..) => true,
    }
}

/// Whether `data` already holds a whole request (or is garbage that more
/// bytes cannot fix): a TCP reader stops reading there.
pub(crate) fn request_is_complete(data: &[u8]) -> bool {
    !matches!(
        brine::load_prefix(data, &REQUEST_LIMITS),
        Err(BrineError::Truncated { .. })
    )
}

/// [`request_is_complete`] for a reply.
pub(crate) fn reply_is_complete(data: &[u8]) -> bool {
    !matches!(load_reply(data), Err(BrineError::Truncated { .. }))
}

/// A registry reply.
///
/// ```
/// use oxrpc_rpyc::brine::BrineValue;
/// use oxrpc_rpyc::registry::protocol::Reply;
///
/// let servers = Reply::Servers(vec![("127.0.0.1".into(), BrineValue::Int(18912))]);
/// assert_eq!(servers.encode(), b"\x10\x11\x08\x0e\x09127.0.0.1\x16\x0518912");
/// assert_eq!(Reply::Ok.encode(), b"\x08\x0bOK");
/// assert_eq!(Reply::Names(None).encode(), b"\x00");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// `"OK"`, to REGISTER and UNREGISTER.
    Ok,
    /// QUERY's `((host, port), ...)`, oldest keepalive first.
    Servers(Vec<(String, BrineValue)>),
    /// LIST's names, in registration order; `None` when listing is off.
    Names(Option<Vec<String>>),
}

impl Reply {
    /// The reply's bytes.
    pub fn encode(&self) -> Vec<u8> {
        self.encode_within(usize::MAX).0
    }

    /// The reply's bytes, with only as many leading servers or names as
    /// fit in `max` bytes, and how many were left out. rpyc's clients
    /// read a reply with one `recv` of a fixed size ([`MAX_PACKET`] for a
    /// QUERY; see the server for LIST) and cannot decode a cut one: a
    /// reply that fits is one they can read.
    ///
    /// ```
    /// use oxrpc_rpyc::brine::BrineValue;
    /// use oxrpc_rpyc::registry::protocol::Reply;
    ///
    /// let many = (0..100).map(|p| ("127.0.0.1".to_owned(), BrineValue::Int(20000 + p))).collect();
    /// let (bytes, left_out) = Reply::Servers(many).encode_within(1500);
    /// assert!(bytes.len() <= 1500);
    /// assert_eq!(Reply::decode_servers(&bytes).unwrap().len(), 100 - left_out);
    /// ```
    pub fn encode_within(&self, max: usize) -> (Vec<u8>, usize) {
        let items: Vec<BrineValue> = match self {
            Reply::Ok => return (brine::dump(&BrineValue::from("OK")), 0),
            Reply::Names(None) => return (brine::dump(&BrineValue::None), 0),
            Reply::Servers(servers) => servers
                .iter()
                .map(|(host, port)| {
                    BrineValue::Tuple(vec![BrineValue::from(host.as_str()), port.clone()])
                })
                .collect(),
            Reply::Names(Some(names)) => {
                names.iter().map(|n| BrineValue::from(n.as_str())).collect()
            }
        };
        // A tuple's header: one byte up to 4 items, two up to 255, then five.
        let header = |count: usize| match count {
            0..=4 => 1,
            5..=255 => 2,
            _ => 5,
        };
        let (mut kept, mut body, mut scratch) = (0, 0, Vec::new());
        for item in &items {
            scratch.clear();
            item.encode_into(&mut scratch);
            if header(kept + 1) + body + scratch.len() > max {
                break;
            }
            body += scratch.len();
            kept += 1;
        }
        let left_out = items.len() - kept;
        let mut items = items;
        items.truncate(kept);
        (brine::dump(&BrineValue::Tuple(items)), left_out)
    }

    /// Whether `data` is the `"OK"` that acknowledges a (un)registration.
    pub fn is_ok(data: &[u8]) -> bool {
        matches!(load_reply(data), Ok(BrineValue::Str(s)) if s == "OK")
    }

    /// Reads a QUERY reply: `(host, port)` pairs.
    pub fn decode_servers(data: &[u8]) -> Result<Vec<(String, BrineValue)>, ReplyError> {
        let value = load_reply(data)?;
        let BrineValue::Tuple(items) = value else {
            return Err(ReplyError::Shape(value.to_string()));
        };
        items
            .into_iter()
            .map(|item| match item {
                BrineValue::Tuple(pair) => match <[BrineValue; 2]>::try_from(pair) {
                    Ok([BrineValue::Str(host), port]) => Ok((host, port)),
                    Ok(pair) => Err(ReplyError::Shape(BrineValue::tuple(pair).to_string())),
                    Err(pair) => Err(ReplyError::Shape(BrineValue::Tuple(pair).to_string())),
                },
                other => Err(ReplyError::Shape(other.to_string())),
            })
            .collect()
    }

    /// Reads a LIST reply: the names, or `None` when listing is disabled.
    pub fn decode_names(data: &[u8]) -> Result<Option<Vec<String>>, ReplyError> {
        match load_reply(data)? {
            BrineValue::None => Ok(None),
            BrineValue::Tuple(items) => items
                .into_iter()
                .map(|item| match item {
                    BrineValue::Str(name) => Ok(name),
                    other => Err(ReplyError::Shape(other.to_string())),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            other => Err(ReplyError::Shape(other.to_string())),
        }
    }
}

/// Replies can be larger than requests (a LIST of many names), but are
/// still bounded by what a client reads.
fn load_reply(data: &[u8]) -> Result<BrineValue, BrineError> {
    let limits = BrineLimits {
        max_depth: 16,
        max_elements: data.len().max(1),
        max_int_digits: 4300,
    };
    Ok(brine::load_prefix(data, &limits)?.0)
}
