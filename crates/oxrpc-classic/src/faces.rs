//! The connection's own Rust-side objects as Python code on the server
//! sees them, and back.
//!
//! A classic connection serves its root (`SlaveService`), what `getconn()`
//! returns and their bound methods from Rust, without entering the
//! interpreter (`service.rs`). On rpyc_classic those are Python objects,
//! and a client may hand them back like any other of the server's
//! objects: `conn.namespace['root'] = conn.root`,
//! `conn.builtins.type(conn.root)`, `conn.eval('f')(conn.root.getconn)`.
//! Here they enter as their Python faces: the root as an instance of
//! rpyc's service class (the stand-in's, where rpyc is not installed)
//! holding the connection's namespace and connection, the connection as
//! the session's Python stand-in, a bound method as that face's
//! attribute. A face sent back to the peer of its own connection goes as
//! the object it stands for, so the peer finds its own root again
//! (`conn.eval('root') is conn.root`).

use crate::runtime::Runtime;
use crate::session::Session;
use crate::space::{ErrorKind, ObjectSpace};
use oxrpc_rpyc::{BoundMethod, BrineValue, ObjectRef, Value};
use std::sync::Arc;

/// The Python face of `object`, one of `session`'s own Rust-side objects;
/// `None` for any other object.
pub(crate) fn python_face<S: ObjectSpace>(
    vm: S::Vm<'_>,
    rt: &Runtime<S>,
    session: &Arc<Session<S>>,
    object: &ObjectRef,
) -> Result<Option<S::Object>, S::Error> {
    if let Some(root) = session.peer().map(|peer| peer.local_root().clone()) {
        if std::ptr::addr_eq(Arc::as_ptr(&root), Arc::as_ptr(object)) {
            return root_face(vm, rt, session, root.type_name()).map(Some);
        }
    }
    if session.is_connection_object(object) {
        return Ok(Some(session.connection(vm)));
    }
    if let Some(method) = object
        .as_any()
        .and_then(|any| any.downcast_ref::<BoundMethod>())
    {
        if let Some(owner) = python_face(vm, rt, session, &method.target)? {
            return S::getattr(vm, &owner, &method.name).map(Some);
        }
    }
    Ok(None)
}

/// The object `obj` stands for, when it is the Python face of one of
/// `session`'s own Rust-side objects (see [`python_face`]).
pub(crate) fn own_object<S: ObjectSpace>(
    vm: S::Vm<'_>,
    session: &Arc<Session<S>>,
    obj: &S::Object,
) -> Option<Value> {
    // Looked at for every object sent by reference: compared in place,
    // nothing cloned.
    if session.is_root_face(vm, obj) {
        let root: ObjectRef = session.peer()?.local_root().clone();
        return Some(Value::Object(root));
    }
    if session.is_connection(vm, obj) {
        return session.connection_object().map(Value::Object);
    }
    None
}

/// The root's face, made the first time: an instance of the service
/// class rpyc would serve (`support.root_face`), holding the connection's
/// namespace and connection where the class is rpyc's `Slave`.
fn root_face<S: ObjectSpace>(
    vm: S::Vm<'_>,
    rt: &Runtime<S>,
    session: &Arc<Session<S>>,
    type_name: &str,
) -> Result<S::Object, S::Error> {
    if let Some(face) = session.root_face(vm) {
        return Ok(face);
    }
    let class = type_name.rsplit('.').next().unwrap_or(type_name);
    let namespace = session
        .namespace(vm)
        .map_err(|e| S::error(vm, ErrorKind::Runtime, &e.message()))?;
    let args = vec![
        S::from_plain(vm, BrineValue::from(class))?,
        session.connection(vm),
        namespace,
    ];
    let face = rt.call(vm, "root_face", args)?;
    session.set_root_face(S::clone_ref(vm, &face));
    Ok(face)
}
