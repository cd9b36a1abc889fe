//! Reconciles SQLite's `ai_endpoints` with Supabase's `ai_model` by
//! `supabase_id`: remote rows are added or updated locally, rows that
//! vanished remotely are removed (or, when stored results refer to them,
//! disabled and marked `orphaned`), and local-only rows are pushed once so
//! nothing is dropped silently. The remote default wins.

use std::sync::Arc;
use std::time::Instant;

use futures::future::BoxFuture;

use serde_json::json;

use super::remote::{self, RemoteModel};
use super::repo::{self, now, EndpointRow};
use super::service::Catalog;
use super::types::EndpointDraft;
use super::types::SyncReport;
use super::validate::{validate, ValidEndpoint};
use crate::error::{AppError, Common};

fn from_row(r: &EndpointRow) -> ValidEndpoint {
    ValidEndpoint {
        name: r.name.clone(),
        base_url: r.base_url.clone(),
        api_key: r.api_key.clone(),
        clear_key: false,
        description: r.description.clone(),
        model: r.model.clone(),
        model_list: r.models(),
        timeout: r.timeout.unwrap_or(60),
        is_active: r.active(),
        resolved: r.resolved(),
    }
}

/// A Supabase row, held to the rules a local edit follows.
fn from_remote(m: &RemoteModel) -> Result<ValidEndpoint, AppError> {
    validate(EndpointDraft {
        name: m.name.clone(),
        base_url: m.base_url.clone(),
        api_key: m.api_key.clone(),
        description: m.description.clone(),
        model: m.model.clone(),
        model_list: m.models(),
        timeout: i64::from(m.timeout.unwrap_or(60)),
        is_active: m.is_active.unwrap_or(true),
    })
}

fn same(local: &EndpointRow, remote: &ValidEndpoint) -> bool {
    let mirrored = from_row(local);
    mirrored.name == remote.name
        && mirrored.base_url == remote.base_url
        && mirrored.model == remote.model
        && mirrored.description == remote.description
        && (remote.api_key.is_none() || mirrored.api_key == remote.api_key)
        && mirrored.timeout == remote.timeout
        && mirrored.is_active == remote.is_active
        && mirrored.model_list == remote.model_list
}

impl Catalog {
    pub async fn sync(&self, actor: &str) -> Result<SyncReport, AppError> {
        let pg = self
            .supabase
            .as_ref()
            .ok_or_else(|| AppError::Conflict(Common::SupabaseNotConfigured.into()))?;
        let started = Instant::now();
        let _guard = self.lock_writes().await;
        let mut report = SyncReport::default();

        // 1. Local-only rows go up once and get their ids.
        let remote_has_default = remote::all(pg)
            .await?
            .iter()
            .any(|m| m.is_default.unwrap_or(false));
        for row in repo::all(&self.db)
            .await?
            .iter()
            .filter(|r| r.supabase_id.is_none())
        {
            let sid =
                remote::insert(pg, &from_row(row), row.default() && !remote_has_default).await?;
            let mut conn = self.db.acquire().await?;
            repo::set_supabase_id(&mut conn, row.id, sid).await?;
            report.endpoints.pushed += 1;
        }

        // 2. Mirror the authority.
        let remote_rows = remote::all(pg).await?;
        let local_rows = repo::all(&self.db).await?;
        let mut tx = self.db.begin().await?;
        for m in &remote_rows {
            let wanted = match from_remote(m) {
                Ok(v) => v,
                Err(e) => {
                    let why = format!("ai_model #{} ({}): {e}", m.id, m.name);
                    tracing::warn!(row = %why, "Supabase row refused by validation, not applied");
                    report.invalid_rows.push(why);
                    report.endpoints.invalid += 1;
                    continue;
                }
            };
            match local_rows.iter().find(|l| l.supabase_id == Some(m.id)) {
                None => {
                    repo::insert(&mut tx, &wanted, Some(m.id), false).await?;
                    report.endpoints.added += 1;
                }
                Some(l) if same(l, &wanted) => report.endpoints.unchanged += 1,
                Some(l) => {
                    repo::update(&mut tx, l.id, &wanted, true).await?;
                    report.endpoints.updated += 1;
                }
            }
        }
        for l in local_rows.iter().filter(|l| {
            l.supabase_id
                .is_some_and(|s| !remote_rows.iter().any(|m| m.id == s))
        }) {
            if repo::result_count(&mut tx, l.id).await? > 0 {
                sqlx::query(
                    "UPDATE ai_endpoints SET is_active = 0, is_default = 0, sync_status = 'orphaned', updated_at = ?2 WHERE id = ?1",
                )
                .bind(l.id)
                .bind(now())
                .execute(&mut *tx)
                .await?;
                report.endpoints.kept += 1;
            } else {
                repo::delete(&mut tx, l.id, false).await?;
                report.endpoints.removed += 1;
            }
        }
        if let Some(d) = remote_rows
            .iter()
            .find(|m| m.is_default.unwrap_or(false) && m.is_active.unwrap_or(true))
        {
            let local_id: Option<i64> =
                sqlx::query_scalar("SELECT id FROM ai_endpoints WHERE supabase_id = ?1")
                    .bind(d.id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some(id) = local_id {
                repo::set_default(&mut tx, id).await?;
            }
        }
        sqlx::query("UPDATE ai_endpoints SET sync_status = 'synced', last_synced_at = ?1 WHERE supabase_id IS NOT NULL AND sync_status != 'orphaned'")
            .bind(now())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;

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
