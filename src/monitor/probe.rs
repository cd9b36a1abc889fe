//! The EndpointMonitor: probes every active endpoint (GET its models URL
//! with its key and timeout) on an interval and on demand. Probes run
//! concurrently up to a bound, and each result is written as soon as it
//! arrives, so one hanging endpoint delays no other's result.
//!
//! One failed probe does not take an online endpoint down: it stays online
//! (with the failure as its last error) until `failures` of its last
//! `window` probes failed. One success brings it back.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use serde::Serialize;
use sqlx::SqlitePool;

use crate::catalog::repo::{self, EndpointRow};
use crate::error::{AppError, Thing};
use crate::upstream::{chat_probe, probe, ChatProbe, ProbeOutcome};

/// A chat answer read as probe outcome: no answer is offline, an error
/// answer degraded.
fn chat_outcome(p: ChatProbe) -> ProbeOutcome {
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

/// How endpoints are probed, and when an online one counts as down.
#[derive(Clone, Copy, Debug)]
pub struct ProbeRule {
    pub failures: usize,
    pub window: usize,
    pub kind: ProbeKind,
}

/// `Models`: GET the model list (cheap). `Chat`: one tiny chat to the
/// endpoint's own default model (proves it answers; costs a completion).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeKind {
    Models,
    Chat,
}

#[derive(Clone)]
pub struct EndpointMonitor {
    db: SqlitePool,
    http: reqwest::Client,
    concurrency: usize,
    rule: ProbeRule,
    /// The last `window` probe outcomes per endpoint (true = online).
    history: Arc<Mutex<HashMap<i64, VecDeque<bool>>>>,
    /// The catalog's change counter: a probe changes what routing reads.
    epoch: Arc<AtomicU64>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ProbeRecord {
    pub id: i64,
    pub status: &'static str,
    pub latency_ms: Option<f64>,
    pub error: Option<String>,
    /// Failed probes among the last `window`.
    pub failures: usize,
}

impl EndpointMonitor {
    pub fn new(
        db: SqlitePool,
        http: reqwest::Client,
        concurrency: usize,
        rule: ProbeRule,
        epoch: Arc<AtomicU64>,
    ) -> EndpointMonitor {
        EndpointMonitor {
            db,
            http,
            concurrency: concurrency.max(1),
            rule: ProbeRule {
                failures: rule.failures.max(1),
                window: rule.window.max(rule.failures).max(1),
                kind: rule.kind,
            },
            history: Arc::default(),
            epoch,
        }
    }

    /// Adds an outcome to the endpoint's window; returns the failures in it.
    fn remember(&self, id: i64, ok: bool) -> usize {
        let Ok(mut all) = self.history.lock() else {
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

    /// Probes every active endpoint; returns when all have answered or
    /// timed out (each within its own `timeout`).
    pub async fn check_all(&self) -> Result<Vec<ProbeRecord>, AppError> {
        let rows: Vec<EndpointRow> = repo::all(&self.db)
            .await?
            .into_iter()
            .filter(|r| r.active())
            .collect();
        let results = futures::stream::iter(rows)
            .map(|row| async move { self.check_row(&row).await })
            .buffer_unordered(self.concurrency)
            .collect::<Vec<_>>()
            .await;
        results.into_iter().collect()
    }

    pub async fn check_one(&self, id: i64) -> Result<ProbeRecord, AppError> {
        let mut conn = self.db.acquire().await?;
        let row = repo::get(&mut conn, id)
            .await?
            .ok_or_else(|| AppError::missing(Thing::Endpoint, id))?;
        drop(conn);
        self.check_row(&row).await
    }

    async fn check_row(&self, row: &EndpointRow) -> Result<ProbeRecord, AppError> {
        let model = row.model.as_deref().filter(|m| !m.is_empty());
        let outcome = match (self.rule.kind, model) {
            (ProbeKind::Chat, Some(model)) => {
                chat_outcome(chat_probe(&self.http, row, model).await)
            }
            _ => probe(&self.http, row).await,
        };
        let (status, latency_ms, error) = match outcome {
            ProbeOutcome::Online { latency_ms, .. } => ("online", Some(latency_ms), None),
            ProbeOutcome::Degraded { latency_ms, reason } => {
                ("degraded", Some(latency_ms), Some(reason))
            }
            ProbeOutcome::Offline { reason } => ("offline", None, Some(reason)),
        };
        let failures = self.remember(row.id, error.is_none());
        let was_online = row.status.as_deref() == Some("online");
        let hold = error.is_some() && was_online && failures < self.rule.failures;
        let record = if hold {
            ProbeRecord {
                id: row.id,
                status: "online",
                latency_ms: row.latency_ms,
                error,
                failures,
            }
        } else {
            ProbeRecord {
                id: row.id,
                status,
                latency_ms,
                error,
                failures,
            }
        };
        repo::record_probe(
            &self.db,
            row.id,
            record.status,
            record.latency_ms,
            record.error.as_deref(),
        )
        .await?;
        self.epoch.fetch_add(1, Ordering::SeqCst);
        tracing::debug!(endpoint = row.id, status = record.status, failures, "probe");
        Ok(record)
    }

    /// Probes now and then every `every`, for the life of the process.
    pub fn spawn_interval(self, every: Duration) {
        super::spawn_every(every, move || {
            let monitor = self.clone();
            async move {
                if let Err(e) = monitor.check_all().await {
                    tracing::warn!(error = %e, "endpoint probe round failed");
                }
            }
        });
    }
}
