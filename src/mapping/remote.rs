//! Mapping rows in Supabase's `ai_prompt`, the authority when configured.

use sqlx::types::Json;
use sqlx::PgPool;

use super::types::{MappingTools, MAPPING_CATEGORY};
pub use crate::catalog::remote::Written;
use crate::error::{AppError, Write};

fn refused(write: Write, e: sqlx::Error) -> AppError {
    tracing::warn!(error = %e, ?write, "Supabase write failed");
    AppError::refused(write, e)
}

pub async fn insert(
    pg: &PgPool,
    name: &str,
    note: &str,
    tools: &MappingTools,
    active: bool,
) -> Result<(i64, Option<String>), AppError> {
    sqlx::query_as(
        "INSERT INTO ai_prompt (name, content, version, category, tools_json, is_active, created_at, updated_at)
         VALUES ($1, $2, '1', $3, $4, $5, now(), now())
         RETURNING id, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
    )
    .bind(name)
    .bind(note)
    .bind(MAPPING_CATEGORY)
    .bind(Json(tools))
    .bind(active)
    .fetch_one(pg)
    .await
    .map_err(|e| refused(Write::SaveMapping, e))
}

/// Updates by id, only if the row is still at version `seen`.
pub async fn update(
    pg: &PgPool,
    id: i64,
    name: &str,
    note: &str,
    tools: &MappingTools,
    active: bool,
    seen: Option<&str>,
) -> Result<Written, AppError> {
    let done: Option<Option<String>> = sqlx::query_scalar(
        "UPDATE ai_prompt SET name = $2, content = $3, tools_json = $4, is_active = $5, updated_at = now()
         WHERE id = $1 AND updated_at IS NOT DISTINCT FROM $6::timestamptz RETURNING to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
    )
    .bind(id)
    .bind(name)
    .bind(note)
    .bind(Json(tools))
    .bind(active)
    .bind(seen)
    .fetch_optional(pg)
    .await
    .map_err(|e| refused(Write::UpdateMapping, e))?;
    if let Some(version) = done {
        return Ok(Written::Done(version));
    }
    let now: Option<Option<String>> =
        sqlx::query_scalar("SELECT to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM ai_prompt WHERE id = $1")
            .bind(id)
            .fetch_optional(pg)
            .await
            .map_err(AppError::unreadable)?;
    Ok(match now {
        Some(at) => Written::Changed { at },
        None => Written::Gone,
    })
}

pub async fn delete(pg: &PgPool, id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM ai_prompt WHERE id = $1")
        .bind(id)
        .execute(pg)
        .await
        .map_err(|e| refused(Write::DeleteMapping, e))?;
    Ok(())
}

/// One mapping row of `ai_prompt` as sync reads it.
#[derive(Clone, Debug, sqlx::FromRow, PartialEq)]
pub struct RemoteMapping {
    pub id: i64,
    pub name: String,
    pub content: String,
    pub tools_json: Option<Json<serde_json::Value>>,
    pub is_active: Option<bool>,
    /// `updated_at` as text (UTC, microseconds): the row's version.
    pub updated_at: Option<String>,
}

/// The change probe over the mapping rows: moves whenever one is added,
/// changed or removed (`xmin` is the row version Postgres keeps anyway).
pub const PROBE: &str = "SELECT count(*)::text || '/' || COALESCE(max(updated_at)::text, '') || '/'
    || COALESCE(sum(xmin::text::bigint), 0)::text FROM ai_prompt WHERE category = 'model_mapping'";

pub async fn all(pg: &PgPool) -> Result<Vec<RemoteMapping>, AppError> {
    sqlx::query_as(
        "SELECT id, name, content, tools_json, is_active, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS updated_at
         FROM ai_prompt WHERE category = $1 ORDER BY id",
    )
    .bind(MAPPING_CATEGORY)
    .fetch_all(pg)
    .await
    .map_err(AppError::unreadable)
}
