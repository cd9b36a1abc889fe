//! How a run offers its load: closed-loop workers (`concurrency`), or an
//! open-loop request rate — `constant` (evenly spaced) or `poisson`
//! (exponential gaps, seeded) — as vLLM's `bench serve` and guidellm do.
//! In a rate run `concurrency` caps the requests in flight; a request that
//! waits for that cap counts the wait as queue time, and the run's summary
//! says whether the rate was kept.

use serde::{Deserialize, Serialize};

use super::msg::SimMsg;
use crate::error::AppError;

/// The highest rate a run may ask for, requests per second.
pub const RPS_MAX: f64 = 10_000.0;
/// A rate run kept up when it sent at no less than this share of its rate…
pub const KEPT_UP_SHARE: f64 = 0.95;
/// …or when its last request went out no later than this after it was due.
pub const ON_TIME_SECS: f64 = 0.05;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Load {
    /// `concurrency` workers, each sending its next request when its last
    /// one ended (the run's `concurrency` when not given here).
    Concurrency {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        concurrency: Option<u32>,
    },
    /// `rps` requests a second, evenly spaced.
    Constant { rps: f64 },
    /// `rps` requests a second on average, exponential gaps (a Poisson
    /// process); the same `seed` gives the same gaps.
    Poisson {
        rps: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seed: Option<u64>,
    },
}

impl Default for Load {
    fn default() -> Load {
        Load::Concurrency { concurrency: None }
    }
}

impl Load {
    /// The rate asked for, for rate runs.
    pub fn rps(&self) -> Option<f64> {
        match self {
            Load::Concurrency { .. } => None,
            Load::Constant { rps } | Load::Poisson { rps, .. } => Some(*rps),
        }
    }

    /// Refuses a rate that is not a number above 0 and at most `RPS_MAX`.
    pub fn validate(&self) -> Result<(), AppError> {
        match self.rps() {
            Some(r) if !(r.is_finite() && r > 0.0 && r <= RPS_MAX) => Err(AppError::field(
                "load.rps",
                SimMsg::Rate {
                    max: RPS_MAX as u32,
                },
            )),
            _ => Ok(()),
        }
    }
}

/// How a rate run went: the rate asked, the rate its schedule offered over
/// the requests it sent (a Poisson schedule drifts around the rate asked),
/// the rate they were sent at, and whether sending kept up with the
/// schedule (within 5 %).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RateReport {
    pub target_rps: f64,
    pub planned_rps: f64,
    /// Requests sent per second, first send to last.
    pub achieved_rps: f64,
    pub kept_up: bool,
}

impl RateReport {
    /// `sent` requests went out over `send_secs`; they were due over
    /// `due_secs`, and the last went out `last_late_secs` after it was due.
    /// Sending kept up when it ran at 95 % of the planned rate or better, or
    /// when the last request still went out within `ON_TIME_SECS` of its
    /// due time (a hiccup early in a short run is no lag).
    pub fn of(
        target_rps: f64,
        sent: u64,
        send_secs: f64,
        due_secs: f64,
        last_late_secs: f64,
    ) -> RateReport {
        // n sends span n − 1 gaps.
        let per_sec = |secs: f64| {
            if sent > 1 && secs > 0.0 {
                (sent - 1) as f64 / secs
            } else {
                0.0
            }
        };
        let (planned_rps, achieved_rps) = (per_sec(due_secs), per_sec(send_secs));
        RateReport {
            target_rps,
            planned_rps,
            achieved_rps,
            kept_up: sent > 1
                && (achieved_rps >= planned_rps * KEPT_UP_SHARE || last_late_secs <= ON_TIME_SECS),
        }
    }
}

#[cfg(feature = "ssr")]
pub use schedule::Schedule;

#[cfg(feature = "ssr")]
mod schedule {
    use std::time::Duration;

    use rand::{Rng, SeedableRng};

    use super::Load;

    /// When each request of a rate run is due, from the run's start. A ramp
    /// raises the rate linearly from 0 to `rps` over its first seconds.
    pub struct Schedule {
        rps: f64,
        ramp_secs: f64,
        /// Arrivals at rate 1 (n for constant, a sum of Exp(1) for Poisson).
        unit: f64,
        poisson: Option<rand::rngs::StdRng>,
    }

    impl Schedule {
        /// `None` for a closed-loop run.
        pub fn of(load: &Load, ramp_up_secs: u32) -> Option<Schedule> {
            let rps = load.rps()?;
            let poisson = match load {
                Load::Poisson { seed, .. } => Some(match seed {
                    Some(s) => rand::rngs::StdRng::seed_from_u64(*s),
                    None => rand::rngs::StdRng::from_entropy(),
                }),
                _ => None,
            };
            Some(Schedule {
                rps,
                ramp_secs: f64::from(ramp_up_secs),
                unit: 0.0,
                poisson,
            })
        }

        /// The due time of the next request.
        pub fn next_due(&mut self) -> Duration {
            let at = self.time_of(self.unit);
            self.unit += match &mut self.poisson {
                // Exp(1) by inversion; 1 − u is in (0, 1].
                Some(rng) => -(1.0 - rng.gen::<f64>()).ln(),
                None => 1.0,
            };
            Duration::from_secs_f64(at)
        }

        /// When the `n`-th unit arrival falls: the inverse of the expected
        /// count, `rps·t²/2T` during a ramp of `T` seconds, linear after.
        fn time_of(&self, n: f64) -> f64 {
            let (r, t) = (self.rps, self.ramp_secs);
            if t > 0.0 && n < r * t / 2.0 {
                (2.0 * t * n / r).sqrt()
            } else if t > 0.0 {
                t + (n - r * t / 2.0) / r
            } else {
                n / r
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn dues(load: Load, ramp: u32, n: usize) -> Vec<f64> {
            let mut s = Schedule::of(&load, ramp).expect("rate");
            (0..n).map(|_| s.next_due().as_secs_f64()).collect()
        }

        #[test]
        fn constant_is_evenly_spaced() {
            let d = dues(Load::Constant { rps: 4.0 }, 0, 5);
            assert_eq!(d, [0.0, 0.25, 0.5, 0.75, 1.0]);
        }

        #[test]
        fn poisson_has_the_mean_rate_and_repeats_with_its_seed() {
            let load = Load::Poisson {
                rps: 50.0,
                seed: Some(7),
            };
            let d = dues(load.clone(), 0, 20_001);
            let rate = 20_000.0 / d[20_000];
            assert!((rate - 50.0).abs() < 1.5, "mean rate {rate}");
            let gaps: Vec<f64> = d.windows(2).map(|w| w[1] - w[0]).collect();
            assert!(gaps.iter().any(|g| *g > 0.05) && gaps.iter().any(|g| *g < 0.005));
            assert_eq!(dues(load, 0, 100), d[..100]);
        }

        #[test]
        fn a_ramp_rises_to_the_rate_then_holds_it() {
            // 10 req/s after a 2 s ramp: 10 requests due in the ramp.
            let d = dues(Load::Constant { rps: 10.0 }, 2, 31);
            assert!((d[10] - 2.0).abs() < 1e-9, "{}", d[10]);
            assert!(d[1] - d[0] > d[10] - d[9], "slower at first");
            assert!((d[30] - 4.0).abs() < 1e-9, "{}", d[30]);
        }

        #[test]
        fn a_closed_loop_run_has_no_schedule() {
            assert!(Schedule::of(&Load::default(), 0).is_none());
        }
    }
}
