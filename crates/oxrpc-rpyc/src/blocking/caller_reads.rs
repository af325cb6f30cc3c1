//! Blocking calls that read their own replies.
//!
//! A blocking call over a connection read by a task wakes two threads per
//! reply: the runtime's, to read it, then the caller's, to return it. rpyc's
//! `sync_request` has the calling thread read the socket itself while it
//! waits, and so does [`CallerReads::block_on`]: it polls the call's future
//! on the calling thread and, while the future waits, that thread waits on
//! the socket and serves what arrives ([`ThreadReading`]) — its own reply,
//! others' replies, requests the server nests inside the call. One thread
//! reads at a time; other callers park until their reply is in or the
//! reading is free. Whatever the future waits on besides the socket (a
//! timeout, a task) wakes it through a wake-up socket the reader polls too.
//!
//! Between calls nobody waits on the socket, so an *idle reader* thread
//! takes the reading once no call has run for [`IDLE_GRACE`]: requests the
//! server makes on its own (a callback from a thread of its) are served
//! then too, and a caller that comes back asks for the reading back.
//!
//! Requests the server nests inside a call are served on the calling
//! thread, so a handler of our service must not itself make a blocking
//! call on the same connection (the thread that would read its reply is
//! busy running it): such a call ends with a timeout. Handlers that call
//! back use the async API (`Function::new_async`), as they had to before.

use crate::core::ThreadReading;
use oxrpc_net::Wakeup;
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;
use std::time::{Duration, Instant};

/// How long the connection goes without calls before the idle reader
/// takes the reading.
const IDLE_GRACE: Duration = Duration::from_millis(20);

/// How often the idle reader looks while calls are being made (it sleeps
/// in `poll` once it holds the reading).
const IDLE_CHECK: Duration = Duration::from_millis(50);

/// The longest a caller without the reading parks before looking again
/// (wake-ups are not lost, but a connection that ended wakes nobody).
const PARK_LIMIT: Duration = Duration::from_millis(50);

struct Shared {
    /// The reading, when nobody holds it; `None` while a caller or the
    /// idle reader does, or for good once the connection has ended (or
    /// when a task reads it: streams that are not plain sockets).
    reading: Option<Box<ThreadReading>>,
    /// The idle reader holds the reading.
    idle_reading: bool,
    /// A caller asked the idle reader for the reading back.
    wanted: bool,
    /// Callers inside `block_on`.
    callers: usize,
    /// When the last caller left.
    last_call: Instant,
    /// Callers waiting without the reading.
    parked: Vec<Thread>,
}

/// The reading of one blocking connection, shared by its callers.
pub(crate) struct CallerReads {
    shared: Mutex<Shared>,
    /// Wakes the thread waiting on the socket (a caller, or the idle
    /// reader).
    wakeup: Arc<Wakeup>,
}

impl Drop for CallerReads {
    /// The idle reader, which holds only a weak reference, wakes and ends.
    fn drop(&mut self) {
        self.wakeup.wake();
    }
}

/// Wakes one `block_on`: a byte on the wake-up socket while its thread
/// waits on the socket, an unpark otherwise.
struct Signal {
    woken: AtomicBool,
    /// Its thread is in `poll` on the connection's socket.
    polling: AtomicBool,
    /// A byte went to the wake-up socket.
    wrote: AtomicBool,
    thread: Thread,
    wakeup: Arc<Wakeup>,
}

impl Wake for Signal {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, SeqCst);
        if self.polling.load(SeqCst) {
            self.wrote.store(true, SeqCst);
            self.wakeup.wake();
        } else {
            // Free when the thread is not parked.
            self.thread.unpark();
        }
    }
}

impl CallerReads {
    /// Shares `reading` (if any: `None` when a task reads the connection)
    /// among the callers, and starts the idle reader.
    pub(crate) fn new(
        reading: Option<Box<ThreadReading>>,
        runtime: tokio::runtime::Handle,
    ) -> std::io::Result<Arc<CallerReads>> {
        let has_reading = reading.is_some();
        let reads = Arc::new(CallerReads {
            shared: Mutex::new(Shared {
                reading,
                idle_reading: false,
                wanted: false,
                callers: 0,
                last_call: Instant::now(),
                parked: Vec::new(),
            }),
            wakeup: Arc::new(Wakeup::new()?),
        });
        if has_reading {
            let weak = Arc::downgrade(&reads);
            let idle_wake = reads.wakeup.clone();
            std::thread::Builder::new()
                .name("oxrpc-idle-reader".into())
                .spawn(move || {
                    // Requests it serves may start tasks (async handlers).
                    let _context = runtime.enter();
                    idle_reader(weak, idle_wake)
                })?;
        }
        Ok(reads)
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `future` to completion on this thread, reading the connection
    /// while it waits (see the module docs). `runtime` is where timers and
    /// I/O the future uses are driven.
    pub(crate) fn block_on<F: Future>(
        &self,
        runtime: &tokio::runtime::Runtime,
        future: F,
    ) -> F::Output {
        let _context = runtime.enter();
        let signal = Arc::new(Signal {
            woken: AtomicBool::new(true),
            polling: AtomicBool::new(false),
            wrote: AtomicBool::new(false),
            thread: std::thread::current(),
            wakeup: self.wakeup.clone(),
        });
        let waker = Waker::from(signal.clone());
        let mut cx = Context::from_waker(&waker);
        let mut future = pin!(future);
        let _caller = Caller::enter(self);
        loop {
            if signal.woken.swap(false, SeqCst) {
                if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                    return output;
                }
            }
            self.wait(&signal);
        }
    }

    /// Waits until `signal` is woken, reading the connection meanwhile if
    /// nobody else is.
    fn wait(&self, signal: &Signal) {
        let mut reading = {
            let mut shared = self.lock();
            match shared.reading.take() {
                Some(reading) => reading,
                None => {
                    if shared.idle_reading && !shared.wanted {
                        shared.wanted = true;
                        self.wakeup.wake();
                    }
                    shared.parked.push(signal.thread.clone());
                    drop(shared);
                    if !signal.woken.load(SeqCst) {
                        std::thread::park_timeout(PARK_LIMIT);
                    }
                    return;
                }
            }
        };
        signal.polling.store(true, SeqCst);
        let has_work = !signal.woken.load(SeqCst) && reading.wait(&*self.wakeup);
        signal.polling.store(false, SeqCst);
        // A waker that saw `polling` wrote (or is writing) a byte. One that
        // raced the store above may not have said so yet: whenever the wait
        // did not end for the socket, the byte may be what ended it, so it
        // is read too, or the next wait would end at once, and the next.
        if signal.wrote.swap(false, SeqCst) || !has_work {
            self.wakeup.drain();
        }
        let alive = !has_work || reading.serve();
        self.put_back(alive.then_some(reading));
    }

    /// Returns the reading (`None`: the connection has ended) and lets the
    /// parked callers look again.
    fn put_back(&self, reading: Option<Box<ThreadReading>>) {
        let parked = {
            let mut shared = self.lock();
            shared.reading = reading;
            std::mem::take(&mut shared.parked)
        };
        for thread in parked {
            thread.unpark();
        }
    }
}

/// A caller inside `block_on`, counted for as long as it lives (however
/// the call ends), so the idle reader stays away meanwhile.
struct Caller<'a>(&'a CallerReads);

impl<'a> Caller<'a> {
    fn enter(reads: &'a CallerReads) -> Caller<'a> {
        reads.lock().callers += 1;
        Caller(reads)
    }
}

impl Drop for Caller<'_> {
    fn drop(&mut self) {
        let mut shared = self.0.lock();
        shared.callers -= 1;
        shared.last_call = Instant::now();
    }
}

/// The idle reader (see the module docs): holds only a weak reference, so
/// the reading (and the connection) go when the last blocking handle does.
fn idle_reader(reads: Weak<CallerReads>, wakeup: Arc<Wakeup>) {
    loop {
        std::thread::sleep(IDLE_CHECK);
        let Some(me) = reads.upgrade() else { return };
        let mut reading = {
            let mut shared = me.lock();
            if shared.callers > 0 || shared.last_call.elapsed() < IDLE_GRACE {
                continue;
            }
            // No caller holds it (none is inside `block_on`), so a reading
            // that is not here is gone: the connection has ended.
            let Some(reading) = shared.reading.take() else {
                return;
            };
            shared.idle_reading = true;
            reading
        };
        drop(me);
        // Serve until a caller wants the reading back, the connection
        // ends, or the last handle goes (its drop wakes this thread).
        let alive = loop {
            let has_work = reading.wait(&*wakeup);
            let Some(me) = reads.upgrade() else { return };
            {
                let mut shared = me.lock();
                wakeup.drain();
                if shared.wanted {
                    shared.wanted = false;
                    break true;
                }
            }
            if has_work && !reading.serve() {
                break false;
            }
        };
        let Some(me) = reads.upgrade() else { return };
        me.lock().idle_reading = false;
        me.put_back(alive.then_some(reading));
        if !alive {
            return;
        }
    }
}
