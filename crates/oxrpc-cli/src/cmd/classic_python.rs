//! Which Python `oxrpc classic serve` runs clients' code on.
//!
//! The default is the embedded RustPython: the binary needs no Python on
//! the host. `--python cpython` embeds the host's own CPython instead (its
//! packages, C extensions, `teleport_function`); it is compiled in only
//! with the `cpython` cargo feature, so the default binary never links
//! libpython.

use clap::{Args, ValueEnum};
use oxrpc::python::{Isolation, RustPython};
use std::path::PathBuf;
use std::sync::Arc;

/// The interpreters classic mode can run on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    /// RustPython, embedded in this binary: no Python needed on the host.
    #[default]
    Rustpython,
    /// The host's own CPython (libpython), with its packages.
    Cpython,
}

/// How connections share interpreters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum IsolationArg {
    /// An interpreter per connection (RustPython's default).
    Connection,
    /// One interpreter, a namespace per connection (as rpyc_classic; the
    /// only way CPython runs).
    Shared,
}

/// `oxrpc classic serve`'s interpreter options.
#[derive(Args, Clone, Debug)]
pub struct InterpreterArgs {
    /// The Python that runs clients' code.
    #[arg(long, value_enum, default_value = "rustpython")]
    pub python: Backend,
    /// A virtualenv whose packages the CPython backend sees (repeatable;
    /// VIRTUAL_ENV is added when set).
    #[arg(long, value_name = "DIR")]
    pub venv: Vec<PathBuf>,
    /// How connections share interpreters: `connection` (an interpreter
    /// each, RustPython's default) or `shared` (a namespace each).
    #[arg(long, value_enum)]
    pub isolation: Option<IsolationArg>,
    /// With an interpreter per connection: how many to keep built ahead,
    /// so a new connection starts without waiting for one (~3.4 MiB each).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SPARES)]
    pub spare_interpreters: usize,
}

/// Interpreters kept built ahead unless told otherwise.
const DEFAULT_SPARES: usize = 1;

/// The options `oxrpc classic serve` runs with when given none (what
/// `oxrpc serve` uses for its classic server).
impl Default for InterpreterArgs {
    fn default() -> Self {
        InterpreterArgs {
            python: Backend::default(),
            venv: Vec::new(),
            isolation: None,
            spare_interpreters: DEFAULT_SPARES,
        }
    }
}

/// An object space to serve classic mode from.
pub enum Space {
    /// The embedded RustPython.
    RustPython(Arc<RustPython>),
    /// The host's CPython.
    #[cfg(feature = "cpython")]
    CPython(Arc<oxrpc::cpython::CPython>),
}

/// The object space `args` ask for, started.
pub fn space(args: &InterpreterArgs) -> anyhow::Result<Space> {
    match args.python {
        Backend::Rustpython => {
            if !args.venv.is_empty() {
                anyhow::bail!(
                    "--venv needs --python cpython: RustPython has its own standard library \
                     and cannot load the packages of a CPython virtualenv"
                );
            }
            let isolation = match args.isolation {
                Some(IsolationArg::Shared) => Isolation::Shared,
                Some(IsolationArg::Connection) | None => Isolation::Connection,
            };
            Ok(Space::RustPython(Arc::new(
                RustPython::new(isolation).with_spares(args.spare_interpreters),
            )))
        }
        Backend::Cpython => cpython(args),
    }
}

#[cfg(feature = "cpython")]
fn cpython(args: &InterpreterArgs) -> anyhow::Result<Space> {
    if args.isolation == Some(IsolationArg::Connection) {
        anyhow::bail!(
            "--python cpython runs one interpreter, as rpyc_classic does (a namespace per \
             connection): --isolation connection is RustPython's"
        );
    }
    let mut options = oxrpc::cpython::Options::from_env();
    let mut venv = args.venv.clone();
    venv.append(&mut options.venv);
    options.venv = venv;
    Ok(Space::CPython(oxrpc::cpython::CPython::start(&options)?))
}

#[cfg(not(feature = "cpython"))]
fn cpython(_args: &InterpreterArgs) -> anyhow::Result<Space> {
    anyhow::bail!(
        "this oxrpc was built without the host-CPython backend; build it with \
         `cargo build --release -p oxrpc-cli --features cpython` (needs python3-dev)"
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::InterpreterArgs;
    use clap::Parser;

    #[derive(Parser)]
    struct Options {
        #[command(flatten)]
        interpreter: InterpreterArgs,
    }

    /// `oxrpc serve` builds its classic server from `Default`: it must be
    /// what `oxrpc classic serve` runs with when given no option.
    #[test]
    fn default_options_are_the_command_lines() {
        let parsed = Options::try_parse_from(["classic"]).unwrap().interpreter;
        let default = InterpreterArgs::default();
        assert_eq!(parsed.python, default.python);
        assert_eq!(parsed.venv, default.venv);
        assert_eq!(parsed.isolation, default.isolation);
        assert_eq!(parsed.spare_interpreters, default.spare_interpreters);
        assert_eq!(default.spare_interpreters, 1);
    }
}
