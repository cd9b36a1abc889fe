//! Brings the mapping rows of Supabase's `ai_prompt` (category
//! `model_mapping`) into SQLite's `ai_prompts`, by `supabase_id`: remote
//! rows are added or updated locally (with the remote `updated_at` as the
//! row's version); rows deleted remotely are removed — or, when stored
//! results refer to them, disabled and marked removed, keeping their
//! `supabase_id` so they are never pushed back. Used by the full sync and,
//! within a second of a remote change, by the live watch.

use serde_json::{json, Value};

use super::remote::{self, RemoteMapping};
use super::service::MappingService;
use super::types::{MappingTools, Scope, MAPPING_CATEGORY};
use crate::catalog::repo::now;
use crate::catalog::types::SyncCounts;
use crate::error::AppError;

/// A local mapping row as a reconcile compares it.
#[derive(sqlx::FromRow)]
pub(super) struct Local {
    pub id: i64,
    pub supabase_id: Option<i64>,
    pub name: String,
    pub content: String,
    pub tools_json: Option<String>,
    pub is_active: Option<i64>,
    pub updated_at: Option<String>,
}

impl Local {
    pub fn tools(&self) -> Value {
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
            && (r.updated_at.is_none() || self.updated_at == r.updated_at)
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

pub(super) async fn locals(db: &sqlx::SqlitePool) -> Result<Vec<Local>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, supabase_id, name, content, tools_json, is_active, updated_at FROM ai_prompts WHERE category = ?1 ORDER BY id",
    )
    .bind(MAPPING_CATEGORY)
    .fetch_all(db)
    .await?)
}

impl MappingService {
    /// Mirrors the remote mapping rows into SQLite; rows refused by
    /// validation are named in `invalid`.
    pub async fn reconcile(&self, invalid: &mut Vec<String>) -> Result<SyncCounts, AppError> {
        let catalog = self.catalog();
        let Some(pg) = catalog.supabase.as_ref() else {
            return Ok(SyncCounts::default());
        };
        // Read under the write lock: a write of this console in between
        // would otherwise look deleted remotely.
        let _guard = catalog.lock_writes().await;
        let remote_rows = remote::all(pg).await?;
        let db = &catalog.db;
        let mut counts = SyncCounts::default();
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
            let version = r.updated_at.clone().unwrap_or_else(|| ts.clone());
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
                    .bind(&version)
                    .execute(&mut *tx)
                    .await?;
                    counts.updated += 1;
                }
                None => {
                    sqlx::query(
                        "INSERT INTO ai_prompts (supabase_id, name, content, version, category, tools_json, is_active, created_at, updated_at)
                         VALUES (?1, ?2, ?3, '1', ?4, ?5, ?6, ?7, ?8)",
                    )
                    .bind(r.id)
                    .bind(&r.name)
                    .bind(&r.content)
                    .bind(MAPPING_CATEGORY)
                    .bind(&tools)
                    .bind(active)
                    .bind(&ts)
                    .bind(&version)
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
                let mut tools: MappingTools = serde_json::from_value(l.tools()).unwrap_or_default();
                if tools.removed_in_supabase && l.is_active.unwrap_or(0) == 0 {
                    continue;
                }
                tools.removed_in_supabase = true;
                // Disabled, marked, and still carrying its `supabase_id`:
                // no sync sends it back up.
                sqlx::query(
                    "UPDATE ai_prompts SET is_active = 0, tools_json = ?2, updated_at = ?3 WHERE id = ?1",
                )
                .bind(l.id)
                .bind(json!(tools).to_string())
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
        Ok(counts)
    }

    /// The live watch's reconcile: mirrors the mapping rows and, when that
    /// changed anything, says so in the audit log as Supabase's doing.
    pub async fn follow_remote(&self) -> Result<(), AppError> {
        let mut invalid = Vec::new();
        let counts = self.reconcile(&mut invalid).await?;
        if counts.added + counts.updated + counts.removed + counts.kept > 0 {
            tracing::info!(?counts, "mappings changed in Supabase mirrored");
            self.catalog().audit.record(
                "supabase",
                "mapping.remote_change",
                json!({ "counts": counts, "invalid_rows": invalid }),
            );
        }
        Ok(())
    }
}
