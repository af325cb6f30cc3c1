//! What the protocol keeps in each interpreter: the helpers of
//! `support.py` (loaded as a module), the `Netref` class, and the table of
//! the peer objects that Python code holds netrefs to.
//!
//! One runtime per interpreter, whatever the number of connections it
//! serves: a netref's id is unique in its interpreter, and its entry says
//! which connection (session) it belongs to.

use crate::async_request::{self, AsyncReplies};
use crate::discovery;
use crate::netref::netref_op;
use crate::outbound;
use crate::session::Session;
use crate::space::{ErrorKind, ObjectSpace};
use crate::worker::Worker;
use oxrpc_rpyc::{BrineValue, Connection, Proxy};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

/// Most netref releases held back until a request has answered.
const MAX_HELD_RELEASES: usize = 64;

const SUPPORT: &str = include_str!("support.py");
const SHIM: &str = include_str!("rpyc_shim.py");
const CLIENT: &str = include_str!("rpyc_client.py");
const HELPERS: &str = include_str!("rpyc_helpers.py");
const CLASSIC_HELPERS: &str = include_str!("rpyc_classic.py");

/// A peer object Python code holds a netref to.
pub(crate) struct ProxyEntry<S: ObjectSpace> {
    pub(crate) proxy: Proxy,
    pub(crate) session: Weak<Session<S>>,
    pub(crate) runtime: tokio::runtime::Handle,
}

impl<S: ObjectSpace> Clone for ProxyEntry<S> {
    fn clone(&self) -> Self {
        ProxyEntry {
            proxy: self.proxy.clone(),
            session: self.session.clone(),
            runtime: self.runtime.clone(),
        }
    }
}

struct Objects<S: ObjectSpace> {
    support: S::Object,
    /// The metaclass of every netref class (`support.py`'s `NetrefType`).
    netref_type: S::Object,
    helpers: HashMap<&'static str, S::Object>,
}

/// The protocol's state in one interpreter.
pub struct Runtime<S: ObjectSpace> {
    objects: Mutex<Option<Objects<S>>>,
    proxies: Mutex<HashMap<u64, ProxyEntry<S>>>,
    next_proxy: Mutex<u64>,
    /// Netrefs released while a request was served ([`Runtime::release`]).
    held_releases: Mutex<Vec<ProxyEntry<S>>>,
    /// The sessions of this interpreter by key, for `Connection.root`.
    sessions: Mutex<HashMap<u64, Weak<Session<S>>>>,
    /// The connections Python code opened (`rpyc.connect`), by session id.
    outbound: Mutex<HashMap<u64, Outbound<S>>>,
    /// Replies to requests Python sent without waiting (`rpyc.async_`).
    async_replies: Arc<AsyncReplies>,
}

/// A connection Python code opened. It closes when Python closes it, when
/// Python has let go of both it and every netref to the peer's objects
/// (as rpyc's netrefs keep their connection alive), or when the worker
/// that serves it stops (with its interpreter, or its client).
struct Outbound<S: ObjectSpace> {
    connection: Connection,
    runtime: tokio::runtime::Handle,
    worker: Worker<S>,
    let_go: bool,
}

impl<S: ObjectSpace> Outbound<S> {
    fn close(self) {
        let connection = self.connection;
        self.runtime.spawn(async move { connection.close().await });
    }
}

/// `_oxrpc_load_client()`: rpyc's client for the server's code
/// (`rpyc_client.py`), loaded when code first reaches for it (support.py
/// keeps it): a new interpreter does not pay for it.
fn load_client<S: ObjectSpace>(
    vm: S::Vm<'_>,
    _args: Vec<S::Object>,
) -> Result<S::Object, S::Error> {
    S::load_module(
        vm,
        "rpyc.utils.factory",
        CLIENT,
        &[
            ("_oxrpc_op", netref_op),
            ("_oxrpc_connect", outbound::connect),
            ("_oxrpc_session", outbound::session_op),
            ("_oxrpc_registry", discovery::registry_op),
        ],
    )
}

/// `_oxrpc_load_helpers()`: rpyc's helpers for the server's code
/// (`rpyc_helpers.py`: `rpyc.async_`, `AsyncResult` and their kin), loaded
/// when code first reaches for them.
fn load_helpers<S: ObjectSpace>(
    vm: S::Vm<'_>,
    _args: Vec<S::Object>,
) -> Result<S::Object, S::Error> {
    S::load_module(
        vm,
        "rpyc.utils.helpers",
        HELPERS,
        &[("_oxrpc_async", async_request::async_op)],
    )
}

/// `_oxrpc_load_classic()`: rpyc.classic's helpers that take a connection
/// (`rpyc_classic.py`: `upload`, `download`, `deliver`, `teleport_function`
/// and their kin), loaded when code first reaches for them.
fn load_classic_helpers<S: ObjectSpace>(
    vm: S::Vm<'_>,
    _args: Vec<S::Object>,
) -> Result<S::Object, S::Error> {
    S::load_module(vm, "rpyc.utils.classic_helpers", CLASSIC_HELPERS, &[])
}

impl<S: ObjectSpace> Runtime<S> {
    /// The runtime of `vm`'s interpreter, loaded on first use.
    pub(crate) fn get(vm: S::Vm<'_>) -> Result<Arc<Runtime<S>>, S::Error> {
        if let Some(runtime) = S::runtime(vm) {
            return Ok(runtime);
        }
        let support = S::load_module(
            vm,
            "oxrpc_support",
            SUPPORT,
            &[
                ("_oxrpc_op", netref_op),
                ("_oxrpc_async", async_request::async_op),
                ("_oxrpc_session", outbound::session_op),
                ("_oxrpc_load_client", load_client),
                ("_oxrpc_load_helpers", load_helpers),
                ("_oxrpc_load_classic", load_classic_helpers),
            ],
        )?;
        let netref_type = S::getattr(vm, &support, "NetrefType")?;
        // rpyc's server-side helpers (teleportation, compat.pickle, the
        // client) where the interpreter has no rpyc of its own.
        let install = S::getattr(vm, &support, "install_rpyc_shim")?;
        let shim = S::load_module(vm, "rpyc.utils.teleportation", SHIM, &[])?;
        S::call(vm, &install, vec![shim])?;
        let runtime = Arc::new(Runtime {
            objects: Mutex::new(Some(Objects {
                support,
                netref_type,
                helpers: HashMap::new(),
            })),
            proxies: Mutex::new(HashMap::new()),
            next_proxy: Mutex::new(0),
            held_releases: Mutex::new(Vec::new()),
            sessions: Mutex::new(HashMap::new()),
            outbound: Mutex::new(HashMap::new()),
            async_replies: Arc::default(),
        });
        Ok(S::install_runtime(vm, runtime))
    }

    fn missing(vm: S::Vm<'_>) -> S::Error {
        S::error(
            vm,
            ErrorKind::Runtime,
            "the classic-mode runtime has stopped",
        )
    }

    /// A function of `support.py`.
    pub(crate) fn helper(&self, vm: S::Vm<'_>, name: &'static str) -> Result<S::Object, S::Error> {
        let mut objects = self.objects.lock().map_err(|_| Self::missing(vm))?;
        let objects = objects.as_mut().ok_or_else(|| Self::missing(vm))?;
        if let Some(found) = objects.helpers.get(name) {
            return Ok(S::clone_ref(vm, found));
        }
        let found = S::getattr(vm, &objects.support, name)?;
        objects.helpers.insert(name, S::clone_ref(vm, &found));
        Ok(found)
    }

    /// Calls a function of `support.py`.
    pub(crate) fn call(
        &self,
        vm: S::Vm<'_>,
        name: &'static str,
        args: Vec<S::Object>,
    ) -> Result<S::Object, S::Error> {
        let helper = self.helper(vm, name)?;
        S::call(vm, &helper, args)
    }

    /// Whether `object` is a netref, and then its id.
    pub(crate) fn netref_id(&self, vm: S::Vm<'_>, object: &S::Object) -> Option<u64> {
        let is_netref = {
            let objects = self.objects.lock().ok()?;
            let class = S::class_of(vm, object);
            let metaclass = S::class_of(vm, &class);
            S::is(vm, &metaclass, &objects.as_ref()?.netref_type)
        };
        if !is_netref {
            return None;
        }
        let id = S::getattr(vm, object, "_oxrpc_id").ok()?;
        u64::try_from(S::to_i64(vm, &id)?).ok()
    }

    /// The netref for `entry`: a new one, or the one Python code already
    /// holds to the same object of the same session (rpyc's proxy cache:
    /// an object received twice is one netref, `is` holds).
    pub(crate) fn new_netref(
        &self,
        vm: S::Vm<'_>,
        entry: ProxyEntry<S>,
    ) -> Result<S::Object, S::Error> {
        let id = {
            let mut next = self.next_proxy.lock().map_err(|_| Self::missing(vm))?;
            *next += 1;
            *next
        };
        // Its class comes from the peer's type (`support.py`'s
        // `_netref_class`), which may take a request to the peer
        // (HANDLE_INSPECT) through this entry: it is registered first.
        let session = entry.session.upgrade().map_or(0, |s| s.id());
        let pack = crate::convert::from_brine(vm, self, entry.proxy.id_pack().to_brine())?;
        if let Ok(mut proxies) = self.proxies.lock() {
            proxies.insert(id, entry);
        }
        let session = S::from_plain(vm, BrineValue::Int(session as i64))?;
        let oid = S::from_plain(vm, BrineValue::Int(id as i64))?;
        let netref = self.call(vm, "new_netref", vec![session, pack, oid]);
        if netref
            .as_ref()
            .map_or(true, |netref| self.netref_id(vm, netref) != Some(id))
        {
            self.release(id);
        }
        netref
    }

    /// A key Python code can name `session` by (support.py's
    /// `Connection._oxrpc_session`).
    pub(crate) fn register_session(&self, session: &Arc<Session<S>>) -> u64 {
        let key = self.next_proxy.lock().map_or(0, |mut next| {
            *next += 1;
            *next
        });
        if let Ok(mut sessions) = self.sessions.lock() {
            sessions.insert(key, Arc::downgrade(session));
        }
        key
    }

    /// The session registered as `key`, while it is open.
    pub(crate) fn session(&self, key: u64) -> Option<Arc<Session<S>>> {
        self.sessions.lock().ok()?.get(&key)?.upgrade()
    }

    /// The replies awaited by requests Python sent without waiting.
    pub(crate) fn async_replies(&self) -> &Arc<AsyncReplies> {
        &self.async_replies
    }

    /// Any open session of this interpreter: its worker is the one
    /// Python code here runs on.
    pub(crate) fn any_session(&self) -> Option<Arc<Session<S>>> {
        let sessions = self.sessions.lock().ok()?;
        sessions.values().find_map(Weak::upgrade)
    }

    /// Keeps `connection`, which Python code opened for `session`.
    pub(crate) fn add_outbound(&self, session: &Session<S>, connection: Connection) {
        if let Ok(mut outbound) = self.outbound.lock() {
            let runtime = session.runtime().clone();
            outbound.insert(
                session.id(),
                Outbound {
                    connection,
                    runtime,
                    worker: session.worker().clone(),
                    let_go: false,
                },
            );
        }
    }

    /// Python code has let go of the connection it opened for `session`:
    /// it closes now, or with the last netref to the peer's objects.
    pub(crate) fn let_go_of_outbound(&self, session: u64) {
        if let Ok(mut outbound) = self.outbound.lock() {
            if let Some(entry) = outbound.get_mut(&session) {
                entry.let_go = true;
            }
        }
        self.close_outbound_if_unheld(session);
    }

    fn close_outbound_if_unheld(&self, session: u64) {
        let let_go = self
            .outbound
            .lock()
            .is_ok_and(|outbound| outbound.get(&session).is_some_and(|entry| entry.let_go));
        if !let_go {
            return;
        }
        let held = self.proxies.lock().map_or(true, |proxies| {
            proxies
                .values()
                .any(|e| e.session.upgrade().is_some_and(|s| s.id() == session))
        });
        if held {
            return;
        }
        let closing =
            self.outbound
                .lock()
                .ok()
                .and_then(|mut outbound| match outbound.get(&session) {
                    Some(entry) if entry.let_go => outbound.remove(&session),
                    _ => None,
                });
        if let Some(closing) = closing {
            closing.close();
        }
    }

    /// The peer object behind a netref id.
    pub(crate) fn proxy(&self, id: u64) -> Option<ProxyEntry<S>> {
        self.proxies.lock().ok()?.get(&id).cloned()
    }

    /// Forgets a netref id (its netref was collected).
    ///
    /// Its `HANDLE_DEL` waits until the answer to the request being served
    /// is on its way, as rpyc's does (a request's arguments live until it
    /// has answered). A stock client has Nagle's algorithm on: had the
    /// release gone first, its answer to it and its next request would be
    /// two small writes in a row, the second held until this end's delayed
    /// acknowledgement, 40 ms later. Past [`MAX_HELD_RELEASES`] (a loop
    /// going through many of the peer's objects) releases go at once.
    pub(crate) fn release(&self, id: u64) {
        let Some(entry) = self.proxies.lock().ok().and_then(|mut p| p.remove(&id)) else {
            return;
        };
        if let Some(session) = entry.session.upgrade() {
            self.close_outbound_if_unheld(session.id());
        }
        if let Ok(mut held) = self.held_releases.lock() {
            if held.len() < MAX_HELD_RELEASES {
                held.push(entry);
                return;
            }
        }
        drop(entry);
    }

    /// Lets go of the releases held back while a request was served.
    pub(crate) fn let_go_of_held_releases(&self) {
        let held = self
            .held_releases
            .lock()
            .map(|mut held| std::mem::take(&mut *held))
            .unwrap_or_default();
        drop(held);
    }

    /// Forgets every netref of a session that ended: the peer is gone.
    pub(crate) fn release_session(&self, vm: S::Vm<'_>, session: &Session<S>) {
        if let Ok(id) = S::from_plain(vm, BrineValue::Int(session.id() as i64)) {
            // The netref classes of its peer's classes.
            let _ = self.call(vm, "forget_session", vec![id]);
        }
        if let Ok(mut sessions) = self.sessions.lock() {
            sessions.retain(|_, s| !std::ptr::eq(s.as_ptr(), session));
        }
        // A worker that stops with its session takes the connections its
        // code opened with it: nothing would serve them.
        let ended: Vec<Outbound<S>> = match self.outbound.lock() {
            Ok(mut outbound) => {
                outbound.remove(&session.id());
                let gone: Vec<u64> = outbound
                    .iter()
                    .filter(|(_, o)| session.owns_worker() && o.worker.same_as(session.worker()))
                    .map(|(id, _)| *id)
                    .collect();
                gone.iter().filter_map(|id| outbound.remove(id)).collect()
            }
            Err(_) => Vec::new(),
        };
        ended.into_iter().for_each(Outbound::close);
        let gone: Vec<ProxyEntry<S>> = match self.proxies.lock() {
            Ok(mut proxies) => {
                let ids: Vec<u64> = proxies
                    .iter()
                    .filter(|(_, e)| std::ptr::eq(e.session.as_ptr(), session))
                    .map(|(id, _)| *id)
                    .collect();
                ids.iter().filter_map(|id| proxies.remove(id)).collect()
            }
            Err(_) => Vec::new(),
        };
        drop(gone);
    }

    /// Drops every object of the runtime (its interpreter is stopping).
    pub(crate) fn clear(&self, _vm: S::Vm<'_>) {
        let objects = self.objects.lock().ok().and_then(|mut o| o.take());
        drop(objects);
        // Python code's connections end with its interpreter.
        let outbound = self
            .outbound
            .lock()
            .map(|mut o| std::mem::take(&mut *o))
            .unwrap_or_default();
        outbound.into_values().for_each(Outbound::close);
        let proxies = self
            .proxies
            .lock()
            .map(|mut p| std::mem::take(&mut *p))
            .unwrap_or_default();
        drop(proxies);
    }
}
