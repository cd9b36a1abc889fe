//! One request's token figures as METRICS.md defines them — output tokens
//! (reported or counted), TPOT and the inter-token gaps — and the exact
//! percentiles a finished run reports over stored samples. Not for live
//! figures: those come from the histograms in `stats`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::client::Attempt;
use super::types::Percentiles;

/// What a stored result keeps of its tokens (fields of `response_message`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TokenTiming {
    /// `usage.completion_tokens`, else (streamed) the content deltas counted.
    pub output_tokens: Option<u64>,
    /// The count is ours, not the upstream's (it sent no `usage`).
    pub output_tokens_estimated: bool,
    /// Non-empty content deltas received (streamed replies).
    pub content_deltas: Option<u32>,
    /// `(E2E − TTFT) / (output_tokens − 1)`, when output_tokens > 1.
    pub tpot_ms: Option<f64>,
    /// Gaps between consecutive content deltas, ms rounded to 0.01, at most
    /// `ITL_STORED_MAX`.
    pub itl_ms: Vec<f64>,
}

impl TokenTiming {
    /// The figures of one finished request.
    pub fn of(a: &Attempt) -> TokenTiming {
        let (output_tokens, estimated) = output_tokens(a);
        TokenTiming {
            output_tokens,
            output_tokens_estimated: estimated,
            content_deltas: a.streamed.then_some(a.deltas),
            tpot_ms: request_tpot_ms(a),
            itl_ms: a.itl_ms.iter().map(|g| round_centi(*g)).collect(),
        }
    }
}

/// `usage.completion_tokens`; else, for a streamed reply, the content
/// deltas counted (then `true`: estimated).
pub fn output_tokens(a: &Attempt) -> (Option<u64>, bool) {
    let reported = a
        .usage
        .as_ref()
        .and_then(|u| u.get("completion_tokens"))
        .and_then(Value::as_u64);
    match (reported, a.streamed) {
        (Some(n), _) => (Some(n), false),
        (None, true) => (Some(u64::from(a.deltas)), true),
        (None, false) => (None, false),
    }
}

/// A streamed request's TPOT (none for a plain one).
pub fn request_tpot_ms(a: &Attempt) -> Option<f64> {
    if a.streamed {
        tpot_ms(a.latency_ms, a.ttft_ms, output_tokens(a).0)
    } else {
        None
    }
}

/// Time per output token after the first: `(E2E − TTFT) / (tokens − 1)`;
/// none without a first token or with fewer than two tokens.
pub fn tpot_ms(e2e_ms: f64, ttft_ms: Option<f64>, output_tokens: Option<u64>) -> Option<f64> {
    let ttft = ttft_ms?;
    let tokens = output_tokens.filter(|n| *n > 1)?;
    Some(((e2e_ms - ttft) / (tokens - 1) as f64).max(0.0))
}

/// Rounds to 0.01 ms: what a stored gap keeps.
pub fn round_centi(ms: f64) -> f64 {
    (ms * 100.0).round() / 100.0
}

/// Exact p50/p90/p95/p99/mean/max of `samples` (sorted in place), the
/// percentiles interpolated linearly between the closest ranks (NumPy's
/// default, which vLLM's and guidellm's reports use). None when empty.
pub fn exact_percentiles(samples: &mut [f64]) -> Option<Percentiles> {
    if samples.is_empty() {
        return None;
    }
    samples.sort_unstable_by(f64::total_cmp);
    let at = |q: f64| {
        let rank = q * (samples.len() - 1) as f64;
        let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
        samples[lo] + (samples[hi] - samples[lo]) * (rank - lo as f64)
    };
    Some(Percentiles {
        p50: at(0.50),
        p90: at(0.90),
        p95: at(0.95),
        p99: at(0.99),
        mean: samples.iter().sum::<f64>() / samples.len() as f64,
        max: samples[samples.len() - 1],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tpot_spreads_what_follows_the_first_token_over_the_rest() {
        // 50 ms to the first token, then 9 more tokens by 500 ms.
        assert_eq!(tpot_ms(500.0, Some(50.0), Some(10)), Some(50.0));
        assert_eq!(tpot_ms(500.0, Some(50.0), Some(1)), None, "one token");
        assert_eq!(tpot_ms(500.0, Some(50.0), Some(0)), None);
        assert_eq!(tpot_ms(500.0, None, Some(10)), None, "no first token");
        assert_eq!(tpot_ms(500.0, Some(50.0), None), None);
    }

    #[test]
    fn percentiles_interpolate_between_ranks_like_numpy() {
        let mut s: Vec<f64> = (1..=10).map(f64::from).collect();
        s.reverse();
        let p = exact_percentiles(&mut s).expect("samples");
        // numpy.percentile(range(1, 11), [50, 90, 95, 99]) = 5.5, 9.1, 9.55, 9.91
        assert!((p.p50 - 5.5).abs() < 1e-9, "{p:?}");
        assert!((p.p90 - 9.1).abs() < 1e-9, "{p:?}");
        assert!((p.p95 - 9.55).abs() < 1e-9, "{p:?}");
        assert!((p.p99 - 9.91).abs() < 1e-9, "{p:?}");
        assert!((p.mean - 5.5).abs() < 1e-9, "{p:?}");
        assert_eq!(p.max, 10.0);
        let one = exact_percentiles(&mut [7.25]).expect("one");
        assert_eq!((one.p50, one.p99, one.max), (7.25, 7.25, 7.25));
        assert!(exact_percentiles(&mut []).is_none());
    }

    #[test]
    fn output_tokens_come_from_usage_else_are_counted_and_marked_estimated() {
        let streamed = Attempt {
            streamed: true,
            deltas: 4,
            latency_ms: 130.0,
            ttft_ms: Some(40.0),
            itl_ms: vec![30.004, 29.996, 30.0],
            ..Default::default()
        };
        let counted = TokenTiming::of(&streamed);
        assert_eq!(counted.output_tokens, Some(4));
        assert!(counted.output_tokens_estimated);
        assert_eq!(counted.tpot_ms, Some(30.0));
        assert_eq!(counted.itl_ms, [30.0, 30.0, 30.0]);
        assert_eq!(counted.content_deltas, Some(4));

        let reported = TokenTiming::of(&Attempt {
            usage: Some(json!({"completion_tokens": 10})),
            ..streamed.clone()
        });
        assert_eq!(reported.output_tokens, Some(10));
        assert!(!reported.output_tokens_estimated);
        assert_eq!(reported.tpot_ms, Some(10.0));

        let plain = TokenTiming::of(&Attempt {
            latency_ms: 80.0,
            ..Default::default()
        });
        assert_eq!(plain.output_tokens, None);
        assert_eq!((plain.tpot_ms, plain.content_deltas), (None, None));
    }
}
