//! Worker threads: where Python runs, one request after another.
//!
//! A connection's requests about interpreter objects are jobs sent to a
//! worker thread, which runs them in order, as rpyc's per-connection thread
//! does. The subtle part is nesting: Python code running a job may call an
//! object of the peer (a callback); the job then blocks in [`wait_for`],
//! and while it waits the thread keeps running the jobs that arrive —
//! among them the requests the peer nests inside that callback, which must
//! run here too. Replies are messages on the same queue, so one loop serves
//! both and nothing deadlocks however deep the nesting goes.
//!
//! While a worker waits for anything (its next job, a reply) it holds no
//! interpreter lock ([`ObjectSpace::unlocked`]): on CPython the other
//! connections' workers run meanwhile, and socket I/O never happens under
//! the GIL.
//!
//! A worker that serves one connection also reads it ([`ThreadReading`]):
//! it waits on the socket and on its mailbox at once, and decodes requests
//! itself, so a request wakes this one thread, as in rpyc's servers,
//! rather than a reader task that then wakes the worker. Requests decoded
//! here become jobs in the same mailbox, behind the work already queued.
//!
//! A worker builds (or enters) its interpreter only when the first job
//! that needs one arrives: until then it reads its connection and keeps
//! the connection's housekeeping (setting up its namespace). A client
//! that connects and never speaks costs a thread and a socket, as on
//! rpyc_classic, not an interpreter's ~15 ms of CPU and ~3 MiB.

use crate::mailbox::{Mailbox, Taken};
use crate::runtime::Runtime;
use crate::space::{Job, ObjectSpace};
use oxrpc_rpyc::{Context, RemoteException, Reply, RpcResult, ThreadReading};
use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};

pub(crate) enum Message<S: ObjectSpace> {
    Run(Job<S>),
    /// Work that does not call for an interpreter on its own: setting a
    /// connection's state up, tearing it down. A worker that has no
    /// interpreter yet keeps it for when a request comes, and drops it if
    /// the connection ends first.
    Housekeeping(Job<S>),
    Reply(u64, RpcResult),
    /// From now on, read this connection here.
    Adopt(Box<ThreadReading>),
    /// The reading is back in its slot (a thread Python started had
    /// borrowed it): wait on the socket again.
    Wake,
    Stop,
}

/// A handle to a worker thread. Cheap to clone.
pub struct Worker<S: ObjectSpace> {
    mailbox: Arc<Mailbox<Message<S>>>,
    reading: Arc<ReadingSlot>,
    /// Run when the first job is queued ([`Worker::on_first_job`]).
    first_job: Arc<Mutex<Option<FirstJobHook>>>,
}

type FirstJobHook = Box<dyn FnOnce() + Send>;

impl<S: ObjectSpace> Clone for Worker<S> {
    fn clone(&self) -> Self {
        Worker {
            mailbox: self.mailbox.clone(),
            reading: self.reading.clone(),
            first_job: self.first_job.clone(),
        }
    }
}

/// The connection a worker reads, while the worker is not waiting on it
/// (it runs a job): a thread that Python code started, and that waits for
/// the peer's answer, borrows it then and reads that answer itself, as a
/// thread of rpyc's does. Otherwise a job that waits for such a thread
/// (`thread.join()`) would leave the answer unread until it gave up.
#[derive(Default)]
struct ReadingSlot {
    state: Mutex<SlotState>,
}

#[derive(Default)]
struct SlotState {
    reading: Option<Box<ThreadReading>>,
    /// The worker has stopped: a borrowed reading is not given back.
    ended: bool,
}

impl ReadingSlot {
    fn lock(&self) -> std::sync::MutexGuard<'_, SlotState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn take(&self) -> Option<Box<ThreadReading>> {
        self.lock().reading.take()
    }

    /// Puts `reading` back; false (and the reading dropped) once the
    /// worker has stopped.
    fn put(&self, reading: Box<ThreadReading>) -> bool {
        let mut state = self.lock();
        if state.ended {
            drop(state);
            drop(reading);
            return false;
        }
        state.reading = Some(reading);
        true
    }

    /// The worker stops: the reading (if here) closes now.
    fn end(&self) -> Option<Box<ThreadReading>> {
        let mut state = self.lock();
        state.ended = true;
        state.reading.take()
    }
}

/// What the worker thread itself keeps: its mailbox, the connection it
/// reads, the runtime replies are awaited on, and replies that arrived for
/// an outer wait.
struct Queue<S: ObjectSpace> {
    mailbox: Arc<Mailbox<Message<S>>>,
    reading: Arc<ReadingSlot>,
    /// The worker itself, for connections Python code on it opens.
    worker: Worker<S>,
    runtime: tokio::runtime::Handle,
    early_replies: RefCell<HashMap<u64, RpcResult>>,
    /// What the worker has served while Python code waited (frames of its
    /// connection, requests and replies handed to it): rpyc's `serve`
    /// says whether something came.
    served: Cell<u64>,
}

thread_local! {
    /// The queue of the worker this thread is (type-erased: a process may
    /// run workers of several backends).
    static QUEUE: RefCell<Option<Rc<dyn Any>>> = const { RefCell::new(None) };
}

static WAIT_IDS: AtomicU64 = AtomicU64::new(1);

impl<S: ObjectSpace> Worker<S> {
    /// Starts a worker thread inside `space`'s interpreter. Must be called
    /// from within a tokio runtime, on which replies are awaited.
    pub fn spawn(space: Arc<S>, name: String) -> std::io::Result<Worker<S>> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|e| std::io::Error::other(format!("a worker needs a tokio runtime: {e}")))?;
        let worker = Worker {
            mailbox: Arc::new(Mailbox::new()?),
            reading: Arc::new(ReadingSlot::default()),
            first_job: Arc::new(Mutex::new(None)),
        };
        let own = worker.clone();
        std::thread::Builder::new()
            .name(name)
            .stack_size(space.stack_size())
            .spawn(move || {
                // Replies and releases are sent from this thread: give it
                // the runtime context the I/O types need.
                let _runtime = runtime.enter();
                let queue = Rc::new(Queue::<S> {
                    mailbox: own.mailbox.clone(),
                    reading: own.reading.clone(),
                    worker: own,
                    runtime: runtime.clone(),
                    early_replies: RefCell::new(HashMap::new()),
                    served: Cell::new(0),
                });
                QUEUE.with(|q| *q.borrow_mut() = Some(queue.clone() as Rc<dyn Any>));
                // A connection that has asked for nothing yet costs a
                // thread, not an interpreter: one that connects and never
                // speaks (a port scan, a flood of bare connects) makes no
                // interpreter be built.
                if let Some(first) = wait_for_work(&queue) {
                    space.enter(Box::new(|vm| {
                        let mut messages = first.into_iter();
                        loop {
                            let message = match messages.next() {
                                Some(message) => message,
                                None => next_message(vm, &queue),
                            };
                            if !serve_message(vm, &queue, message) {
                                break;
                            }
                        }
                        // The connection has ended: its socket closes now, not
                        // after the interpreter is taken apart (rpyc's client
                        // waits for that end in `close()`). Its writer, on a
                        // runtime thread, sends the FIN; on a busy CPU it gets
                        // the CPU before the teardown's milliseconds, not after.
                        drop(queue.reading.end());
                        std::thread::yield_now();
                        if let Some(runtime) = S::remove_runtime(vm) {
                            runtime.clear(vm);
                        }
                    }));
                }
                queue.mailbox.close();
                drop(queue.reading.end());
                QUEUE.with(|q| q.borrow_mut().take());
            })?;
        Ok(worker)
    }

    /// Runs `hook` when the next job is queued: for a worker handed to a
    /// connection, when the connection first asks for something. (A pool
    /// of spare interpreters refills then, not for a connection that
    /// never speaks.)
    pub fn on_first_job(&self, hook: impl FnOnce() + Send + 'static) {
        if let Ok(mut slot) = self.first_job.lock() {
            *slot = Some(Box::new(hook));
        }
    }

    /// Loads classic mode's runtime into the worker's interpreter now (the
    /// support module, the `Netref` class, the modules every classic client
    /// asks for on connecting) rather than on the first requests: for a
    /// worker started before its connection arrives.
    pub fn prepare(&self) {
        self.send(Box::new(|vm| {
            let prepared = Runtime::<S>::get(vm).and_then(|rt| rt.call(vm, "prepare", Vec::new()));
            if let Err(e) = prepared {
                tracing::error!(
                    "cannot load classic mode into an interpreter: {}",
                    S::traceback_text(vm, &e)
                );
            }
        }));
    }

    /// Whether this worker reads `connection` itself, and holds its
    /// reading now (no thread Python started has borrowed it).
    pub(crate) fn reads(&self, connection: &oxrpc_rpyc::Connection) -> bool {
        self.reading
            .lock()
            .reading
            .as_ref()
            .is_some_and(|reading| reading.connection().same_as(connection))
    }

    /// Whether the current thread is this worker.
    pub(crate) fn is_current(&self) -> bool {
        current_queue::<S>().is_some_and(|queue| queue.worker.same_as(self))
    }

    /// Whether `other` is this same worker.
    pub(crate) fn same_as(&self, other: &Worker<S>) -> bool {
        Arc::ptr_eq(&self.mailbox, &other.mailbox)
    }

    /// Queues a job; false if the thread has gone.
    pub fn send(&self, job: Job<S>) -> bool {
        let posted = self.mailbox.post(Message::Run(job)).is_none();
        let hook = self.first_job.lock().ok().and_then(|mut slot| slot.take());
        if let Some(hook) = hook {
            hook();
        }
        posted
    }

    /// Queues a job that sets up or tears down a connection's state: on a
    /// worker whose interpreter is not built yet, it waits for the first
    /// job that needs one, and is dropped if none comes.
    pub(crate) fn send_housekeeping(&self, job: Job<S>) -> bool {
        self.mailbox.post(Message::Housekeeping(job)).is_none()
    }

    /// Has the thread read a connection it alone serves (see the module
    /// docs); gives the reading back if the thread has gone.
    pub fn adopt(&self, reading: Box<ThreadReading>) -> Result<(), Box<ThreadReading>> {
        match self.mailbox.post(Message::Adopt(reading)) {
            Some(Message::Adopt(reading)) => Err(reading),
            _ => Ok(()),
        }
    }

    /// Runs `f` on the worker and returns its result.
    pub fn run<T: Send + 'static>(
        &self,
        f: impl for<'a> FnOnce(S::Vm<'a>) -> T + Send + 'static,
    ) -> impl Future<Output = Result<T, RemoteException>> + Send + 'static {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let sent = self.send(Box::new(move |vm| {
            let _ = tx.send(f(vm));
        }));
        async move {
            if !sent {
                return Err(gone());
            }
            rx.await.map_err(|_| gone())
        }
    }

    /// Answers the request being served with what `f` computes on the
    /// worker, straight from the worker thread when the context allows it
    /// (no hop back through an async task).
    pub fn answer(
        &self,
        cx: &Context,
        f: impl for<'a> FnOnce(S::Vm<'a>) -> RpcResult + Send + 'static,
    ) -> Reply {
        match cx.responder() {
            Some(responder) => {
                // If the thread is gone the job, responder included, is
                // dropped here, and the responder answers with an error.
                self.send(Box::new(move |vm| {
                    let result = f(vm);
                    // Encoding the answer touches no Python object.
                    S::unlocked(vm, move || responder.send(result));
                }));
                Reply::Deferred
            }
            // Posted only once the request may wait (a refused one's
            // future is dropped unpolled, and holds nothing).
            None => {
                let worker = self.clone();
                Reply::pending(async move { worker.run(f).await? })
            }
        }
    }

    /// Stops the thread once the jobs queued before have run.
    pub fn stop(&self) {
        let _ = self.mailbox.post(Message::Stop);
    }

    /// Sends an object to the worker to be dropped there; when the thread
    /// has gone, [`ObjectSpace::discard`] decides.
    pub fn drop_object(&self, object: S::Object) {
        let slot = Arc::new(Mutex::new(Some(object)));
        let job_slot = slot.clone();
        let sent = self.send(Box::new(move |_| {
            if let Ok(mut slot) = job_slot.lock() {
                drop(slot.take());
            }
        }));
        if !sent {
            if let Some(object) = slot.lock().ok().and_then(|mut s| s.take()) {
                S::discard(object);
            }
        }
    }
}

/// Runs a job; a panic inside it ends that job only (its responder,
/// dropped while unwinding, answers the peer with an error) and the thread
/// goes on serving.
fn run_job<S: ObjectSpace>(job: Job<S>, vm: S::Vm<'_>) {
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(vm))).is_err() {
        tracing::error!("a job panicked on a classic-mode worker; the worker goes on");
    }
    // The job's answer is on its way: the peer's objects it let go of
    // may be released now.
    if let Some(rt) = S::runtime(vm) {
        rt.let_go_of_held_releases();
    }
}

fn gone() -> RemoteException {
    RemoteException::eof_error("the interpreter has stopped")
}

/// What a worker with no interpreter yet waits for: the housekeeping
/// queued so far and the first message that needs the interpreter, in
/// order; `None` if the worker is stopped first. Meanwhile it reads its
/// connection (which touches no Python object).
fn wait_for_work<S: ObjectSpace>(queue: &Queue<S>) -> Option<Vec<Message<S>>> {
    let mut held = Vec::new();
    loop {
        let mut reading = queue.reading.take();
        let message = queue.mailbox.take(&mut reading);
        if let Some(reading) = reading {
            queue.reading.put(reading);
        }
        match message {
            Message::Housekeeping(job) => held.push(Message::Housekeeping(job)),
            Message::Adopt(reading) => adopt(queue, reading),
            Message::Wake => {}
            Message::Stop => return None,
            needs_python @ (Message::Run(_) | Message::Reply(..)) => {
                held.push(needs_python);
                return Some(held);
            }
        }
    }
}

fn next_message<S: ObjectSpace>(vm: S::Vm<'_>, queue: &Queue<S>) -> Message<S> {
    // Absent while a thread Python started has borrowed it: that thread
    // serves the socket meanwhile, and posts `Wake` when it gives it back.
    let mut reading = queue.reading.take();
    let mailbox = &queue.mailbox;
    let (message, reading) = S::unlocked(vm, move || {
        let message = mailbox.take(&mut reading);
        (message, reading)
    });
    if let Some(reading) = reading {
        queue.reading.put(reading);
    }
    message
}

/// Starts reading a connection here. A worker reads one connection at
/// most; a second one (never sent: workers shared by connections are not
/// asked to read) goes back to a task.
fn adopt<S: ObjectSpace>(queue: &Queue<S>, reading: Box<ThreadReading>) {
    let mut slot = queue.reading.lock();
    match &slot.reading {
        None => slot.reading = Some(reading),
        Some(_) => {
            drop(slot);
            reading.read_on_task();
        }
    }
}

/// The worker the current thread is, if it is one.
pub(crate) fn current_worker<S: ObjectSpace>() -> Option<Worker<S>> {
    current_queue::<S>().map(|queue| queue.worker.clone())
}

fn current_queue<S: ObjectSpace>() -> Option<Rc<Queue<S>>> {
    QUEUE.with(|q| {
        q.borrow()
            .as_ref()
            .and_then(|any| any.clone().downcast::<Queue<S>>().ok())
    })
}

/// Blocks the current thread until `future` completes. On a worker thread,
/// runs the jobs that arrive meanwhile (nested requests); on any other
/// thread of the interpreter (one Python code started), waits with the
/// interpreter free for others, reading `worker`'s connection itself
/// while the worker does not (see [`ReadingSlot`]). `runtime` runs the
/// future there.
pub(crate) fn wait_for<S: ObjectSpace>(
    vm: S::Vm<'_>,
    runtime: &tokio::runtime::Handle,
    worker: &Worker<S>,
    future: impl Future<Output = RpcResult> + Send + 'static,
) -> RpcResult {
    let Some(queue) = current_queue::<S>() else {
        let (tx, rx) = mpsc::channel();
        runtime.spawn(async move {
            let _ = tx.send(future.await);
        });
        let worker = worker.clone();
        return S::unlocked(vm, move || wait_off_worker(&worker, &rx));
    };
    let id = WAIT_IDS.fetch_add(1, Ordering::Relaxed);
    let mailbox = queue.mailbox.clone();
    queue.runtime.spawn(async move {
        let result = future.await;
        let _ = mailbox.post(Message::Reply(id, result));
    });
    loop {
        if let Some(result) = queue.early_replies.borrow_mut().remove(&id) {
            return result;
        }
        match next_message(vm, &queue) {
            Message::Reply(got, result) if got == id => return result,
            other => {
                if !serve_message(vm, &queue, other) {
                    return Err(gone());
                }
            }
        }
    }
}

/// Serves, without waiting, what the current worker has: what its
/// connection has already sent, then the jobs and replies queued (rpyc's
/// `poll_all`); whether there was anything. Nothing on a thread that is
/// not a worker.
pub(crate) fn poll_all<S: ObjectSpace>(vm: S::Vm<'_>) -> bool {
    let Some(queue) = current_queue::<S>() else {
        return false;
    };
    let before = queue.served.get();
    loop {
        let mut reading = queue.reading.take();
        let (served, message) = queue.mailbox.try_take(&mut reading);
        if let Some(reading) = reading {
            queue.reading.put(reading);
        }
        if served {
            queue.served.set(queue.served.get() + 1);
        }
        let Some(message) = message else {
            break;
        };
        if !serve_message(vm, &queue, message) {
            break;
        }
    }
    queue.served.get() != before
}

/// Serves the current worker's connection and jobs until something has
/// been served (a frame of its connection, a request or a reply handed to
/// it) or `deadline`; whether something was (rpyc's `serve`). None on a
/// thread that is not a worker.
pub(crate) fn serve_one<S: ObjectSpace>(
    vm: S::Vm<'_>,
    deadline: Option<std::time::Instant>,
) -> Option<bool> {
    let queue = current_queue::<S>()?;
    let before = queue.served.get();
    serve_until::<S>(vm, || queue.served.get() != before, deadline)
}

/// Handles `message`, in the worker's loop or taken while waiting for
/// something else: runs a job, keeps a reply for its waiter, reads a
/// connection handed over. False for `Stop`, posted again so that an
/// outer wait, and then the worker's own loop, stop too.
fn serve_message<S: ObjectSpace>(vm: S::Vm<'_>, queue: &Queue<S>, message: Message<S>) -> bool {
    match message {
        Message::Run(job) => {
            run_job::<S>(job, vm);
            queue.served.set(queue.served.get() + 1);
        }
        Message::Housekeeping(job) => run_job::<S>(job, vm),
        Message::Reply(id, result) => {
            queue.early_replies.borrow_mut().insert(id, result);
            queue.served.set(queue.served.get() + 1);
        }
        Message::Adopt(reading) => adopt(queue, reading),
        Message::Wake => {}
        Message::Stop => {
            let _ = queue.mailbox.post(Message::Stop);
            return false;
        }
    }
    true
}

/// Serves the current worker's connection and jobs until `done()` or
/// `deadline`, and says whether `done()`; None on a thread that is not a
/// worker. For a wait that ends with a frame this worker reads or a job
/// posted to it (an asynchronous request's reply): unlike [`wait_for`], no
/// task on the runtime stands between the reply and this thread.
pub(crate) fn serve_until<S: ObjectSpace>(
    vm: S::Vm<'_>,
    done: impl Fn() -> bool,
    deadline: Option<std::time::Instant>,
) -> Option<bool> {
    let queue = current_queue::<S>()?;
    loop {
        if done() {
            return Some(true);
        }
        let mut reading = queue.reading.take();
        // A thread Python started has borrowed the reading: what it reads
        // may be what this waits for, and nobody says so. Look again soon.
        let until = match reading {
            Some(_) => deadline,
            None => {
                let soon = std::time::Instant::now() + BORROWED_WAIT;
                Some(deadline.map_or(soon, |deadline| deadline.min(soon)))
            }
        };
        let mailbox = &queue.mailbox;
        let (taken, reading) = S::unlocked(vm, move || {
            let taken = mailbox.take_until(&mut reading, until);
            (taken, reading)
        });
        if let Some(reading) = reading {
            queue.reading.put(reading);
        }
        match taken {
            Taken::Served => queue.served.set(queue.served.get() + 1),
            Taken::TimedOut if until == deadline => return Some(done()),
            Taken::TimedOut => {}
            Taken::Message(message) => {
                if !serve_message(vm, &queue, message) {
                    return Some(done());
                }
            }
        }
    }
}

/// How long a thread that borrowed the worker's reading waits on the
/// socket before it looks whether its answer came another way, and how
/// long one that could not borrow it waits before trying again.
const BORROWED_WAIT: std::time::Duration = std::time::Duration::from_millis(20);

/// A thread other than the worker waits for the answer `rx` brings: it
/// reads the connection while the worker does not (the worker may be
/// waiting for this very thread), and gives the reading back once the
/// answer is in. Requests it reads meanwhile go to the worker as jobs.
fn wait_off_worker<S: ObjectSpace>(
    worker: &Worker<S>,
    rx: &mpsc::Receiver<RpcResult>,
) -> RpcResult {
    loop {
        let Some(mut reading) = worker.reading.take() else {
            match rx.recv_timeout(BORROWED_WAIT) {
                Ok(result) => return result,
                Err(mpsc::RecvTimeoutError::Disconnected) => return Err(gone()),
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
            }
        };
        // Nothing but the socket and the time limit ends this wait.
        let Ok(wake) = oxrpc_rpyc::Wakeup::new() else {
            give_back(worker, reading);
            return rx.recv().unwrap_or_else(|_| Err(gone()));
        };
        let result = loop {
            match rx.try_recv() {
                Ok(result) => break result,
                Err(mpsc::TryRecvError::Disconnected) => break Err(gone()),
                Err(mpsc::TryRecvError::Empty) => {}
            }
            if reading.wait_at_most(&wake, BORROWED_WAIT) && !reading.serve() {
                // The connection has ended; the answer says so.
                drop(reading);
                return rx.recv().unwrap_or_else(|_| Err(gone()));
            }
        };
        give_back(worker, reading);
        return result;
    }
}

/// Returns a borrowed reading to the worker, and wakes it to wait on the
/// socket again.
fn give_back<S: ObjectSpace>(worker: &Worker<S>, reading: Box<ThreadReading>) {
    if worker.reading.put(reading) {
        let _ = worker.mailbox.post(Message::Wake);
    }
}
