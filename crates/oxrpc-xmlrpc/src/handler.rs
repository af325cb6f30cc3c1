//! Typed method handlers.
//!
//! As in axum, a handler is any function whose arguments can be extracted:
//! `|a: i32, b: i32| a + b` registers as a two-`int` method. The glue below
//! converts the wire parameters (raising the `TypeError` faults CPython's
//! server would raise for a wrong count or type), calls the function, and
//! turns whatever it returns into a value or a fault. It also derives the
//! method signature from the Rust types, for `system.methodSignature`.
//! Arguments that are not parameters ([`crate::Extract`] types such as
//! [`crate::ClientAddr`]) are filled from the request and left out of the
//! signature and of the argument count.

use crate::context::RequestContext;
use crate::convert::{ConversionError, IntoValue};
use crate::encoded::Encoded;
use crate::extract::{ArgKind, Extract};
use crate::fault::Fault;
use crate::value::Value;
use std::future::Future;
use std::pin::Pin;

/// The future a handler returns once erased.
pub(crate) type BoxFuture = Pin<Box<dyn Future<Output = Result<Answer, Fault>> + Send>>;

/// What a method answers with: a value for the server to encode, or one
/// encoded ahead of time, which goes out as it stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// A value, encoded when the response is written.
    Value(Value),
    /// A value encoded once (see [`Encoded`]).
    Encoded(Encoded),
}

impl Answer {
    /// The answer as a value (an encoded one read back, as a client would).
    pub fn into_value(self) -> Result<Value, Fault> {
        match self {
            Answer::Value(value) => Ok(value),
            Answer::Encoded(encoded) => encoded.to_value().map_err(|e| e.to_fault()),
        }
    }
}

/// What calling an erased handler produces: most handlers finish at once, and
/// those need no allocation.
pub enum Outcome {
    /// The handler already finished.
    Ready(Result<Answer, Fault>),
    /// An async handler still running.
    Pending(BoxFuture),
}

impl Outcome {
    /// Waits for the answer.
    pub async fn answer(self) -> Result<Answer, Fault> {
        match self {
            Outcome::Ready(result) => result,
            Outcome::Pending(future) => future.await,
        }
    }

    /// Waits for the answer, as a value.
    pub async fn resolve(self) -> Result<Value, Fault> {
        self.answer().await.and_then(Answer::into_value)
    }
}

/// The method being called, as its faults name it: `name` and, when they
/// were registered, its parameter names (CPython lists missing ones); and
/// the request it was called by.
#[derive(Debug, Clone, Copy)]
pub struct CallSite<'a> {
    /// The method name.
    pub name: &'a str,
    /// The parameters' names; may be empty.
    pub params: &'a [String],
    /// The request the call came with.
    pub context: &'a RequestContext,
}

/// A registered method with its argument glue erased.
pub trait ErasedHandler: Send + Sync + 'static {
    /// Calls the method with `params`.
    fn call(&self, site: CallSite<'_>, params: Vec<Value>) -> Outcome;
}

/// What a handler may return: a value, or a `Result` whose error becomes a fault.
pub trait IntoResponse {
    /// The XML-RPC type of a successful result (for method signatures).
    const XMLRPC_TYPE: &'static str;
    /// The value or the fault.
    fn into_response(self) -> Result<Value, Fault>;

    /// The answer the server sends: the value [`IntoResponse::into_response`]
    /// gives, unless it was encoded ahead ([`Encoded`]), which goes as is.
    fn into_answer(self) -> Result<Answer, Fault>
    where
        Self: Sized,
    {
        self.into_response().map(Answer::Value)
    }
}

impl IntoResponse for Encoded {
    const XMLRPC_TYPE: &'static str = "any";
    fn into_response(self) -> Result<Value, Fault> {
        Answer::Encoded(self).into_value()
    }
    fn into_answer(self) -> Result<Answer, Fault> {
        Ok(Answer::Encoded(self))
    }
}

impl IntoResponse for Answer {
    const XMLRPC_TYPE: &'static str = "any";
    fn into_response(self) -> Result<Value, Fault> {
        self.into_value()
    }
    fn into_answer(self) -> Result<Answer, Fault> {
        Ok(self)
    }
}

impl<E: IntoFault> IntoResponse for Result<Answer, E> {
    const XMLRPC_TYPE: &'static str = "any";
    fn into_response(self) -> Result<Value, Fault> {
        self.into_answer().and_then(Answer::into_value)
    }
    fn into_answer(self) -> Result<Answer, Fault> {
        self.map_err(E::into_fault)
    }
}

impl<E: IntoFault> IntoResponse for Result<Encoded, E> {
    const XMLRPC_TYPE: &'static str = "any";
    fn into_response(self) -> Result<Value, Fault> {
        self.into_answer().and_then(Answer::into_value)
    }
    fn into_answer(self) -> Result<Answer, Fault> {
        self.map(Answer::Encoded).map_err(E::into_fault)
    }
}

impl<T: IntoValue> IntoResponse for T {
    const XMLRPC_TYPE: &'static str = T::XMLRPC_TYPE;
    fn into_response(self) -> Result<Value, Fault> {
        Ok(self.into_value())
    }
}

impl<T: IntoValue, E: IntoFault> IntoResponse for Result<T, E> {
    const XMLRPC_TYPE: &'static str = T::XMLRPC_TYPE;
    fn into_response(self) -> Result<Value, Fault> {
        self.map(T::into_value).map_err(E::into_fault)
    }
}

/// Errors a handler can return. A [`Fault`] goes out as is; other errors go
/// out as CPython would report the matching Python exception.
pub trait IntoFault {
    /// The fault the client receives.
    fn into_fault(self) -> Fault;
}

impl IntoFault for Fault {
    fn into_fault(self) -> Fault {
        self
    }
}

impl IntoFault for String {
    fn into_fault(self) -> Fault {
        Fault::python_exception("Exception", self)
    }
}

impl IntoFault for &str {
    fn into_fault(self) -> Fault {
        Fault::python_exception("Exception", self)
    }
}

impl IntoFault for std::io::Error {
    fn into_fault(self) -> Fault {
        Fault::from_io_error(&self, None)
    }
}

impl IntoFault for Box<dyn std::error::Error + Send + Sync> {
    fn into_fault(self) -> Fault {
        Fault::python_exception("Exception", self)
    }
}

/// Functions usable as handlers. `Args` is the tuple of argument types; it
/// only exists to tell the implementations apart.
pub trait Handler<Args>: Send + Sync + Sized + 'static {
    /// Wraps the function into an [`ErasedHandler`].
    fn into_erased(self) -> Box<dyn ErasedHandler>;
    /// `[return type, argument types...]`, as `system.methodSignature` lists them.
    fn signature() -> Vec<&'static str>;
}

/// Async functions usable as handlers.
pub trait AsyncHandler<Args>: Send + Sync + Sized + 'static {
    /// Wraps the function into an [`ErasedHandler`].
    fn into_erased(self) -> Box<dyn ErasedHandler>;
    /// `[return type, argument types...]`.
    fn signature() -> Vec<&'static str>;
}

/// Checks the count of `params` against `arity` (of which the trailing
/// ones past `required` may be missing) and returns CPython's `TypeError`
/// fault when it is off. A Rust closure's parameters have no names unless
/// they were registered ([`crate::Method::params`]); the message then
/// leaves them out where CPython would list them.
fn check_arity(
    site: CallSite<'_>,
    given: usize,
    arity: usize,
    required: usize,
) -> Result<(), Fault> {
    if (required..=arity).contains(&given) {
        return Ok(());
    }
    let names: Vec<&str> = (0..arity)
        .map(|i| site.params.get(i).map_or("", String::as_str))
        .collect();
    let params = names.as_slice();
    let signature = oxrpc_pyfmt::Signature::function(site.name, params).with_required(required);
    if given > arity {
        return Err(Fault::python_exception(
            "TypeError",
            signature.too_many_positional(given),
        ));
    }
    if given < required {
        return Err(Fault::python_exception(
            "TypeError",
            signature.missing(&params[given..required]),
        ));
    }
    Ok(())
}

/// Converts parameter `index` (0-based) or reports it like CPython would.
fn extract_param<T: Extract>(name: &str, index: usize, param: Option<Value>) -> Result<T, Fault> {
    match param {
        Some(value) => T::from_param(value).map_err(|e: ConversionError| match e.detail {
            Some(detail) => Fault::python_exception(
                "TypeError",
                format_args!("{name}() argument {}: {detail}", index + 1),
            ),
            None => Fault::python_exception(
                "TypeError",
                format_args!(
                    "{name}() argument {} must be {}, not {}",
                    index + 1,
                    crate::pyvalue::python_name(e.expected),
                    crate::pyvalue::python_name(&e.got)
                ),
            ),
        }),
        None => T::from_missing().ok_or_else(|| {
            Fault::python_exception(
                "TypeError",
                format_args!("{name}() missing argument {}", index + 1),
            )
        }),
    }
}

/// How many of the trailing parameters may be left out.
fn required_count(missing_ok: &[bool]) -> usize {
    missing_ok.len() - missing_ok.iter().rev().take_while(|ok| **ok).count()
}

/// Most arguments a handler function takes.
const MAX_ARGS: usize = 8;

/// Whether each parameter argument may be missing, in order (context
/// arguments are not parameters and are skipped), and how many parameters
/// there are.
fn missing_ok(kinds: &[(ArgKind, bool)]) -> ([bool; MAX_ARGS], usize) {
    let mut flags = [false; MAX_ARGS];
    let params = kinds
        .iter()
        .filter(|(kind, _)| matches!(kind, ArgKind::Param(_)));
    let mut count = 0;
    for (slot, (_, ok)) in flags.iter_mut().zip(params) {
        *slot = *ok;
        count += 1;
    }
    (flags, count)
}

/// Reads one handler argument: the next parameter, or the request.
fn extract_arg<T: Extract>(
    site: CallSite<'_>,
    index: &mut usize,
    params: &mut std::vec::IntoIter<Value>,
) -> Result<T, Fault> {
    match T::KIND {
        ArgKind::Param(_) => {
            let at = *index;
            *index += 1;
            extract_param(site.name, at, params.next())
        }
        ArgKind::Context => T::from_context(site.context),
    }
}

/// `[return type, parameter types...]`.
fn signature_of(ret: &'static str, kinds: &[ArgKind]) -> Vec<&'static str> {
    std::iter::once(ret)
        .chain(kinds.iter().filter_map(|kind| match kind {
            ArgKind::Param(t) => Some(*t),
            ArgKind::Context => None,
        }))
        .collect()
}

struct SyncFn<F, Args> {
    f: F,
    _args: std::marker::PhantomData<fn() -> Args>,
}

struct AsyncFn<F, Args> {
    f: F,
    _args: std::marker::PhantomData<fn() -> Args>,
}

/// Checks the call's arity and binds each handler argument to a variable
/// named after its type parameter, returning the fault from the enclosing
/// `call` when a parameter is missing, extra or of the wrong type.
macro_rules! extract_args {
    ($site:ident, $params:ident; $($arg:ident),*) => {
        let (flags, count) = missing_ok(&[$(($arg::KIND, $arg::from_missing().is_some())),*]);
        let missing_ok = &flags[..count];
        if let Err(fault) = check_arity($site, $params.len(), count, required_count(missing_ok)) {
            return Outcome::Ready(Err(fault));
        }
        let mut $params = $params.into_iter();
        let mut index = 0usize;
        $(
            let $arg = match extract_arg::<$arg>($site, &mut index, &mut $params) {
                Ok(v) => v,
                Err(fault) => return Outcome::Ready(Err(fault)),
            };
        )*
    };
}

macro_rules! handler_impls {
    ($($arg:ident),*) => {
        impl<F, R, $($arg,)*> ErasedHandler for SyncFn<F, ($($arg,)*)>
        where
            F: Fn($($arg),*) -> R + Send + Sync + 'static,
            R: IntoResponse,
            $($arg: Extract + 'static,)*
        {
            #[allow(unused_mut, unused_variables, unused_assignments, non_snake_case)]
            fn call(&self, site: CallSite<'_>, params: Vec<Value>) -> Outcome {
                extract_args!(site, params; $($arg),*);
                Outcome::Ready((self.f)($($arg),*).into_answer())
            }
        }

        impl<F, R, $($arg,)*> Handler<($($arg,)*)> for F
        where
            F: Fn($($arg),*) -> R + Send + Sync + 'static,
            R: IntoResponse,
            $($arg: Extract + 'static,)*
        {
            fn into_erased(self) -> Box<dyn ErasedHandler> {
                Box::new(SyncFn::<F, ($($arg,)*)> { f: self, _args: std::marker::PhantomData })
            }
            fn signature() -> Vec<&'static str> {
                signature_of(R::XMLRPC_TYPE, &[$($arg::KIND),*])
            }
        }

        impl<F, Fut, R, $($arg,)*> ErasedHandler for AsyncFn<F, ($($arg,)*)>
        where
            F: Fn($($arg),*) -> Fut + Send + Sync + 'static,
            Fut: Future<Output = R> + Send + 'static,
            R: IntoResponse,
            $($arg: Extract + 'static,)*
        {
            #[allow(unused_mut, unused_variables, unused_assignments, non_snake_case)]
            fn call(&self, site: CallSite<'_>, params: Vec<Value>) -> Outcome {
                extract_args!(site, params; $($arg),*);
                let future = (self.f)($($arg),*);
                Outcome::Pending(Box::pin(async move { future.await.into_answer() }))
            }
        }

        impl<F, Fut, R, $($arg,)*> AsyncHandler<($($arg,)*)> for F
        where
            F: Fn($($arg),*) -> Fut + Send + Sync + 'static,
            Fut: Future<Output = R> + Send + 'static,
            R: IntoResponse,
            $($arg: Extract + 'static,)*
        {
            fn into_erased(self) -> Box<dyn ErasedHandler> {
                Box::new(AsyncFn::<F, ($($arg,)*)> { f: self, _args: std::marker::PhantomData })
            }
            fn signature() -> Vec<&'static str> {
                signature_of(R::XMLRPC_TYPE, &[$($arg::KIND),*])
            }
        }
    };
}

handler_impls!();
handler_impls!(A1);
handler_impls!(A1, A2);
handler_impls!(A1, A2, A3);
handler_impls!(A1, A2, A3, A4);
handler_impls!(A1, A2, A3, A4, A5);
handler_impls!(A1, A2, A3, A4, A5, A6);
handler_impls!(A1, A2, A3, A4, A5, A6, A7);
handler_impls!(A1, A2, A3, A4, A5, A6, A7, A8);

/// A handler taking the raw parameter list (for variadic methods).
pub(crate) struct RawFn<F>(pub(crate) F);

impl<F> ErasedHandler for RawFn<F>
where
    F: Fn(Vec<Value>) -> Result<Value, Fault> + Send + Sync + 'static,
{
    fn call(&self, _site: CallSite<'_>, params: Vec<Value>) -> Outcome {
        Outcome::Ready((self.0)(params).map(Answer::Value))
    }
}
