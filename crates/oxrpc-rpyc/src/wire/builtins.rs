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
    /// (`type_name` may be dotted; only its last part is shown).
    pub fn no_attribute(type_name: &str, name: &str) -> RemoteException {
        let short = type_name.rsplit('.').next().unwrap_or(type_name);
        RemoteException::attribute_error(format!("'{short}' object has no attribute '{name}'"))
    }
}
