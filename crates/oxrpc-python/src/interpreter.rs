//! One embedded interpreter per connection, on its own thread.
//!
//! The interpreter is not shareable across threads, so every operation on
//! its objects is a job sent to that thread. The subtle part is nesting:
//! Python code running a job may call an object of the peer (a callback);
//! the job then blocks on [`wait_for`], and while it waits the thread keeps
//! running the jobs that arrive — among them the requests the peer nests
//! inside that callback, which need this same interpreter. Replies are
//! delivered as messages on the same queue, so one loop serves both and
//! nothing deadlocks however deep the nesting goes.

use oxrpc_rpyc::{RemoteException, RpcResult};
use rustpython_vm::VirtualMachine;
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

/// Work for the interpreter thread.
pub(crate) type Job = Box<dyn FnOnce(&VirtualMachine) + Send>;

pub(crate) enum Message {
    Run(Job),
    Reply(u64, RpcResult),
    Stop,
}

/// A handle to an interpreter thread. Cheap to clone.
#[derive(Clone)]
pub struct Interpreter {
    tx: mpsc::Sender<Message>,
    runtime: tokio::runtime::Handle,
}

struct Queue {
    rx: mpsc::Receiver<Message>,
    early_replies: HashMap<u64, RpcResult>,
}

thread_local! {
    static QUEUE: RefCell<Option<Queue>> = const { RefCell::new(None) };
    static CURRENT: RefCell<Option<Interpreter>> = const { RefCell::new(None) };
}

static WAIT_IDS: AtomicU64 = AtomicU64::new(1);

impl Interpreter {
    /// Starts an interpreter thread. `init` runs first on it (to install
    /// helpers); jobs sent meanwhile wait in the queue. Must be called from
    /// within a tokio runtime, which replies are awaited on.
    pub fn spawn(
        name: String,
        init: impl FnOnce(&VirtualMachine) + Send + 'static,
    ) -> std::io::Result<Interpreter> {
        let (tx, rx) = mpsc::channel();
        let handle = Interpreter {
            tx,
            runtime: tokio::runtime::Handle::current(),
        };
        let thread_handle = handle.clone();
        let runtime = handle.runtime.clone();
        std::thread::Builder::new()
            .name(name)
            .stack_size(64 << 20)
            .spawn(move || {
                // Replies are written from this thread: give it the runtime
                // context the I/O types need.
                let _runtime = runtime.enter();
                use rustpython::InterpreterBuilderExt;
                // Signal dispositions belong to the server process. An
                // interpreter that installs its handlers briefly sets every
                // signal to SIG_IGN to read the old one; two starting at
                // once can leave the process ignoring SIGTERM for good.
                let mut settings = rustpython_vm::Settings::default();
                settings.install_signal_handlers = false;
                let interpreter = rustpython_vm::Interpreter::builder(settings)
                    .init_stdlib()
                    .build();
                QUEUE.with(|q| {
                    *q.borrow_mut() = Some(Queue {
                        rx,
                        early_replies: HashMap::new(),
                    })
                });
                CURRENT.with(|c| *c.borrow_mut() = Some(thread_handle));
                interpreter.enter(|vm| {
                    init(vm);
                    while let Some(message) = next_message() {
                        match message {
                            Message::Run(job) => run_job(job, vm),
                            Message::Reply(id, result) => stash(id, result),
                            Message::Stop => break,
                        }
                    }
                });
                CURRENT.with(|c| c.borrow_mut().take());
                QUEUE.with(|q| q.borrow_mut().take());
            })?;
        Ok(handle)
    }

    /// The interpreter whose thread this is, if any.
    pub(crate) fn current() -> Option<Interpreter> {
        CURRENT.with(|c| c.borrow().clone())
    }

    /// Sends a job; false if the thread has gone.
    pub(crate) fn send(&self, job: Job) -> bool {
        self.tx.send(Message::Run(job)).is_ok()
    }

    /// Runs `f` on the interpreter thread and returns its result.
    pub fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&VirtualMachine) -> T + Send + 'static,
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
    /// interpreter thread, straight from that thread (no hop back through an
    /// async task) when the context allows it.
    pub(crate) fn answer(
        &self,
        cx: &oxrpc_rpyc::Context,
        f: impl FnOnce(&VirtualMachine) -> RpcResult + Send + 'static,
    ) -> oxrpc_rpyc::Reply {
        match cx.responder() {
            Some(responder) => {
                // If the thread is gone the job, responder included, is
                // dropped here, and the responder answers with an error.
                self.send(Box::new(move |vm| responder.send(f(vm))));
                oxrpc_rpyc::Reply::Deferred
            }
            None => {
                let job = self.run(f);
                oxrpc_rpyc::Reply::pending(async move { job.await? })
            }
        }
    }

    /// Stops the thread once the jobs queued before have run. Objects of
    /// the interpreter still held elsewhere are then leaked, never dropped
    /// off their thread.
    pub fn stop(&self) {
        let _ = self.tx.send(Message::Stop);
    }

    /// Sends a value to the interpreter thread to be dropped there; if the
    /// thread has gone, leaks it instead (a Python object must not be
    /// finalised without its interpreter).
    pub(crate) fn drop_on_thread<T: Send + 'static>(&self, value: T) {
        if let Err(mpsc::SendError(message)) =
            self.tx.send(Message::Run(Box::new(move |_| drop(value))))
        {
            std::mem::forget(message);
        }
    }
}

/// Runs a job; a panic inside the interpreter ends that job only (its
/// responder, dropped while unwinding, answers the peer with an error) and
/// the thread goes on serving.
fn run_job(job: Job, vm: &VirtualMachine) {
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(vm))).is_err() {
        tracing::error!("a job panicked on the interpreter thread; the thread goes on");
    }
}

fn gone() -> RemoteException {
    RemoteException::eof_error("the interpreter has stopped")
}

fn next_message() -> Option<Message> {
    // The borrow ends before the message is handled: handling may recurse.
    QUEUE.with(|q| {
        let queue = q.borrow();
        let queue = queue.as_ref()?;
        queue.rx.recv().ok()
    })
}

fn stash(id: u64, result: RpcResult) {
    QUEUE.with(|q| {
        if let Some(queue) = q.borrow_mut().as_mut() {
            queue.early_replies.insert(id, result);
        }
    });
}

fn take_stashed(id: u64) -> Option<RpcResult> {
    QUEUE.with(|q| q.borrow_mut().as_mut()?.early_replies.remove(&id))
}

/// Blocks the interpreter thread until `future` completes, running queued
/// jobs (nested requests) meanwhile. Only call it on an interpreter thread.
pub(crate) fn wait_for(
    vm: &VirtualMachine,
    future: impl Future<Output = RpcResult> + Send + 'static,
) -> RpcResult {
    let Some(interpreter) = Interpreter::current() else {
        return Err(RemoteException::runtime_error(
            "not on an interpreter thread",
        ));
    };
    let id = WAIT_IDS.fetch_add(1, Ordering::Relaxed);
    let tx = interpreter.tx.clone();
    interpreter.runtime.spawn(async move {
        let result = future.await;
        let _ = tx.send(Message::Reply(id, result));
    });
    loop {
        if let Some(result) = take_stashed(id) {
            return result;
        }
        match next_message() {
            Some(Message::Run(job)) => run_job(job, vm),
            Some(Message::Reply(got, result)) if got == id => return result,
            Some(Message::Reply(other, result)) => stash(other, result),
            Some(Message::Stop) | None => return Err(gone()),
        }
    }
}
