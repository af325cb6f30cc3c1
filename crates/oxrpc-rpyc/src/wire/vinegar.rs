//! Vinegar: how rpyc sends exceptions ("when things go sour").
//!
//! When a request handler raises, rpyc replies with a `MSG_EXCEPTION` whose
//! body is not a boxed value but this plain brine tuple:
//!
//! ```text
//! ((module, name), args, attrs, traceback_text)
//! ```
//!
//! * `module`, `name`: where the exception class lives (`"builtins"`,
//!   `"ValueError"`). The receiver only instantiates classes from `builtins`
//!   by default; anything else becomes an rpyc `GenericException` subclass
//!   named `module.name`.
//! * `args`: the exception's `args`; items brine cannot carry are sent as
//!   their `repr()` text.
//! * `attrs`: `(name, value)` pairs for every public attribute in `dir(exc)`
//!   (again `repr()` for non-brinable values), followed by
//!   `("_remote_version", "6.0.2")`. Note that this includes *methods*: a
//!   Python 3.11 `ValueError` sends `("add_note", "<built-in method ...>")`.
//!   The receiver `setattr`s each pair on the new exception (silently skipping
//!   read-only ones) and warns in the traceback text if `_remote_version`'s
//!   major number differs from its own. oxrpc's connections send
//!   [`PROTOCOL_VERSION`] there, as an rpyc 6.0.2 peer would.
//! * `traceback_text`: the formatted remote traceback, which Python appends
//!   to `str(exc)` under a `========= Remote Traceback (1) =========` line.
//!
//! `StopIteration` (exactly that class, not subclasses) is special-cased: the
//! whole payload is the int `1`, so its value is lost, as in Python.
//! Python 2 era "string exceptions" were sent as a bare `str`; we still read
//! them (as a [`RemoteException`] with an empty module).

use std::fmt;

use super::boxing::describe;
use super::brine::BrineValue;
use super::error::VinegarError;

/// `consts.EXC_STOP_ITERATION`: the whole payload for `StopIteration`.
pub const EXC_STOP_ITERATION: i64 = 1;
/// The module of Python's built-in exceptions.
pub const BUILTINS: &str = "builtins";
/// The attribute rpyc uses to carry its version.
pub const REMOTE_VERSION_ATTR: &str = "_remote_version";
/// The rpyc version whose protocol this crate speaks, sent as
/// `_remote_version` with every exception as rpyc 6.0.2 sends its own.
pub const PROTOCOL_VERSION: &str = "6.0.2";
/// Start of the line Python puts before a remote traceback in `str(exc)`.
pub const REMOTE_LINE_START: &str = "\n\n========= Remote Traceback ";

/// An exception as it travels between peers.
///
/// ```
/// use oxrpc_rpyc::vinegar::{self, RemoteException};
/// use oxrpc_rpyc::brine::BrineValue;
///
/// let exc = RemoteException::value_error("bad value")
///     .with_traceback("Traceback (most recent call last):\n  ...\nValueError: bad value\n");
/// let wire = vinegar::dump(&exc);
/// assert_eq!(vinegar::load(wire).unwrap(), exc);
/// assert_eq!(exc.to_string(), "ValueError: bad value");
///
/// assert_eq!(vinegar::dump(&RemoteException::stop_iteration()), BrineValue::Int(1));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteException {
    /// The module of the exception class (`"builtins"` for built-ins).
    pub module: String,
    /// The class name (`"KeyError"`).
    pub name: String,
    /// The exception's `args`.
    pub args: Vec<BrineValue>,
    /// Attributes set on the exception, in wire order.
    pub attrs: Vec<(String, BrineValue)>,
    /// The remote traceback text.
    pub traceback: String,
}

impl RemoteException {
    /// An exception of class `module.name` with the given args, no attributes
    /// and an empty traceback.
    pub fn new(
        module: impl Into<String>,
        name: impl Into<String>,
        args: Vec<BrineValue>,
    ) -> RemoteException {
        RemoteException {
            module: module.into(),
            name: name.into(),
            args,
            attrs: Vec::new(),
            traceback: String::new(),
        }
    }

    /// `StopIteration`, which travels as the bare int `1`.
    pub fn stop_iteration() -> RemoteException {
        RemoteException::new(BUILTINS, "StopIteration", Vec::new())
    }

    /// Whether this is exactly `builtins.StopIteration`.
    pub fn is_stop_iteration(&self) -> bool {
        self.module == BUILTINS && self.name == "StopIteration"
    }

    /// Sets the traceback text.
    pub fn with_traceback(mut self, traceback: impl Into<String>) -> RemoteException {
        self.traceback = traceback.into();
        self
    }

    /// Adds an attribute.
    pub fn with_attr(
        mut self,
        name: impl Into<String>,
        value: impl Into<BrineValue>,
    ) -> RemoteException {
        self.attrs.push((name.into(), value.into()));
        self
    }

    /// The first attribute called `name`.
    pub fn attr(&self, name: &str) -> Option<&BrineValue> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The peer's rpyc version, if it sent one.
    pub fn remote_version(&self) -> Option<&str> {
        self.attr(REMOTE_VERSION_ATTR).and_then(BrineValue::as_str)
    }

    /// The class name as Python prints it in a traceback: `ValueError` for
    /// built-ins, `module.Name` otherwise.
    pub fn qualified_name(&self) -> String {
        if self.module == BUILTINS || self.module.is_empty() {
            self.name.clone()
        } else {
            format!("{}.{}", self.module, self.name)
        }
    }

    /// What Python's `str(exc)` shows before the remote traceback: nothing for
    /// no args, the text of a lone arg (its repr for `KeyError`), else the
    /// repr of the args tuple; for the built-in `OSError` and `SyntaxError`
    /// families, their own forms (`[Errno 2] No such file or directory:
    /// 'x'`, `invalid syntax (<string>, line 1)`).
    pub fn message(&self) -> String {
        let own_form = match self.module.as_str() {
            BUILTINS if super::builtins::is_os_error(&self.name) => self.os_error_message(),
            BUILTINS
                if matches!(
                    self.name.as_str(),
                    "SyntaxError" | "IndentationError" | "TabError"
                ) =>
            {
                self.syntax_error_message()
            }
            _ => None,
        };
        if let Some(message) = own_form {
            return message;
        }
        match self.args.as_slice() {
            [] => String::new(),
            [BrineValue::Str(s)] if self.name != "KeyError" => s.clone(),
            [one] => one.to_string(),
            many => BrineValue::Tuple(many.to_vec()).to_string(),
        }
    }

    /// An attribute or, failing that, an argument, unless it is None.
    fn attr_or_arg(&self, name: &str, index: usize) -> Option<&BrineValue> {
        self.attr(name)
            .or_else(|| self.args.get(index))
            .filter(|value| !matches!(value, BrineValue::None))
    }

    /// `OSError.__str__`, for an error made with `(errno, strerror[,
    /// filename[, winerror[, filename2]]])`.
    fn os_error_message(&self) -> Option<String> {
        if !(2..=5).contains(&self.args.len()) {
            return None;
        }
        let (BrineValue::Int(errno), BrineValue::Str(strerror)) = (&self.args[0], &self.args[1])
        else {
            return None;
        };
        let mut text = format!("[Errno {errno}] {strerror}");
        if let Some(filename) = self.attr_or_arg("filename", 2) {
            text.push_str(&format!(": {filename}"));
            if let Some(filename2) = self.attr_or_arg("filename2", 4) {
                text.push_str(&format!(" -> {filename2}"));
            }
        }
        Some(text)
    }

    /// `SyntaxError.__str__`: the message, then where (the file's base name
    /// and the line) when known.
    fn syntax_error_message(&self) -> Option<String> {
        let [BrineValue::Str(message), BrineValue::Tuple(details)] = self.args.as_slice() else {
            return None;
        };
        let filename = self
            .attr("filename")
            .or_else(|| details.first())
            .and_then(BrineValue::as_str)
            .map(|name| name.rsplit('/').next().unwrap_or(name));
        let line = match self.attr("lineno").or_else(|| details.get(1)) {
            Some(BrineValue::Int(line)) => Some(*line),
            _ => None,
        };
        Some(match (filename, line) {
            (Some(file), Some(line)) => format!("{message} ({file}, line {line})"),
            (Some(file), None) => format!("{message} ({file})"),
            (None, Some(line)) => format!("{message} (line {line})"),
            (None, None) => message.clone(),
        })
    }
}

/// `Name: message`; the alternate form (`{:#}`) appends the remote traceback
/// the way Python's rpyc does.
impl fmt::Display for RemoteException {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = self.message();
        if message.is_empty() {
            write!(f, "{}", self.qualified_name())?;
        } else {
            write!(f, "{}: {}", self.qualified_name(), message)?;
        }
        if f.alternate() && !self.traceback.is_empty() {
            let n = self.traceback.matches(REMOTE_LINE_START).count() + 1;
            write!(f, "{REMOTE_LINE_START}({n}) =========\n{}", self.traceback)?;
        }
        Ok(())
    }
}

impl std::error::Error for RemoteException {}

/// The wire form of `exc`, as Python's `vinegar.dump` builds it.
pub fn dump(exc: &RemoteException) -> BrineValue {
    if exc.is_stop_iteration() {
        return BrineValue::Int(EXC_STOP_ITERATION);
    }
    BrineValue::tuple([
        BrineValue::tuple([
            BrineValue::Str(exc.module.clone()),
            BrineValue::Str(exc.name.clone()),
        ]),
        BrineValue::Tuple(exc.args.clone()),
        BrineValue::Tuple(
            exc.attrs
                .iter()
                .map(|(n, v)| BrineValue::tuple([BrineValue::Str(n.clone()), v.clone()]))
                .collect(),
        ),
        BrineValue::Str(exc.traceback.clone()),
    ])
}

/// Reads a wire exception (what Python's `vinegar.load` unpacks).
pub fn load(value: BrineValue) -> Result<RemoteException, VinegarError> {
    let items = match value {
        BrineValue::Int(EXC_STOP_ITERATION) => return Ok(RemoteException::stop_iteration()),
        BrineValue::Str(text) => return Ok(RemoteException::new("", text, Vec::new())),
        BrineValue::Tuple(items) if items.len() == 4 => items,
        other => {
            return Err(shape(
                "exception",
                "((module, name), args, attrs, traceback)",
                &other,
            ))
        }
    };
    let mut it = items.into_iter();
    let (Some(class), Some(args), Some(attrs), Some(traceback)) =
        (it.next(), it.next(), it.next(), it.next())
    else {
        return Err(VinegarError::Shape {
            what: "exception",
            expected: "a 4-tuple",
            found: "a shorter tuple".to_owned(),
        });
    };
    let (module, name) = match class {
        BrineValue::Tuple(pair) => match <[BrineValue; 2]>::try_from(pair) {
            Ok([BrineValue::Str(m), BrineValue::Str(n)]) => (m, n),
            Ok(pair) => {
                return Err(shape(
                    "exception class",
                    "(str, str)",
                    &BrineValue::tuple(pair),
                ))
            }
            Err(v) => {
                return Err(shape(
                    "exception class",
                    "(str, str)",
                    &BrineValue::Tuple(v),
                ))
            }
        },
        other => return Err(shape("exception class", "(str, str)", &other)),
    };
    let args = match args {
        BrineValue::Tuple(args) => args,
        other => return Err(shape("exception args", "a tuple", &other)),
    };
    let attrs = match attrs {
        BrineValue::Tuple(attrs) => attrs
            .into_iter()
            .map(|pair| match pair {
                BrineValue::Tuple(pair) => match <[BrineValue; 2]>::try_from(pair) {
                    Ok([BrineValue::Str(n), v]) => Ok((n, v)),
                    Ok(pair) => Err(shape(
                        "exception attribute",
                        "(str, value)",
                        &BrineValue::tuple(pair),
                    )),
                    Err(v) => Err(shape(
                        "exception attribute",
                        "(str, value)",
                        &BrineValue::Tuple(v),
                    )),
                },
                other => Err(shape("exception attribute", "(str, value)", &other)),
            })
            .collect::<Result<_, _>>()?,
        other => return Err(shape("exception attrs", "a tuple of pairs", &other)),
    };
    let traceback = match traceback {
        BrineValue::Str(t) => t,
        other => return Err(shape("exception traceback", "a str", &other)),
    };
    Ok(RemoteException {
        module,
        name,
        args,
        attrs,
        traceback,
    })
}

fn shape(what: &'static str, expected: &'static str, found: &BrineValue) -> VinegarError {
    VinegarError::Shape {
        what,
        expected,
        found: describe(found),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_and_syntax_errors_read_as_python_prints_them() {
        let os_error =
            |args: Vec<BrineValue>| RemoteException::new(BUILTINS, "FileNotFoundError", args);
        let errno = || vec![BrineValue::Int(2), "No such file or directory".into()];
        assert_eq!(
            os_error(errno()).message(),
            "[Errno 2] No such file or directory"
        );
        // The filename as a Python peer sends it: an attribute (filename2
        // None, as vinegar dumps it).
        let sent = os_error(errno())
            .with_attr("filename", "/x")
            .with_attr("filename2", BrineValue::None);
        assert_eq!(sent.message(), "[Errno 2] No such file or directory: '/x'");
        let mut five = errno();
        five.extend(["a".into(), BrineValue::None, "b".into()]);
        assert_eq!(
            os_error(five).message(),
            "[Errno 2] No such file or directory: 'a' -> 'b'"
        );
        // Not the (errno, strerror) form: the args, as for any exception.
        assert_eq!(os_error(vec!["just text".into()]).message(), "just text");
        let syntax = |details: Vec<BrineValue>| {
            RemoteException::new(
                BUILTINS,
                "SyntaxError",
                vec!["invalid syntax".into(), BrineValue::Tuple(details)],
            )
        };
        let at =
            |file: BrineValue| vec![file, BrineValue::Int(3), BrineValue::Int(1), "x y".into()];
        assert_eq!(
            syntax(at("/a/b.py".into())).message(),
            "invalid syntax (b.py, line 3)"
        );
        assert_eq!(
            syntax(at(BrineValue::None)).message(),
            "invalid syntax (line 3)"
        );
        // A class of the same name elsewhere is not the built-in one.
        let other = RemoteException::new("mymod", "OSError", errno());
        assert_eq!(other.message(), "(2, 'No such file or directory')");
    }

    #[test]
    fn wire_shape() {
        let exc = RemoteException::key_error("k")
            .with_attr(REMOTE_VERSION_ATTR, "6.0.2")
            .with_traceback("tb");
        assert_eq!(
            dump(&exc),
            BrineValue::tuple([
                BrineValue::tuple(["builtins".into(), "KeyError".into()]),
                BrineValue::tuple(["k".into()]),
                BrineValue::tuple([BrineValue::tuple([
                    "_remote_version".into(),
                    "6.0.2".into()
                ])]),
                "tb".into(),
            ])
        );
        assert_eq!(exc.remote_version(), Some("6.0.2"));
        assert_eq!(exc.to_string(), "KeyError: 'k'");
        assert_eq!(
            format!("{exc:#}"),
            "KeyError: 'k'\n\n========= Remote Traceback (1) =========\ntb"
        );
    }

    #[test]
    fn stop_iteration_and_legacy_strings() {
        assert!(load(BrineValue::Int(1)).unwrap().is_stop_iteration());
        let legacy = load(BrineValue::from("OldError")).unwrap();
        assert_eq!(
            (legacy.module.as_str(), legacy.name.as_str()),
            ("", "OldError")
        );
        // A StopIteration subclass is not shortened.
        let sub = RemoteException::new("mymod", "StopIteration", vec![]);
        assert!(matches!(dump(&sub), BrineValue::Tuple(_)));
    }

    #[test]
    fn malformed_payloads() {
        let good = dump(&RemoteException::value_error("x"));
        let BrineValue::Tuple(parts) = good else {
            panic!()
        };
        let cases = [
            BrineValue::Int(2),
            BrineValue::None,
            BrineValue::Tuple(parts[..3].to_vec()),
            BrineValue::tuple([
                1.into(),
                parts[1].clone(),
                parts[2].clone(),
                parts[3].clone(),
            ]),
            BrineValue::tuple([
                parts[0].clone(),
                1.into(),
                parts[2].clone(),
                parts[3].clone(),
            ]),
            BrineValue::tuple([
                parts[0].clone(),
                parts[1].clone(),
                BrineValue::tuple([BrineValue::tuple([1.into(), 2.into()])]),
                parts[3].clone(),
            ]),
            BrineValue::tuple([
                parts[0].clone(),
                parts[1].clone(),
                parts[2].clone(),
                BrineValue::None,
            ]),
        ];
        for c in cases {
            assert!(load(c.clone()).is_err(), "{c}");
        }
    }
}
