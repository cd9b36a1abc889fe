//! Live figures of one run: counters, HDR histograms (latency, TTFT, queue
//! time, TPOT, ITL), output tokens and the sliding window the stop policy
//! reads. Samples are never kept one by one; the rows on disk are the
//! record, and a finished run's percentiles are the exact ones from them.

use std::collections::{BTreeMap, VecDeque};
use std::time::Instant;

use hdrhistogram::Histogram;

use super::client::{Attempt, ErrorKind};
use super::exact::ExactFigures;
use super::msg::StopReason;
use super::tokens;
use super::types::{BenchFigures, Percentiles, StopPolicy};

/// Upper bounds (ms) of the chart's latency buckets.
pub const CHART_BUCKETS_MS: [f64; 12] = [
    5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0, OPEN_END,
];

/// The last bucket's bound: everything slower (JSON has no infinity).
pub const OPEN_END: f64 = f64::MAX;

pub struct LiveStats {
    latency_us: Histogram<u64>,
    ttft_us: Histogram<u64>,
    queue_us: Histogram<u64>,
    tpot_us: Histogram<u64>,
    itl_us: Histogram<u64>,
    /// Output tokens of the successes, and how many of them were counted.
    pub output_tokens: u64,
    pub output_tokens_estimated: u64,
    /// Set when the run is over: percentiles from the stored rows, which
    /// then replace the histograms'.
    pub exact: Option<ExactFigures>,
    pub ok: u64,
    pub failed: u64,
    pub cancelled: u64,
    /// Requests dropped before sending because the run stopped first.
    pub not_sent: u64,
    pub in_flight: u64,
    pub queued: u64,
    pub errors: BTreeMap<String, u64>,
    /// Finished requests that never reached an endpoint.
    pub not_routed: u64,
    /// Per endpoint that answered or failed: (ok, failed).
    pub by_endpoint: BTreeMap<i64, (u64, u64)>,
    window: VecDeque<bool>,
    pub first_send: Option<Instant>,
    pub last_send: Option<Instant>,
    /// When the first and the last request sent were due (rate runs).
    first_due: Option<Instant>,
    last_due: Option<Instant>,
    /// Requests handed to the chat API.
    pub sent: u64,
    pub last_done: Option<Instant>,
}

fn histogram() -> Histogram<u64> {
    // 1 µs .. 1 hour at 3 significant digits; the bounds are constants, so
    // this cannot fail.
    Histogram::new_with_bounds(1, 3_600_000_000, 3)
        .unwrap_or_else(|_| Histogram::new(3).expect("valid sigfig"))
}

impl Default for LiveStats {
    fn default() -> Self {
        LiveStats {
            latency_us: histogram(),
            ttft_us: histogram(),
            queue_us: histogram(),
            tpot_us: histogram(),
            itl_us: histogram(),
            output_tokens: 0,
            output_tokens_estimated: 0,
            exact: None,
            ok: 0,
            failed: 0,
            cancelled: 0,
            not_sent: 0,
            in_flight: 0,
            queued: 0,
            errors: BTreeMap::new(),
            not_routed: 0,
            by_endpoint: BTreeMap::new(),
            window: VecDeque::new(),
            first_send: None,
            last_send: None,
            first_due: None,
            last_due: None,
            sent: 0,
            last_done: None,
        }
    }
}

fn us(ms: f64) -> u64 {
    (ms * 1000.0).round().clamp(1.0, 3_600_000_000.0) as u64
}

impl LiveStats {
    pub fn done(&self) -> u64 {
        self.ok + self.failed
    }

    /// Adds a finished request; returns the stop reason if the policy now says stop.
    pub fn add(
        &mut self,
        a: &Attempt,
        queue_ms: f64,
        policy: &StopPolicy,
        window_cap: usize,
    ) -> Option<StopReason> {
        self.last_done = Some(Instant::now());
        let _ = self.queue_us.record(us(queue_ms));
        if a.error_kind == Some(ErrorKind::Cancelled) {
            self.cancelled += 1;
            return None;
        }
        let ok = a.ok();
        match a.endpoint_id {
            Some(id) => {
                let share = self.by_endpoint.entry(id).or_default();
                if ok {
                    share.0 += 1;
                } else {
                    share.1 += 1;
                }
            }
            None => self.not_routed += 1,
        }
        if ok {
            self.ok += 1;
            let _ = self.latency_us.record(us(a.latency_ms));
            if let Some(t) = a.ttft_ms {
                let _ = self.ttft_us.record(us(t));
            }
            self.add_tokens(a);
        } else {
            self.failed += 1;
            let kind = a.error_kind.map(ErrorKind::as_str).unwrap_or("unknown");
            *self.errors.entry(kind.to_owned()).or_default() += 1;
        }
        self.window.push_back(ok);
        while self.window.len() > window_cap.max(1) {
            self.window.pop_front();
        }
        match policy {
            StopPolicy::Never => None,
            StopPolicy::FirstError if !ok => Some(StopReason::FirstError {
                detail: a.error.clone().unwrap_or_default(),
            }),
            StopPolicy::FirstError => None,
            StopPolicy::AfterErrors { count } => {
                (self.failed >= u64::from(*count)).then_some(StopReason::AfterErrors {
                    failed: self.failed,
                    count: *count,
                })
            }
            StopPolicy::OverallErrorRate { percent, min_done } => {
                let rate = 100.0 * self.failed as f64 / self.done().max(1) as f64;
                (self.done() >= u64::from(*min_done) && rate >= *percent).then_some(
                    StopReason::ErrorRate {
                        rate,
                        window: self.done() as usize,
                        percent: *percent,
                    },
                )
            }
            StopPolicy::ErrorRate {
                percent, min_done, ..
            } => {
                let errors = self.window.iter().filter(|ok| !**ok).count() as f64;
                let rate = 100.0 * errors / self.window.len() as f64;
                (self.done() >= u64::from(*min_done) && rate >= *percent).then_some(
                    StopReason::ErrorRate {
                        rate,
                        window: self.window.len(),
                        percent: *percent,
                    },
                )
            }
        }
    }

    /// A request due at `due` goes out now.
    pub fn sending(&mut self, due: Instant) {
        let now = Instant::now();
        self.first_send.get_or_insert(now);
        self.last_send = Some(now);
        self.first_due.get_or_insert(due);
        self.last_due = Some(due);
        self.sent += 1;
    }

    /// How a rate run's sending went (`None` for a closed-loop run).
    pub fn rate(&self, load: &super::load::Load) -> Option<super::load::RateReport> {
        let span = |a: Option<Instant>, b: Option<Instant>| match (a, b) {
            (Some(a), Some(b)) => (b - a).as_secs_f64(),
            _ => 0.0,
        };
        let sent = span(self.first_send, self.last_send);
        let due = span(self.first_due, self.last_due);
        let late = span(self.last_due, self.last_send);
        load.rps()
            .map(|r| super::load::RateReport::of(r, self.sent, sent, due, late))
    }

    /// Successes per second between the first send and the last completion.
    pub fn rps(&self) -> f64 {
        self.per_sec(self.ok)
    }

    fn add_tokens(&mut self, a: &Attempt) {
        if let (Some(n), estimated) = tokens::output_tokens(a) {
            self.output_tokens += n;
            self.output_tokens_estimated += u64::from(estimated);
        }
        if let Some(tpot) = tokens::request_tpot_ms(a) {
            let _ = self.tpot_us.record(us(tpot));
        }
        for gap in &a.itl_ms {
            let _ = self.itl_us.record(us(*gap));
        }
    }

    pub fn latency(&self) -> Percentiles {
        match &self.exact {
            Some(e) => e.latency.clone(),
            None => percentiles(&self.latency_us),
        }
    }

    pub fn ttft(&self) -> Option<Percentiles> {
        match &self.exact {
            Some(e) => e.ttft.clone(),
            None => some_percentiles(&self.ttft_us),
        }
    }

    pub fn queue(&self) -> Percentiles {
        match &self.exact {
            Some(e) => e.queue.clone(),
            None => percentiles(&self.queue_us),
        }
    }

    /// Output tokens, their rate, TPOT, ITL and the error rate: exact once
    /// the run is over, from the histograms before.
    pub fn bench(&self) -> BenchFigures {
        let (tokens, estimated, tpot, itl) = match &self.exact {
            Some(e) => (
                e.output_tokens,
                e.output_tokens_estimated,
                e.tpot.clone(),
                e.itl.clone(),
            ),
            None => (
                self.output_tokens,
                self.output_tokens_estimated,
                some_percentiles(&self.tpot_us),
                some_percentiles(&self.itl_us),
            ),
        };
        let started = self.done() + self.cancelled;
        BenchFigures {
            output_tokens: tokens,
            output_tokens_estimated: estimated,
            tokens_per_sec: self.per_sec(tokens),
            tpot_ms: tpot,
            itl_ms: itl,
            error_rate: if started == 0 {
                0.0
            } else {
                self.failed as f64 / started as f64
            },
            exact: self.exact.is_some(),
        }
    }

    /// `count` per second between the first send and the last completion.
    fn per_sec(&self, count: u64) -> f64 {
        match (self.first_send, self.last_done) {
            (Some(a), Some(b)) if b > a => count as f64 / (b - a).as_secs_f64(),
            _ => 0.0,
        }
    }

    /// What each endpoint did, by id.
    pub fn shares(&self) -> Vec<super::types::EndpointShare> {
        self.by_endpoint
            .iter()
            .map(|(id, (ok, failed))| super::types::EndpointShare {
                endpoint_id: *id,
                ok: *ok,
                failed: *failed,
            })
            .collect()
    }

    pub fn chart(&self) -> Vec<(f64, u64)> {
        let mut counts = vec![0u64; CHART_BUCKETS_MS.len()];
        for v in self.latency_us.iter_recorded() {
            let ms = self.latency_us.highest_equivalent(v.value_iterated_to()) as f64 / 1000.0;
            let i = CHART_BUCKETS_MS
                .iter()
                .position(|hi| ms <= *hi)
                .unwrap_or(counts.len() - 1);
            counts[i] += v.count_at_value();
        }
        CHART_BUCKETS_MS.iter().copied().zip(counts).collect()
    }
}

fn some_percentiles(h: &Histogram<u64>) -> Option<Percentiles> {
    (!h.is_empty()).then(|| percentiles(h))
}

fn percentiles(h: &Histogram<u64>) -> Percentiles {
    if h.is_empty() {
        return Percentiles::default();
    }
    let ms = |v: u64| v as f64 / 1000.0;
    Percentiles {
        p50: ms(h.value_at_quantile(0.50)),
        p90: ms(h.value_at_quantile(0.90)),
        p95: ms(h.value_at_quantile(0.95)),
        p99: ms(h.value_at_quantile(0.99)),
        mean: h.mean() / 1000.0,
        max: ms(h.max()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(ok: bool, latency: f64) -> Attempt {
        Attempt {
            latency_ms: latency,
            error_kind: (!ok).then_some(ErrorKind::HttpStatus),
            error: (!ok).then(|| "HTTP 502".into()),
            ..Default::default()
        }
    }

    #[test]
    fn percentiles_follow_the_samples() {
        let mut s = LiveStats::default();
        for i in 1..=100 {
            s.add(&attempt(true, i as f64), 0.0, &StopPolicy::Never, 10);
        }
        let p = s.latency();
        assert!((p.p50 - 50.0).abs() < 0.5, "{p:?}");
        assert!((p.p99 - 99.0).abs() < 0.5, "{p:?}");
        assert_eq!(s.chart().iter().map(|(_, n)| n).sum::<u64>(), 100);
    }

    #[test]
    fn requests_that_never_reached_an_endpoint_count_under_no_endpoint() {
        let mut s = LiveStats::default();
        let served = |id, ok| Attempt {
            endpoint_id: Some(id),
            ..attempt(ok, 5.0)
        };
        s.add(&served(3, true), 0.0, &StopPolicy::Never, 1);
        s.add(&served(3, false), 0.0, &StopPolicy::Never, 1);
        s.add(&served(4, true), 0.0, &StopPolicy::Never, 1);
        s.add(&attempt(false, 1.0), 0.0, &StopPolicy::Never, 1);
        s.add(&attempt(false, 1.0), 0.0, &StopPolicy::Never, 1);
        assert_eq!(s.not_routed, 2);
        let shares: Vec<(i64, u64, u64)> = s
            .shares()
            .iter()
            .map(|e| (e.endpoint_id, e.ok, e.failed))
            .collect();
        assert_eq!(shares, [(3, 1, 1), (4, 1, 0)]);
        assert_eq!(s.done(), 5);
    }

    #[test]
    fn token_figures_are_live_until_the_exact_ones_replace_them() {
        let mut s = LiveStats::default();
        let streamed = Attempt {
            streamed: true,
            deltas: 5,
            latency_ms: 250.0,
            ttft_ms: Some(50.0),
            itl_ms: vec![50.0; 4],
            ..attempt(true, 250.0)
        };
        s.add(&streamed, 0.0, &StopPolicy::Never, 1);
        s.add(&attempt(false, 9.0), 0.0, &StopPolicy::Never, 1);
        s.add(
            &Attempt {
                error_kind: Some(ErrorKind::Cancelled),
                ..attempt(false, 1.0)
            },
            0.0,
            &StopPolicy::Never,
            1,
        );
        let live = s.bench();
        assert_eq!((live.output_tokens, live.output_tokens_estimated), (5, 1));
        let tpot = live.tpot_ms.clone().expect("tpot");
        assert!((tpot.p50 - 50.0).abs() < 0.1, "{tpot:?}");
        assert!((live.itl_ms.as_ref().expect("itl").p99 - 50.0).abs() < 0.1);
        // Failed / started, the cancelled one started but neither.
        assert!((live.error_rate - 1.0 / 3.0).abs() < 1e-9, "{live:?}");
        assert!(!live.exact);

        s.exact = Some(ExactFigures {
            output_tokens: 7,
            tpot: Some(Percentiles {
                p50: 49.5,
                ..Percentiles::default()
            }),
            ..ExactFigures::default()
        });
        let exact = s.bench();
        assert!(exact.exact);
        assert_eq!(exact.output_tokens, 7);
        assert_eq!(exact.tpot_ms.map(|p| p.p50), Some(49.5));
        assert_eq!(exact.itl_ms, None);
        assert_eq!(
            s.ttft(),
            None,
            "the exact figures answer, not the histograms"
        );
    }

    #[test]
    fn error_rate_policy_waits_for_min_done_then_fires() {
        let policy = StopPolicy::ErrorRate {
            window: 4,
            percent: 50.0,
            min_done: 6,
        };
        let mut s = LiveStats::default();
        let mut fired = None;
        for (i, ok) in [true, false, false, true, true, true, false, false]
            .iter()
            .enumerate()
        {
            if let Some(r) = s.add(&attempt(*ok, 10.0), 0.0, &policy, 4) {
                fired = Some((i, r));
                break;
            }
        }
        let (at, reason) = fired.expect("fires");
        assert_eq!(at, 7, "{reason:?}");
        let mut s = LiveStats::default();
        assert!(s
            .add(&attempt(false, 1.0), 0.0, &StopPolicy::FirstError, 1)
            .is_some());
    }
}
