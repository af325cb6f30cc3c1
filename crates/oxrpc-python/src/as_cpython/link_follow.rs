//! `os.link(src, dst)` as CPython 3.11 makes a link on Linux.
//!
//! Without a directory descriptor, CPython calls `link()`, which does not
//! follow a symbolic link `src`: the new name is a hard link to the
//! symbolic link itself, whatever `follow_symlinks` says. Only with
//! `src_dir_fd` or `dst_dir_fd` does it call `linkat`, following as
//! `follow_symlinks` asks. RustPython's always called `linkat` and
//! followed by default, so `os.link(symlink, name)` linked the target (or
//! failed with ENOENT for a dangling one, where CPython links it). Here a
//! call without a directory descriptor is given `follow_symlinks=False`,
//! which is `link()`'s behaviour.

use super::module_copy::fronts;
use rustpython_vm::function::{FuncArgs, PyNativeFn};
use rustpython_vm::{PyResult, VirtualMachine};

fronts! {
    /// `os.link(src, dst, *, src_dir_fd=None, dst_dir_fd=None, follow_symlinks=True)`.
    link => as_link_call;
}

fn as_link_call(own: &'static dyn PyNativeFn, mut args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let by_descriptor = ["src_dir_fd", "dst_dir_fd"].iter().any(|name| {
        args.kwargs
            .get(*name)
            .is_some_and(|given| !vm.is_none(given))
    });
    if !by_descriptor {
        args.kwargs
            .insert("follow_symlinks".to_owned(), vm.ctx.new_bool(false).into());
    }
    own(vm, args)
}
