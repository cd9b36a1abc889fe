//! Runs side by side: every figure of each against the first (the
//! baseline), with the differences beyond run-to-run noise marked.
//!
//! What counts as noise, per kind of figure:
//! - a rate (req/s, tokens/s): 10 %, what back-to-back runs of one build
//!   vary by on a shared 2-core machine (README);
//! - a latency percentile: twice the standard error of the difference, each
//!   side's estimated from its own spread, `(p90 − p50) / 1.2816` taken as a
//!   standard deviation and `1.2533 · sd / √n` as a median's error (the
//!   upper percentiles' error is larger: ×1.5 for p95, ×2.5 for p99), and
//!   never under 5 %;
//! - the error rate: a two-proportion z-test at 2σ.

use serde::{Deserialize, Serialize};

use super::types::{Percentiles, RunSnapshot};

/// Which noise rule a figure follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Noise {
    Rate,
    Percentile { p50_multiple: u8 },
    Proportion,
}

/// One figure across the runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub metric: String,
    pub values: Vec<Option<f64>>,
    /// Relative change against the first run (`None` for the first, or
    /// when either side has no value or the baseline is 0).
    pub change: Vec<Option<f64>>,
    /// Whether that change exceeds the noise.
    pub beyond_noise: Vec<bool>,
}

fn se_median(p: &Percentiles, n: u64) -> f64 {
    let sd = (p.p90 - p.p50).max(0.0) / 1.2816;
    1.2533 * sd / (n.max(1) as f64).sqrt()
}

fn line(
    metric: &str,
    runs: &[RunSnapshot],
    value: impl Fn(&RunSnapshot) -> Option<f64>,
    noise: Noise,
    spread: impl Fn(&RunSnapshot) -> Option<Percentiles>,
) -> Line {
    let values: Vec<Option<f64>> = runs.iter().map(&value).collect();
    let base = values.first().copied().flatten();
    let mut change = vec![None];
    let mut beyond = vec![false];
    for (i, v) in values.iter().enumerate().skip(1) {
        let (Some(b), Some(v)) = (base, *v) else {
            change.push(None);
            beyond.push(false);
            continue;
        };
        let rel = (b.abs() > f64::EPSILON).then(|| (v - b) / b);
        let d = (v - b).abs();
        let exceeds = match noise {
            Noise::Rate => rel.is_some_and(|r| r.abs() > 0.10),
            Noise::Percentile { p50_multiple } => {
                let k = f64::from(p50_multiple) / 2.0;
                let se =
                    |r: &RunSnapshot| spread(r).map_or(f64::INFINITY, |p| k * se_median(&p, r.ok));
                let band = 2.0 * (se(&runs[0]).powi(2) + se(&runs[i]).powi(2)).sqrt();
                d > band && rel.is_some_and(|r| r.abs() > 0.05)
            }
            Noise::Proportion => {
                let (n1, n2) = (runs[0].done as f64, runs[i].done as f64);
                let pooled = (b * n1 + v * n2) / (n1 + n2).max(1.0);
                let se = (pooled * (1.0 - pooled) * (1.0 / n1.max(1.0) + 1.0 / n2.max(1.0))).sqrt();
                d > 2.0 * se && d > 0.0
            }
        };
        change.push(rel);
        beyond.push(exceeds);
    }
    Line {
        metric: metric.to_owned(),
        values,
        change,
        beyond_noise: beyond,
    }
}

/// Every figure of `runs` against the first.
pub fn compare(runs: &[RunSnapshot]) -> Vec<Line> {
    let lat = |r: &RunSnapshot| Some(r.latency_ms.clone());
    let ttft = |r: &RunSnapshot| r.ttft_ms.clone();
    let tpot = |r: &RunSnapshot| r.bench.tpot_ms.clone();
    let itl = |r: &RunSnapshot| r.bench.itl_ms.clone();
    let none = |_: &RunSnapshot| None;
    let (p50, p95, p99) = (
        Noise::Percentile { p50_multiple: 2 },
        Noise::Percentile { p50_multiple: 3 },
        Noise::Percentile { p50_multiple: 5 },
    );
    let mut lines = vec![
        line("req/s", runs, |r| Some(r.rps), Noise::Rate, none),
        line(
            "output tokens/s",
            runs,
            |r| Some(r.bench.tokens_per_sec),
            Noise::Rate,
            none,
        ),
        line(
            "error rate",
            runs,
            |r| Some(r.bench.error_rate),
            Noise::Proportion,
            none,
        ),
        line("latency p50 ms", runs, |r| Some(r.latency_ms.p50), p50, lat),
        line("latency p95 ms", runs, |r| Some(r.latency_ms.p95), p95, lat),
        line("latency p99 ms", runs, |r| Some(r.latency_ms.p99), p99, lat),
        line(
            "TTFT p50 ms",
            runs,
            |r| r.ttft_ms.as_ref().map(|p| p.p50),
            p50,
            ttft,
        ),
        line(
            "TTFT p95 ms",
            runs,
            |r| r.ttft_ms.as_ref().map(|p| p.p95),
            p95,
            ttft,
        ),
        line(
            "TPOT p50 ms",
            runs,
            |r| r.bench.tpot_ms.as_ref().map(|p| p.p50),
            p50,
            tpot,
        ),
        line(
            "TPOT p95 ms",
            runs,
            |r| r.bench.tpot_ms.as_ref().map(|p| p.p95),
            p95,
            tpot,
        ),
        line(
            "ITL p50 ms",
            runs,
            |r| r.bench.itl_ms.as_ref().map(|p| p.p50),
            p50,
            itl,
        ),
        line(
            "ITL p95 ms",
            runs,
            |r| r.bench.itl_ms.as_ref().map(|p| p.p95),
            p95,
            itl,
        ),
    ];
    // Per endpoint: the share of requests it served and its error rate.
    let mut ids: Vec<i64> = runs
        .iter()
        .flat_map(|r| r.by_endpoint.iter().map(|e| e.endpoint_id))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        let of = move |r: &RunSnapshot| r.by_endpoint.iter().find(|e| e.endpoint_id == id).cloned();
        let share = move |r: &RunSnapshot| {
            let e = of(r)?;
            Some((e.ok + e.failed) as f64 / r.done.max(1) as f64)
        };
        let failing = move |r: &RunSnapshot| {
            let e = of(r)?;
            Some(e.failed as f64 / (e.ok + e.failed).max(1) as f64)
        };
        lines.push(line(
            &format!("#{id} share of requests"),
            runs,
            share,
            Noise::Proportion,
            none,
        ));
        lines.push(line(
            &format!("#{id} error rate"),
            runs,
            failing,
            Noise::Proportion,
            none,
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(rps: f64, p50: f64, p90: f64, error_rate: f64) -> RunSnapshot {
        let pct = json!({"p50": p50, "p90": p90, "p95": p90 * 1.1, "p99": p90 * 1.3, "mean": p50, "max": p90 * 2.0});
        serde_json::from_value(json!({
            "id": "r", "config": {"total": 1000, "concurrency": 10}, "status": "completed",
            "started_at": "", "finished_at": null, "done": 1000, "ok": 1000 - (error_rate * 1000.0) as u64,
            "failed": (error_rate * 1000.0) as u64, "cancelled": 0, "in_flight": 0, "queued": 0,
            "rps": rps, "elapsed_secs": 1.0, "latency_ms": pct, "ttft_ms": null, "queue_ms": pct,
            "errors": [], "error_rate": error_rate, "histogram": [], "rows_written": 1000, "fallback_records": 0
        }))
        .expect("a run")
    }

    fn marked(lines: &[Line], metric: &str) -> bool {
        lines
            .iter()
            .find(|l| l.metric == metric)
            .expect("metric")
            .beyond_noise[1]
    }

    #[test]
    fn small_changes_are_noise_and_large_ones_are_marked() {
        let base = run(1000.0, 100.0, 150.0, 0.01);
        let close = compare(&[base.clone(), run(1050.0, 103.0, 150.0, 0.012)]);
        assert!(!marked(&close, "req/s"));
        assert!(!marked(&close, "latency p50 ms"));
        assert!(!marked(&close, "error rate"));
        let far = compare(&[base, run(1200.0, 130.0, 190.0, 0.05)]);
        assert!(marked(&far, "req/s"));
        assert!(marked(&far, "latency p50 ms"));
        assert!(marked(&far, "error rate"));
        let change = far[0].change[1].expect("a change");
        assert!((change - 0.2).abs() < 1e-9);
    }
}
