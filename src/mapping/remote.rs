//! Mapping rows in Supabase's `ai_prompt`, the authority when configured.

use sqlx::types::Json;
use sqlx::PgPool;

use super::types::{MappingTools, MAPPING_CATEGORY};
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
) -> Result<i64, AppError> {
    sqlx::query_scalar(
        "INSERT INTO ai_prompt (name, content, version, category, tools_json, is_active, created_at, updated_at)
         VALUES ($1, $2, '1', $3, $4, $5, now(), now()) RETURNING id",
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

pub async fn update(
    pg: &PgPool,
    id: i64,
    name: &str,
    note: &str,
    tools: &MappingTools,
    active: bool,
) -> Result<bool, AppError> {
    let done = sqlx::query(
        "UPDATE ai_prompt SET name = $2, content = $3, tools_json = $4, is_active = $5, updated_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(name)
    .bind(note)
    .bind(Json(tools))
    .bind(active)
    .execute(pg)
    .await
    .map_err(|e| refused(Write::UpdateMapping, e))?;
    Ok(done.rows_affected() == 1)
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
}

pub async fn all(pg: &PgPool) -> Result<Vec<RemoteMapping>, AppError> {
    sqlx::query_as(
        "SELECT id, name, content, tools_json, is_active FROM ai_prompt WHERE category = $1 ORDER BY id",
    )
    .bind(MAPPING_CATEGORY)
    .fetch_all(pg)
    .await
    .map_err(AppError::unreadable)
}
