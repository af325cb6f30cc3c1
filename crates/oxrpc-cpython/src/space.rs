//! The object space of the host's CPython: how classic mode touches a
//! CPython object, through PyO3.
//!
//! There is one interpreter per process, as in rpyc_classic, so there is
//! one protocol runtime for it, shared by every worker. A worker holds the
//! GIL while it runs a job and releases it whenever it waits (for its next
//! job, for the peer's reply to a callback, while an answer is encoded), so
//! connections run side by side as threads do in rpyc_classic.

use oxrpc_classic::{Body, ErrorKind, Kind, Native, ObjectSpace, Runtime};
use oxrpc_rpyc::{BigInt, BrineValue};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyBytes, PyCFunction, PyComplex, PyDict, PyFloat, PyFrozenSet, PyInt, PyModule,
    PySlice, PyString, PyTuple,
};
use std::ffi::CString;
use std::sync::{Arc, OnceLock};

/// The host's CPython as an object space (see [`crate::CPython::start`]).
pub struct CPython {
    pub(crate) _started: (),
}

static RUNTIME: OnceLock<Arc<Runtime<CPython>>> = OnceLock::new();

fn tuple<'py>(py: Python<'py>, items: Vec<Py<PyAny>>) -> Bound<'py, PyTuple> {
    PyTuple::new(py, items).unwrap_or_else(|_| PyTuple::empty(py))
}

/// Lets go of a `threading.Thread` object that belongs to another, ended
/// thread: at a worker's start, the one `threading._active` holds under
/// its ident, if that is not this thread's; at its end, the `_DummyThread`
/// made for it.
///
/// `threading.current_thread()` looks its thread up by `get_ident()`, which
/// a new thread may share with one that has ended. CPython 3.11 never lets
/// go of a `_DummyThread` (what a thread it did not start is given), nor of
/// the `_MainThread` made where `threading` was imported, and the
/// interpreter is started on a thread that ends. So a connection's code
/// saw `current_thread()` be the main thread (`is main_thread()`, the
/// start's `native_id`), or an ended worker's dummy. rpyc_classic serves
/// each connection in a `threading.Thread` of its own.
fn let_go_of_thread_objects(py: Python<'_>, ending: bool) {
    const STARTING: &std::ffi::CStr = c"
import sys
threading = sys.modules.get('threading')
if threading is not None:
    with threading._active_limbo_lock:
        ident = threading.get_ident()
        known = threading._active.get(ident)
        if known is not None and known.native_id != threading.get_native_id():
            del threading._active[ident]
";
    const ENDING: &std::ffi::CStr = c"
import sys
threading = sys.modules.get('threading')
if threading is not None:
    with threading._active_limbo_lock:
        ident = threading.get_ident()
        if isinstance(threading._active.get(ident), threading._DummyThread):
            del threading._active[ident]
";
    // A scope of its own: nothing is left in `__main__`.
    let scope = PyDict::new(py);
    let code = if ending { ENDING } else { STARTING };
    if let Err(error) = py.run(code, Some(&scope), None) {
        tracing::debug!("a thread object was not let go of: {error}");
    }
}

impl ObjectSpace for CPython {
    type Object = Py<PyAny>;
    type Error = PyErr;
    type Vm<'a> = Python<'a>;

    fn enter(&self, body: Body<'_, Self>) {
        // The interpreter was initialised by `CPython::start`; should it be
        // shutting down, the worker simply ends.
        let _ = Python::try_attach(|py| {
            let_go_of_thread_objects(py, false);
            body(py);
            let_go_of_thread_objects(py, true);
        });
    }

    fn unlocked<R: Send>(py: Python<'_>, f: impl FnOnce() -> R + Send) -> R {
        py.detach(f)
    }

    fn runtime(_py: Python<'_>) -> Option<Arc<Runtime<Self>>> {
        RUNTIME.get().cloned()
    }

    fn install_runtime(_py: Python<'_>, runtime: Arc<Runtime<Self>>) -> Arc<Runtime<Self>> {
        RUNTIME.get_or_init(|| runtime).clone()
    }

    fn remove_runtime(_py: Python<'_>) -> Option<Arc<Runtime<Self>>> {
        // The one interpreter outlives every worker.
        None
    }

    fn clone_ref(py: Python<'_>, object: &Py<PyAny>) -> Py<PyAny> {
        object.clone_ref(py)
    }

    fn none(py: Python<'_>) -> Py<PyAny> {
        py.None()
    }

    fn is(_py: Python<'_>, a: &Py<PyAny>, b: &Py<PyAny>) -> bool {
        a.is(b)
    }

    fn kind(py: Python<'_>, object: &Py<PyAny>) -> Kind<Py<PyAny>> {
        let o = object.bind(py);
        if o.is_none() {
            return Kind::Plain(BrineValue::None);
        }
        if o.is_exact_instance_of::<PyBool>() {
            return Kind::Plain(BrineValue::Bool(o.is_truthy().unwrap_or(false)));
        }
        if o.is_exact_instance_of::<PyInt>() {
            if let Ok(i) = o.extract::<i64>() {
                return Kind::Plain(BrineValue::Int(i));
            }
            // Past 64 bits: through its decimal text (CPython's own limit
            // on int digits applies).
            return match o
                .str()
                .ok()
                .and_then(|s| s.to_str().ok()?.parse::<BigInt>().ok())
            {
                Some(big) => Kind::Plain(BrineValue::BigInt(big)),
                None => Kind::Other,
            };
        }
        if let Ok(f) = o.cast_exact::<PyFloat>() {
            return Kind::Plain(BrineValue::Float(f.value()));
        }
        if let Ok(c) = o.cast_exact::<PyComplex>() {
            return Kind::Plain(BrineValue::Complex(c.real(), c.imag()));
        }
        if let Ok(s) = o.cast_exact::<PyString>() {
            // A str with lone surrogates (a file name os.listdir decoded
            // with surrogateescape) has no UTF-8 form: it goes as a
            // netref, unchanged, rather than as another name.
            return match s.to_str() {
                Ok(text) => Kind::Plain(BrineValue::Str(text.to_owned())),
                Err(_) => Kind::Other,
            };
        }
        if let Ok(b) = o.cast_exact::<PyBytes>() {
            return Kind::Plain(BrineValue::Bytes(b.as_bytes().to_vec()));
        }
        if o.is(py.Ellipsis()) {
            return Kind::Plain(BrineValue::Ellipsis);
        }
        if o.is(py.NotImplemented()) {
            return Kind::Plain(BrineValue::NotImplemented);
        }
        if let Ok(t) = o.cast_exact::<PyTuple>() {
            return Kind::Tuple(t.iter().map(Bound::unbind).collect());
        }
        if o.is_exact_instance_of::<PyFrozenSet>() {
            return Kind::FrozenSet;
        }
        if o.is_exact_instance_of::<PySlice>() {
            return Kind::Slice;
        }
        Kind::Other
    }

    fn from_plain(py: Python<'_>, value: BrineValue) -> PyResult<Py<PyAny>> {
        Ok(match value {
            BrineValue::None => py.None(),
            BrineValue::Bool(b) => PyBool::new(py, b).to_owned().into_any().unbind(),
            BrineValue::Int(i) => i.into_pyobject(py)?.into_any().unbind(),
            BrineValue::Float(f) => PyFloat::new(py, f).into_any().unbind(),
            BrineValue::Complex(re, im) => PyComplex::from_doubles(py, re, im).into_any().unbind(),
            BrineValue::Str(s) => PyString::new(py, &s).into_any().unbind(),
            BrineValue::Bytes(b) => PyBytes::new(py, &b).into_any().unbind(),
            BrineValue::Ellipsis => py.Ellipsis(),
            BrineValue::NotImplemented => py.NotImplemented(),
            BrineValue::BigInt(i) => py.get_type::<PyInt>().call1((i.to_string(),))?.unbind(),
            other => return Err(PyTypeError::new_err(format!("not a scalar value: {other}"))),
        })
    }

    fn new_tuple(py: Python<'_>, items: Vec<Py<PyAny>>) -> Py<PyAny> {
        tuple(py, items).into_any().unbind()
    }

    fn class_of(py: Python<'_>, object: &Py<PyAny>) -> Py<PyAny> {
        object.bind(py).get_type().into_any().unbind()
    }

    fn getattr(py: Python<'_>, object: &Py<PyAny>, name: &str) -> PyResult<Py<PyAny>> {
        object.bind(py).getattr(name).map(Bound::unbind)
    }

    fn setattr(py: Python<'_>, object: &Py<PyAny>, name: &str, value: Py<PyAny>) -> PyResult<()> {
        object.bind(py).setattr(name, value)
    }

    fn delattr(py: Python<'_>, object: &Py<PyAny>, name: &str) -> PyResult<()> {
        object.bind(py).delattr(name)
    }

    fn call(py: Python<'_>, object: &Py<PyAny>, args: Vec<Py<PyAny>>) -> PyResult<Py<PyAny>> {
        object.bind(py).call1(tuple(py, args)).map(Bound::unbind)
    }

    fn repr(py: Python<'_>, object: &Py<PyAny>) -> PyResult<String> {
        Ok(object.bind(py).repr()?.to_string_lossy().into_owned())
    }

    fn str(py: Python<'_>, object: &Py<PyAny>) -> PyResult<String> {
        Ok(object.bind(py).str()?.to_string_lossy().into_owned())
    }

    fn hash(py: Python<'_>, object: &Py<PyAny>) -> PyResult<i64> {
        Ok(object.bind(py).hash()? as i64)
    }

    fn to_i64(py: Python<'_>, object: &Py<PyAny>) -> Option<i64> {
        object.bind(py).extract::<i64>().ok()
    }

    fn exception(py: Python<'_>, error: &PyErr) -> Py<PyAny> {
        // With its traceback attached (before 3.12, PyO3 keeps it apart).
        error.clone_ref(py).into_value(py).into_any()
    }

    fn raise(py: Python<'_>, instance: Py<PyAny>) -> PyErr {
        PyErr::from_value(instance.into_bound(py))
    }

    fn error(_py: Python<'_>, kind: ErrorKind, message: &str) -> PyErr {
        let message = message.to_owned();
        match kind {
            ErrorKind::Type => PyTypeError::new_err(message),
            ErrorKind::Value => PyValueError::new_err(message),
            ErrorKind::Runtime => PyRuntimeError::new_err(message),
            ErrorKind::Eof => pyo3::exceptions::PyEOFError::new_err(message),
        }
    }

    fn traceback_text(py: Python<'_>, error: &PyErr) -> String {
        let formatted = (|| -> PyResult<String> {
            let exc = Self::exception(py, error);
            let lines = py
                .import("traceback")?
                .call_method1("format_exception", (exc,))?;
            PyString::new(py, "")
                .call_method1("join", (lines,))?
                .extract::<String>()
        })();
        formatted.unwrap_or_else(|_| error.to_string())
    }

    fn load_module(
        py: Python<'_>,
        name: &str,
        source: &str,
        natives: &[(&'static str, Native<Self>)],
    ) -> PyResult<Py<PyAny>> {
        let module = PyModule::new(py, name)?;
        for (native_name, native) in natives {
            let native = *native;
            let function = PyCFunction::new_closure(
                py,
                None,
                None,
                move |args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>| {
                    let py = args.py();
                    native(py, args.iter().map(Bound::unbind).collect())
                },
            )?;
            module.add(*native_name, function)?;
        }
        let code = CString::new(source)
            .map_err(|_| PyValueError::new_err("source code holds a NUL character"))?;
        py.run(&code, Some(&module.dict()), None)?;
        Ok(module.into_any().unbind())
    }
}
