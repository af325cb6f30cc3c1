//! Freeing a large result once its response has left.
//!
//! A result of thousands of parts (the 108 KB struct echo is ~2,400
//! allocations) takes microseconds to free. Freed where the encoding ends,
//! that time sits between the request's last byte and the response's
//! first, and the client waits for it. Handed to a task of its own, it is
//! freed once the connection's task yields — after the response is
//! written — while the client reads it. For that echo at one connection,
//! the time from a request's last read to its response's write went from
//! 113–119 to 106–112 µs (p50 of one-second traces, five pairs).
//!
//! Each task holds one result of a finished request and runs as soon as
//! the runtime gets to it, so what waits to be freed is at most a result
//! per connection that has just been answered.
//!
//! Results too large for a runtime thread (encoded on the blocking pool,
//! over [`crate::budget::SMALL`]) are freed on the blocking pool too, as
//! before, but beside the response's write rather than before it: freeing
//! megabytes of parts on a runtime thread would hold up every connection
//! served there.

use crate::value::Value;

/// Containers whose encoding is at least this large are freed after the
/// reply; anything else is freed at once (a task costs more than freeing a
/// few allocations, and a long string is one).
const FREE_LATER_FROM: usize = 16 * 1024;

/// Frees `result`, whose response takes `encoded_size` bytes: after the
/// calling task next yields when it is a large array or struct, at once
/// otherwise.
pub(crate) fn free_after_reply(result: Value, encoded_size: usize) {
    if is_many_parts(&result, encoded_size) {
        free_later(result);
    }
}

/// Whether freeing `value` is worth a task of its own.
fn is_many_parts(value: &Value, encoded_size: usize) -> bool {
    encoded_size >= FREE_LATER_FROM && matches!(value, Value::Array(_) | Value::Struct(_))
}

/// Drops `value` on a task of its own (at once when no runtime runs here).
fn free_later<T: Send + 'static>(value: T) {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move { drop(value) });
    }
}

/// Frees `result` on the blocking pool, starting now (at once when no
/// runtime runs here).
pub(crate) fn free_on_blocking_pool<T: Send + 'static>(result: T) {
    if tokio::runtime::Handle::try_current().is_ok() {
        // Detached: nothing waits for the free.
        drop(tokio::task::spawn_blocking(move || drop(result)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    /// Records when it is dropped.
    struct Watched(Arc<AtomicBool>);

    impl Drop for Watched {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    fn watched() -> (Watched, Arc<AtomicBool>) {
        let dropped = Arc::new(AtomicBool::new(false));
        (Watched(dropped.clone()), dropped)
    }

    #[tokio::test(flavor = "current_thread")]
    async fn what_is_freed_later_is_freed_once_the_task_yields() {
        let (result, dropped) = watched();
        free_later(result);
        assert!(!dropped.load(Ordering::SeqCst), "freed before the reply");
        tokio::task::yield_now().await;
        assert!(dropped.load(Ordering::SeqCst), "not freed after the reply");
    }

    #[test]
    fn without_a_runtime_it_is_freed_at_once() {
        let (result, dropped) = watched();
        free_later(result);
        assert!(dropped.load(Ordering::SeqCst));
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_result_for_the_blocking_pool_is_freed_there() {
        let (sender, freed_on) = std::sync::mpsc::channel();
        struct Reported(std::sync::mpsc::Sender<std::thread::ThreadId>);
        impl Drop for Reported {
            fn drop(&mut self) {
                let _ = self.0.send(std::thread::current().id());
            }
        }
        // Reports the thread that frees it.
        free_on_blocking_pool(Reported(sender));
        let thread = tokio::task::spawn_blocking(move || {
            freed_on.recv_timeout(std::time::Duration::from_secs(10))
        })
        .await
        .unwrap()
        .expect("never freed");
        assert_ne!(
            thread,
            std::thread::current().id(),
            "freed on the runtime's thread"
        );
    }

    #[test]
    fn only_large_containers_wait() {
        let many = Value::Array(vec![Value::Int(1); 2_000]);
        assert!(is_many_parts(&many, FREE_LATER_FROM));
        assert!(!is_many_parts(&many, FREE_LATER_FROM - 1));
        let members = crate::Struct::from_iter([("a".to_string(), Value::Nil)]);
        assert!(is_many_parts(&Value::Struct(members), 20_000));
        // One allocation, however long: freed at once.
        assert!(!is_many_parts(&Value::String("x".repeat(100_000)), 100_000));
        assert!(!is_many_parts(&Value::Base64(vec![0; 100_000]), 140_000));
    }
}
