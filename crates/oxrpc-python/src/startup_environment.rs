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

use rustpython_vm::Settings;

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
            _ => tracing::warn!(
                "PYTHONINTMAXSTRDIGITS={digits} is not 0 or at least 640 (CPython would not \
                 start); interpreters keep the default limit"
            ),
        }
    }
    // The standard streams: `encoding[:errors]`, either part may be empty.
    let (encoding, errors) = match set("PYTHONIOENCODING") {
        Some(value) => match value.split_once(':') {
            Some((encoding, errors)) => (encoding.to_owned(), errors.to_owned()),
            None => (value, String::new()),
        },
        None => (String::new(), String::new()),
    };
    if !encoding.is_empty() {
        settings.stdio_encoding = Some(encoding);
    }
    settings.stdio_errors = Some(if !errors.is_empty() {
        errors
    } else if lenient_stdio {
        "surrogateescape".to_owned()
    } else {
        "strict".to_owned()
    });
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
                ("PYTHONIOENCODING", ""),
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
                ("PYTHONIOENCODING", "latin-1:replace"),
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
        assert_eq!(settings.stdio_encoding.as_deref(), Some("latin-1"));
        assert_eq!(settings.stdio_errors.as_deref(), Some("replace"));
        assert_eq!(
            settings_under(&[("PYTHONOPTIMIZE", "yes")], true).optimize,
            1
        );
        let errors_only = settings_under(&[("PYTHONIOENCODING", ":ignore")], false);
        assert_eq!(errors_only.stdio_encoding, None);
        assert_eq!(errors_only.stdio_errors.as_deref(), Some("ignore"));
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
