//! A builtin's parameters bound as CPython 3.11's Argument Clinic binds
//! them, refused in its words.
//!
//! RustPython binds a native function's arguments with its own rules and
//! messages ("Unexpected keyword argument sep"); where a replacement must
//! take what CPython takes (keywords RustPython's function has no name
//! for) and refuse the rest as CPython does, it binds with a `Signature`.

use super::methods::{argument_type_name, c_string_argument};
use rustpython_vm::builtins::PyStr;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

/// A builtin's parameters as Argument Clinic declares them, bound as
/// `_PyArg_UnpackKeywords` binds them.
pub(crate) struct Signature {
    /// The name its errors give it (`new`, `openssl_sha256`, `digest`).
    pub(crate) function: &'static str,
    /// Every parameter, in order.
    pub(crate) parameters: &'static [&'static str],
    /// How many lead as positional-only.
    pub(crate) positional_only: usize,
    /// How many may be given by position.
    pub(crate) positional: usize,
    /// How many lead as required.
    pub(crate) required: usize,
}

impl Signature {
    /// Each parameter's argument, by position or by name, or the
    /// TypeError CPython raises for the call: too many arguments, too
    /// many or too few positional ones, a required one missing, one given
    /// twice, a keyword it does not take.
    pub(crate) fn bind(
        &self,
        args: FuncArgs,
        vm: &VirtualMachine,
    ) -> PyResult<Vec<Option<PyObjectRef>>> {
        let function = self.function;
        let given = args.args.len();
        // The common call: positional arguments only, as many as it takes.
        if args.kwargs.is_empty() && (self.required..=self.positional).contains(&given) {
            let mut bound: Vec<Option<PyObjectRef>> = Vec::with_capacity(self.parameters.len());
            bound.extend(args.args.into_iter().map(Some));
            bound.resize(self.parameters.len(), None);
            return Ok(bound);
        }
        let total = given + args.kwargs.len();
        let most = self.parameters.len();
        let plural = |count: usize| if count == 1 { "" } else { "s" };
        if total > most {
            return Err(vm.new_type_error(format!(
                "{function}() takes at most {most} {}argument{} ({total} given)",
                if given == 0 { "keyword " } else { "" },
                plural(most),
            )));
        }
        if given > self.positional {
            return Err(vm.new_type_error(if self.positional == 0 {
                format!("{function}() takes no positional arguments")
            } else {
                format!(
                    "{function}() takes {} {} positional argument{} ({given} given)",
                    if self.required < self.positional {
                        "at most"
                    } else {
                        "exactly"
                    },
                    self.positional,
                    plural(self.positional),
                )
            }));
        }
        let least_positional = self.required.min(self.positional_only);
        if given < least_positional {
            return Err(vm.new_type_error(format!(
                "{function}() takes {} {least_positional} positional argument{} ({given} given)",
                if least_positional < self.positional {
                    "at least"
                } else {
                    "exactly"
                },
                plural(least_positional),
            )));
        }
        let mut kwargs = args.kwargs;
        let mut bound: Vec<Option<PyObjectRef>> = args.args.into_iter().map(Some).collect();
        for (index, name) in self.parameters.iter().enumerate().skip(bound.len()) {
            let value = if index < self.positional_only {
                None
            } else {
                kwargs.shift_remove(*name)
            };
            if value.is_none() && index < self.required {
                return Err(vm.new_type_error(format!(
                    "{function}() missing required argument '{name}' (pos {})",
                    index + 1
                )));
            }
            bound.push(value);
        }
        if let Some(extra) = kwargs.keys().next() {
            let twice =
                (self.positional_only..given).find(|&i| kwargs.contains_key(self.parameters[i]));
            return Err(vm.new_type_error(match twice {
                Some(index) => format!(
                    "argument for {function}() given by name ('{}') and position ({})",
                    self.parameters[index],
                    index + 1
                ),
                None => format!("'{extra}' is an invalid keyword argument for {function}()"),
            }));
        }
        Ok(bound)
    }
}

impl Signature {
    /// A method's receiver (its first positional argument, if any) and
    /// the rest of its arguments bound as [`Signature::bind`] binds them.
    pub(crate) fn bind_after_receiver(
        &self,
        mut args: FuncArgs,
        vm: &VirtualMachine,
    ) -> PyResult<(Option<PyObjectRef>, Vec<Option<PyObjectRef>>)> {
        let receiver = (!args.args.is_empty()).then(|| args.args.remove(0));
        Ok((receiver, self.bind(args, vm)?))
    }

    /// A call of a function that takes its parameters by position only
    /// (`own`), made as a function with this signature is called: the
    /// arguments bound (after the receiver, when `with_receiver`), then
    /// given to `own` by position, the receiver first, up to the last one
    /// given. For signatures whose parameters are left out from the end
    /// only: one left out before one given is given as `None`.
    pub(crate) fn call_by_position(
        &self,
        args: FuncArgs,
        with_receiver: bool,
        vm: &VirtualMachine,
        own: impl FnOnce(FuncArgs) -> PyResult,
    ) -> PyResult {
        let (receiver, bound) = if with_receiver {
            self.bind_after_receiver(args, vm)?
        } else {
            (None, self.bind(args, vm)?)
        };
        let given = bound
            .iter()
            .rposition(Option::is_some)
            .map_or(0, |last| last + 1);
        let positional: Vec<PyObjectRef> = receiver
            .into_iter()
            .chain(
                bound
                    .into_iter()
                    .take(given)
                    .map(|value| value.unwrap_or_else(|| vm.ctx.none())),
            )
            .collect();
        own(FuncArgs::from(positional))
    }
}

/// A `METH_O` method's one argument, or CPython's refusal (`function`
/// as its errors name it: `HASH.update`).
pub(crate) fn one_argument(
    function: &str,
    args: FuncArgs,
    vm: &VirtualMachine,
) -> PyResult<PyObjectRef> {
    if !args.kwargs.is_empty() {
        return Err(vm.new_type_error(format!("{function}() takes no keyword arguments")));
    }
    let count = args.args.len();
    match <[PyObjectRef; 1]>::try_from(args.args) {
        Ok([argument]) => Ok(argument),
        Err(_) => Err(vm.new_type_error(format!(
            "{function}() takes exactly one argument ({count} given)"
        ))),
    }
}

/// Refuses any argument to a `METH_NOARGS` builtin, in CPython's words.
pub(crate) fn no_arguments(function: &str, args: &FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    if !args.kwargs.is_empty() {
        return Err(vm.new_type_error(format!("{function}() takes no keyword arguments")));
    }
    if !args.args.is_empty() {
        return Err(vm.new_type_error(format!(
            "{function}() takes no arguments ({} given)",
            args.args.len()
        )));
    }
    Ok(())
}

/// The arguments of a positional-only builtin that takes from `least` to
/// `most` of them (`_PyArg_CheckPositional`), or CPython's refusal:
/// `method` is its name in that check (`seek`), `function` in the refusal
/// of keywords (`StringIO.seek`).
pub(crate) fn positional_only(
    function: &str,
    method: &str,
    args: FuncArgs,
    least: usize,
    most: usize,
    vm: &VirtualMachine,
) -> PyResult<Vec<PyObjectRef>> {
    if !args.kwargs.is_empty() {
        return Err(vm.new_type_error(format!("{function}() takes no keyword arguments")));
    }
    let given = args.args.len();
    let (bound, which) = if given < least {
        (least, "at least ")
    } else if given > most {
        (most, "at most ")
    } else {
        return Ok(args.args);
    };
    Err(vm.new_type_error(format!(
        "{method} expected {}{bound} argument{}, got {given}",
        if least == most { "" } else { which },
        if bound == 1 { "" } else { "s" },
    )))
}

/// An `int` parameter (`_PyLong_AsInt`): any object with `__index__`,
/// within a C int.
pub(crate) fn c_int_argument(value: &PyObjectRef, vm: &VirtualMachine) -> PyResult<i32> {
    let int = value.try_index(vm)?;
    num_traits::ToPrimitive::to_i32(int.as_bigint())
        .ok_or_else(|| vm.new_overflow_error("Python int too large to convert to C int"))
}

/// A `str(accept={str, NoneType})` argument `name` of `function`: a str
/// without NUL (`Some`), or None or not given (`None`).
pub(crate) fn text_or_none_argument(
    function: &str,
    name: &str,
    value: Option<PyObjectRef>,
    vm: &VirtualMachine,
) -> PyResult<Option<PyObjectRef>> {
    let Some(value) = value.filter(|value| !vm.is_none(value)) else {
        return Ok(None);
    };
    let Some(text) = value.downcast_ref::<PyStr>() else {
        return Err(vm.new_type_error(format!(
            "{function}() argument '{name}' must be str or None, not {}",
            argument_type_name(&value, vm)
        )));
    };
    c_string_argument(text, vm)?;
    Ok(Some(value))
}
