//! A worker's mailbox: the queue its jobs and replies wait in, and how a
//! sender wakes the worker — a condition variable while it waits for work
//! alone, a byte on a wake-up socket while it also waits on its
//! connection's socket (`poll` cannot wait on a condition variable). A
//! sender wakes it only when it waits, so work a worker posts to itself
//! (requests it decodes) costs no system call.

use oxrpc_rpyc::{ThreadReading, Wakeup};
use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Most reads of the connection [`Mailbox::try_take`] serves at once.
const MOST_READS_PER_POLL: usize = 64;

/// What [`Mailbox::take_until`] came back with.
pub(crate) enum Taken<T> {
    Message(T),
    /// It served what the connection sent.
    Served,
    /// The deadline passed.
    TimedOut,
}

/// How the worker thread waits, when it does: senders wake it that way.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Waiting {
    No,
    OnCondvar,
    /// In `poll` on its connection's socket and the wake-up.
    OnSocket,
}

struct Mail<T> {
    messages: VecDeque<T>,
    waiting: Waiting,
    /// The thread has stopped: nothing more is taken.
    ended: bool,
}

/// A worker's queue of messages, and the ways to wake it.
pub(crate) struct Mailbox<T> {
    mail: Mutex<Mail<T>>,
    posted: Condvar,
    /// Wakes a worker waiting on its socket.
    wakeup: Wakeup,
}

impl<T> Mailbox<T> {
    /// An empty mailbox.
    pub(crate) fn new() -> std::io::Result<Mailbox<T>> {
        Ok(Mailbox {
            mail: Mutex::new(Mail {
                messages: VecDeque::new(),
                waiting: Waiting::No,
                ended: false,
            }),
            posted: Condvar::new(),
            wakeup: Wakeup::new()?,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Mail<T>> {
        self.mail.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues `message`, waking the thread if it waits; gives the message
    /// back (`Some`) if the thread has stopped.
    pub(crate) fn post(&self, message: T) -> Option<T> {
        let mut mail = self.lock();
        if mail.ended {
            return Some(message);
        }
        mail.messages.push_back(message);
        match std::mem::replace(&mut mail.waiting, Waiting::No) {
            Waiting::No => {}
            Waiting::OnCondvar => self.posted.notify_one(),
            Waiting::OnSocket => self.wakeup.wake(),
        }
        None
    }

    /// The next message; until one comes, serves the connection `reading`
    /// (if any) as the peer sends. Touches no Python object.
    pub(crate) fn take(&self, reading: &mut Option<Box<ThreadReading>>) -> T {
        loop {
            if let Taken::Message(message) = self.take_until(reading, None) {
                return message;
            }
        }
    }

    /// The next message, or [`Taken::Served`] once it has served what the
    /// connection `reading` sent (the caller looks whether that was what it
    /// waits for), or [`Taken::TimedOut`] at `deadline`.
    pub(crate) fn take_until(
        &self,
        reading: &mut Option<Box<ThreadReading>>,
        deadline: Option<Instant>,
    ) -> Taken<T> {
        loop {
            let mut mail = self.lock();
            if let Some(message) = mail.messages.pop_front() {
                return Taken::Message(message);
            }
            let left = match deadline {
                Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => Some(left),
                    _ => return Taken::TimedOut,
                },
                None => None,
            };
            let Some(connection) = reading else {
                mail.waiting = Waiting::OnCondvar;
                mail = match left {
                    Some(left) => {
                        self.posted
                            .wait_timeout(mail, left)
                            .unwrap_or_else(|p| p.into_inner())
                            .0
                    }
                    None => self.posted.wait(mail).unwrap_or_else(|p| p.into_inner()),
                };
                mail.waiting = Waiting::No;
                continue;
            };
            mail.waiting = Waiting::OnSocket;
            drop(mail);
            let has_work = match left {
                Some(left) => connection.wait_at_most(&self.wakeup, left),
                None => connection.wait(&self.wakeup),
            };
            {
                // A poster that saw `OnSocket` wrote a byte and set `No`:
                // take the byte, under the lock, so none is left for next
                // time (and read nothing when nobody wrote).
                let mut mail = self.lock();
                if mail.waiting == Waiting::No {
                    self.wakeup.drain();
                }
                mail.waiting = Waiting::No;
            }
            if has_work {
                if !connection.serve() {
                    *reading = None;
                }
                return Taken::Served;
            }
        }
    }

    /// The next message if one is queued, after serving what the
    /// connection `reading` (if any) has already sent; never blocks. Also
    /// says whether the connection had sent anything.
    pub(crate) fn try_take(&self, reading: &mut Option<Box<ThreadReading>>) -> (bool, Option<T>) {
        let mut served = false;
        if let Some(connection) = reading {
            // What is there now, not a peer that keeps sending.
            for _ in 0..MOST_READS_PER_POLL {
                if !connection.wait_at_most(&self.wakeup, Duration::ZERO) {
                    break;
                }
                served = true;
                if !connection.serve() {
                    *reading = None;
                    break;
                }
            }
        }
        (served, self.lock().messages.pop_front())
    }

    /// The thread stops: what is still queued is dropped.
    pub(crate) fn close(&self) {
        let left = {
            let mut mail = self.lock();
            mail.ended = true;
            std::mem::take(&mut mail.messages)
        };
        drop(left);
    }
}
