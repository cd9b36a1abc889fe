//! The EndpointMonitor: probes every active endpoint (GET its models URL
//! with its key and timeout) on an interval and on demand. Probes run
//! concurrently up to a bound, and each result is written as soon as it
//! arrives, so one hanging endpoint delays no other's result.

use std::time::Duration;

use futures::StreamExt;
use serde::Serialize;
use sqlx::SqlitePool;

use crate::catalog::repo::{self, EndpointRow};
use crate::error::{AppError, Thing};
use crate::upstream::{probe, ProbeOutcome};

#[derive(Clone)]
pub struct EndpointMonitor {
    db: SqlitePool,
    http: reqwest::Client,
    concurrency: usize,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ProbeRecord {
    pub id: i64,
    pub status: &'static str,
    pub latency_ms: Option<f64>,
    pub error: Option<String>,
}

impl EndpointMonitor {
    pub fn new(db: SqlitePool, http: reqwest::Client, concurrency: usize) -> EndpointMonitor {
        EndpointMonitor {
            db,
            http,
            concurrency: concurrency.max(1),
        }
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
        let record = match probe(&self.http, row).await {
            ProbeOutcome::Online { latency_ms, .. } => ProbeRecord {
                id: row.id,
                status: "online",
                latency_ms: Some(latency_ms),
                error: None,
            },
            ProbeOutcome::Degraded { latency_ms, reason } => ProbeRecord {
                id: row.id,
                status: "degraded",
                latency_ms: Some(latency_ms),
                error: Some(reason),
            },
            ProbeOutcome::Offline { reason } => ProbeRecord {
                id: row.id,
                status: "offline",
                latency_ms: None,
                error: Some(reason),
            },
        };
        repo::record_probe(
            &self.db,
            row.id,
            record.status,
            record.latency_ms,
            record.error.as_deref(),
        )
        .await?;
        tracing::debug!(endpoint = row.id, status = record.status, "probe");
        Ok(record)
    }

    /// Probes now and then every `every`, for the life of the process.
    pub fn spawn_interval(self, every: Duration) {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = self.check_all().await {
                    tracing::warn!(error = %e, "endpoint probe round failed");
                }
            }
        });
    }
}
