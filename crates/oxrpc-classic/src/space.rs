//! The object-space interface: how a backend touches a Python object.
//!
//! Classic mode is the same protocol whichever Python runs the code: the
//! root object, the peer's netrefs inside the interpreter, exceptions in
//! and out, what crosses by value and what by reference. All of that is
//! written once in this crate against [`ObjectSpace`]. A backend (the
//! embedded RustPython, the host's CPython) says only how to reach its
//! interpreter from a thread and how to do the dozen things the protocol
//! does to an object: read an attribute, call it, repr it, build a tuple,
//! tell a plain value from an object.
//!
//! # Threads
//!
//! Protocol code runs Python on *worker* threads ([`crate::Worker`]). A
//! worker enters the interpreter once ([`ObjectSpace::enter`]) and leaves
//! it free for others whenever it blocks ([`ObjectSpace::unlocked`]): CPython
//! releases its GIL there, RustPython has nothing to release. Where the
//! interpreter lives is the backend's business too: RustPython builds one
//! per worker thread (or one shared by every connection), CPython has one
//! per process.
//!
//! # Objects and tokens
//!
//! [`ObjectSpace::Object`] is a handle that can be stored anywhere and
//! sent across threads; [`ObjectSpace::Vm`] is the proof that the current
//! thread may touch objects right now (RustPython's `&VirtualMachine`,
//! PyO3's `Python<'py>`). Every operation takes one.

use crate::runtime::Runtime;
use crate::worker::Worker;
use oxrpc_rpyc::BrineValue;
use std::sync::Arc;

/// A native function the protocol installs in the interpreter
/// (`_oxrpc_op`, through which the `Netref` class reaches the peer).
pub type Native<S> = for<'a> fn(
    <S as ObjectSpace>::Vm<'a>,
    Vec<<S as ObjectSpace>::Object>,
) -> Result<<S as ObjectSpace>::Object, <S as ObjectSpace>::Error>;

/// A job for a worker thread.
pub type Job<S> = Box<dyn for<'a> FnOnce(<S as ObjectSpace>::Vm<'a>) + Send>;

/// What a worker thread runs inside the interpreter ([`ObjectSpace::enter`]).
pub type Body<'b, S> = Box<dyn for<'a> FnOnce(<S as ObjectSpace>::Vm<'a>) + 'b>;

/// What an object is, as far as crossing the wire goes (exact types only,
/// as rpyc's `brine.dumpable` checks them).
pub enum Kind<O> {
    /// A scalar brine carries: `None`, `bool`, `int` (any size), `float`,
    /// `complex`, `str`, `bytes`, `Ellipsis`, `NotImplemented`.
    Plain(BrineValue),
    /// A `tuple`, with its items.
    Tuple(Vec<O>),
    /// A `frozenset`.
    FrozenSet,
    /// A `slice`.
    Slice,
    /// Anything else: it crosses by reference.
    Other,
}

/// Builtin exception classes protocol code raises itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// `TypeError`
    Type,
    /// `ValueError`
    Value,
    /// `RuntimeError`
    Runtime,
    /// `EOFError` (what rpyc raises for a closed connection)
    Eof,
}

/// How to touch a Python object: what an interpreter backend implements.
///
/// The methods that take a `vm` are only called on a thread inside the
/// interpreter (a worker, or a thread Python itself started).
pub trait ObjectSpace: Send + Sync + Sized + 'static {
    /// A Python object, storable and sendable (it is only *used* with a
    /// [`ObjectSpace::Vm`]).
    type Object: Send + Sync + 'static;
    /// A raised Python exception.
    type Error: Send + 'static;
    /// The right to touch objects on this thread, now.
    type Vm<'a>: Copy;

    // --- threads -------------------------------------------------------

    /// Runs `body` inside the interpreter on the current thread, a new
    /// worker thread that will run nothing else.
    fn enter(&self, body: Body<'_, Self>);

    /// Runs `f`, which touches no Python object, with the interpreter free
    /// for other threads meanwhile (CPython releases the GIL around it).
    fn unlocked<R: Send>(vm: Self::Vm<'_>, f: impl FnOnce() -> R + Send) -> R;

    /// The worker thread that serves a new connection: by default a new
    /// one, stopped when the connection ends.
    fn worker(self: &Arc<Self>, name: String) -> std::io::Result<Worker<Self>> {
        Worker::spawn(self.clone(), name)
    }

    /// Whether the workers [`ObjectSpace::worker`] hands out end with their
    /// connection (false when every connection shares one).
    fn worker_per_connection(&self) -> bool {
        true
    }

    /// The stack size of worker threads.
    fn stack_size(&self) -> usize {
        16 << 20
    }

    /// The protocol's state for the interpreter `vm` belongs to, once
    /// installed.
    fn runtime(vm: Self::Vm<'_>) -> Option<Arc<Runtime<Self>>>;

    /// Installs the protocol's state for `vm`'s interpreter; returns the one
    /// in force (another thread may have installed one first).
    fn install_runtime(vm: Self::Vm<'_>, runtime: Arc<Runtime<Self>>) -> Arc<Runtime<Self>>;

    /// Forgets the protocol's state of `vm`'s interpreter (it is stopping).
    fn remove_runtime(vm: Self::Vm<'_>) -> Option<Arc<Runtime<Self>>>;

    /// Gets rid of an object when its worker has gone: drop it if that is
    /// safe without the interpreter, else leak it.
    fn discard(object: Self::Object) {
        drop(object);
    }

    /// The namespace of a connection whose interpreter ends with it: by
    /// default emptied now (what it holds may hold netrefs, released while
    /// the interpreter can still run finalisers); a space may keep it to
    /// take apart with the interpreter instead.
    fn retire_namespace(vm: Self::Vm<'_>, namespace: Self::Object) {
        empty::<Self>(vm, &namespace);
    }

    // --- objects -------------------------------------------------------

    /// A new reference to `object`.
    fn clone_ref(vm: Self::Vm<'_>, object: &Self::Object) -> Self::Object;
    /// `None`.
    fn none(vm: Self::Vm<'_>) -> Self::Object;
    /// `a is b`.
    fn is(vm: Self::Vm<'_>, a: &Self::Object, b: &Self::Object) -> bool;
    /// What `object` is, by exact type.
    fn kind(vm: Self::Vm<'_>, object: &Self::Object) -> Kind<Self::Object>;
    /// The object for a scalar brine value (not tuples, frozensets or
    /// slices, which protocol code builds; big ints may come as
    /// [`BrineValue::BigInt`]).
    fn from_plain(vm: Self::Vm<'_>, value: BrineValue) -> Result<Self::Object, Self::Error>;
    /// A new tuple.
    fn new_tuple(vm: Self::Vm<'_>, items: Vec<Self::Object>) -> Self::Object;
    /// `type(object)`.
    fn class_of(vm: Self::Vm<'_>, object: &Self::Object) -> Self::Object;
    /// `getattr(object, name)`.
    fn getattr(
        vm: Self::Vm<'_>,
        object: &Self::Object,
        name: &str,
    ) -> Result<Self::Object, Self::Error>;
    /// `setattr(object, name, value)`.
    fn setattr(
        vm: Self::Vm<'_>,
        object: &Self::Object,
        name: &str,
        value: Self::Object,
    ) -> Result<(), Self::Error>;
    /// `delattr(object, name)`.
    fn delattr(vm: Self::Vm<'_>, object: &Self::Object, name: &str) -> Result<(), Self::Error>;
    /// `object(*args)`.
    fn call(
        vm: Self::Vm<'_>,
        object: &Self::Object,
        args: Vec<Self::Object>,
    ) -> Result<Self::Object, Self::Error>;
    /// `repr(object)`.
    fn repr(vm: Self::Vm<'_>, object: &Self::Object) -> Result<String, Self::Error>;
    /// `str(object)`.
    fn str(vm: Self::Vm<'_>, object: &Self::Object) -> Result<String, Self::Error>;
    /// `hash(object)`.
    fn hash(vm: Self::Vm<'_>, object: &Self::Object) -> Result<i64, Self::Error>;
    /// The value of an `int` that fits in 64 bits.
    fn to_i64(vm: Self::Vm<'_>, object: &Self::Object) -> Option<i64>;

    // --- exceptions ----------------------------------------------------

    /// The exception instance that was raised.
    fn exception(vm: Self::Vm<'_>, error: &Self::Error) -> Self::Object;
    /// Raises `instance`, an exception instance.
    fn raise(vm: Self::Vm<'_>, instance: Self::Object) -> Self::Error;
    /// A new builtin exception with a message.
    fn error(vm: Self::Vm<'_>, kind: ErrorKind, message: &str) -> Self::Error;
    /// The interpreter's own traceback text for `error`.
    fn traceback_text(vm: Self::Vm<'_>, error: &Self::Error) -> String;

    // --- code ----------------------------------------------------------

    /// Runs `source` as a new module named `name`, with `natives` defined
    /// in it first; returns the module.
    fn load_module(
        vm: Self::Vm<'_>,
        name: &str,
        source: &str,
        natives: &[(&'static str, Native<Self>)],
    ) -> Result<Self::Object, Self::Error>;
}

/// Empties a namespace (`namespace.clear()`), errors ignored: it is going
/// away.
pub(crate) fn empty<S: ObjectSpace>(vm: S::Vm<'_>, namespace: &S::Object) {
    if let Ok(clear) = S::getattr(vm, namespace, "clear") {
        let _ = S::call(vm, &clear, Vec::new());
    }
}
