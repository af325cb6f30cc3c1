//! The locale the server process runs Python in, settled as CPython 3.11
//! settles it when it starts.
//!
//! CPython sets `LC_CTYPE` from the environment before it runs anything,
//! and what it finds there decides how text files are opened:
//!
//! - under a real locale (`LANG=C.UTF-8`, `de_DE.ISO-8859-1`) the UTF-8
//!   mode is off, and a file opened without an encoding (or with
//!   `encoding='locale'`) takes the locale's codeset, `'UTF-8'` as
//!   `nl_langinfo(CODESET)` spells it;
//! - under the C or POSIX locale (no `LANG`, a locale not installed) the
//!   UTF-8 mode is on (PEP 540) and such a file is `'utf-8'`; unless
//!   `LC_ALL` is set, `LC_CTYPE` is moved to a UTF-8 locale first (PEP
//!   538), so `encoding='locale'` is UTF-8 too;
//! - `PYTHONUTF8=1` or `0` decides the mode whatever the locale.
//!
//! RustPython leaves the process in the C locale (`locale.getencoding()`
//! said `'ANSI_X3.4-1968'`, and `encoding='locale'` read a UTF-8 file as
//! ASCII), and classic mode used to turn the UTF-8 mode on always
//! (`open(p).encoding` was `'utf-8'` where rpyc_classic's is `'UTF-8'`).
//! The first interpreter of the process settles both, with RustPython's
//! own `_locale`, before any client code runs. The mode an interpreter
//! is built with comes before that: it is read from the environment as
//! CPython would decide it ([`utf8_mode`]), and the first interpreter is
//! built again in the rare case the locale, once set, says otherwise (a
//! locale named that is not installed is the C locale).
//!
//! CPython also writes the coerced locale into the environment
//! (`os.environ['LC_CTYPE']`); the server does not change its environment
//! while its threads run.

use rustpython_vm::{PyResult, VirtualMachine};
use std::sync::OnceLock;

/// How text is read and written by default in this process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ProcessLocale {
    /// CPython's `sys.flags.utf8_mode`.
    pub(crate) utf8_mode: bool,
    /// `locale.getencoding()`: the codeset of `LC_CTYPE` once settled.
    pub(crate) codeset: String,
}

static SETTLED: OnceLock<ProcessLocale> = OnceLock::new();

/// The process's locale, once the first interpreter has settled it.
pub(crate) fn settled() -> Option<&'static ProcessLocale> {
    SETTLED.get()
}

/// The UTF-8 mode to build an interpreter with: the settled one, or
/// before that, what the environment says.
pub(crate) fn utf8_mode() -> bool {
    match SETTLED.get() {
        Some(settled) => settled.utf8_mode,
        None => Environment::of_process().utf8_mode_expected(),
    }
}

/// Whether CPython's standard input and output let bytes that do not
/// decode through (`surrogateescape`) rather than refuse them (`strict`):
/// in the UTF-8 mode, under the C or POSIX locale, and under the locales
/// the C locale is coerced to.
pub(crate) fn stdio_lets_undecodable_bytes_through() -> bool {
    let locale = Environment::of_process().ctype_locale;
    utf8_mode()
        || match locale.as_deref() {
            None | Some("C" | "POSIX") => true,
            Some(name) => COERCION_TARGETS.contains(&name),
        }
}

/// Settles the process's locale in `vm`, the first interpreter, once;
/// whether `vm` was built in the UTF-8 mode it settles on. If it cannot
/// be settled, the process stays as RustPython leaves it.
pub(crate) fn settle(vm: &VirtualMachine) -> bool {
    let built_with = vm.state.config.settings.utf8_mode > 0;
    let settled = SETTLED.get_or_init(|| {
        settle_in(&Environment::of_process(), vm).unwrap_or_else(|error| {
            let mut text = String::new();
            let _ = vm.write_exception(&mut text, &error);
            tracing::warn!("cannot read the process's locale: {text}");
            ProcessLocale {
                utf8_mode: built_with,
                codeset: "utf-8".to_owned(),
            }
        })
    });
    settled.utf8_mode == built_with
}

/// The variables CPython's startup reads.
struct Environment {
    /// `LC_ALL`, when set and not empty: it forbids the coercion.
    lc_all_set: bool,
    /// `PYTHONUTF8`, when set and not empty.
    python_utf8: Option<String>,
    /// `PYTHONCOERCECLOCALE`, when set and not empty.
    coerce_c_locale: Option<String>,
    /// The locale `setlocale(LC_CTYPE, "")` will ask for: `LC_ALL`,
    /// `LC_CTYPE` or `LANG`, the first set.
    ctype_locale: Option<String>,
}

impl Environment {
    fn of_process() -> Environment {
        let set = |name| std::env::var(name).ok().filter(|value| !value.is_empty());
        Environment {
            lc_all_set: set("LC_ALL").is_some(),
            python_utf8: set("PYTHONUTF8"),
            coerce_c_locale: set("PYTHONCOERCECLOCALE"),
            ctype_locale: set("LC_ALL")
                .or_else(|| set("LC_CTYPE"))
                .or_else(|| set("LANG")),
        }
    }

    /// The UTF-8 mode CPython will decide on, supposing the locale the
    /// environment names is installed.
    fn utf8_mode_expected(&self) -> bool {
        let legacy = matches!(self.ctype_locale.as_deref(), None | Some("C" | "POSIX"));
        self.utf8_mode(legacy)
    }

    /// CPython's UTF-8 mode, under a C or POSIX locale (`legacy`) or not.
    fn utf8_mode(&self, legacy: bool) -> bool {
        match self.python_utf8.as_deref() {
            Some("1") => true,
            Some("0") => false,
            _ => legacy,
        }
    }
}

/// The locales CPython tries, in order, when it coerces the C locale.
const COERCION_TARGETS: [&str; 3] = ["C.UTF-8", "C.utf8", "UTF-8"];

fn settle_in(environment: &Environment, vm: &VirtualMachine) -> PyResult<ProcessLocale> {
    // Imported for this alone: the client's interpreter starts without it.
    let modules = vm.sys_module.get_attr("modules", vm)?;
    let had_locale = modules.get_item("_locale", vm).is_ok();
    let locale = vm.import("_locale", 0)?;
    if !had_locale {
        modules.del_item("_locale", vm)?;
    }
    let lc_ctype = locale.get_attr("LC_CTYPE", vm)?;
    let setlocale = locale.get_attr("setlocale", vm)?;
    // A locale that cannot be set (not installed) leaves the C locale, as
    // CPython's `_Py_SetLocaleFromEnv` does.
    let set = |name: &str| {
        setlocale
            .call((lc_ctype.clone(), name.to_owned()), vm)
            .is_ok()
    };
    set("");
    let current: String = setlocale
        .call((lc_ctype.clone(),), vm)?
        .try_into_value(vm)?;
    let legacy = current == "C" || current == "POSIX";
    let utf8_mode = environment.utf8_mode(legacy);
    let coerce = environment.coerce_c_locale.as_deref() != Some("0");
    if legacy && coerce && !environment.lc_all_set {
        let _ = COERCION_TARGETS.into_iter().find(|target| set(target));
    }
    let codeset = locale
        .get_attr("getencoding", vm)?
        .call((), vm)?
        .try_into_value(vm)?;
    Ok(ProcessLocale { utf8_mode, codeset })
}
