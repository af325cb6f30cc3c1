//! The method table: registration, dispatch, introspection and multicall.
//!
//! Kept apart from the HTTP server so it can be driven directly (tests,
//! other transports) and so the server stays about HTTP. The `system.*`
//! methods answer as CPython's `SimpleXMLRPCServer` with introspection and
//! multicall registered, except that `system.methodSignature` returns real
//! signatures, derived from the handlers' Rust types.

use crate::fault::Fault;
use crate::handler::{AsyncHandler, ErasedHandler, Handler, Outcome, RawFn};
use crate::value::Value;
use std::collections::HashMap;

/// One registered method.
pub struct Method {
    handler: Box<dyn ErasedHandler>,
    help: String,
    signature: Option<Vec<&'static str>>,
}

impl Method {
    /// Sets the text `system.methodHelp` returns.
    pub fn help(&mut self, text: impl Into<String>) -> &mut Self {
        self.help = text.into();
        self
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
        "system.multicall([{'methodName': 'add', 'params': [2, 2]}, ...]) => [[4], ...]\n\nAllows the caller to package multiple XML-RPC calls into a single\nrequest.",
    ),
];

impl Registry {
    /// An empty table with the `system.*` methods enabled.
    pub fn new() -> Self {
        Registry {
            methods: HashMap::new(),
            introspection: true,
            max_multicall_calls: DEFAULT_MAX_MULTICALL_CALLS,
        }
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
        let slot = self.methods.entry(name.to_owned()).or_insert(Method {
            handler: Box::new(RawFn(|_| Ok(Value::Nil))),
            help: String::new(),
            signature: None,
        });
        *slot = Method {
            handler,
            help: String::new(),
            signature,
        };
        slot
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
            return found.handler.call(method, params).resolve().await;
        }
        if self.introspection {
            match method {
                "system.multicall" => {
                    let mut budget = self.max_multicall_calls;
                    return self.multicall(params, &mut budget).await;
                }
                "system.listMethods" => {
                    one_of(method, params, 0)?;
                    return Ok(Value::Array(
                        self.method_names().into_iter().map(Value::String).collect(),
                    ));
                }
                "system.methodHelp" => {
                    let name = string_param(method, params)?;
                    return Ok(Value::String(self.help_for(&name)));
                }
                "system.methodSignature" => {
                    let name = string_param(method, params)?;
                    return Ok(self.signature_for(&name));
                }
                _ => {}
            }
        }
        Err(Fault::method_not_supported(method))
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

    /// `system.multicall`: each call's result wrapped in a one-item array, or
    /// its fault as a struct. A malformed entry fails the whole call, as in
    /// CPython, and a nested `system.multicall` runs as CPython runs it.
    /// `budget` is how many calls the request may still make, nested ones
    /// included: past it the whole request is a fault, so a small request
    /// cannot fan out without bound.
    async fn multicall(&self, params: Vec<Value>, budget: &mut usize) -> Result<Value, Fault> {
        let calls = match one_of("system.multicall", params, 1)?.pop() {
            Some(Value::Array(calls)) => calls,
            Some(other) => {
                return Err(Fault::python_exception(
                    "TypeError",
                    format_args!(
                        "system.multicall() argument 1 must be array, not {}",
                        other.type_name()
                    ),
                ))
            }
            None => Vec::new(),
        };
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
        for call in calls {
            let Value::Struct(mut members) = call else {
                return Err(Fault::python_exception(
                    "TypeError",
                    "multicall entries must be structs",
                ));
            };
            let name = match members.shift_remove("methodName") {
                Some(Value::String(name)) => name,
                Some(_) => {
                    return Err(Fault::python_exception(
                        "TypeError",
                        "methodName must be a string",
                    ))
                }
                None => return Err(Fault::python_exception("KeyError", "'methodName'")),
            };
            let params = match members.shift_remove("params") {
                Some(Value::Array(params)) => params,
                Some(_) => {
                    return Err(Fault::python_exception(
                        "TypeError",
                        "params must be an array",
                    ))
                }
                None => return Err(Fault::python_exception("KeyError", "'params'")),
            };
            let outcome = match self.methods.get(&name) {
                Some(m) => match m.handler.call(&name, params) {
                    Outcome::Ready(result) => result,
                    pending => pending.resolve().await,
                },
                None if self.introspection && name == "system.multicall" => {
                    Box::pin(self.multicall(params, budget)).await
                }
                None => Box::pin(self.dispatch(&name, params)).await,
            };
            results.push(match outcome {
                Ok(value) => Value::Array(vec![value]),
                Err(fault) => fault_struct(&fault),
            });
        }
        Ok(Value::Array(results))
    }
}

/// A fault as the struct multicall reports it in place of a result.
pub fn fault_struct(fault: &Fault) -> Value {
    let mut members = crate::value::Struct::new();
    members.insert("faultCode".into(), Value::Int(i64::from(fault.code)));
    members.insert("faultString".into(), Value::String(fault.string.clone()));
    Value::Struct(members)
}

fn one_of(method: &str, params: Vec<Value>, arity: usize) -> Result<Vec<Value>, Fault> {
    if params.len() != arity {
        let plural = if arity == 1 { "" } else { "s" };
        return Err(Fault::python_exception(
            "TypeError",
            format_args!(
                "{method}() takes {arity} positional argument{plural} but {} were given",
                params.len()
            ),
        ));
    }
    Ok(params)
}

fn string_param(method: &str, params: Vec<Value>) -> Result<String, Fault> {
    match one_of(method, params, 1)?.pop() {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(Fault::python_exception(
            "TypeError",
            format_args!(
                "{method}() argument 1 must be string, not {}",
                other.type_name()
            ),
        )),
        None => Err(Fault::python_exception("TypeError", "missing argument")),
    }
}
