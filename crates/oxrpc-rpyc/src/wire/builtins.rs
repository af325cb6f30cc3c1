//! Python's built-in exception classes, by name.
//!
//! Exceptions cross the wire as `(module, name)` strings, so a misspelt
//! name would reach a Python peer as an exception class it cannot find.
//! [`Builtin`] names the ones oxrpc raises, and the constructors on
//! [`RemoteException`] build them with one message argument, as Python's
//! own `raise TypeError("...")` would.

use super::brine::BrineValue;
use super::vinegar::{RemoteException, BUILTINS};

macro_rules! builtins {
    ($($variant:ident $(=> $ctor:ident)?;)*) => {
        /// A built-in exception class of Python's `builtins` module.
        ///
        /// ```
        /// use oxrpc_rpyc::{Builtin, RemoteException};
        ///
        /// let exc = RemoteException::type_error("expected int, got str");
        /// assert_eq!(exc, RemoteException::builtin(Builtin::TypeError, "expected int, got str"));
        /// assert_eq!(exc.to_string(), "TypeError: expected int, got str");
        /// assert!(exc.is(Builtin::TypeError));
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(clippy::enum_variant_names)]
        pub enum Builtin {
            $(
                #[doc = concat!("`", stringify!($variant), "`.")]
                $variant,
            )*
        }

        impl Builtin {
            /// The class name, as Python spells it.
            pub fn name(self) -> &'static str {
                match self {
                    $(Builtin::$variant => stringify!($variant),)*
                }
            }
        }

        impl RemoteException {
            $($(
                #[doc = concat!("`", stringify!($variant), "(message)`.")]
                pub fn $ctor(message: impl Into<String>) -> RemoteException {
                    RemoteException::builtin(Builtin::$variant, message)
                }
            )?)*
        }
    };
}

builtins! {
    AttributeError => attribute_error;
    ConnectionError => connection_error;
    EOFError => eof_error;
    IndexError => index_error;
    KeyError;
    KeyboardInterrupt;
    MemoryError => memory_error;
    NotImplementedError => not_implemented_error;
    OSError => os_error;
    OverflowError => overflow_error;
    RecursionError => recursion_error;
    RuntimeError => runtime_error;
    StopIteration;
    SyntaxError => syntax_error;
    TimeoutError => timeout_error;
    TypeError => type_error;
    UnicodeDecodeError;
    ValueError => value_error;
    ZeroDivisionError => zero_division_error;
}

impl RemoteException {
    /// A built-in exception with one message argument.
    pub fn builtin(class: Builtin, message: impl Into<String>) -> RemoteException {
        RemoteException::new(
            BUILTINS,
            class.name(),
            vec![BrineValue::Str(message.into())],
        )
    }

    /// `KeyError(key)`: the key itself is the argument, so Python's
    /// `str()` of it is the key's repr.
    pub fn key_error(key: impl Into<BrineValue>) -> RemoteException {
        RemoteException::new(BUILTINS, Builtin::KeyError.name(), vec![key.into()])
    }

    /// Whether this is exactly the built-in class `class`.
    pub fn is(&self, class: Builtin) -> bool {
        self.module == BUILTINS && self.name == class.name()
    }

    /// rpyc's refusal of an attribute its policy hides:
    /// `AttributeError: cannot access 'name'`.
    pub fn cannot_access(name: &str) -> RemoteException {
        let mut message = String::from("cannot access ");
        oxrpc_pyfmt::write_str_repr(&mut message, name);
        RemoteException::attribute_error(message)
    }

    /// Python's `AttributeError: 'Type' object has no attribute 'name'`
    /// (`type_name` may be dotted; only its last part is shown), with the
    /// `name` and `obj` attributes CPython sets on it (`obj` as the repr of
    /// the object, the way vinegar sends what brine cannot carry).
    pub fn no_attribute(type_name: &str, name: &str, object_repr: &str) -> RemoteException {
        let short = type_name.rsplit('.').next().unwrap_or(type_name);
        let message = format!("'{short}' object has no attribute '{name}'");
        Self::no_attribute_message(message, name, object_repr)
    }

    fn no_attribute_message(message: String, name: &str, object_repr: &str) -> RemoteException {
        let mut exc = RemoteException::attribute_error(message);
        exc.attrs = vec![
            ("name".to_owned(), BrineValue::from(name)),
            ("obj".to_owned(), BrineValue::from(object_repr)),
        ];
        exc
    }

    /// Python's `AttributeError: type object 'Type' has no attribute
    /// 'name'`, from looking `name` up on a class (`type_name` may be
    /// dotted; `obj` is the class's repr).
    pub fn type_has_no_attribute(type_name: &str, name: &str) -> RemoteException {
        let short = type_name.rsplit('.').next().unwrap_or(type_name);
        let class = format!("<class '{type_name}'>");
        Self::no_attribute_message(
            format!("type object '{short}' has no attribute '{name}'"),
            name,
            &class,
        )
    }
}

/// Whether `name` is a built-in class of the `OSError` family.
pub(crate) fn is_os_error(name: &str) -> bool {
    OS_ERRORS.contains(&name)
}

/// The classes of the `OSError` family (their instances carry `errno`,
/// `strerror`, `filename` and `filename2`).
const OS_ERRORS: &[&str] = &[
    "OSError",
    "EnvironmentError",
    "IOError",
    "BlockingIOError",
    "BrokenPipeError",
    "ChildProcessError",
    "ConnectionError",
    "ConnectionAbortedError",
    "ConnectionRefusedError",
    "ConnectionResetError",
    "FileExistsError",
    "FileNotFoundError",
    "InterruptedError",
    "IsADirectoryError",
    "NotADirectoryError",
    "PermissionError",
    "ProcessLookupError",
    "TimeoutError",
];

impl RemoteException {
    /// Adds the public attributes CPython 3.11 gives an instance of this
    /// built-in class made from these args (`name`/`obj` of an
    /// `AttributeError`, `errno`/`strerror`/`filename` of an `OSError`,
    /// `code` of a `SystemExit`, ...), as rpyc's vinegar would send them;
    /// attributes already present are kept.
    pub(crate) fn with_standard_attributes(mut self) -> RemoteException {
        if self.module != BUILTINS {
            return self;
        }
        let args = &self.args;
        let arg = |i: usize| args.get(i).cloned().unwrap_or(BrineValue::None);
        let none = BrineValue::None;
        let standard: Vec<(&str, BrineValue)> = match self.name.as_str() {
            "AttributeError" => vec![("name", none.clone()), ("obj", none)],
            "NameError" | "UnboundLocalError" => vec![("name", none)],
            "ImportError" | "ModuleNotFoundError" => vec![
                (
                    "msg",
                    if args.len() == 1 {
                        arg(0)
                    } else {
                        none.clone()
                    },
                ),
                ("name", none.clone()),
                ("path", none),
            ],
            "SystemExit" => vec![(
                "code",
                match args.len() {
                    0 => none,
                    1 => arg(0),
                    _ => BrineValue::Tuple(args.clone()),
                },
            )],
            "SyntaxError" | "IndentationError" | "TabError" => {
                let details = match args.get(1) {
                    Some(BrineValue::Tuple(details)) if args.len() == 2 => details.clone(),
                    _ => Vec::new(),
                };
                let detail = |i: usize| details.get(i).cloned().unwrap_or(BrineValue::None);
                vec![
                    ("end_lineno", detail(4)),
                    ("end_offset", detail(5)),
                    ("filename", detail(0)),
                    ("lineno", detail(1)),
                    (
                        "msg",
                        if args.is_empty() {
                            none.clone()
                        } else {
                            arg(0)
                        },
                    ),
                    ("offset", detail(2)),
                    ("print_file_and_line", none),
                    ("text", detail(3)),
                ]
            }
            name if OS_ERRORS.contains(&name) => {
                let full = (2..=5).contains(&args.len());
                let at = |i: usize| if full { arg(i) } else { BrineValue::None };
                vec![
                    ("errno", at(0)),
                    ("filename", at(2)),
                    ("filename2", at(4)),
                    ("strerror", at(1)),
                ]
            }
            _ => Vec::new(),
        };
        for (name, value) in standard {
            if self.attr(name).is_none() {
                self.attrs.push((name.to_owned(), value));
            }
        }
        self.attrs.sort_by(|a, b| a.0.cmp(&b.0));
        self
    }

    /// The exception as a Python peer would re-raise it after receiving
    /// it: a class from outside `builtins` becomes rpyc's made-up
    /// `GenericException` subclass, named `module.Name` in module
    /// `rpyc.core.vinegar/module` (so an exception that passes through
    /// two connections is named as it would be through two rpyc peers).
    pub(crate) fn into_received(mut self) -> RemoteException {
        if self.module != BUILTINS && !self.is_stop_iteration() {
            self.name = format!("{}.{}", self.module, self.name);
            self.module = format!("rpyc.core.vinegar/{}", self.module);
        }
        self
    }
}
