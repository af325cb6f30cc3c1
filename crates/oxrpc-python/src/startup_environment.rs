//! The `PYTHON*` variables CPython 3.11 reads when it starts, applied to
//! the settings classic mode builds its interpreters with.
//!
//! rpyc_classic runs on a CPython started in the server's environment, so
//! `PYTHONOPTIMIZE=1` there turns `assert` off for the code its clients
//! run, `PYTHONWARNINGS=error` makes warnings raise, `PYTHONDONTWRITEBYTECODE`
//! keeps `__pycache__` out of the directories clients import from, and so
//! on. RustPython's own startup (its command line's) reads none of them
//! for an embedded interpreter; this module reads them as CPython's
//! `initconfig.c` does: a variable set to the empty string is not set, a
//! number that does not parse is taken as CPython takes it, and a value
//! CPython would refuse to start with is left out (with a warning in the
//! log) rather than stop the server.
//!
//! `PYTHONPATH` and `PYTHONUTF8` are read where the module path and the
//! locale are settled (`space.rs`, `process_locale.rs`).

use rustpython_vm::function::{FuncArgs, KwArgs};
use rustpython_vm::{PyResult, Settings, VirtualMachine};

static REFUSED_DIGITS: std::sync::Once = std::sync::Once::new();

/// Applies the variables `var` gives (the process's environment, in the
/// server) to `settings`; `lenient_stdio` is whether, without
/// `PYTHONIOENCODING`'s say, standard input and output let bytes that do
/// not decode through as CPython does under the process's locale
/// (`process_locale.rs`).
pub(crate) fn apply(
    settings: &mut Settings,
    lenient_stdio: bool,
    var: impl Fn(&str) -> Option<String>,
) {
    let set = |name: &str| var(name).filter(|value| !value.is_empty());
    if set("PYTHONDONTWRITEBYTECODE").is_some() {
        settings.write_bytecode = false;
    }
    if set("PYTHONNOUSERSITE").is_some() {
        settings.user_site_directory = false;
    }
    if set("PYTHONUNBUFFERED").is_some() {
        settings.buffered_stdio = false;
    }
    if let Some(level) = set("PYTHONOPTIMIZE") {
        settings.optimize = settings.optimize.max(level_of(&level));
    }
    if let Some(options) = set("PYTHONWARNINGS") {
        // Before the command line's, which no embedded interpreter has.
        let mut from_environment: Vec<String> = options
            .split(',')
            .filter(|option| !option.is_empty())
            .map(str::to_owned)
            .collect();
        from_environment.append(&mut settings.warnoptions);
        settings.warnoptions = from_environment;
    }
    // -1 is CPython's "not set" (`sys.flags.int_max_str_digits`), with
    // the default limit of 4,300 digits.
    settings.int_max_str_digits = -1;
    if let Some(digits) = set("PYTHONINTMAXSTRDIGITS") {
        match digits.parse::<i64>() {
            Ok(limit) if limit == 0 || limit >= 640 => settings.int_max_str_digits = limit,
            // Said once, not for every interpreter built.
            _ => REFUSED_DIGITS.call_once(|| {
                tracing::warn!(
                    "PYTHONINTMAXSTRDIGITS={digits} is not 0 or at least 640 (CPython would \
                     not start); interpreters keep the default limit"
                )
            }),
        }
    }
    // PYTHONIOENCODING is applied once the interpreter is built
    // ([`reconfigure_stdio`]): a name Python does not know must not stop
    // the interpreter from starting.
    let errors = if lenient_stdio {
        "surrogateescape"
    } else {
        "strict"
    };
    settings.stdio_errors = Some(errors.to_owned());
}

/// PYTHONIOENCODING's `encoding[:errors]`, either part `None` when empty;
/// `None` when the variable is not set. An encoding given alone is taken
/// with `strict`, as CPython takes it (`latin1` is `latin1:strict`).
fn stdio_override(value: Option<String>) -> Option<(Option<String>, Option<String>)> {
    let value = value.filter(|value| !value.is_empty())?;
    let part = |text: &str| Some(text.to_owned()).filter(|t| !t.is_empty());
    let (encoding, errors) = match value.split_once(':') {
        Some((encoding, errors)) => (part(encoding), part(errors)),
        None => (part(&value), None),
    };
    let errors = match (&encoding, errors) {
        (Some(_), None) => Some("strict".to_owned()),
        (_, errors) => errors,
    };
    Some((encoding, errors))
}

/// Points `vm`'s standard streams at PYTHONIOENCODING's encoding (by the
/// name its codec gives itself, as CPython names it: `latin-1` is
/// `iso8859-1`) and error handler (stdin's and stdout's; stderr keeps
/// `backslashreplace`, as in CPython). Where CPython would refuse to start
/// (an encoding it does not know), the interpreter keeps UTF-8 and the
/// server says why in its log, once.
pub(crate) fn reconfigure_stdio(vm: &VirtualMachine) -> PyResult<()> {
    let Some((encoding, errors)) = stdio_override(std::env::var("PYTHONIOENCODING").ok()) else {
        return Ok(());
    };
    if let Err(error) = reconfigure(vm, encoding.as_deref(), errors.as_deref()) {
        static SAID: std::sync::Once = std::sync::Once::new();
        SAID.call_once(|| {
            let mut text = String::new();
            let _ = vm.write_exception(&mut text, &error);
            tracing::error!(
                "PYTHONIOENCODING cannot be applied to the standard streams (CPython would \
                 not start): {}",
                text.trim_end()
            );
        });
    }
    Ok(())
}

fn reconfigure(vm: &VirtualMachine, encoding: Option<&str>, errors: Option<&str>) -> PyResult<()> {
    let encoding = match encoding {
        Some(encoding) => {
            let codecs = vm.import("codecs", 0)?;
            let info = vm.call_method(&codecs, "lookup", (encoding.to_owned(),))?;
            Some(info.get_attr("name", vm)?)
        }
        None => None,
    };
    for name in ["stdin", "stdout", "stderr"] {
        let stream = vm.sys_module.get_attr(name, vm)?;
        // Given with the encoding, or reconfigure resets it to `strict`.
        let handler = match (name, errors) {
            ("stderr", _) | (_, None) => stream.get_attr("errors", vm)?,
            (_, Some(errors)) => vm.ctx.new_str(errors).into(),
        };
        let mut kwargs = vec![("errors".to_owned(), handler)];
        if let Some(encoding) = &encoding {
            kwargs.push(("encoding".to_owned(), encoding.clone()));
        }
        let kwargs: KwArgs = kwargs.into_iter().collect();
        let reconfigure = stream.get_attr("reconfigure", vm)?;
        reconfigure.call(FuncArgs::new(Vec::new(), kwargs), vm)?;
    }
    Ok(())
}

/// `PYTHONOPTIMIZE`'s level: a number as written, anything else 1.
fn level_of(value: &str) -> u8 {
    match value.trim().parse::<i64>() {
        Ok(level) if level >= 0 => u8::try_from(level).unwrap_or(u8::MAX),
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings_under(vars: &[(&str, &str)], lenient_stdio: bool) -> Settings {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut settings = Settings::default();
        apply(&mut settings, lenient_stdio, |name| vars.get(name).cloned());
        settings
    }

    #[test]
    fn nothing_set_is_cpythons_default() {
        let settings = settings_under(&[], true);
        assert!(settings.write_bytecode);
        assert!(settings.user_site_directory);
        assert!(settings.buffered_stdio);
        assert_eq!(settings.optimize, 0);
        assert!(settings.warnoptions.is_empty());
        assert_eq!(settings.int_max_str_digits, -1);
        assert_eq!(settings.stdio_errors.as_deref(), Some("surrogateescape"));
        assert_eq!(
            settings_under(&[], false).stdio_errors.as_deref(),
            Some("strict")
        );
    }

    #[test]
    fn empty_values_are_unset() {
        let settings = settings_under(
            &[
                ("PYTHONDONTWRITEBYTECODE", ""),
                ("PYTHONOPTIMIZE", ""),
                ("PYTHONWARNINGS", ""),
            ],
            false,
        );
        assert!(settings.write_bytecode);
        assert_eq!(settings.optimize, 0);
        assert!(settings.warnoptions.is_empty());
        assert_eq!(settings.stdio_errors.as_deref(), Some("strict"));
    }

    #[test]
    fn values_are_read_as_cpython_reads_them() {
        let settings = settings_under(
            &[
                ("PYTHONDONTWRITEBYTECODE", "0"),
                ("PYTHONNOUSERSITE", "1"),
                ("PYTHONUNBUFFERED", "1"),
                ("PYTHONOPTIMIZE", "2"),
                ("PYTHONWARNINGS", "error::DeprecationWarning,,ignore"),
                ("PYTHONINTMAXSTRDIGITS", "640"),
            ],
            true,
        );
        // Any non-empty value, "0" too.
        assert!(!settings.write_bytecode);
        assert!(!settings.user_site_directory);
        assert!(!settings.buffered_stdio);
        assert_eq!(settings.optimize, 2);
        assert_eq!(
            settings.warnoptions,
            ["error::DeprecationWarning", "ignore"]
        );
        assert_eq!(settings.int_max_str_digits, 640);
        assert_eq!(
            settings_under(&[("PYTHONOPTIMIZE", "yes")], true).optimize,
            1
        );
    }

    #[test]
    fn pythonioencoding_names_either_part() {
        let read = |value: &str| stdio_override(Some(value.to_owned()));
        let both = (Some("latin-1".to_owned()), Some("replace".to_owned()));
        assert_eq!(read("latin-1:replace"), Some(both));
        let strict = (Some("latin-1".to_owned()), Some("strict".to_owned()));
        assert_eq!(read("latin-1"), Some(strict));
        assert_eq!(read(":ignore"), Some((None, Some("ignore".to_owned()))));
        assert_eq!(read(""), None);
        assert_eq!(stdio_override(None), None);
    }

    #[test]
    fn limits_cpython_refuses_are_left_out() {
        for refused in ["639", "-1", "many"] {
            let settings = settings_under(&[("PYTHONINTMAXSTRDIGITS", refused)], true);
            assert_eq!(settings.int_max_str_digits, -1, "{refused}");
        }
        let off = settings_under(&[("PYTHONINTMAXSTRDIGITS", "0")], true);
        assert_eq!(off.int_max_str_digits, 0);
    }
}
