//! RPyC classic mode served from the host's own CPython.
//!
//! People who use rpyc's classic mode drive the remote machine's *own*
//! Python: numpy, vendor SDKs with C extensions, CPython bytecode sent by
//! `rpyc.classic.teleport_function`. This crate embeds the host's
//! libpython (through PyO3) and serves classic mode from it, with the same
//! protocol code as the RustPython backend ([`oxrpc_classic`]): only "how
//! to touch a Python object" is CPython's here.
//!
//! As rpyc_classic does, it runs one interpreter for the process and gives
//! each connection a namespace of its own; each connection's requests run
//! on a worker thread that holds the GIL only while it touches Python
//! objects, never across socket I/O. The user's packages are found through
//! a virtualenv ([`Options::venv`], or `VIRTUAL_ENV` when set).
//!
//! ```no_run
//! use oxrpc_cpython::{CPython, ClassicService, Options};
//! use std::sync::Arc;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let space = CPython::start(&Options::from_env())?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:18812").await?;
//! oxrpc_rpyc::Server::new(move || Arc::new(ClassicService::with_space(space.clone())))
//!     .serve(listener)
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! Building needs CPython's development files (`python3-dev` on Debian);
//! PyO3 picks the interpreter named by `PYO3_PYTHON`, else `python3`.

mod space;

use pyo3::prelude::*;
use pyo3::types::PyModule;
use std::ffi::CString;
use std::path::PathBuf;
use std::sync::Arc;

pub use space::CPython;

/// Classic mode's service on the host's CPython.
pub type ClassicService = oxrpc_classic::ClassicService<CPython>;

const STARTUP: &str = include_str!("startup.py");

/// How to start the embedded interpreter.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Virtualenvs whose packages the interpreter sees, first wins.
    pub venv: Vec<PathBuf>,
}

impl Options {
    /// The environment's virtualenv, `VIRTUAL_ENV`, when set.
    pub fn from_env() -> Options {
        Options {
            venv: std::env::var_os("VIRTUAL_ENV")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .into_iter()
                .collect(),
        }
    }
}

/// Why the interpreter could not start as asked.
#[derive(Debug)]
pub struct StartError(String);

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartError {}

impl CPython {
    /// Starts the process's interpreter (once; later calls only add
    /// virtualenvs) without Python's signal handlers, which stay the
    /// server's, and returns the object space to serve it with.
    pub fn start(options: &Options) -> Result<Arc<CPython>, StartError> {
        Python::initialize();
        Python::attach(|py| -> PyResult<()> {
            let code = CString::new(STARTUP)
                .map_err(|_| pyo3::exceptions::PyValueError::new_err("NUL in startup code"))?;
            let startup = PyModule::from_code(py, &code, c"<oxrpc startup>", c"oxrpc_startup")?;
            startup.call_method0("prepare")?;
            // Added in reverse: each goes to the front of sys.path.
            for venv in options.venv.iter().rev() {
                startup.call_method1("add_venv", (venv.to_string_lossy().into_owned(),))?;
            }
            Ok(())
        })
        .map_err(|e| StartError(format!("cannot start the host's Python: {e}")))?;
        Ok(Arc::new(CPython { _started: () }))
    }

    /// `sys.version` of the embedded interpreter.
    pub fn version(&self) -> String {
        Python::attach(|py| py.version().to_owned())
    }
}
