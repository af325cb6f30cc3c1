//! `time.strftime`'s `%Z` and `%z` from the time it is given, as CPython
//! writes them.
//!
//! CPython hands the C library a `struct tm` holding the `struct_time`'s
//! `tm_zone` and `tm_gmtoff`, which `%Z` and `%z` write. RustPython 0.5's
//! passed neither: `%z` was always `+0000`, and `%Z` the C library's name
//! of the local zone, also for `gmtime()`'s UTC. Under `TZ=Asia/Kolkata`,
//! `strftime('%Z %z', localtime(0))` was `'IST +0000'` (CPython: `'IST
//! +0530'`) and `strftime('%Z', gmtime(0))` `'IST'` (`'GMT'`). Asking the C
//! library for the local zone's name also made it read `TZ` again
//! (`tzset`): a client that had set `os.environ['TZ']` moved every
//! connection's `localtime()` to that zone.
//!
//! The front writes both into the format before RustPython's runs, when
//! the time is a `struct_time` that carries them (`localtime()`'s, where no
//! time is given); a plain tuple is left to RustPython, as CPython leaves
//! it to the C library. `%z` is empty where `tm_isdst` is negative, as the
//! C library writes it. A format that is not a str is refused in
//! CPython's words ("strftime() argument 1 must be str, not bytes").

use super::methods::argument_type_name;
use super::module_copy::fronts;
use rustpython_vm::builtins::{PyInt, PyStr};
use rustpython_vm::function::{FuncArgs, PyNativeFn};
use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};
use std::fmt::Write;

fronts! {
    /// `time.strftime(format[, t])`.
    strftime => zones_written;
}

fn zones_written(
    own: &'static dyn PyNativeFn,
    mut args: FuncArgs,
    vm: &VirtualMachine,
) -> PyResult {
    let Some(format) = args.args.first() else {
        return own(vm, args);
    };
    let Some(format) = format.downcast_ref::<PyStr>() else {
        return Err(vm.new_type_error(format!(
            "strftime() argument 1 must be str, not {}",
            argument_type_name(format, vm)
        )));
    };
    let Some(text) = format.to_str() else {
        return own(vm, args);
    };
    if !(text.contains("%Z") || text.contains("%z")) || !args.kwargs.is_empty() {
        return own(vm, args);
    }
    let given = args.args.get(1).cloned();
    let time = match &given {
        Some(time) => time.clone(),
        // CPython's `strftime(format)` formats `localtime()`.
        None => vm
            .import("time", 0)?
            .get_attr("localtime", vm)?
            .call((), vm)?,
    };
    let Some(zone) = Zone::of(&time, vm)? else {
        return own(vm, args);
    };
    let written = vm.ctx.new_str(zone.written_into(text)).into();
    args.args[0] = written;
    if given.is_none() {
        args.args.push(time);
    }
    own(vm, args)
}

/// What a `struct_time` says of its zone.
struct Zone {
    name: String,
    /// Seconds east of UTC.
    offset: i64,
    /// `tm_isdst` below zero: no zone known.
    unknown: bool,
}

impl Zone {
    /// The zone of `time`, when it is a `struct_time` that names one.
    fn of(time: &PyObjectRef, vm: &VirtualMachine) -> PyResult<Option<Zone>> {
        let part = |name: &'static str| time.get_attr(name, vm).ok();
        let (Some(name), Some(offset), Some(dst)) =
            (part("tm_zone"), part("tm_gmtoff"), part("tm_isdst"))
        else {
            return Ok(None);
        };
        let (Some(name), Some(offset), Some(dst)) = (
            name.downcast_ref::<PyStr>().and_then(|name| name.to_str()),
            offset
                .downcast_ref::<PyInt>()
                .and_then(|offset| offset.try_to_primitive::<i64>(vm).ok()),
            dst.downcast_ref::<PyInt>()
                .and_then(|dst| dst.try_to_primitive::<i64>(vm).ok()),
        ) else {
            return Ok(None);
        };
        Ok(Some(Zone {
            name: name.to_owned(),
            offset,
            unknown: dst < 0,
        }))
    }

    /// `format` with its `%Z` and `%z` written, and every other directive
    /// (`%%` among them) left for the C library.
    fn written_into(&self, format: &str) -> String {
        let mut written = String::with_capacity(format.len() + 8);
        let mut characters = format.chars();
        while let Some(character) = characters.next() {
            if character != '%' {
                written.push(character);
                continue;
            }
            match characters.next() {
                Some('Z') => written.push_str(&self.name.replace('%', "%%")),
                Some('z') if self.unknown => {}
                Some('z') => {
                    let sign = if self.offset < 0 { '-' } else { '+' };
                    let minutes = self.offset.abs() / 60;
                    let _ = write!(written, "{sign}{:02}{:02}", minutes / 60, minutes % 60);
                }
                Some(other) => {
                    written.push('%');
                    written.push(other);
                }
                None => written.push('%'),
            }
        }
        written
    }
}

#[cfg(test)]
mod tests {
    use super::Zone;

    fn zone(name: &str, offset: i64, unknown: bool) -> Zone {
        Zone {
            name: name.to_owned(),
            offset,
            unknown,
        }
    }

    #[test]
    fn writes_the_zone_and_its_offset_and_leaves_the_rest() {
        let india = zone("IST", 19800, false);
        assert_eq!(india.written_into("%H:%M %Z %z"), "%H:%M IST +0530");
        assert_eq!(india.written_into("%%Z %%z %Z"), "%%Z %%z IST");
        assert_eq!(india.written_into("100%"), "100%");
        let new_york = zone("EDT", -14400, false);
        assert_eq!(new_york.written_into("%z"), "-0400");
        assert_eq!(zone("50%", 0, true).written_into("%Z|%z"), "50%%|");
    }
}
