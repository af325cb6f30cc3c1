//! `--otlp URL`: the servers' per-call spans exported to an OpenTelemetry
//! collector over OTLP/HTTP (protobuf), as the service `oxrpc`.
//!
//! Every request a server answers is an `rpc` span (protocol, peer,
//! connection, seq, handler, method) and every call it makes into its peer
//! while serving is an `rpc.out` span inside it, so a collector shows one
//! call from arrival to reply with its callbacks nested. The export is
//! batched on a thread of its own and flushed when the command ends.
//!
//! Built only with `--features otlp`, so the default binary carries no
//! exporter. To see traces locally, run Jaeger and point oxrpc at it:
//!
//! ```text
//! docker run --rm -p 16686:16686 -p 4318:4318 jaegertracing/all-in-one
//! oxrpc --otlp http://localhost:4318 service serve   # then http://localhost:16686
//! ```

#[cfg(feature = "otlp")]
use tracing::Subscriber;
#[cfg(feature = "otlp")]
use tracing_subscriber::{registry::LookupSpan, Layer};

/// Keeps the export running; flushes what is still buffered when dropped.
pub struct Exporter {
    #[cfg(feature = "otlp")]
    provider: opentelemetry_sdk::trace::SdkTracerProvider,
}

impl Drop for Exporter {
    fn drop(&mut self) {
        #[cfg(feature = "otlp")]
        if let Err(e) = self.provider.shutdown() {
            eprintln!("oxrpc: exporting the last traces: {e}");
        }
    }
}

/// A layer sending spans to the collector at `endpoint` (its base URL,
/// e.g. `http://localhost:4318`; traces go to `/v1/traces`), and the
/// handle that keeps it running. Call it before any async runtime starts.
#[cfg(feature = "otlp")]
pub fn layer<S>(endpoint: &str) -> anyhow::Result<(impl Layer<S>, Exporter)>
where
    S: Subscriber + for<'span> LookupSpan<'span> + Send + Sync,
{
    use opentelemetry::trace::TracerProvider as _;
    use opentelemetry_otlp::WithExportConfig as _;

    let endpoint = format!("{}/v1/traces", endpoint.trim_end_matches('/'));
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(endpoint)
        .build()?;
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(
            opentelemetry_sdk::Resource::builder()
                .with_service_name("oxrpc")
                .build(),
        )
        .build();
    let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("oxrpc"));
    Ok((layer, Exporter { provider }))
}

/// Without the `otlp` feature: an error saying how to get it.
#[cfg(not(feature = "otlp"))]
pub fn layer(_endpoint: &str) -> anyhow::Result<(tracing_subscriber::layer::Identity, Exporter)> {
    anyhow::bail!("this oxrpc was built without OTLP export: build it with `--features otlp`")
}
