//! Endpoint health as a rule, independent of where endpoints are stored: a
//! probe outcome turns into a status, and one failed probe does not take an
//! online endpoint down — it stays online (with the failure as its last
//! error) until `failures` of its last `window` probes failed. One success
//! brings it back. The catalog runs the probes and stores what this decides.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::config::ProbeKind;
use crate::upstream::{ChatProbe, ProbeOutcome};

/// How endpoints are probed, and when an online one counts as down.
#[derive(Clone, Copy, Debug)]
pub struct ProbeRule {
    pub failures: usize,
    pub window: usize,
    pub kind: ProbeKind,
}

impl ProbeRule {
    /// At least one failure, a window at least that long.
    pub fn sane(self) -> ProbeRule {
        ProbeRule {
            failures: self.failures.max(1),
            window: self.window.max(self.failures).max(1),
            kind: self.kind,
        }
    }
}

/// A chat answer read as probe outcome: no answer is offline, an error
/// answer degraded.
pub fn chat_outcome(p: ChatProbe) -> ProbeOutcome {
    match (p.status, p.error) {
        (None, reason) => ProbeOutcome::Offline {
            reason: reason.unwrap_or_default(),
        },
        (Some(_), Some(reason)) => ProbeOutcome::Degraded {
            latency_ms: p.latency_ms,
            reason,
        },
        (Some(_), None) => ProbeOutcome::Online {
            latency_ms: p.latency_ms,
            models: Vec::new(),
        },
    }
}

/// What an endpoint was before this probe.
#[derive(Clone, Copy, Debug)]
pub struct Previous {
    pub online: bool,
    pub latency_ms: Option<f64>,
}

/// One probe's verdict on one endpoint.
#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ProbeRecord {
    pub id: i64,
    /// `online`, `degraded` or `offline`.
    pub status: &'static str,
    pub latency_ms: Option<f64>,
    pub error: Option<String>,
    /// Failed probes among the last `window`.
    pub failures: usize,
}

/// The last `window` probe outcomes per endpoint (true = online).
#[derive(Clone)]
pub struct HealthHistory {
    rule: ProbeRule,
    windows: Arc<Mutex<HashMap<i64, VecDeque<bool>>>>,
}

impl HealthHistory {
    pub fn new(rule: ProbeRule) -> HealthHistory {
        HealthHistory {
            rule: rule.sane(),
            windows: Arc::default(),
        }
    }

    pub fn rule(&self) -> ProbeRule {
        self.rule
    }

    /// Adds an outcome to the endpoint's window; returns the failures in it.
    fn remember(&self, id: i64, ok: bool) -> usize {
        let Ok(mut all) = self.windows.lock() else {
            return usize::from(!ok);
        };
        let window = all.entry(id).or_default();
        if ok {
            // A success starts the count afresh: old failures do not add up
            // with new ones after a recovery.
            window.clear();
        }
        window.push_back(ok);
        while window.len() > self.rule.window {
            window.pop_front();
        }
        window.iter().filter(|ok| !**ok).count()
    }

    /// The status to store for endpoint `id` after `outcome`.
    pub fn judge(&self, id: i64, previous: Previous, outcome: ProbeOutcome) -> ProbeRecord {
        let (status, latency_ms, error) = match outcome {
            ProbeOutcome::Online { latency_ms, .. } => ("online", Some(latency_ms), None),
            ProbeOutcome::Degraded { latency_ms, reason } => {
                ("degraded", Some(latency_ms), Some(reason))
            }
            ProbeOutcome::Offline { reason } => ("offline", None, Some(reason)),
        };
        let failures = self.remember(id, error.is_none());
        let hold = error.is_some() && previous.online && failures < self.rule.failures;
        if hold {
            ProbeRecord {
                id,
                status: "online",
                latency_ms: previous.latency_ms,
                error,
                failures,
            }
        } else {
            ProbeRecord {
                id,
                status,
                latency_ms,
                error,
                failures,
            }
        }
    }
}

/// When real traffic takes an endpoint down: after `degraded_after` chats
/// in a row failed (connect error, timeout, 5xx) it is degraded, after
/// `offline_after` offline — at once, without waiting for a probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PassiveRule {
    pub degraded_after: u32,
    pub offline_after: u32,
}

impl Default for PassiveRule {
    fn default() -> PassiveRule {
        PassiveRule {
            degraded_after: 3,
            offline_after: 5,
        }
    }
}

/// What one chat attempt says about the endpoint it went to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrafficOutcome {
    /// It answered with a success.
    Ok,
    /// No answer, a timeout or a 5xx: the endpoint failed.
    Failed { reason: String },
    /// It answered, but what it said is about the request (a 4xx, a 429).
    Neutral,
}

/// A status traffic decided, to store with its reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrafficVerdict {
    pub status: &'static str,
    pub error: Option<String>,
    /// Failed chats in a row when it was decided.
    pub failures: u32,
}

/// Failed chats in a row per endpoint, and the status last stored for it
/// (by traffic or by a probe), so each change is written once.
#[derive(Clone, Default)]
pub struct PassiveHealth {
    rule: PassiveRule,
    endpoints: Arc<Mutex<HashMap<i64, PassiveState>>>,
}

#[derive(Default)]
struct PassiveState {
    failures: u32,
    stored: Option<&'static str>,
    /// The last status traffic decided, until a probe stores another.
    decided: Option<TrafficVerdict>,
}

/// How unhealthy a stored status is: online, not yet checked, degraded,
/// offline (routing tries endpoints in this order).
pub fn health_rank(status: &str) -> u8 {
    match status {
        "online" => 0,
        "degraded" => 2,
        "offline" => 3,
        _ => 1,
    }
}

fn known(status: &str) -> &'static str {
    match status {
        "online" => "online",
        "degraded" => "degraded",
        "offline" => "offline",
        _ => "unknown",
    }
}

impl PassiveHealth {
    pub fn new(rule: PassiveRule) -> PassiveHealth {
        PassiveHealth {
            rule: PassiveRule {
                degraded_after: rule.degraded_after.max(1),
                offline_after: rule.offline_after.max(rule.degraded_after).max(1),
            },
            endpoints: Arc::default(),
        }
    }

    pub fn rule(&self) -> PassiveRule {
        self.rule
    }

    /// The status to store after `outcome`, if it changes what is stored.
    /// `seen` is the status routing read for the endpoint; what this rule or
    /// a probe stored since wins over it.
    pub fn judge(&self, id: i64, seen: &str, outcome: &TrafficOutcome) -> Option<TrafficVerdict> {
        let Ok(mut all) = self.endpoints.lock() else {
            return None;
        };
        let state = all.entry(id).or_default();
        let stored = state.stored.unwrap_or_else(|| known(seen));
        let verdict = match outcome {
            TrafficOutcome::Neutral => None,
            TrafficOutcome::Ok => {
                state.failures = 0;
                (stored != "online").then_some(TrafficVerdict {
                    status: "online",
                    error: None,
                    failures: 0,
                })
            }
            TrafficOutcome::Failed { reason } => {
                state.failures = state.failures.saturating_add(1);
                let n = state.failures;
                let target = if n >= self.rule.offline_after {
                    Some("offline")
                } else if n >= self.rule.degraded_after {
                    Some("degraded")
                } else {
                    None
                };
                target
                    .filter(|t| health_rank(t) > health_rank(stored))
                    .map(|status| TrafficVerdict {
                        status,
                        error: Some(format!("{n} chats in a row failed: {reason}")),
                        failures: n,
                    })
            }
        };
        if let Some(v) = &verdict {
            state.stored = Some(v.status);
            state.decided = Some(v.clone());
        }
        verdict
    }

    /// What traffic decided last for endpoint `id`, unless a probe has
    /// stored a status since: what to write, whatever order writes run in.
    pub fn decided(&self, id: i64) -> Option<TrafficVerdict> {
        self.endpoints
            .lock()
            .ok()
            .and_then(|all| all.get(&id).and_then(|s| s.decided.clone()))
    }

    /// A probe stored `status`: traffic judges from there, and a probe that
    /// found the endpoint online starts the failure count afresh.
    pub fn probed(&self, id: i64, status: &'static str) {
        if let Ok(mut all) = self.endpoints.lock() {
            let state = all.entry(id).or_default();
            state.stored = Some(status);
            state.decided = None;
            if status == "online" {
                state.failures = 0;
            }
        }
    }

    /// Failed chats in a row to endpoint `id` now.
    pub fn failures(&self, id: i64) -> u32 {
        self.endpoints
            .lock()
            .ok()
            .and_then(|all| all.get(&id).map(|s| s.failures))
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed() -> TrafficOutcome {
        TrafficOutcome::Failed {
            reason: "HTTP 502: bad gateway".into(),
        }
    }

    #[test]
    fn failed_chats_in_a_row_degrade_then_take_offline_once_each() {
        let p = PassiveHealth::new(PassiveRule {
            degraded_after: 2,
            offline_after: 4,
        });
        let verdicts: Vec<Option<&str>> = (0..6)
            .map(|_| p.judge(1, "online", &failed()).map(|v| v.status))
            .collect();
        assert_eq!(
            verdicts,
            [None, Some("degraded"), None, Some("offline"), None, None]
        );
        assert_eq!(p.decided(1).map(|v| v.status), Some("offline"));
        let back = p.judge(1, "offline", &TrafficOutcome::Ok).expect("back");
        assert_eq!((back.status, back.error), ("online", None));
        assert_eq!(p.judge(1, "online", &TrafficOutcome::Ok), None);
        assert_eq!(p.failures(1), 0);
    }

    #[test]
    fn a_success_or_an_answer_about_the_request_breaks_the_run() {
        let p = PassiveHealth::new(PassiveRule {
            degraded_after: 2,
            offline_after: 2,
        });
        assert_eq!(p.judge(7, "online", &failed()), None);
        assert_eq!(p.judge(7, "online", &TrafficOutcome::Neutral), None);
        assert_eq!(p.failures(7), 1, "a 4xx neither counts nor clears");
        assert_eq!(p.judge(7, "online", &TrafficOutcome::Ok), None);
        assert_eq!(p.judge(7, "online", &failed()), None, "counted afresh");
        let down = p.judge(7, "online", &failed()).expect("offline");
        assert_eq!(down.status, "offline");
        assert_eq!(down.failures, 2);
        assert!(down
            .error
            .as_deref()
            .is_some_and(|e| e.starts_with("2 chats in a row failed: HTTP 502")));
    }

    #[test]
    fn what_a_probe_stored_is_the_starting_point() {
        let p = PassiveHealth::new(PassiveRule {
            degraded_after: 1,
            offline_after: 3,
        });
        p.probed(3, "offline");
        assert_eq!(p.judge(3, "online", &failed()), None, "already worse");
        p.probed(3, "online");
        assert_eq!(p.failures(3), 0);
        assert_eq!(p.decided(3), None);
        assert_eq!(
            p.judge(3, "online", &failed()).map(|v| v.status),
            Some("degraded")
        );
        // An endpoint routing saw offline comes back with one success.
        assert_eq!(
            p.judge(9, "offline", &TrafficOutcome::Ok).map(|v| v.status),
            Some("online")
        );
    }
}
