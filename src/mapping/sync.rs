//! The mappings' part of a full sync, after the endpoints: local-only rows
//! are pushed once — or adopt a remote row of the same scope, so a scope is
//! never mapped twice — then the remote rows are mirrored (`reconcile`).

use std::time::{Duration, Instant};

use serde_json::json;

use super::reconcile::locals;
use super::remote;
use super::service::MappingService;
use crate::catalog::repo::now;
use crate::catalog::types::{SyncCounts, SyncReport};
use crate::error::AppError;
use crate::storage::mirror::ResultsMirror;

impl MappingService {
    /// Endpoints first, then mappings; one report for both.
    pub async fn sync(&self, actor: &str) -> Result<SyncReport, AppError> {
        let started = Instant::now();
        let mut report = self.catalog().sync(actor).await?;
        report.mappings = self.sync_mappings(actor, &mut report.invalid_rows).await?;
        report.finished_at = now();
        report.duration_ms = started.elapsed().as_millis() as u64;
        Ok(report)
    }

    async fn sync_mappings(
        &self,
        actor: &str,
        invalid: &mut Vec<String>,
    ) -> Result<SyncCounts, AppError> {
        let catalog = self.catalog();
        let Some(pg) = catalog.supabase.as_ref() else {
            return Ok(SyncCounts::default());
        };
        let guard = catalog.lock_writes().await;
        let db = &catalog.db;
        let mut counts = SyncCounts::default();

        // 1. Local-only rows adopt the remote row of their scope, or go up.
        let remote_rows = remote::all(pg).await?;
        let local_rows = locals(db).await?;
        let mut claimed: Vec<i64> = local_rows.iter().filter_map(|l| l.supabase_id).collect();
        for l in local_rows.iter().filter(|l| l.supabase_id.is_none()) {
            let (sid, version) = match remote_rows
                .iter()
                .find(|r| r.name == l.name && !claimed.contains(&r.id))
            {
                Some(r) => (r.id, None),
                None => {
                    counts.pushed += 1;
                    let tools: super::types::MappingTools =
                        serde_json::from_value(l.tools()).unwrap_or_default();
                    let active = l.is_active.unwrap_or(0) != 0;
                    remote::insert(pg, &l.name, &l.content, &tools, active).await?
                }
            };
            sqlx::query("UPDATE ai_prompts SET supabase_id = ?2, updated_at = COALESCE(?3, updated_at) WHERE id = ?1")
                .bind(l.id)
                .bind(sid)
                .bind(version)
                .execute(db)
                .await?;
            claimed.push(sid);
        }

        drop(guard);

        // 2. Mirror the authority.
        let pushed = counts.pushed;
        counts = self.reconcile(invalid).await?;
        counts.pushed = pushed;
        catalog.audit.record(actor, "mapping.sync", json!(counts));
        tracing::info!(?counts, "mappings synced from Supabase");
        Ok(counts)
    }

    /// Syncs now and then every `every`, when Supabase is configured.
    pub fn spawn_sync_interval(self, every: Duration) {
        if self.catalog().supabase.is_none() {
            return;
        }
        crate::monitor::spawn_every(every, move || {
            let service = self.clone();
            async move {
                if let Err(e) = service.sync("system").await {
                    tracing::warn!(error = %e, "scheduled Supabase sync failed");
                }
            }
        });
    }
}

/// The whole sync: endpoints, then mappings, then the results not yet in
/// Supabase. A results mirror that cannot go on says so in the report
/// instead of failing the sync (endpoints and mappings are in).
pub async fn sync_everything(
    mappings: &MappingService,
    mirror: Option<&ResultsMirror>,
    actor: &str,
) -> Result<SyncReport, AppError> {
    let mut report = mappings.sync(actor).await?;
    if let Some(mirror) = mirror {
        match mirror.push().await {
            Ok(r) => {
                report.results_pushed = r.pushed;
                report.results_waiting = r.waiting;
            }
            Err(e) => {
                tracing::warn!(error = %e, "results mirror failed during sync");
                report.results_waiting = Some(e.message());
            }
        }
    }
    Ok(report)
}
