//! The signal that tells a connection the server is shutting down.

use tokio::sync::watch;

/// A connection's view of the server's shutdown (mini-redis's `Shutdown`):
/// cheap to clone, and [`Shutdown::requested`] resolves once the server
/// stops accepting. A connection that sees it should finish what it is
/// doing and close; the server waits for that, up to its grace period.
#[derive(Debug, Clone)]
pub struct Shutdown {
    rx: watch::Receiver<bool>,
}

impl Shutdown {
    pub(crate) fn new(rx: watch::Receiver<bool>) -> Shutdown {
        Shutdown { rx }
    }

    /// A signal that never fires (a connection served outside any server).
    pub fn never() -> Shutdown {
        let (tx, rx) = watch::channel(false);
        // Keep the sender alive for the life of the process: `requested`
        // then waits forever instead of seeing a closed channel.
        std::mem::forget(tx);
        Shutdown { rx }
    }

    /// Whether shutdown has started.
    pub fn is_requested(&self) -> bool {
        *self.rx.borrow()
    }

    /// Resolves once shutdown has started.
    pub async fn requested(&mut self) {
        while !*self.rx.borrow_and_update() {
            if self.rx.changed().await.is_err() {
                return;
            }
        }
    }
}
