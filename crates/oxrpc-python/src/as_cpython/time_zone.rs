//! `time.tzset()`, and `time`'s zone constants as CPython 3.11 reads
//! them.
//!
//! RustPython 0.5's `time` has no `tzset`: the common
//! `os.environ['TZ'] = 'UTC'; time.tzset()` met AttributeError. CPython's
//! has the C library read `TZ` again, for the whole process (so under
//! rpyc_classic every thread's `localtime()` follows, as every
//! connection's does here), then reads `timezone`, `altzone`, `daylight`
//! and `tzname` again into the module. The C library is asked here as
//! RustPython's `time` asks it when it is made: its own slot that fills
//! a module is run on a module of its own, which is then dropped. That
//! slot calls `tzset`; this crate calls no C itself.
//!
//! CPython 3.11 reads the constants from the local time at this year's
//! start and half a year later (January's zone and July's; the one
//! further east is the summer one). RustPython takes `altzone` as
//! `timezone - 3600` in every zone: -3600 under UTC, where 3.11 says 0,
//! and -23400 in India, where it says -19800. They are read so when each
//! interpreter's `time` is made, and again by `tzset`.

use super::clinic_signature::no_arguments;
use super::module_copy;
use rustpython_vm::builtins::PyModule;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{PyObject, PyObjectRef, PyPayload, PyResult, VirtualMachine};

/// Seconds in a year as CPython's reading counts them (365¼ days).
const YEAR: i64 = (365 * 24 + 6) * 3600;

/// `time.tzset()`.
pub(super) fn tzset(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    no_arguments("time.tzset", &args, vm)?;
    if let Some(exec) = module_copy::original(&vm.ctx, "time")
        .and_then(|def| def.slots.exec.map(|exec| (def, exec)))
    {
        let (def, exec) = exec;
        let scratch = PyModule::from_def(def).into_ref(&vm.ctx);
        PyModule::__init_dict_from_def(vm, &scratch);
        exec(vm, &scratch)?;
    }
    let time = vm.import("time", 0)?;
    set_zone_constants(&time, vm)?;
    Ok(vm.ctx.none())
}

/// Sets `time`'s `timezone`, `altzone`, `daylight` and `tzname` as
/// CPython 3.11 reads them, from its own `localtime`.
pub(super) fn set_zone_constants(time: &PyObject, vm: &VirtualMachine) -> PyResult<()> {
    let localtime = time.get_attr("localtime", vm)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| i64::try_from(since.as_secs()).unwrap_or(0));
    let start = now.div_euclid(YEAR) * YEAR;
    // West of Greenwich in seconds, and the zone's name, at `when`.
    let zone_at = |when: i64| -> PyResult<(i64, PyObjectRef)> {
        let local = localtime.call((when,), vm)?;
        let offset: i64 = local.get_attr("tm_gmtoff", vm)?.try_into_value(vm)?;
        Ok((-offset, local.get_attr("tm_zone", vm)?))
    };
    let (january, january_name) = zone_at(start)?;
    let (july, july_name) = zone_at(start + YEAR / 2)?;
    // Summer in January: the southern hemisphere.
    let (standard, summer, names) = if january < july {
        (july, january, (july_name, january_name))
    } else {
        (january, july, (january_name, july_name))
    };
    time.set_attr("timezone", vm.ctx.new_int(standard), vm)?;
    time.set_attr("altzone", vm.ctx.new_int(summer), vm)?;
    time.set_attr("daylight", vm.ctx.new_int(i32::from(january != july)), vm)?;
    time.set_attr("tzname", vm.ctx.new_tuple(vec![names.0, names.1]), vm)?;
    Ok(())
}
