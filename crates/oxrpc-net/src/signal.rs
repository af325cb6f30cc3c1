//! The signals that ask a server to stop.

/// Resolves once Ctrl-C (SIGINT) or, on Unix, SIGTERM arrives: how a
/// terminal and a service manager ask a server to stop. Pass it as the
/// `shutdown` future of [`crate::serve`] for a graceful stop.
pub async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
}
