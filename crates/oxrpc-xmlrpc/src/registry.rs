//! The method table: registration, dispatch, introspection and multicall.
//!
//! Kept apart from the HTTP server so it can be driven directly (tests,
//! other transports) and so the server stays about HTTP. The `system.*`
//! methods answer as CPython's `SimpleXMLRPCServer` with introspection and
//! multicall registered, except that `system.methodSignature` returns real
//! signatures, derived from the handlers' Rust types.

use crate::context::RequestContext;
use crate::dispatch::{Dispatch, ErasedDispatch};
use crate::fault::Fault;
use crate::handler::{Answer, AsyncHandler, CallSite, ErasedHandler, Handler, Outcome, RawFn};
use crate::pyvalue;
use crate::value::Value;
use std::collections::{BTreeMap, HashMap};

/// One registered method.
pub struct Method {
    handler: Box<dyn ErasedHandler>,
    /// The function's own name, for its faults (CPython's `__name__`).
    function_name: Option<String>,
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

    /// Names the function, for the faults about its arguments: CPython's
    /// say `add() missing 1 required positional argument: 'b'` after the
    /// Python function's `__name__`, whatever name it was registered
    /// under. Without it, the registered name.
    pub fn function_name(&mut self, name: impl Into<String>) -> &mut Self {
        self.function_name = Some(name.into());
        self
    }

    /// Names the parameters, for the faults that list them (CPython's
    /// `list_contents() missing 1 required positional argument:
    /// 'dir_name'`) and for the documentation page.
    pub fn params(&mut self, names: &[&str]) -> &mut Self {
        self.params = names.iter().map(|n| (*n).to_owned()).collect();
        self
    }

    /// Names the result's XML-RPC type for `system.methodSignature`, where
    /// the handler's Rust type does not tell it (one returning an
    /// [`Answer`] or an [`crate::Encoded`] answer is `any`).
    pub fn returns(&mut self, xmlrpc_type: &'static str) -> &mut Self {
        if let Some(signature) = &mut self.signature {
            if let Some(result) = signature.first_mut() {
                *result = xmlrpc_type;
            }
        }
        self
    }

    fn call(&self, name: &str, params: Vec<Value>, context: &RequestContext) -> Outcome {
        self.handler.call(
            CallSite {
                name: self.function_name.as_deref().unwrap_or(name),
                params: &self.params,
                context,
            },
            params,
        )
    }
}

/// A function defined with [`#[method]`](crate::method): a value that
/// registers itself, with its name, parameter names and help text taken
/// from the function.
///
/// ```
/// use oxrpc_xmlrpc::{method, ClientAddr, Server};
///
/// /// Adds two integers.
/// #[method(name = "math.add")]
/// fn add(a: i64, b: i64) -> i64 {
///     a + b
/// }
///
/// /// Says who is calling.
/// #[method]
/// async fn whoami(caller: ClientAddr) -> String {
///     caller.0.ip().to_string()
/// }
///
/// let mut server = Server::new();
/// server.add_method(add);
/// server.add_method(whoami);
/// let methods = server.registry_mut().describe();
/// let doc = methods.iter().find(|m| m.name == "math.add").unwrap();
/// assert_eq!(doc.params, ["a", "b"]);
/// assert_eq!(doc.help, "Adds two integers.");
/// // The caller's address is context, not an XML-RPC parameter.
/// let doc = methods.iter().find(|m| m.name == "whoami").unwrap();
/// assert!(doc.params.is_empty());
/// ```
pub trait MethodFn {
    /// Registers the method in `registry`.
    fn register(self, registry: &mut Registry) -> &mut Method;
}

/// A method as introspection and the documentation page describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodDoc {
    /// The name callers use.
    pub name: String,
    /// `[return type, parameter types...]`, when known.
    pub signature: Option<Vec<String>>,
    /// The parameters' names, when registered (may be fewer than the types).
    pub params: Vec<String>,
    /// The help text (`system.methodHelp`).
    pub help: String,
}

/// A table of XML-RPC methods.
///
/// Besides functions, a registry can hold an instance that answers the
/// names no function took ([`Registry::register_instance`], CPython's
/// `register_instance`) and nested registries reached by dotted names
/// (`math.add` calls `add` in the registry nested as `math`), but only
/// once [`Registry::set_allow_dotted_names`] allows it: a dotted name is
/// otherwise just a name.
///
/// ```
/// use oxrpc_xmlrpc::{Registry, Value};
///
/// # tokio_test_block_on(async {
/// let mut methods = Registry::new();
/// methods.register("add", |a: i32, b: i32| a + b).help("Adds two ints.");
/// let sum = methods.dispatch("add", vec![Value::Int(2), Value::Int(3)]).await;
/// assert_eq!(sum, Ok(Value::Int(5)));
///
/// let mut math = Registry::new();
/// math.register("neg", |a: i32| -a);
/// methods.nest("math", math);
/// let hidden = methods.dispatch("math.neg", vec![Value::Int(2)]).await;
/// assert!(hidden.is_err());
/// methods.set_allow_dotted_names(true);
/// let negated = methods.dispatch("math.neg", vec![Value::Int(2)]).await;
/// assert_eq!(negated, Ok(Value::Int(-2)));
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
pub struct Registry {
    methods: HashMap<String, Method>,
    nested: BTreeMap<String, Registry>,
    instance: Option<Box<dyn ErasedDispatch>>,
    allow_dotted_names: bool,
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

/// The `system.*` methods' signatures and parameter names, for the
/// documentation page (`system.methodSignature` answers as CPython does).
const SYSTEM_SIGNATURES: &[(&str, &[&str], &[&str])] = &[
    ("system.listMethods", &["array"], &[]),
    ("system.methodHelp", &["string", "string"], &["method_name"]),
    (
        "system.methodSignature",
        &["array", "string"],
        &["method_name"],
    ),
    ("system.multicall", &["array", "array"], &["call_list"]),
];

/// Where a name leads.
enum Target<'r> {
    /// A registered function.
    Method(&'r Method),
    /// One of the `system.*` methods.
    System(&'static str),
    /// The instance of a registry, with the name it is asked for.
    Instance(&'r dyn ErasedDispatch),
}

impl Registry {
    /// An empty table with the `system.*` methods enabled.
    pub fn new() -> Self {
        Registry {
            methods: HashMap::new(),
            nested: BTreeMap::new(),
            instance: None,
            allow_dotted_names: false,
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

    /// Lets dotted names reach nested registries (CPython's
    /// `allow_dotted_names`; off by default). A name with a segment that
    /// starts with `_` never does (such segments are private, as there).
    /// This registry's setting governs the whole path: the settings of
    /// the registries nested in it do not matter.
    pub fn set_allow_dotted_names(&mut self, allowed: bool) -> &mut Self {
        self.allow_dotted_names = allowed;
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

    /// Registers a function defined with [`#[method]`](crate::method).
    pub fn add_method(&mut self, method: impl MethodFn) -> &mut Method {
        method.register(self)
    }

    /// Installs the object that answers the names no function takes
    /// (CPython's `register_instance`; one at a time, the last one wins).
    pub fn register_instance(&mut self, instance: impl Dispatch) -> &mut Self {
        self.instance = Some(Box::new(instance));
        self
    }

    /// Nests `registry` under `prefix`: with dotted names allowed, `prefix.name`
    /// calls `name` there. A dotted prefix (`a.b`) nests through
    /// intermediate registries. Returns the nested registry; nesting
    /// again under the same prefix replaces it.
    pub fn nest(&mut self, prefix: &str, registry: Registry) -> &mut Registry {
        let (head, rest) = match prefix.split_once('.') {
            Some((head, rest)) => (head, Some(rest)),
            None => (prefix, None),
        };
        match rest {
            None => match self.nested.entry(head.to_owned()) {
                std::collections::btree_map::Entry::Occupied(mut slot) => {
                    slot.insert(registry);
                    slot.into_mut()
                }
                std::collections::btree_map::Entry::Vacant(slot) => slot.insert(registry),
            },
            Some(rest) => self
                .nested
                .entry(head.to_owned())
                .or_default()
                .nest(rest, registry),
        }
    }

    fn insert(
        &mut self,
        name: &str,
        handler: Box<dyn ErasedHandler>,
        signature: Option<Vec<&'static str>>,
    ) -> &mut Method {
        let method = Method {
            handler,
            function_name: None,
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

    /// The names `system.listMethods` reports, sorted: the functions, the
    /// `system.*` methods, what nested registries answer (when dotted
    /// names are allowed) and what the instance lists.
    pub fn method_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        self.collect_names("", &mut names);
        if self.introspection {
            names.extend(SYSTEM_METHODS.iter().map(|(n, _)| (*n).to_owned()));
        }
        names.sort();
        names.dedup();
        names
    }

    fn collect_names(&self, prefix: &str, names: &mut Vec<String>) {
        // Below the top, names are reached by routing, which skips
        // private segments.
        let routed = !prefix.is_empty();
        let public = |name: &str| !routed || !name.split('.').any(|s| s.starts_with('_'));
        let mut add = |name: String| {
            if public(&name) {
                names.push(format!("{prefix}{name}"));
            }
        };
        self.methods.keys().cloned().for_each(&mut add);
        if let Some(instance) = &self.instance {
            instance.list_methods().into_iter().for_each(&mut add);
        }
        if routed || self.allow_dotted_names {
            for (head, nested) in &self.nested {
                if !head.starts_with('_') {
                    nested.collect_names(&format!("{prefix}{head}."), names);
                }
            }
        }
    }

    /// Every method [`Registry::method_names`] lists, described.
    pub fn describe(&self) -> Vec<MethodDoc> {
        self.method_names()
            .into_iter()
            .map(|name| {
                let (signature, params) = match self.target(&name) {
                    Some(Target::Method(m)) => (
                        m.signature
                            .as_ref()
                            .map(|s| s.iter().map(|t| (*t).to_owned()).collect()),
                        m.params.clone(),
                    ),
                    Some(Target::System(system)) => SYSTEM_SIGNATURES
                        .iter()
                        .find(|(n, _, _)| *n == system)
                        .map(|(_, types, params)| {
                            (
                                Some(types.iter().map(|t| (*t).to_owned()).collect()),
                                params.iter().map(|p| (*p).to_owned()).collect(),
                            )
                        })
                        .unwrap_or_default(),
                    Some(Target::Instance(instance)) => {
                        (instance.method_signature(self.leaf(&name)), Vec::new())
                    }
                    None => (None, Vec::new()),
                };
                let help = self.help_for(&name);
                MethodDoc {
                    name,
                    signature,
                    params,
                    help,
                }
            })
            .collect()
    }

    /// Calls `method` with `params` (with a request context that knows
    /// nothing; see [`Registry::dispatch_with`]).
    pub async fn dispatch(&self, method: &str, params: Vec<Value>) -> Result<Value, Fault> {
        self.dispatch_with(&RequestContext::new(), method, params)
            .await
    }

    /// Calls `method` with `params` for the request `context` describes
    /// (handlers may take parts of it as arguments).
    pub async fn dispatch_with(
        &self,
        context: &RequestContext,
        method: &str,
        params: Vec<Value>,
    ) -> Result<Value, Fault> {
        self.answer(context, method, params)
            .await
            .and_then(Answer::into_value)
    }

    /// [`Registry::dispatch_with`], with an answer encoded ahead left as it
    /// is, for the server to send.
    pub(crate) async fn answer(
        &self,
        context: &RequestContext,
        method: &str,
        params: Vec<Value>,
    ) -> Result<Answer, Fault> {
        if let Some(found) = self.methods.get(method) {
            return found.call(method, params, context).answer().await;
        }
        if self.introspection {
            match method {
                "system.multicall" => {
                    let [call_list] = system_params("system_multicall", &["call_list"], params)?;
                    let mut budget = self.max_multicall_calls;
                    // Boxed: a rare call, kept out of every call's future.
                    return Box::pin(self.multicall(context, call_list, &mut budget))
                        .await
                        .map(Answer::Value);
                }
                "system.listMethods" => {
                    let [] = system_params("system_listMethods", &[], params)?;
                    return Ok(Answer::Value(Value::Array(
                        self.method_names().into_iter().map(Value::String).collect(),
                    )));
                }
                "system.methodHelp" => {
                    let [name] = system_params("system_methodHelp", &["method_name"], params)?;
                    return Ok(Answer::Value(match lookup_key(name)? {
                        Some(name) => Value::String(self.help_for(&name)),
                        None => Value::from(""),
                    }));
                }
                "system.methodSignature" => {
                    let [name] = system_params("system_methodSignature", &["method_name"], params)?;
                    // CPython answers this without looking the name up.
                    return Ok(Answer::Value(match name {
                        Value::String(name) => self.signature_for(&name),
                        _ => Value::from("signatures not supported"),
                    }));
                }
                _ => {}
            }
        }
        if let Some((nested, rest)) = self.route(method) {
            return Box::pin(nested.dispatch_nested(context, method, rest, params)).await;
        }
        if let Some(instance) = &self.instance {
            return instance
                .dispatch(method, params, context)
                .await
                .map(Answer::Value);
        }
        Err(Fault::method_not_supported(method))
    }

    /// A call that reached this registry through a dotted name: `name` is
    /// what is left of `full` (the name the caller used, for faults).
    async fn dispatch_nested(
        &self,
        context: &RequestContext,
        full: &str,
        name: &str,
        params: Vec<Value>,
    ) -> Result<Answer, Fault> {
        if let Some(found) = self.methods.get(name) {
            return found.call(name, params, context).answer().await;
        }
        if let Some((nested, rest)) = self.descend(name) {
            return Box::pin(nested.dispatch_nested(context, full, rest, params)).await;
        }
        if let Some(instance) = &self.instance {
            return instance
                .dispatch(name, params, context)
                .await
                .map(Answer::Value);
        }
        Err(Fault::method_not_supported(full))
    }

    /// The nested registry a dotted `name` leads to from here, and the
    /// rest of the name; `None` unless dotted names are allowed and no
    /// segment is private.
    fn route<'n>(&self, name: &'n str) -> Option<(&Registry, &'n str)> {
        if !self.allow_dotted_names || name.split('.').any(|s| s.starts_with('_')) {
            return None;
        }
        self.descend(name)
    }

    fn descend<'n>(&self, name: &'n str) -> Option<(&Registry, &'n str)> {
        let (head, rest) = name.split_once('.')?;
        self.nested.get(head).map(|nested| (nested, rest))
    }

    /// What `name` leads to, for introspection.
    fn target(&self, name: &str) -> Option<Target<'_>> {
        if let Some(m) = self.methods.get(name) {
            return Some(Target::Method(m));
        }
        if self.introspection {
            if let Some((system, _)) = SYSTEM_METHODS.iter().find(|(n, _)| *n == name) {
                return Some(Target::System(system));
            }
        }
        if let Some((nested, rest)) = self.route(name) {
            return nested.target_nested(rest);
        }
        self.instance.as_deref().map(Target::Instance)
    }

    fn target_nested(&self, name: &str) -> Option<Target<'_>> {
        if let Some(m) = self.methods.get(name) {
            return Some(Target::Method(m));
        }
        if let Some((nested, rest)) = self.descend(name) {
            return nested.target_nested(rest);
        }
        self.instance.as_deref().map(Target::Instance)
    }

    /// The part of `name` the registry holding it knows it by.
    fn leaf<'n>(&self, name: &'n str) -> &'n str {
        if self.methods.contains_key(name) {
            return name;
        }
        let Some((mut registry, mut rest)) = self.route(name) else {
            return name;
        };
        while !registry.methods.contains_key(rest) {
            match registry.descend(rest) {
                Some((nested, tail)) => {
                    registry = nested;
                    rest = tail;
                }
                None => break,
            }
        }
        rest
    }

    /// Whether calling `name` reaches something other than the
    /// "not supported" fault (an instance answers every name).
    fn answers(&self, name: &str) -> bool {
        self.target(name).is_some()
    }

    fn help_for(&self, name: &str) -> String {
        match self.target(name) {
            Some(Target::Method(m)) => m.help.clone(),
            Some(Target::System(system)) => SYSTEM_METHODS
                .iter()
                .find(|(n, _)| *n == system)
                .map(|(_, help)| (*help).to_owned())
                .unwrap_or_default(),
            Some(Target::Instance(instance)) => {
                instance.method_help(self.leaf(name)).unwrap_or_default()
            }
            None => String::new(),
        }
    }

    fn signature_for(&self, name: &str) -> Value {
        let types = match self.target(name) {
            Some(Target::Method(m)) => m
                .signature
                .as_ref()
                .map(|s| s.iter().map(|t| (*t).to_owned()).collect()),
            Some(Target::Instance(instance)) => instance.method_signature(self.leaf(name)),
            _ => None,
        };
        match types {
            Some(types) => Value::Array(vec![Value::Array(
                types.into_iter().map(Value::String).collect(),
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
    async fn multicall(
        &self,
        context: &RequestContext,
        call_list: Value,
        budget: &mut usize,
    ) -> Result<Value, Fault> {
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
                Value::String(name) if self.answers(&name) => match params {
                    Err(kind) => Err(Fault::python_exception(
                        "TypeError",
                        format_args!(
                            "{}() argument after * must be an iterable, not {kind}",
                            python_function_path(&name)
                        ),
                    )),
                    Ok(params) => match self.methods.get(&name) {
                        Some(m) => match m.call(&name, params, context) {
                            Outcome::Ready(result) => result.and_then(Answer::into_value),
                            pending => pending.resolve().await,
                        },
                        None if name == "system.multicall" => {
                            match <[Value; 1]>::try_from(params) {
                                Ok([call_list]) => {
                                    Box::pin(self.multicall(context, call_list, budget)).await
                                }
                                Err(params) => {
                                    Box::pin(self.dispatch_with(context, &name, params)).await
                                }
                            }
                        }
                        None => Box::pin(self.dispatch_with(context, &name, params)).await,
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

/// How CPython names the function behind `method` in a `TypeError` about
/// its call: module and qualified name. `system.*` methods are bound
/// methods of `SimpleXMLRPCDispatcher`; a registered function is taken to
/// live in the server script, `__main__`.
fn python_function_path(method: &str) -> String {
    match method.strip_prefix("system.") {
        Some(name) => format!("xmlrpc.server.SimpleXMLRPCDispatcher.system_{name}"),
        None => format!("__main__.{method}"),
    }
}
