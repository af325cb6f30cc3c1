//! A decoder's error handler called as CPython's decoders call it
//! (`_PyUnicode_DecodeCallErrorHandlerWriter`): looked up by name at the
//! first error, given one UnicodeDecodeError per call (its range and
//! reason moved at each error), its answer checked ("decoding error
//! handler must return (str, int) tuple", a position counted from the end
//! when negative, "position N from error handler out of bounds"), and the
//! bytes read again from the exception, which the handler may replace.

use rustpython_vm::builtins::{PyBaseExceptionRef, PyBytes, PyInt, PyStr, PyStrRef, PyTuple};
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};

/// The error handler of one decoding call.
pub(super) struct DecodeCallback {
    errors: String,
    handler: Option<PyObjectRef>,
    error: Option<PyBaseExceptionRef>,
}

/// What the handler answered.
pub(super) struct Answer {
    /// The text standing for the bytes it was given.
    pub(super) replacement: PyStrRef,
    /// Where decoding goes on.
    pub(super) next: usize,
    /// The bytes to go on in, where the handler put others in the
    /// exception.
    pub(super) object: Option<Vec<u8>>,
}

impl DecodeCallback {
    /// The callback of the handler named `errors`.
    pub(super) fn new(errors: String) -> Self {
        DecodeCallback {
            errors,
            handler: None,
            error: None,
        }
    }

    /// Asks the handler about `data[start..end]`, which `encoding` cannot
    /// decode for `reason`.
    pub(super) fn call(
        &mut self,
        encoding: &str,
        data: &[u8],
        (start, end): (usize, usize),
        reason: &str,
        vm: &VirtualMachine,
    ) -> PyResult<Answer> {
        let handler = looked_up(&mut self.handler, &self.errors, vm)?;
        let exception = match &self.error {
            Some(error) => {
                let error = error.as_object();
                error.set_attr("start", vm.ctx.new_int(start), vm)?;
                error.set_attr("end", vm.ctx.new_int(end), vm)?;
                error.set_attr("reason", vm.ctx.new_str(reason), vm)?;
                error.to_owned()
            }
            None => {
                let made = vm.new_unicode_decode_error_real(
                    vm.ctx.new_str(encoding),
                    vm.ctx.new_bytes(data.to_vec()),
                    start,
                    end,
                    vm.ctx.new_str(reason),
                );
                self.error.insert(made).as_object().to_owned()
            }
        };
        let answer = handler.call((exception.clone(),), vm)?;
        let refused =
            || vm.new_type_error("decoding error handler must return (str, int) tuple".to_owned());
        let parts = answer.downcast_ref::<PyTuple>().ok_or_else(refused)?;
        let [replacement, next] = parts.as_slice() else {
            return Err(refused());
        };
        let replacement = replacement
            .downcast_ref::<PyStr>()
            .ok_or_else(refused)?
            .to_owned();
        let next: isize = next
            .downcast_ref::<PyInt>()
            .ok_or_else(refused)?
            .try_to_primitive(vm)?;
        let object = exception.get_attr("object", vm)?;
        let object = object
            .downcast_ref::<PyBytes>()
            .map(|object| object.as_bytes())
            .filter(|object| *object != data)
            .map(<[u8]>::to_vec);
        let length = object.as_ref().map_or(data.len(), Vec::len);
        Ok(Answer {
            replacement,
            next: handler_position(next, length, vm)?,
            object,
        })
    }
}

/// The handler named `errors`, looked up the first time (`handler` keeps
/// it for the rest of the call).
fn looked_up(
    handler: &mut Option<PyObjectRef>,
    errors: &str,
    vm: &VirtualMachine,
) -> PyResult<PyObjectRef> {
    if let Some(handler) = handler {
        return Ok(handler.clone());
    }
    let found = vm.state.codec_registry.lookup_error(errors, vm)?;
    Ok(handler.insert(found).clone())
}

/// Where a handler's answer says to go on in an object of `length`
/// (negative: from its end), refused in CPython's words past either end.
pub(super) fn handler_position(next: isize, length: usize, vm: &VirtualMachine) -> PyResult<usize> {
    let next = if next < 0 {
        next.saturating_add(isize::try_from(length).unwrap_or(isize::MAX))
    } else {
        next
    };
    usize::try_from(next)
        .ok()
        .filter(|next| *next <= length)
        .ok_or_else(|| {
            vm.new_index_error(format!("position {next} from error handler out of bounds"))
        })
}

/// The error handler of one encoding call, called as CPython's encoders
/// call it (`unicode_encode_call_errorhandler`): looked up by name at the
/// first error, given one UnicodeEncodeError per call, its answer
/// checked ("encoding error handler must return (str/bytes, int) tuple").
pub(super) struct EncodeCallback {
    errors: String,
    handler: Option<PyObjectRef>,
    error: Option<PyBaseExceptionRef>,
}

/// What stands for text an encoder cannot write.
pub(super) enum Replacement {
    Bytes(Vec<u8>),
    Text(PyStrRef),
}

impl EncodeCallback {
    /// The callback of the handler named `errors`.
    pub(super) fn new(errors: String) -> Self {
        EncodeCallback {
            errors,
            handler: None,
            error: None,
        }
    }

    /// The call's exception for `text[start..end]`, made at the first
    /// error and moved after (what an encoder raises where it refuses).
    pub(super) fn exception(
        &mut self,
        encoding: &str,
        text: &PyStrRef,
        (start, end): (usize, usize),
        reason: &str,
        vm: &VirtualMachine,
    ) -> PyResult<PyBaseExceptionRef> {
        if let Some(error) = &self.error {
            let object = error.as_object();
            object.set_attr("start", vm.ctx.new_int(start), vm)?;
            object.set_attr("end", vm.ctx.new_int(end), vm)?;
            object.set_attr("reason", vm.ctx.new_str(reason), vm)?;
            return Ok(error.clone());
        }
        let made = vm.new_unicode_encode_error_real(
            vm.ctx.new_str(encoding),
            text.clone(),
            start,
            end,
            vm.ctx.new_str(reason),
        );
        Ok(self.error.insert(made).clone())
    }

    /// Asks the handler about `text[start..end]`: what stands for it and
    /// where encoding goes on.
    pub(super) fn call(
        &mut self,
        encoding: &str,
        text: &PyStrRef,
        range: (usize, usize),
        reason: &str,
        vm: &VirtualMachine,
    ) -> PyResult<(Replacement, usize)> {
        let handler = looked_up(&mut self.handler, &self.errors, vm)?;
        let exception = self.exception(encoding, text, range, reason, vm)?;
        let answer = handler.call((exception,), vm)?;
        let refused = || {
            vm.new_type_error(
                "encoding error handler must return (str/bytes, int) tuple".to_owned(),
            )
        };
        let parts = answer.downcast_ref::<PyTuple>().ok_or_else(refused)?;
        let [replacement, next] = parts.as_slice() else {
            return Err(refused());
        };
        let next: isize = next
            .downcast_ref::<PyInt>()
            .ok_or_else(refused)?
            .try_to_primitive(vm)?;
        let replacement = if let Some(bytes) = replacement.downcast_ref::<PyBytes>() {
            Replacement::Bytes(bytes.as_bytes().to_vec())
        } else if let Some(piece) = replacement.downcast_ref::<PyStr>() {
            Replacement::Text(piece.to_owned())
        } else {
            return Err(refused());
        };
        Ok((replacement, handler_position(next, text.char_len(), vm)?))
    }
}
