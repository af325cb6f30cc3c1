//! The method table: registration, dispatch, introspection and multicall.
//!
//! Kept apart from the HTTP server so it can be driven directly (tests,
//! other transports) and so the server stays about HTTP. The `system.*`
//! methods answer as CPython's `SimpleXMLRPCServer` with introspection and
//! multicall registered, except that `system.methodSignature` returns real
//! signatures, derived from the handlers' Rust types.

use crate::fault::Fault;
use crate::handler::{AsyncHandler, CallSite, ErasedHandler, Handler, Outcome, RawFn};
use crate::pyvalue;
use crate::value::Value;
use std::collections::HashMap;

/// One registered method.
pub struct Method {
    handler: Box<dyn ErasedHandler>,
    help: String,
    signature: Option<Vec<&'static str>>,
    params: Vec<String>,
}

impl Method {
    /// Sets the text `system.methodHelp` returns.
    pub fn help(&mut self, text: impl Into<String>) -> &mut Self {
        self.help = text.into();
        self
    }

    /// Names the parameters, for the faults that list them (CPython's
    /// `list_contents() missing 1 required positional argument:
    /// 'dir_name'`).
    pub fn params(&mut self, names: &[&str]) -> &mut Self {
        self.params = names.iter().map(|n| (*n).to_owned()).collect();
        self
    }

    fn call(&self, name: &str, params: Vec<Value>) -> Outcome {
        self.handler.call(
            CallSite {
                name,
                params: &self.params,
            },
            params,
        )
    }
}

/// A table of XML-RPC methods.
///
/// ```
/// use oxrpc_xmlrpc::{Registry, Value};
///
/// # tokio_test_block_on(async {
/// let mut methods = Registry::new();
/// methods.register("add", |a: i32, b: i32| a + b).help("Adds two ints.");
/// let sum = methods.dispatch("add", vec![Value::Int(2), Value::Int(3)]).await;
/// assert_eq!(sum, Ok(Value::Int(5)));
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
pub struct Registry {
    methods: HashMap<String, Method>,
    introspection: bool,
    max_multicall_calls: usize,
    max_response_size: usize,
}

impl Default for Registry {
    fn default() -> Self {
        Registry::new()
    }
}

/// Most calls one `system.multicall` request may make, nested ones
/// included (CPython has no limit; a 9 KB request could otherwise ask for
/// hundreds of thousands of directory listings).
pub const DEFAULT_MAX_MULTICALL_CALLS: usize = 10_000;

const SYSTEM_METHODS: &[(&str, &str)] = &[
    (
        "system.listMethods",
        "system.listMethods() => ['add', 'subtract', 'multiple']\n\nReturns a list of the methods supported by the server.",
    ),
    (
        "system.methodHelp",
        "system.methodHelp('add') => \"Adds two integers together\"\n\nReturns a string containing documentation for the specified method.",
    ),
    (
        "system.methodSignature",
        "system.methodSignature('add') => [double, int, int]\n\nReturns a list describing the signature of the method. In the\nabove example, the add method takes two integers as arguments\nand returns a double result.",
    ),
    (
        "system.multicall",
        "system.multicall([{'methodName': 'add', 'params': [2, 2]}, ...]) => [[4], ...]\n\nAllows the caller to package multiple XML-RPC calls into a single\nrequest.\n\nSee http://www.xmlrpc.com/discuss/msgReader$1208",
    ),
];

impl Registry {
    /// An empty table with the `system.*` methods enabled.
    pub fn new() -> Self {
        Registry {
            methods: HashMap::new(),
            introspection: true,
            max_multicall_calls: DEFAULT_MAX_MULTICALL_CALLS,
            max_response_size: usize::MAX,
        }
    }

    /// Bounds the results one `system.multicall` may gather (about this
    /// many bytes encoded); the server sets it to its response limit.
    pub fn set_max_response_size(&mut self, bytes: usize) -> &mut Self {
        self.max_response_size = bytes;
        self
    }

    /// Sets the most calls one `system.multicall` request may make.
    pub fn set_max_multicall_calls(&mut self, calls: usize) -> &mut Self {
        self.max_multicall_calls = calls;
        self
    }

    /// Turns the `system.*` methods off (or back on).
    pub fn set_introspection(&mut self, enabled: bool) -> &mut Self {
        self.introspection = enabled;
        self
    }

    /// Registers a synchronous handler under `name`, replacing any earlier one.
    pub fn register<Args, H: Handler<Args>>(&mut self, name: &str, handler: H) -> &mut Method {
        self.insert(name, handler.into_erased(), Some(H::signature()))
    }

    /// Registers an async handler under `name`.
    pub fn register_async<Args, H: AsyncHandler<Args>>(
        &mut self,
        name: &str,
        handler: H,
    ) -> &mut Method {
        self.insert(name, handler.into_erased(), Some(H::signature()))
    }

    /// Registers a handler that takes the raw parameter list, for methods
    /// with a variable number of parameters.
    pub fn register_raw<F>(&mut self, name: &str, handler: F) -> &mut Method
    where
        F: Fn(Vec<Value>) -> Result<Value, Fault> + Send + Sync + 'static,
    {
        self.insert(name, Box::new(RawFn(handler)), None)
    }

    fn insert(
        &mut self,
        name: &str,
        handler: Box<dyn ErasedHandler>,
        signature: Option<Vec<&'static str>>,
    ) -> &mut Method {
        let method = Method {
            handler,
            help: String::new(),
            signature,
            params: Vec::new(),
        };
        match self.methods.entry(name.to_owned()) {
            std::collections::hash_map::Entry::Occupied(mut slot) => {
                slot.insert(method);
                slot.into_mut()
            }
            std::collections::hash_map::Entry::Vacant(slot) => slot.insert(method),
        }
    }

    /// The names `system.listMethods` reports, sorted.
    pub fn method_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.methods.keys().cloned().collect();
        if self.introspection {
            names.extend(SYSTEM_METHODS.iter().map(|(n, _)| (*n).to_owned()));
        }
        names.sort();
        names.dedup();
        names
    }

    /// Calls `method` with `params`.
    pub async fn dispatch(&self, method: &str, params: Vec<Value>) -> Result<Value, Fault> {
        if let Some(found) = self.methods.get(method) {
            return found.call(method, params).resolve().await;
        }
        if self.introspection {
            match method {
                "system.multicall" => {
                    let [call_list] = system_params("system_multicall", &["call_list"], params)?;
                    let mut budget = self.max_multicall_calls;
                    return self.multicall(call_list, &mut budget).await;
                }
                "system.listMethods" => {
                    let [] = system_params("system_listMethods", &[], params)?;
                    return Ok(Value::Array(
                        self.method_names().into_iter().map(Value::String).collect(),
                    ));
                }
                "system.methodHelp" => {
                    let [name] = system_params("system_methodHelp", &["method_name"], params)?;
                    return Ok(match lookup_key(name)? {
                        Some(name) => Value::String(self.help_for(&name)),
                        None => Value::from(""),
                    });
                }
                "system.methodSignature" => {
                    let [name] = system_params("system_methodSignature", &["method_name"], params)?;
                    // CPython answers this without looking the name up.
                    return Ok(match name {
                        Value::String(name) => self.signature_for(&name),
                        _ => Value::from("signatures not supported"),
                    });
                }
                _ => {}
            }
        }
        Err(Fault::method_not_supported(method))
    }

    /// Whether `name` is a method this registry answers.
    fn has_method(&self, name: &str) -> bool {
        self.methods.contains_key(name)
            || (self.introspection && SYSTEM_METHODS.iter().any(|(n, _)| *n == name))
    }

    fn help_for(&self, name: &str) -> String {
        if let Some(m) = self.methods.get(name) {
            return m.help.clone();
        }
        if self.introspection {
            if let Some((_, help)) = SYSTEM_METHODS.iter().find(|(n, _)| *n == name) {
                return (*help).to_owned();
            }
        }
        String::new()
    }

    fn signature_for(&self, name: &str) -> Value {
        match self.methods.get(name).and_then(|m| m.signature.as_ref()) {
            Some(types) => Value::Array(vec![Value::Array(
                types.iter().map(|t| Value::from(*t)).collect(),
            )]),
            None => Value::from("signatures not supported"),
        }
    }

    /// `system.multicall`, as CPython's `system_multicall` runs it: each
    /// call's result wrapped in a one-item array, or its fault as a struct;
    /// an entry that is not a `{'methodName': ..., 'params': ...}` struct
    /// fails the whole request, with the error Python's indexing raises;
    /// a nested `system.multicall` runs like any other method. `budget` is
    /// how many calls the request may still make, nested ones included:
    /// past it the whole request is a fault, so a small request cannot fan
    /// out without bound.
    async fn multicall(&self, call_list: Value, budget: &mut usize) -> Result<Value, Fault> {
        let kind = pyvalue::type_name(&call_list);
        let calls = pyvalue::iterate(call_list).ok_or_else(|| {
            Fault::python_exception("TypeError", format_args!("'{kind}' object is not iterable"))
        })?;
        if calls.len() > *budget {
            return Err(Fault::new(
                Fault::INTERNAL_ERROR,
                format!(
                    "system.multicall: more than {} calls in one request",
                    self.max_multicall_calls
                ),
            ));
        }
        *budget -= calls.len();
        let mut results = Vec::with_capacity(calls.len());
        let mut size = 0usize;
        for call in calls {
            let (name, params) = multicall_entry(call)?;
            let outcome = match name {
                name if !pyvalue::is_hashable(&name) => Err(Fault::python_exception(
                    "TypeError",
                    format_args!("unhashable type: '{}'", pyvalue::type_name(&name)),
                )),
                Value::String(name) if self.has_method(&name) => match params {
                    Err(kind) => Err(Fault::python_exception(
                        "TypeError",
                        format_args!("{name}() argument after * must be an iterable, not {kind}"),
                    )),
                    Ok(params) => match self.methods.get(&name) {
                        Some(m) => match m.call(&name, params) {
                            Outcome::Ready(result) => result,
                            pending => pending.resolve().await,
                        },
                        None if name == "system.multicall" => {
                            match <[Value; 1]>::try_from(params) {
                                Ok([call_list]) => {
                                    Box::pin(self.multicall(call_list, budget)).await
                                }
                                Err(params) => Box::pin(self.dispatch(&name, params)).await,
                            }
                        }
                        None => Box::pin(self.dispatch(&name, params)).await,
                    },
                },
                name => Err(Fault::method_not_supported(&pyvalue::str(&name))),
            };
            let result = match outcome {
                Ok(value) => Value::Array(vec![value]),
                Err(fault) => fault_struct(&fault),
            };
            let room = self.max_response_size.saturating_sub(size);
            size = size.saturating_add(result.encoded_size_at_most(room));
            if size > self.max_response_size {
                return Err(response_too_large(self.max_response_size));
            }
            results.push(result);
        }
        Ok(Value::Array(results))
    }
}

/// One `system.multicall` entry: `call['methodName']` and `call['params']`
/// (the params as `func(*params)` would spread them, or the Python type
/// that cannot be spread), or the error the subscript raises, which fails
/// the whole request in CPython.
fn multicall_entry(call: Value) -> Result<(Value, Result<Vec<Value>, &'static str>), Fault> {
    let mut members = match call {
        Value::Struct(members) => members,
        Value::String(_) => {
            return Err(Fault::python_exception(
                "TypeError",
                "string indices must be integers, not 'str'",
            ))
        }
        Value::Array(_) => {
            return Err(Fault::python_exception(
                "TypeError",
                "list indices must be integers or slices, not str",
            ))
        }
        other => {
            return Err(Fault::python_exception(
                "TypeError",
                format_args!(
                    "'{}' object is not subscriptable",
                    pyvalue::type_name(&other)
                ),
            ))
        }
    };
    let name = members
        .shift_remove("methodName")
        .ok_or_else(|| Fault::python_exception("KeyError", "'methodName'"))?;
    let params = members
        .shift_remove("params")
        .ok_or_else(|| Fault::python_exception("KeyError", "'params'"))?;
    let kind = pyvalue::type_name(&params);
    Ok((name, pyvalue::iterate(params).ok_or(kind)))
}

/// The parameters of one of CPython's `system_*` methods, bound as the
/// bound method `SimpleXMLRPCDispatcher.<method>` binds them.
fn system_params<const N: usize>(
    method: &str,
    names: &[&str],
    params: Vec<Value>,
) -> Result<[Value; N], Fault> {
    let qualname = format!("SimpleXMLRPCDispatcher.{method}");
    let bound = oxrpc_pyfmt::Signature::method(&qualname, names)
        .bind(params, Vec::new())
        .map_err(|message| Fault::python_exception("TypeError", message))?;
    <[Value; N]>::try_from(bound.into_iter().flatten().collect::<Vec<_>>())
        .map_err(|_| Fault::python_exception("TypeError", "wrong number of arguments"))
}

/// A method name looked up as CPython looks it up (`name in self.funcs`):
/// a string may be found, another hashable value never is, and an
/// unhashable one is a `TypeError`.
fn lookup_key(name: Value) -> Result<Option<String>, Fault> {
    match name {
        Value::String(name) => Ok(Some(name)),
        other if pyvalue::is_hashable(&other) => Ok(None),
        other => Err(Fault::python_exception(
            "TypeError",
            format_args!("unhashable type: '{}'", pyvalue::type_name(&other)),
        )),
    }
}

/// The fault for a response over the server's size limit.
pub(crate) fn response_too_large(limit: usize) -> Fault {
    Fault::new(
        Fault::INTERNAL_ERROR,
        format!("server error. the response would be larger than {limit} bytes"),
    )
}

/// A fault as the struct multicall reports it in place of a result.
pub fn fault_struct(fault: &Fault) -> Value {
    let mut members = crate::value::Struct::new();
    members.insert("faultCode".into(), Value::Int(i64::from(fault.code)));
    members.insert("faultString".into(), Value::String(fault.string.clone()));
    Value::Struct(members)
}
