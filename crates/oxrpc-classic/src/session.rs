//! What one connection keeps: its worker, its namespace, the Python
//! stand-in for its rpyc `Connection` (which holds the traceback of the
//! last request that raised), and its `_config` as the peer sees it.
//!
//! As in rpyc's classic server, every connection has a namespace of its own
//! (`conn.namespace`, where `conn.execute` and `conn.eval` run), whether
//! its interpreter is its own or shared with other connections. When the
//! connection ends, its namespace is emptied and the netrefs Python code
//! still holds to the peer's objects go dead.

use crate::runtime::Runtime;
use crate::space::ObjectSpace;
use crate::worker::Worker;
use oxrpc_rpyc::{BrineValue, Connection, ObjectRef, RemoteException, RpcObject};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

/// Makes what `getconn()` gives the peer for a session (the connection's
/// Rust-side object, `service.rs`), or `None` once the connection is gone.
pub(crate) type MakeConnectionObject<S> = fn(&Arc<Session<S>>) -> Option<ObjectRef>;

/// Numbers sessions, for what Python code keeps per connection.
static NEXT_SESSION: AtomicU64 = AtomicU64::new(1);

/// One connection's state in the interpreter.
pub struct Session<S: ObjectSpace> {
    /// Unique in the process, never reused.
    id: u64,
    worker: Worker<S>,
    owns_worker: bool,
    runtime: tokio::runtime::Handle,
    namespace: Mutex<Option<S::Object>>,
    /// support.py's `Connection`: what a called function finds as `self`
    /// in its caller's frame, and where `_last_traceback` is kept.
    connection: Mutex<Option<S::Object>>,
    /// `getconn()._config`, a dict made on first use and kept, so what the
    /// peer writes there it reads back.
    config: Mutex<Option<S::Object>>,
    /// The connection, for `Connection.root` (the peer's root); let go
    /// when the session closes.
    peer: Mutex<Option<Connection>>,
    /// Whether the peer reaches every attribute of the objects it is sent
    /// (a `SlaveService`'s connection, as every classic client's), or
    /// only those rpyc's rules in `config` allow (a connection Python
    /// code opened with `rpyc.connect`).
    open_attributes: bool,
    /// Whether [`Session::start_now`] has run.
    started: Mutex<bool>,
    /// The connection's root as Python code sees it (`faces.rs`): made
    /// when the peer first hands the root back, or the code's own service
    /// object.
    root_face: Mutex<Option<S::Object>>,
    /// What `getconn()` gave the peer, while the peer holds it: one
    /// connection is one object to the peer (`getconn() == _conn`), as in
    /// rpyc. Weak, as the object holds this session.
    connection_object: Mutex<Option<Weak<dyn RpcObject>>>,
    make_connection_object: MakeConnectionObject<S>,
}

impl<S: ObjectSpace> Session<S> {
    /// A session served by `worker`; its namespace is made by the first
    /// job ([`Session::start`]).
    pub(crate) fn new(
        worker: Worker<S>,
        owns_worker: bool,
        runtime: tokio::runtime::Handle,
        peer: Connection,
        open_attributes: bool,
        make_connection_object: MakeConnectionObject<S>,
    ) -> Arc<Session<S>> {
        Arc::new(Session {
            id: NEXT_SESSION.fetch_add(1, Ordering::Relaxed),
            worker,
            owns_worker,
            runtime,
            namespace: Mutex::new(None),
            connection: Mutex::new(None),
            config: Mutex::new(None),
            peer: Mutex::new(Some(peer)),
            open_attributes,
            started: Mutex::new(false),
            root_face: Mutex::new(None),
            connection_object: Mutex::new(None),
            make_connection_object,
        })
    }

    /// Queues the session's first job, [`Session::start_now`].
    pub(crate) fn start(self: &Arc<Self>, silence_standard_streams: bool) {
        let session = self.clone();
        self.worker.send_housekeeping(Box::new(move |vm| {
            session.start_now(vm, silence_standard_streams);
        }));
    }

    /// Makes what the session needs in the interpreter, once (later calls
    /// do nothing): the interpreter's runtime, the connection's namespace
    /// and its Python stand-in, after pointing Python's standard streams
    /// at `/dev/null` when the process's own carry the protocol.
    pub(crate) fn start_now(self: &Arc<Self>, vm: S::Vm<'_>, silence_standard_streams: bool) {
        let Ok(mut started) = self.started.lock() else {
            return;
        };
        if *started {
            return;
        }
        *started = true;
        let made = Runtime::<S>::get(vm)
            .and_then(|rt| {
                if silence_standard_streams {
                    rt.call(vm, "silence_standard_streams", Vec::new())?;
                }
                let connection = rt.call(vm, "Connection", Vec::new())?;
                let key = rt.register_session(self);
                let key = S::from_plain(vm, BrineValue::Int(key as i64))?;
                S::setattr(vm, &connection, "_oxrpc_session", key)?;
                Ok((rt.call(vm, "new_namespace", Vec::new())?, connection))
            })
            .map_err(|e| S::traceback_text(vm, &e));
        match made {
            Ok((namespace, connection)) => {
                if let Ok(mut slot) = self.namespace.lock() {
                    *slot = Some(namespace);
                }
                if let Ok(mut slot) = self.connection.lock() {
                    *slot = Some(connection);
                }
            }
            Err(text) => {
                tracing::error!("cannot start classic mode in the interpreter: {text}")
            }
        }
    }

    /// The session's number, unique in the process.
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// Whether the worker is this connection's own, stopping with it.
    pub(crate) fn owns_worker(&self) -> bool {
        self.owns_worker
    }

    /// The worker that runs this connection's jobs.
    pub(crate) fn worker(&self) -> &Worker<S> {
        &self.worker
    }

    /// The tokio runtime the connection runs on.
    pub(crate) fn runtime(&self) -> &tokio::runtime::Handle {
        &self.runtime
    }

    pub(crate) fn no_runtime(&self) -> RemoteException {
        RemoteException::runtime_error("classic mode is not running in the interpreter")
    }

    /// The connection's namespace.
    pub(crate) fn namespace(&self, vm: S::Vm<'_>) -> Result<S::Object, RemoteException> {
        self.namespace
            .lock()
            .ok()
            .and_then(|n| n.as_ref().map(|n| S::clone_ref(vm, n)))
            .ok_or_else(|| RemoteException::runtime_error("no namespace"))
    }

    /// Keeps the traceback of an exception a request raised: rpyc's
    /// `Connection._last_traceback`, which `rpyc.classic.pm` debugs.
    pub(crate) fn record_error(&self, vm: S::Vm<'_>, error: &S::Error) {
        let exc = S::exception(vm, error);
        if let Ok(traceback) = S::getattr(vm, &exc, "__traceback__") {
            let connection = self.connection(vm);
            // Without a stand-in (it failed to start) there is nowhere to
            // keep it, nor anyone to read it.
            let _ = S::setattr(vm, &connection, "_last_traceback", traceback);
        }
    }

    /// The Python stand-in for the connection, or `None`.
    pub(crate) fn connection(&self, vm: S::Vm<'_>) -> S::Object {
        self.connection
            .lock()
            .ok()
            .and_then(|c| c.as_ref().map(|c| S::clone_ref(vm, c)))
            .unwrap_or_else(|| S::none(vm))
    }

    /// The connection's `_config` dict, made by `make` the first time.
    pub(crate) fn config(
        &self,
        vm: S::Vm<'_>,
        make: impl FnOnce() -> Result<S::Object, S::Error>,
    ) -> Result<S::Object, S::Error> {
        let Ok(mut slot) = self.config.lock() else {
            return make();
        };
        if let Some(config) = slot.as_ref() {
            return Ok(S::clone_ref(vm, config));
        }
        let config = make()?;
        *slot = Some(S::clone_ref(vm, &config));
        Ok(config)
    }

    /// Whether the peer may reach every attribute (see the field).
    pub(crate) fn open_attributes(&self) -> bool {
        self.open_attributes
    }

    /// Sets the connection's `_config` dict (one Python code made, for a
    /// connection it opened).
    pub(crate) fn set_config(&self, config: S::Object) -> Option<S::Object> {
        self.config.lock().ok()?.replace(config)
    }

    /// The connection's `_config` dict, if the peer has asked for it.
    pub(crate) fn config_if_made(&self, vm: S::Vm<'_>) -> Option<S::Object> {
        let slot = self.config.lock().ok()?;
        slot.as_ref().map(|config| S::clone_ref(vm, config))
    }

    /// The connection, while the session is open.
    pub(crate) fn peer(&self) -> Option<Connection> {
        self.peer.lock().ok().and_then(|p| p.clone())
    }

    /// The object `getconn()` gives the peer: the one it holds already, or
    /// a new one; `None` once the connection is gone.
    pub(crate) fn connection_object(self: &Arc<Self>) -> Option<ObjectRef> {
        let mut cached = self
            .connection_object
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(object) = cached.as_ref().and_then(Weak::upgrade) {
            return Some(object);
        }
        let object = (self.make_connection_object)(self)?;
        *cached = Some(Arc::downgrade(&object));
        Some(object)
    }

    /// Whether `object` is what `getconn()` gave the peer.
    pub(crate) fn is_connection_object(&self, object: &ObjectRef) -> bool {
        self.connection_object
            .lock()
            .ok()
            .and_then(|c| c.as_ref().map(|c| c.as_ptr()))
            .is_some_and(|mine| std::ptr::addr_eq(mine, Arc::as_ptr(object)))
    }

    /// Whether `obj` is the connection's Python stand-in.
    pub(crate) fn is_connection(&self, vm: S::Vm<'_>, obj: &S::Object) -> bool {
        let connection = self.connection.lock();
        connection
            .ok()
            .is_some_and(|c| c.as_ref().is_some_and(|c| S::is(vm, obj, c)))
    }

    /// Whether `obj` is the root's Python face.
    pub(crate) fn is_root_face(&self, vm: S::Vm<'_>, obj: &S::Object) -> bool {
        let face = self.root_face.lock();
        face.ok()
            .is_some_and(|f| f.as_ref().is_some_and(|f| S::is(vm, obj, f)))
    }

    /// The root's Python face, if made (`faces.rs`).
    pub(crate) fn root_face(&self, vm: S::Vm<'_>) -> Option<S::Object> {
        let face = self.root_face.lock().ok()?;
        face.as_ref().map(|f| S::clone_ref(vm, f))
    }

    /// Sets the root's Python face (kept until the session closes).
    pub(crate) fn set_root_face(&self, face: S::Object) {
        let old = self.root_face.lock().ok().and_then(|mut f| f.replace(face));
        if let Some(old) = old {
            self.worker.drop_object(old);
        }
    }

    /// The last traceback, or `None`.
    pub(crate) fn last_traceback(&self, vm: S::Vm<'_>) -> S::Object {
        let connection = self.connection(vm);
        S::getattr(vm, &connection, "_last_traceback").unwrap_or_else(|_| S::none(vm))
    }

    /// The connection ended: empty its namespace, let go of the peer's
    /// objects, and stop the worker if it was this connection's own.
    pub(crate) fn close(self: &Arc<Self>) {
        let peer = self.peer.lock().ok().and_then(|mut p| p.take());
        drop(peer);
        let session = self.clone();
        self.worker.send_housekeeping(Box::new(move |vm| {
            let namespace = session.namespace.lock().ok().and_then(|mut n| n.take());
            match namespace {
                Some(namespace) if session.owns_worker => S::retire_namespace(vm, namespace),
                // Objects the namespace holds may hold netrefs; clearing it
                // releases them while the interpreter can run finalisers.
                Some(namespace) => crate::space::empty::<S>(vm, &namespace),
                None => {}
            }
            let connection = session.connection.lock().ok().and_then(|mut c| c.take());
            if let Some(connection) = connection {
                // Code may keep the stand-in; what it holds goes now.
                let _ = S::setattr(vm, &connection, "_last_traceback", S::none(vm));
            }
            let config = session.config.lock().ok().and_then(|mut c| c.take());
            drop(config);
            let face = session.root_face.lock().ok().and_then(|mut f| f.take());
            drop(face);
            if let Some(rt) = S::runtime(vm) {
                rt.release_session(vm, &session);
            }
        }));
        if self.owns_worker {
            self.worker.stop();
        }
    }
}

impl<S: ObjectSpace> Drop for Session<S> {
    fn drop(&mut self) {
        let leftovers = [
            self.namespace.get_mut().ok().and_then(|n| n.take()),
            self.connection.get_mut().ok().and_then(|c| c.take()),
            self.config.get_mut().ok().and_then(|c| c.take()),
            self.root_face.get_mut().ok().and_then(|f| f.take()),
        ];
        for object in leftovers.into_iter().flatten() {
            self.worker.drop_object(object);
        }
    }
}
