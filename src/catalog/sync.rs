//! The catalog's part of a full sync: local-only rows (made before
//! Supabase was configured) are pushed once so nothing is dropped silently,
//! then `ai_model` is mirrored (see `reconcile`).

use std::sync::Arc;
use std::time::Instant;

use futures::future::BoxFuture;

use serde_json::json;

use super::reconcile::from_row;
use super::remote;
use super::repo::{self, now};
use super::service::Catalog;
use super::types::SyncReport;
use crate::error::{AppError, Common};

impl Catalog {
    pub async fn sync(&self, actor: &str) -> Result<SyncReport, AppError> {
        let pg = self
            .supabase
            .as_ref()
            .ok_or_else(|| AppError::Conflict(Common::SupabaseNotConfigured.into()))?;
        let started = Instant::now();
        let mut report = SyncReport::default();

        // 1. Local-only rows (made before Supabase was configured) go up
        //    once and get their ids; the default only where Supabase has none.
        {
            let _guard = self.lock_writes().await;
            for row in repo::all(&self.db)
                .await?
                .iter()
                .filter(|r| r.supabase_id.is_none())
            {
                let (sid, version, _) = remote::insert(pg, &from_row(row), row.default()).await?;
                let mut conn = self.db.acquire().await?;
                repo::set_supabase_id(&mut conn, row.id, sid).await?;
                repo::set_version(&mut conn, sid, version.as_deref()).await?;
                report.endpoints.pushed += 1;
            }
        }

        // 2. Mirror the authority.
        let pushed = report.endpoints.pushed;
        report.endpoints = self.reconcile(&mut report.invalid_rows).await?;
        report.endpoints.pushed = pushed;

        report.finished_at = now();
        report.duration_ms = started.elapsed().as_millis() as u64;
        self.audit.record(actor, "catalog.sync", json!(report));
        tracing::info!(?report, "catalog synced from Supabase");
        Ok(report)
    }
}

/// The whole Supabase sync — endpoints, then mappings, then results — as
/// the app composes it from the features above the catalog; the catalog's
/// page and route only start it.
#[derive(Clone)]
pub struct FullSync(Arc<SyncFn>);

type SyncFn = dyn Fn(String) -> BoxFuture<'static, Result<SyncReport, AppError>> + Send + Sync;

impl FullSync {
    pub fn new<F, Fut>(sync: F) -> FullSync
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<SyncReport, AppError>> + Send + 'static,
    {
        FullSync(Arc::new(move |actor| Box::pin(sync(actor))))
    }

    /// Runs the sync for `actor` (recorded in the audit log).
    pub async fn run(&self, actor: &str) -> Result<SyncReport, AppError> {
        (self.0)(actor.to_owned()).await
    }
}
