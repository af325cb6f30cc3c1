//! `memoryview.tobytes(order=...)`, as CPython 3.11 takes it.
//!
//! RustPython 0.5's `tobytes` takes no argument: `view.tobytes('F')` was
//! "expected at most 1 arguments, got 2" and `view.tobytes(order='C')`
//! "Unexpected keyword argument order". CPython writes the view's items
//! in C order (the last index varying fastest; `None` and `'C'`), in
//! Fortran order (the first fastest; `'F'`), or in Fortran order only for
//! a view that is Fortran- and not C-contiguous (`'A'`). The method (of a
//! type every interpreter shares) is replaced once per process: the
//! argument is bound and checked as Argument Clinic and
//! `memoryview_tobytes_impl` do, RustPython's function writes the items
//! in C order, and Fortran order is made from those.

use super::clinic_signature::Signature;
use super::methods;
use rustpython_vm::builtins::{PyBytes, PyMemoryView, PyStr};
use rustpython_vm::class::StaticType;
use rustpython_vm::function::{FuncArgs, PyNativeFn};
use rustpython_vm::{PyObject, PyResult, VirtualMachine};
use std::sync::Once;

static REPLACED: Once = Once::new();

/// `tobytes(order='C')`.
const TOBYTES: Signature = Signature {
    function: "tobytes",
    parameters: &["order"],
    positional_only: 0,
    positional: 1,
    required: 0,
};

/// Puts the method in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    REPLACED.call_once(|| {
        let Some(own) = methods::native_function::<PyMemoryView>("tobytes") else {
            return;
        };
        methods::define(
            vm,
            PyMemoryView::static_type(),
            "tobytes",
            move |args: FuncArgs, vm: &VirtualMachine| tobytes(own, args, vm),
        );
    });
    Ok(())
}

/// The call: RustPython's for `tobytes()`, else the order read and the
/// items written in it.
fn tobytes(own: &'static dyn PyNativeFn, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    if args.args.len() <= 1 && args.kwargs.is_empty() {
        return own(vm, args);
    }
    let (view, bound) = TOBYTES.bind_after_receiver(args, vm)?;
    let Some(view) = view else {
        return Err(vm.new_type_error("tobytes() needs a memoryview".to_owned()));
    };
    let order = bound.into_iter().next().flatten();
    let fortran = match order {
        None => false,
        Some(order) if vm.is_none(&order) => false,
        Some(order) => {
            let Some(text) = order.downcast_ref::<PyStr>() else {
                return Err(vm.new_type_error(format!(
                    "tobytes() argument 'order' must be str or None, not {}",
                    order.class().name()
                )));
            };
            match text.as_wtf8().as_bytes() {
                b"C" => false,
                b"F" => true,
                b"A" => fortran_only(&view, vm)?,
                _ => return Err(vm.new_value_error("order must be 'C', 'F' or 'A'".to_owned())),
            }
        }
    };
    let in_c_order = own(vm, FuncArgs::from(vec![view.clone()]))?;
    if !fortran {
        return Ok(in_c_order);
    }
    let Some(bytes) = in_c_order.downcast_ref::<PyBytes>() else {
        return Ok(in_c_order);
    };
    let shape: Vec<usize> = view.get_attr("shape", vm)?.try_to_value(vm)?;
    let itemsize: usize = view.get_attr("itemsize", vm)?.try_to_value(vm)?;
    let reordered = fortran_order(bytes.as_bytes(), &shape, itemsize);
    Ok(vm.ctx.new_bytes(reordered).into())
}

/// Whether `'A'` means Fortran order for `view`: Fortran- and not
/// C-contiguous.
fn fortran_only(view: &PyObject, vm: &VirtualMachine) -> PyResult<bool> {
    let fortran = view.get_attr("f_contiguous", vm)?.try_to_bool(vm)?;
    let c = view.get_attr("c_contiguous", vm)?.try_to_bool(vm)?;
    Ok(fortran && !c)
}

/// The items of `c_order` (an array of `shape`, items of `itemsize`
/// bytes, the last index varying fastest) with the first index varying
/// fastest.
fn fortran_order(c_order: &[u8], shape: &[usize], itemsize: usize) -> Vec<u8> {
    let count: usize = shape.iter().product();
    if shape.len() < 2 || count == 0 || c_order.len() != count * itemsize {
        return c_order.to_vec();
    }
    // Each index's step through the C-ordered items.
    let mut strides = vec![1; shape.len()];
    for axis in (0..shape.len() - 1).rev() {
        strides[axis] = strides[axis + 1] * shape[axis + 1];
    }
    let mut index = vec![0; shape.len()];
    let mut out = Vec::with_capacity(c_order.len());
    for _ in 0..count {
        let item: usize = index.iter().zip(&strides).map(|(i, s)| i * s).sum();
        out.extend_from_slice(&c_order[item * itemsize..(item + 1) * itemsize]);
        // The first index moves first.
        for (axis, position) in index.iter_mut().enumerate() {
            *position += 1;
            if *position < shape[axis] {
                break;
            }
            *position = 0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fortran_order;

    #[test]
    fn the_first_index_varies_fastest() {
        // [[a, b, c], [d, e, f]] in C order is "abcdef"; in Fortran order
        // the columns come one after another.
        assert_eq!(fortran_order(b"abcdef", &[2, 3], 1), b"adbecf");
        // Two-byte items move whole.
        assert_eq!(fortran_order(b"aAbBcCdD", &[2, 2], 2), b"aAcCbBdD");
        // Three dimensions: (2, 2, 2).
        assert_eq!(fortran_order(b"01234567", &[2, 2, 2], 1), b"04261537");
        // One dimension is its own Fortran order.
        assert_eq!(fortran_order(b"abc", &[3], 1), b"abc");
    }
}
