//! A latency histogram of atomics, readable while it is written.
//!
//! Buckets double from 50 µs to about 13 s: a loopback call lands in the
//! first few, a slow disk or a peer's callback further up. Observing is a
//! few relaxed atomic adds; reading gives the cumulative counts Prometheus
//! wants and the percentiles the status page shows.

use std::sync::atomic::{AtomicU64, Ordering};

/// Upper bounds of the buckets, in seconds.
pub const BUCKETS: [f64; 19] = [
    0.000_05, 0.000_1, 0.000_2, 0.000_4, 0.000_8, 0.001_6, 0.003_2, 0.006_4, 0.012_8, 0.025_6,
    0.051_2, 0.102_4, 0.204_8, 0.409_6, 0.819_2, 1.638_4, 3.276_8, 6.553_6, 13.107_2,
];

/// Counts of observations per bucket, their sum and their number.
#[derive(Debug, Default)]
pub struct Histogram {
    /// One per bucket of [`BUCKETS`], plus one for larger values.
    counts: [AtomicU64; BUCKETS.len() + 1],
    sum_nanos: AtomicU64,
}

impl Histogram {
    /// Records one observation of `seconds`.
    pub fn observe(&self, seconds: f64) {
        let index = BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(BUCKETS.len());
        self.counts[index].fetch_add(1, Ordering::Relaxed);
        let nanos = (seconds.max(0.0) * 1e9) as u64;
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// How many observations.
    pub fn count(&self) -> u64 {
        self.counts.iter().map(|c| c.load(Ordering::Relaxed)).sum()
    }

    /// The sum of all observations, in seconds.
    pub fn sum(&self) -> f64 {
        self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9
    }

    /// `(upper bound, count in that bucket alone)` pairs, `+Inf` last (the
    /// exposition encoder accumulates them).
    pub fn buckets(&self) -> Vec<(f64, u64)> {
        self.counts
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (
                    BUCKETS.get(i).copied().unwrap_or(f64::INFINITY),
                    c.load(Ordering::Relaxed),
                )
            })
            .collect()
    }

    /// Cumulative `(upper bound, count)` pairs, `+Inf` last, as Prometheus
    /// exposes them.
    pub fn cumulative(&self) -> Vec<(f64, u64)> {
        let mut total = 0;
        let mut out = Vec::with_capacity(BUCKETS.len() + 1);
        for (i, count) in self.counts.iter().enumerate() {
            total += count.load(Ordering::Relaxed);
            out.push((BUCKETS.get(i).copied().unwrap_or(f64::INFINITY), total));
        }
        out
    }

    /// The upper bound of the bucket holding the `q`-quantile (0..=1), in
    /// seconds; `None` before any observation.
    ///
    /// ```
    /// use oxrpc_telemetry::Histogram;
    ///
    /// let h = Histogram::default();
    /// for _ in 0..99 { h.observe(0.000_07); }
    /// h.observe(2.0);
    /// assert_eq!(h.quantile(0.5), Some(0.000_1));
    /// assert_eq!(h.quantile(1.0), Some(3.276_8));
    /// ```
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let buckets = self.cumulative();
        let total = buckets.last().map(|b| b.1)?;
        if total == 0 {
            return None;
        }
        let rank = (q.clamp(0.0, 1.0) * total as f64).ceil().max(1.0) as u64;
        buckets.iter().find(|b| b.1 >= rank).map(|b| b.0)
    }
}
