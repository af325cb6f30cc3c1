//! A worker's mailbox: the queue its jobs and replies wait in, and how a
//! sender wakes the worker — a condition variable while it waits for work
//! alone, a byte on a wake-up socket while it also waits on its
//! connection's socket (`poll` cannot wait on a condition variable). A
//! sender wakes it only when it waits, so work a worker posts to itself
//! (requests it decodes) costs no system call.

use oxrpc_rpyc::ThreadReading;
use std::collections::VecDeque;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::{Condvar, Mutex, MutexGuard};

/// How the worker thread waits, when it does: senders wake it that way.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Waiting {
    No,
    OnCondvar,
    /// In `poll` on its connection's socket and `wake_rx`.
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
    /// A byte written here wakes a worker waiting on its socket.
    wake_tx: UnixStream,
}

impl<T> Mailbox<T> {
    /// An empty mailbox, and the receiving end of its wake-up socket (for
    /// the worker thread).
    pub(crate) fn new() -> std::io::Result<(Mailbox<T>, UnixStream)> {
        let (wake_tx, wake_rx) = UnixStream::pair()?;
        wake_tx.set_nonblocking(true)?;
        wake_rx.set_nonblocking(true)?;
        let mailbox = Mailbox {
            mail: Mutex::new(Mail {
                messages: VecDeque::new(),
                waiting: Waiting::No,
                ended: false,
            }),
            posted: Condvar::new(),
            wake_tx,
        };
        Ok((mailbox, wake_rx))
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
            // A full buffer means a wake-up is already pending.
            Waiting::OnSocket => drop((&self.wake_tx).write(&[1])),
        }
        None
    }

    /// The next message; until one comes, serves the connection `reading`
    /// (if any) as the peer sends. Touches no Python object.
    pub(crate) fn take(&self, reading: &mut Option<Box<ThreadReading>>, wake_rx: &UnixStream) -> T {
        loop {
            let mut mail = self.lock();
            if let Some(message) = mail.messages.pop_front() {
                return message;
            }
            let Some(connection) = reading else {
                mail.waiting = Waiting::OnCondvar;
                while mail.messages.is_empty() {
                    mail = self.posted.wait(mail).unwrap_or_else(|p| p.into_inner());
                }
                mail.waiting = Waiting::No;
                continue;
            };
            mail.waiting = Waiting::OnSocket;
            drop(mail);
            let has_work = connection.wait(wake_rx);
            {
                // A poster that saw `OnSocket` wrote a byte and set `No`:
                // take the byte, under the lock, so none is left for next
                // time (and read nothing when nobody wrote).
                let mut mail = self.lock();
                if mail.waiting == Waiting::No {
                    let mut bytes = [0u8; 64];
                    while matches!((&*wake_rx).read(&mut bytes), Ok(n) if n > 0) {}
                }
                mail.waiting = Waiting::No;
            }
            if has_work && !connection.serve() {
                *reading = None;
            }
        }
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
