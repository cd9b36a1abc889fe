//! Reconciles the mapping rows of SQLite's `ai_prompts` with Supabase's
//! `ai_prompt` (category `model_mapping`) by `supabase_id`, after the
//! endpoints: remote rows are added or updated locally, rows gone remotely
//! are removed (or disabled when stored results refer to them), and
//! local-only rows are pushed once — or adopt a remote row of the same
//! scope, so a scope is never mapped twice.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::remote::{self, RemoteMapping};
use super::service::MappingService;
use super::types::{MappingTools, Scope, MAPPING_CATEGORY};
use crate::catalog::repo::now;
use crate::catalog::types::{SyncCounts, SyncReport};
use crate::error::AppError;
use crate::storage::mirror::ResultsMirror;

/// A local mapping row as sync compares it.
#[derive(sqlx::FromRow)]
struct Local {
    id: i64,
    supabase_id: Option<i64>,
    name: String,
    content: String,
    tools_json: Option<String>,
    is_active: Option<i64>,
}

impl Local {
    fn tools(&self) -> Value {
        self.tools_json
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or(Value::Null)
    }

    fn same(&self, r: &RemoteMapping) -> bool {
        self.name == r.name
            && self.content == r.content
            && self.tools() == remote_tools(r)
            && (self.is_active.unwrap_or(0) != 0) == r.is_active.unwrap_or(false)
    }
}

/// A Supabase mapping row, held to the rules a local edit follows: its name
/// is a scope, its tools name at least one model and a default among them.
fn check_remote(r: &RemoteMapping) -> Result<(), String> {
    Scope::parse(&r.name).map_err(|e| format!("name: {}", e.message()))?;
    let tools: MappingTools = serde_json::from_value(remote_tools(r))
        .map_err(|e| format!("tools_json: not a model list: {e}"))?;
    if tools.models.is_empty() {
        return Err("tools_json: names no model".into());
    }
    match tools.default {
        Some(d) if !tools.models.contains(&d) => Err(format!(
            "tools_json: the default `{d}` is not among its models"
        )),
        _ => Ok(()),
    }
}

fn remote_tools(r: &RemoteMapping) -> Value {
    r.tools_json.as_ref().map_or(Value::Null, |j| j.0.clone())
}

async fn locals(db: &sqlx::SqlitePool) -> Result<Vec<Local>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, supabase_id, name, content, tools_json, is_active FROM ai_prompts WHERE category = ?1 ORDER BY id",
    )
    .bind(MAPPING_CATEGORY)
    .fetch_all(db)
    .await?)
}

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
        let _guard = catalog.lock_writes().await;
        let db = &catalog.db;
        let mut counts = SyncCounts::default();

        // 1. Local-only rows adopt the remote row of their scope, or go up.
        let remote_rows = remote::all(pg).await?;
        let local_rows = locals(db).await?;
        let mut claimed: Vec<i64> = local_rows.iter().filter_map(|l| l.supabase_id).collect();
        for l in local_rows.iter().filter(|l| l.supabase_id.is_none()) {
            let sid = match remote_rows
                .iter()
                .find(|r| r.name == l.name && !claimed.contains(&r.id))
            {
                Some(r) => r.id,
                None => {
                    counts.pushed += 1;
                    let tools: super::types::MappingTools =
                        serde_json::from_value(l.tools()).unwrap_or_default();
                    let active = l.is_active.unwrap_or(0) != 0;
                    remote::insert(pg, &l.name, &l.content, &tools, active).await?
                }
            };
            sqlx::query("UPDATE ai_prompts SET supabase_id = ?2 WHERE id = ?1")
                .bind(l.id)
                .bind(sid)
                .execute(db)
                .await?;
            claimed.push(sid);
        }

        // 2. Mirror the authority.
        let remote_rows = remote::all(pg).await?;
        let local_rows = locals(db).await?;
        let ts = now();
        let mut tx = db.begin().await?;
        for r in &remote_rows {
            if let Err(why) = check_remote(r) {
                let why = format!("ai_prompt #{} ({}): {why}", r.id, r.name);
                tracing::warn!(row = %why, "Supabase row refused by validation, not applied");
                invalid.push(why);
                counts.invalid += 1;
                continue;
            }
            let tools = remote_tools(r).to_string();
            let active = i64::from(r.is_active.unwrap_or(false));
            match local_rows.iter().find(|l| l.supabase_id == Some(r.id)) {
                Some(l) if l.same(r) => counts.unchanged += 1,
                Some(l) => {
                    sqlx::query(
                        "UPDATE ai_prompts SET name = ?2, content = ?3, tools_json = ?4, is_active = ?5, updated_at = ?6 WHERE id = ?1",
                    )
                    .bind(l.id)
                    .bind(&r.name)
                    .bind(&r.content)
                    .bind(&tools)
                    .bind(active)
                    .bind(&ts)
                    .execute(&mut *tx)
                    .await?;
                    counts.updated += 1;
                }
                None => {
                    sqlx::query(
                        "INSERT INTO ai_prompts (supabase_id, name, content, version, category, tools_json, is_active, created_at, updated_at)
                         VALUES (?1, ?2, ?3, '1', ?4, ?5, ?6, ?7, ?7)",
                    )
                    .bind(r.id)
                    .bind(&r.name)
                    .bind(&r.content)
                    .bind(MAPPING_CATEGORY)
                    .bind(&tools)
                    .bind(active)
                    .bind(&ts)
                    .execute(&mut *tx)
                    .await?;
                    counts.added += 1;
                }
            }
        }
        let gone = local_rows.iter().filter(|l| {
            l.supabase_id
                .is_some_and(|s| !remote_rows.iter().any(|r| r.id == s))
        });
        for l in gone {
            let results: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM ai_prompt_tests WHERE prompt_id = ?1")
                    .bind(l.id)
                    .fetch_one(&mut *tx)
                    .await?;
            if results > 0 {
                // Disabled and local-only again, so it stays editable and
                // the next sync sends it back up.
                sqlx::query("UPDATE ai_prompts SET is_active = 0, supabase_id = NULL, updated_at = ?2 WHERE id = ?1")
                    .bind(l.id)
                    .bind(&ts)
                    .execute(&mut *tx)
                    .await?;
                counts.kept += 1;
            } else {
                sqlx::query("DELETE FROM ai_prompts WHERE id = ?1")
                    .bind(l.id)
                    .execute(&mut *tx)
                    .await?;
                counts.removed += 1;
            }
        }
        sqlx::query("UPDATE ai_prompts SET last_synced_at = ?2 WHERE category = ?1 AND supabase_id IS NOT NULL")
            .bind(MAPPING_CATEGORY)
            .bind(&ts)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
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
