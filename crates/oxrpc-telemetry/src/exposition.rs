//! The Prometheus (OpenMetrics) text a scrape of `/metrics` gets.
//!
//! prometheus-client writes the format; the numbers come from the same
//! atomics the status page reads, through a [`Collector`] that encodes
//! them at scrape time, so recording a call never touches the exposition
//! machinery.

use crate::handles::Telemetry;
use crate::stats::ServerStats;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;
use std::fmt;

#[derive(Debug)]
struct Servers(Telemetry);

type Labels<'a> = Vec<(&'static str, &'a str)>;

fn family<'a>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    kind: MetricType,
    samples: impl IntoIterator<Item = (Labels<'a>, Sample)>,
) -> fmt::Result {
    let mut samples = samples.into_iter().peekable();
    if samples.peek().is_none() {
        return Ok(());
    }
    let mut metric = encoder.encode_descriptor(name, help, None, kind)?;
    for (labels, sample) in samples {
        let encoder = metric.encode_family(&labels)?;
        match sample {
            Sample::Counter(v) => ConstCounter::new(v).encode(encoder)?,
            Sample::Gauge(v) => ConstGauge::new(v).encode(encoder)?,
            Sample::Histogram {
                sum,
                count,
                buckets,
            } => {
                let mut encoder = encoder;
                encoder.encode_histogram::<prometheus_client::encoding::NoLabelSet>(
                    sum, count, &buckets, None,
                )?
            }
        }
    }
    Ok(())
}

enum Sample {
    Counter(u64),
    Gauge(i64),
    Histogram {
        sum: f64,
        count: u64,
        buckets: Vec<(f64, u64)>,
    },
}

fn server_samples(
    servers: &[std::sync::Arc<ServerStats>],
    value: impl Fn(&ServerStats) -> Sample,
) -> Vec<(Labels<'_>, Sample)> {
    servers
        .iter()
        .map(|s| (vec![("server", s.name.as_str())], value(s)))
        .collect()
}

impl Collector for Servers {
    fn encode(&self, mut encoder: DescriptorEncoder) -> fmt::Result {
        let servers = self.0.servers();
        let methods: Vec<_> = servers.iter().map(|s| (s, s.methods())).collect();
        let mut calls = Vec::new();
        let mut latency = Vec::new();
        for (server, methods) in &methods {
            for (name, stats) in methods {
                for (outcome, count) in stats.outcomes() {
                    calls.push((server.name.clone(), name.clone(), outcome, count));
                }
                let h = stats.latency();
                latency.push((
                    server.name.clone(),
                    name.clone(),
                    h.sum(),
                    h.count(),
                    h.buckets(),
                ));
            }
        }
        family(
            &mut encoder,
            "oxrpc_calls",
            "Calls served, by method and outcome (ok, a fault code or an exception class)",
            MetricType::Counter,
            calls.iter().map(|(server, method, outcome, count)| {
                (
                    vec![
                        ("server", server.as_str()),
                        ("method", method.as_str()),
                        ("outcome", outcome.as_str()),
                    ],
                    Sample::Counter(*count),
                )
            }),
        )?;
        family(
            &mut encoder,
            "oxrpc_call_duration_seconds",
            "Time from a call's arrival to its answer, by method",
            MetricType::Histogram,
            latency.iter().map(|(server, method, sum, count, buckets)| {
                (
                    vec![("server", server.as_str()), ("method", method.as_str())],
                    Sample::Histogram {
                        sum: *sum,
                        count: *count,
                        buckets: buckets.clone(),
                    },
                )
            }),
        )?;
        family(
            &mut encoder,
            "oxrpc_connections_open",
            "Connections open now",
            MetricType::Gauge,
            server_samples(&servers, |s| Sample::Gauge(s.connections_open() as i64)),
        )?;
        family(
            &mut encoder,
            "oxrpc_connections",
            "Connections accepted",
            MetricType::Counter,
            server_samples(&servers, |s| Sample::Counter(s.connections_total())),
        )?;
        family(
            &mut encoder,
            "oxrpc_received_bytes",
            "Bytes received from peers",
            MetricType::Counter,
            server_samples(&servers, |s| Sample::Counter(s.bytes_in())),
        )?;
        family(
            &mut encoder,
            "oxrpc_sent_bytes",
            "Bytes sent to peers",
            MetricType::Counter,
            server_samples(&servers, |s| Sample::Counter(s.bytes_out())),
        )?;
        family(
            &mut encoder,
            "oxrpc_requests_in_progress",
            "Requests being served now",
            MetricType::Gauge,
            server_samples(&servers, |s| Sample::Gauge(s.in_progress())),
        )?;
        family(
            &mut encoder,
            "oxrpc_local_objects",
            "Objects held for peers (RPyC), all connections",
            MetricType::Gauge,
            server_samples(&servers, |s| Sample::Gauge(s.objects())),
        )?;
        let limits: Vec<_> = servers
            .iter()
            .flat_map(|s| s.limits().into_iter().map(move |(l, n)| (s, l, n)))
            .collect();
        family(
            &mut encoder,
            "oxrpc_limit_hits",
            "Times a limit was hit, by limit",
            MetricType::Counter,
            limits.iter().map(|(s, limit, n)| {
                (
                    vec![("server", s.name.as_str()), ("limit", *limit)],
                    Sample::Counter(*n),
                )
            }),
        )?;
        Ok(())
    }
}

impl Telemetry {
    /// The metrics in Prometheus's text exposition format (OpenMetrics).
    pub fn prometheus_text(&self) -> String {
        let mut registry = Registry::default();
        registry.register_collector(Box::new(Servers(self.clone())));
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &registry);
        text
    }

    /// The same metrics in Prometheus's classic text format (version
    /// 0.0.4), for scrapers that do not ask for OpenMetrics: a counter's
    /// family is named with its `_total` suffix, and there is no `# EOF`.
    pub fn prometheus_classic_text(&self) -> String {
        classic_text(&self.prometheus_text())
    }
}

/// OpenMetrics text rewritten in the classic text format.
fn classic_text(openmetrics: &str) -> String {
    let counters: std::collections::HashSet<&str> = openmetrics
        .lines()
        .filter_map(|line| line.strip_prefix("# TYPE "))
        .filter_map(|rest| rest.strip_suffix(" counter"))
        .collect();
    let mut text = String::with_capacity(openmetrics.len());
    for line in openmetrics.lines() {
        if line == "# EOF" || line.starts_with("# UNIT ") {
            continue;
        }
        let descriptor = ["# HELP ", "# TYPE "]
            .into_iter()
            .find_map(|prefix| line.strip_prefix(prefix).map(|rest| (prefix, rest)));
        match descriptor {
            Some((prefix, rest)) => {
                let (name, tail) = rest.split_once(' ').unwrap_or((rest, ""));
                let suffix = if counters.contains(name) {
                    "_total"
                } else {
                    ""
                };
                text.push_str(&format!("{prefix}{name}{suffix} {tail}"));
            }
            None => text.push_str(line),
        }
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::classic_text;

    #[test]
    fn counters_are_named_with_their_suffix_in_the_classic_format() {
        let openmetrics = "# HELP oxrpc_calls Calls.\n# TYPE oxrpc_calls counter\n\
                           oxrpc_calls_total{server=\"x\"} 3\n\
                           # HELP oxrpc_open Open.\n# TYPE oxrpc_open gauge\noxrpc_open 1\n# EOF\n";
        assert_eq!(
            classic_text(openmetrics),
            "# HELP oxrpc_calls_total Calls.\n# TYPE oxrpc_calls_total counter\n\
             oxrpc_calls_total{server=\"x\"} 3\n\
             # HELP oxrpc_open Open.\n# TYPE oxrpc_open gauge\noxrpc_open 1\n"
        );
    }
}
