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
