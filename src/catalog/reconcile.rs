//! Brings `ai_model` from Supabase into SQLite's `ai_endpoints`, by
//! `supabase_id`: remote rows are added or updated locally (with the
//! remote `updated_at` as the row's version), rows deleted remotely are
//! removed — or, when stored results refer to them, disabled and marked
//! `orphaned`, never pushed back. The remote default wins. Used by the
//! full sync and, within a second of a remote change, by the live watch.

use serde_json::json;

use super::remote::{self, RemoteModel};
use super::repo::{self, now, EndpointRow};
use super::service::Catalog;
use super::types::{EndpointDraft, SyncCounts};
use super::validate::{validate, ValidEndpoint};
use crate::error::{AppError, Common};

pub(super) fn from_row(r: &EndpointRow) -> ValidEndpoint {
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
        updated_at: None,
    })
}

fn same(local: &EndpointRow, remote: &ValidEndpoint, version: &Option<String>) -> bool {
    let mirrored = from_row(local);
    mirrored.name == remote.name
        && mirrored.base_url == remote.base_url
        && mirrored.model == remote.model
        && mirrored.description == remote.description
        && (remote.api_key.is_none() || mirrored.api_key == remote.api_key)
        && mirrored.timeout == remote.timeout
        && mirrored.is_active == remote.is_active
        && mirrored.model_list == remote.model_list
        && (version.is_none() || &local.updated_at == version)
}

impl Catalog {
    /// Mirrors `ai_model` into SQLite; the rows Supabase refused to pass
    /// validation are named in `invalid`.
    pub async fn reconcile(&self, invalid: &mut Vec<String>) -> Result<SyncCounts, AppError> {
        let pg = self
            .supabase
            .as_ref()
            .ok_or_else(|| AppError::Conflict(Common::SupabaseNotConfigured.into()))?;
        // Read under the write lock: a write of this console in between
        // would otherwise look deleted remotely.
        let _guard = self.lock_writes().await;
        let remote_rows = remote::all(pg).await?;
        let local_rows = repo::all(&self.db).await?;
        let mut counts = SyncCounts::default();
        let mut tx = self.db.begin().await?;
        let mut versions = Vec::new();
        for m in &remote_rows {
            let wanted = match from_remote(m) {
                Ok(v) => v,
                Err(e) => {
                    let why = format!("ai_model #{} ({}): {e}", m.id, m.name);
                    tracing::warn!(row = %why, "Supabase row refused by validation, not applied");
                    invalid.push(why);
                    counts.invalid += 1;
                    continue;
                }
            };
            versions.push((m.id, m.updated_at.clone()));
            match local_rows.iter().find(|l| l.supabase_id == Some(m.id)) {
                None => {
                    repo::insert(&mut tx, &wanted, Some(m.id), false).await?;
                    counts.added += 1;
                }
                Some(l) if same(l, &wanted, &m.updated_at) => counts.unchanged += 1,
                Some(l) => {
                    repo::update(&mut tx, l.id, &wanted, true).await?;
                    counts.updated += 1;
                }
            }
        }
        for l in local_rows.iter().filter(|l| {
            l.supabase_id
                .is_some_and(|s| !remote_rows.iter().any(|m| m.id == s))
        }) {
            if repo::result_count(&mut tx, l.id).await? > 0 {
                if l.sync_status.as_deref() != Some("orphaned") || l.active() || l.default() {
                    repo::mark_orphaned(&mut tx, l.id).await?;
                    counts.kept += 1;
                }
            } else {
                repo::delete(&mut tx, l.id, false).await?;
                counts.removed += 1;
            }
        }
        let remote_default = remote_rows
            .iter()
            .find(|m| m.is_default.unwrap_or(false) && m.is_active.unwrap_or(true));
        if let Some(d) = remote_default {
            let local: Option<(i64, Option<i64>)> =
                sqlx::query_as("SELECT id, is_default FROM ai_endpoints WHERE supabase_id = ?1")
                    .bind(d.id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some((id, is_default)) = local {
                let others: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM ai_endpoints WHERE is_default = 1 AND id != ?1",
                )
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
                if is_default.unwrap_or(0) == 0 || others > 0 {
                    repo::set_default(&mut tx, id).await?;
                    counts.updated += 1;
                }
            }
        }
        // The authority's version, so the next edit is conditional on it.
        for (sid, version) in versions.iter().filter(|(_, v)| v.is_some()) {
            repo::set_version(&mut tx, *sid, version.as_deref()).await?;
        }
        sqlx::query("UPDATE ai_endpoints SET sync_status = 'synced', last_synced_at = ?1 WHERE supabase_id IS NOT NULL AND sync_status != 'orphaned'")
            .bind(now())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(counts)
    }

    /// The live watch's reconcile: mirrors `ai_model` and, when that
    /// changed anything, says so in the audit log as Supabase's doing.
    pub async fn follow_remote(&self) -> Result<(), AppError> {
        let mut invalid = Vec::new();
        let counts = self.reconcile(&mut invalid).await?;
        if counts.added + counts.updated + counts.removed + counts.kept > 0 {
            tracing::info!(?counts, "endpoints changed in Supabase mirrored");
            self.audit.record(
                "supabase",
                "catalog.remote_change",
                json!({ "counts": counts, "invalid_rows": invalid }),
            );
        }
        Ok(())
    }
}
