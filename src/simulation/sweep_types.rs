//! A capacity sweep: a short series of constant-rate steps against one
//! scope/model, each judged against an SLO the admin sets, to find the
//! highest rate sustained within it. Goodput is vLLM's: requests that met
//! every per-request objective, per second.

use serde::{Deserialize, Serialize};

use super::load::{Load, RPS_MAX};
use super::msg::SimMsg;
use super::types::{RunConfig, RunStatus};
use crate::error::{AppError, Common};

/// At most this many steps in one sweep.
pub const STEPS_MAX: usize = 12;

/// What a step must keep, at the 95th percentile, and the share of
/// failures it may have. Unset objectives are not judged.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Slo {
    #[serde(default)]
    pub ttft_p95_ms: Option<f64>,
    #[serde(default)]
    pub tpot_p95_ms: Option<f64>,
    #[serde(default)]
    pub latency_p95_ms: Option<f64>,
    /// Failed / started, in percent (0–100); 1 when not given.
    #[serde(default = "one_percent")]
    pub max_error_percent: f64,
}

fn one_percent() -> f64 {
    1.0
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ssr",
    derive(utoipa::ToSchema),
    schema(example = json!({"rates": [5, 10, 20], "requests_per_step": 100, "slo": {"ttft_p95_ms": 1000, "max_error_percent": 1}, "run": {"total": 1, "stream": true}}))
)]
pub struct SweepConfig {
    /// The rates to try, req/s, increasing.
    pub rates: Vec<f64>,
    pub requests_per_step: u32,
    #[serde(default)]
    pub slo: Slo,
    /// Stop after the first step that misses the SLO (the default): the
    /// steps above it would only cost more calls to the upstream.
    #[serde(default = "yes")]
    pub stop_at_first_miss: bool,
    /// Scope, model, streaming, users, message and the in-flight cap of
    /// every step (its `total` and `load` are the sweep's).
    pub run: RunConfig,
}

fn yes() -> bool {
    true
}

impl SweepConfig {
    /// The run of the step at `rps`.
    pub fn step_run(&self, rps: f64) -> RunConfig {
        let mut run = self.run.clone();
        run.total = self.requests_per_step;
        run.load = Load::Constant { rps };
        run
    }

    /// Refuses what no sweep can do, naming the field.
    pub fn validate(&self) -> Result<(), AppError> {
        let increasing = self.rates.windows(2).all(|w| w[0] < w[1]);
        let in_range = self
            .rates
            .iter()
            .all(|r| r.is_finite() && *r > 0.0 && *r <= RPS_MAX);
        if self.rates.is_empty() || self.rates.len() > STEPS_MAX || !increasing || !in_range {
            return Err(AppError::field(
                "rates",
                SimMsg::SweepRates {
                    max_steps: STEPS_MAX as u32,
                    max_rps: RPS_MAX as u32,
                },
            ));
        }
        let positive = [
            ("slo.ttft_p95_ms", self.slo.ttft_p95_ms),
            ("slo.tpot_p95_ms", self.slo.tpot_p95_ms),
            ("slo.latency_p95_ms", self.slo.latency_p95_ms),
        ];
        for (field, v) in positive {
            if v.is_some_and(|v| !(v.is_finite() && v > 0.0)) {
                return Err(AppError::field(field, SimMsg::Positive));
            }
            let token_figure = field != "slo.latency_p95_ms";
            if token_figure && v.is_some() && !self.run.stream {
                return Err(AppError::field(field, SimMsg::NeedsStreaming));
            }
        }
        let e = self.slo.max_error_percent;
        if !(e.is_finite() && (0.0..=100.0).contains(&e)) {
            return Err(AppError::field(
                "slo.max_error_percent",
                Common::Range {
                    lo: 0,
                    hi: 100,
                    got: e.to_string(),
                },
            ));
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SweepStatus {
    Running,
    Completed,
    Cancelled,
    /// The server stopped while it ran.
    Interrupted,
    /// A step could not start.
    Failed,
}

/// One step: the rate asked, what its run did, and the verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SweepStep {
    pub rps: f64,
    pub run_id: String,
    pub status: RunStatus,
    pub achieved_rps: f64,
    pub kept_up: bool,
    pub latency_p95_ms: f64,
    pub ttft_p95_ms: Option<f64>,
    pub tpot_p95_ms: Option<f64>,
    /// Failed / started, 0.0–1.0.
    pub error_rate: f64,
    /// Requests that met every objective, per second.
    pub goodput_rps: f64,
    /// The step kept its rate, ran to the end and met the SLO at p95.
    pub meets_slo: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Sweep {
    pub id: String,
    pub config: SweepConfig,
    pub status: SweepStatus,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub steps: Vec<SweepStep>,
    /// The run of the step going now.
    pub current_run: Option<String>,
    /// The highest rate sustained within the SLO: the last step of the
    /// unbroken series of steps that met it from the first.
    pub sustained_rps: Option<f64>,
    /// Why the sweep failed, when it did.
    pub error: Option<String>,
}

impl Sweep {
    /// The sustained rate of `steps`.
    pub fn sustained(steps: &[SweepStep]) -> Option<f64> {
        steps
            .iter()
            .take_while(|s| s.meets_slo)
            .last()
            .map(|s| s.rps)
    }
}
