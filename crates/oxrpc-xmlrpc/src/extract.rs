//! Handler arguments: XML-RPC parameters, or parts of the request.
//!
//! A handler's arguments are read one by one through [`Extract`]. Every
//! [`FromValue`] type is a parameter and takes the next value the caller
//! sent; the types here ([`ClientAddr`], [`AuthUser`], [`Headers`],
//! [`RequestContext`], ...) take nothing from the parameter list and are
//! filled from the request instead. So
//! `|who: AuthUser, a: i32, b: i32| ...` is still a two-`int` method to
//! its callers, to `system.methodSignature` and to argument-count faults;
//! it just also knows who called.
//!
//! Your own extractors implement [`Extract`] with
//! [`ArgKind::Context`] and [`Extract::from_context`].

use crate::context::{AuthUser, RequestContext};
use crate::convert::{ConversionError, FromValue};
use crate::fault::Fault;
use crate::value::Value;
use hyper::HeaderMap;
use oxrpc_net::Peer;
use std::net::SocketAddr;

/// Where a handler argument comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// The next XML-RPC parameter, of this XML-RPC type (for signatures).
    Param(&'static str),
    /// The request, not the parameter list.
    Context,
}

/// A type a handler can take as an argument.
///
/// ```
/// use oxrpc_xmlrpc::{ArgKind, Extract, Fault, RequestContext};
///
/// /// The caller's `X-Request-Id` header, when sent.
/// struct RequestId(Option<String>);
///
/// impl Extract for RequestId {
///     const KIND: ArgKind = ArgKind::Context;
///     fn from_context(context: &RequestContext) -> Result<Self, Fault> {
///         let id = context.headers().get("x-request-id");
///         Ok(RequestId(id.and_then(|v| v.to_str().ok()).map(str::to_owned)))
///     }
/// }
///
/// let mut server = oxrpc_xmlrpc::Server::new();
/// server.register("ping", |id: RequestId| id.0.unwrap_or_default());
/// ```
pub trait Extract: Sized {
    /// A parameter (and its XML-RPC type) or part of the request.
    const KIND: ArgKind;

    /// Converts the parameter, for [`ArgKind::Param`] types.
    fn from_param(value: Value) -> Result<Self, ConversionError> {
        Err(ConversionError {
            expected: "no parameter",
            got: value.type_name().to_owned(),
            detail: None,
        })
    }

    /// What a missing trailing parameter becomes (`None`: it is required).
    fn from_missing() -> Option<Self> {
        None
    }

    /// Reads the request, for [`ArgKind::Context`] types.
    fn from_context(context: &RequestContext) -> Result<Self, Fault> {
        let _ = context;
        Err(Fault::new(
            Fault::INTERNAL_ERROR,
            "server error. a parameter type was read from the request",
        ))
    }
}

impl<T: FromValue> Extract for T {
    const KIND: ArgKind = ArgKind::Param(T::XMLRPC_TYPE);

    fn from_param(value: Value) -> Result<Self, ConversionError> {
        T::from_value(value)
    }

    fn from_missing() -> Option<Self> {
        T::from_missing()
    }
}

/// The caller's TCP address. A handler taking it fails (with a fault) on
/// transports without one; take `Option<ClientAddr>` to allow those.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub SocketAddr);

/// The request's HTTP headers.
#[derive(Debug, Clone, Default)]
pub struct Headers(pub HeaderMap);

impl std::ops::Deref for Headers {
    type Target = HeaderMap;
    fn deref(&self) -> &HeaderMap {
        &self.0
    }
}

fn unauthenticated() -> Fault {
    Fault::python_exception("PermissionError", "authentication required")
}

impl Extract for ClientAddr {
    const KIND: ArgKind = ArgKind::Context;
    fn from_context(context: &RequestContext) -> Result<Self, Fault> {
        context.client_addr().map(ClientAddr).ok_or_else(|| {
            Fault::new(
                Fault::INTERNAL_ERROR,
                "server error. the caller has no network address",
            )
        })
    }
}

impl Extract for Option<ClientAddr> {
    const KIND: ArgKind = ArgKind::Context;
    fn from_context(context: &RequestContext) -> Result<Self, Fault> {
        Ok(context.client_addr().map(ClientAddr))
    }
}

impl Extract for Peer {
    const KIND: ArgKind = ArgKind::Context;
    fn from_context(context: &RequestContext) -> Result<Self, Fault> {
        Ok(context.peer().cloned().unwrap_or(Peer::Pipe))
    }
}

/// A handler taking `AuthUser` is refused (`PermissionError`) to callers
/// the server did not authenticate; take `Option<AuthUser>` to serve them.
impl Extract for AuthUser {
    const KIND: ArgKind = ArgKind::Context;
    fn from_context(context: &RequestContext) -> Result<Self, Fault> {
        context.user().cloned().ok_or_else(unauthenticated)
    }
}

impl Extract for Option<AuthUser> {
    const KIND: ArgKind = ArgKind::Context;
    fn from_context(context: &RequestContext) -> Result<Self, Fault> {
        Ok(context.user().cloned())
    }
}

impl Extract for Headers {
    const KIND: ArgKind = ArgKind::Context;
    fn from_context(context: &RequestContext) -> Result<Self, Fault> {
        Ok(Headers(context.headers().clone()))
    }
}

impl Extract for RequestContext {
    const KIND: ArgKind = ArgKind::Context;
    fn from_context(context: &RequestContext) -> Result<Self, Fault> {
        Ok(context.clone())
    }
}
