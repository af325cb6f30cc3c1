//! The signals that ask a server to stop.

/// Resolves once Ctrl-C (SIGINT) or, on Unix, SIGTERM arrives: how a
/// terminal and a service manager ask a server to stop. Pass it as the
/// `shutdown` future of [`crate::serve`] for a graceful stop.
///
/// A process started with SIGINT ignored (a background job of a script)
/// keeps ignoring it, as CPython and POSIX's conventions do: the
/// terminal's Ctrl-C is not meant for it. SIGTERM still stops it.
pub async fn shutdown_signal() {
    let interrupt = async {
        if interrupt_ignored_at_start() {
            std::future::pending::<()>().await;
        }
        let _ = tokio::signal::ctrl_c().await;
    };
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

/// Whether SIGINT was ignored when this process first asked, before any
/// handler of ours was installed (Linux's `/proc/self/status` tells,
/// without unsafe code; elsewhere, never).
fn interrupt_ignored_at_start() -> bool {
    static IGNORED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *IGNORED.get_or_init(|| {
        const SIGINT: u32 = 2;
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|status| {
                let mask = status.lines().find_map(|l| l.strip_prefix("SigIgn:"))?;
                u64::from_str_radix(mask.trim(), 16).ok()
            })
            .is_some_and(|ignored| ignored & (1 << (SIGINT - 1)) != 0)
    })
}
