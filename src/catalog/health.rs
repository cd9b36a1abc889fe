//! Probing the catalog's endpoints: every active endpoint (GET its models
//! URL, or one tiny chat, with its key and timeout) on an interval and on
//! demand. Probes run concurrently up to a bound, and each result is written
//! as soon as it arrives, so one hanging endpoint delays no other's result.
//! What a result means is the monitor's [`HealthHistory`]. Real traffic
//! reports here too ([`EndpointMonitor::report`]): chats failing in a row
//! take an endpoint down at once, a success brings it back
//! ([`PassiveHealth`] decides).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use sqlx::SqlitePool;

use super::repo::{self, EndpointRow};
use crate::config::ProbeKind;
use crate::error::{AppError, Thing};
use crate::monitor::health::{
    chat_outcome, HealthHistory, PassiveHealth, PassiveRule, Previous, ProbeRecord, ProbeRule,
    TrafficOutcome,
};
use crate::upstream::{chat_probe, probe};

#[derive(Clone)]
pub struct EndpointMonitor {
    db: SqlitePool,
    http: reqwest::Client,
    concurrency: usize,
    history: HealthHistory,
    passive: PassiveHealth,
    traffic_writes: Arc<tokio::sync::Mutex<()>>,
    /// The catalog's change counter: a probe changes what routing reads.
    epoch: Arc<AtomicU64>,
}

impl EndpointMonitor {
    pub fn new(
        db: SqlitePool,
        http: reqwest::Client,
        concurrency: usize,
        rule: ProbeRule,
        passive: PassiveRule,
        epoch: Arc<AtomicU64>,
    ) -> EndpointMonitor {
        EndpointMonitor {
            db,
            http,
            concurrency: concurrency.max(1),
            history: HealthHistory::new(rule),
            passive: PassiveHealth::new(passive),
            traffic_writes: Arc::default(),
            epoch,
        }
    }

    /// What one chat attempt did to endpoint `id` (which routing saw as
    /// `seen`). When traffic changes its status, the change is stored
    /// right away, in the background.
    pub fn report(&self, id: i64, seen: &str, outcome: TrafficOutcome) {
        if let Some(verdict) = self.passive.judge(id, seen, &outcome) {
            tracing::info!(
                endpoint = id,
                status = verdict.status,
                failures = verdict.failures,
                "traffic changed an endpoint's status"
            );
            let monitor = self.clone();
            tokio::spawn(async move { monitor.store_decided(id).await });
        }
    }

    /// Writes what traffic decided last (writes run one at a time, and each
    /// writes the latest decision, so the stored status is never stale).
    async fn store_decided(&self, id: i64) {
        let _one_at_a_time = self.traffic_writes.lock().await;
        let Some(verdict) = self.passive.decided(id) else {
            return;
        };
        if let Err(e) =
            repo::record_traffic_status(&self.db, id, verdict.status, verdict.error.as_deref())
                .await
        {
            tracing::warn!(error = %e, endpoint = id, "cannot store the status traffic decided");
        }
        self.epoch.fetch_add(1, Ordering::SeqCst);
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
        let target = row.target();
        let outcome = match (self.history.rule().kind, model) {
            (ProbeKind::Chat, Some(model)) => {
                chat_outcome(chat_probe(&self.http, &target, model).await)
            }
            _ => probe(&self.http, &target).await,
        };
        let previous = Previous {
            online: row.status.as_deref() == Some("online"),
            latency_ms: row.latency_ms,
        };
        let record = self.history.judge(row.id, previous, outcome);
        repo::record_probe(
            &self.db,
            row.id,
            record.status,
            record.latency_ms,
            record.error.as_deref(),
        )
        .await?;
        self.passive.probed(row.id, record.status);
        self.epoch.fetch_add(1, Ordering::SeqCst);
        tracing::debug!(
            endpoint = row.id,
            status = record.status,
            failures = record.failures,
            "probe"
        );
        Ok(record)
    }

    /// Probes now and then every `every`, for the life of the process.
    pub fn spawn_interval(self, every: Duration) {
        crate::monitor::spawn_every(every, move || {
            let monitor = self.clone();
            async move {
                if let Err(e) = monitor.check_all().await {
                    tracing::warn!(error = %e, "endpoint probe round failed");
                }
            }
        });
    }
}
