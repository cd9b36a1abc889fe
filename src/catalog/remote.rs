//! `ai_model` in Supabase (Postgres), the authority when configured. Every
//! failure here becomes [`AppError::Unavailable`] with the reason, and the
//! caller then leaves SQLite untouched.

use sqlx::types::Json;
use sqlx::{FromRow, PgPool};

use super::msg::CatalogMsg;
use super::validate::ValidEndpoint;
use crate::error::{AppError, Write};

/// One `ai_model` row as sync reads it.
#[derive(Clone, Debug, FromRow, PartialEq)]
pub struct RemoteModel {
    pub id: i64,
    pub name: String,
    pub model: Option<String>,
    pub base_url: String,
    pub description: Option<String>,
    pub api_key: Option<String>,
    pub timeout: Option<i32>,
    pub is_active: Option<bool>,
    pub is_default: Option<bool>,
    pub model_list: Option<Json<Vec<String>>>,
}

impl RemoteModel {
    pub fn models(&self) -> Vec<String> {
        self.model_list
            .as_ref()
            .map(|j| j.0.clone())
            .unwrap_or_default()
    }
}

fn refused(write: Write, e: sqlx::Error) -> AppError {
    tracing::warn!(error = %e, ?write, "Supabase write failed");
    AppError::refused(write, e)
}

pub async fn insert(pg: &PgPool, v: &ValidEndpoint, is_default: bool) -> Result<i64, AppError> {
    sqlx::query_scalar(
        "INSERT INTO ai_model (name, model, base_url, description, api_key, timeout, is_active, is_default,
            model_list, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now(), now()) RETURNING id",
    )
    .bind(&v.name)
    .bind(&v.model)
    .bind(&v.base_url)
    .bind(&v.description)
    .bind(&v.api_key)
    .bind(v.timeout as i32)
    .bind(v.is_active)
    .bind(is_default)
    .bind(Json(&v.model_list))
    .fetch_one(pg)
    .await
    .map_err(|e| refused(Write::SaveEndpoint, e))
}

/// Updates by id; `Ok(false)` when the row no longer exists remotely.
pub async fn update(pg: &PgPool, id: i64, v: &ValidEndpoint) -> Result<bool, AppError> {
    let done = sqlx::query(
        "UPDATE ai_model SET name = $2, model = $3, base_url = $4, description = $5,
            api_key = CASE WHEN $10 THEN NULL ELSE COALESCE($6, api_key) END,
            timeout = $7, is_active = $8, model_list = $9, updated_at = now()
         WHERE id = $1",
    )
    .bind(id)
    .bind(&v.name)
    .bind(&v.model)
    .bind(&v.base_url)
    .bind(&v.description)
    .bind(&v.api_key)
    .bind(v.timeout as i32)
    .bind(v.is_active)
    .bind(Json(&v.model_list))
    .bind(v.clear_key)
    .execute(pg)
    .await
    .map_err(|e| refused(Write::UpdateEndpoint, e))?;
    Ok(done.rows_affected() == 1)
}

/// Deletes the row with its mirrored model checks — and, `with_results`,
/// every result row that refers to it — in one transaction.
pub async fn delete(pg: &PgPool, id: i64, with_results: bool) -> Result<(), AppError> {
    let gone = async {
        let mut tx = pg.begin().await?;
        sqlx::query(
            "DELETE FROM ai_prompt_tests WHERE endpoint_id = $1
                AND ($2 OR prompt_id IN (SELECT id FROM ai_prompt WHERE category = 'model_check'))",
        )
        .bind(id)
        .bind(with_results)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM ai_model WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    };
    gone.await.map_err(|e| refused(Write::DeleteEndpoint, e))
}

/// Result rows (model checks aside) that refer to `ai_model` row `id`.
pub async fn result_count(pg: &PgPool, id: i64) -> Result<i64, AppError> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM ai_prompt_tests WHERE endpoint_id = $1
            AND prompt_id NOT IN (SELECT id FROM ai_prompt WHERE category = 'model_check')",
    )
    .bind(id)
    .fetch_one(pg)
    .await
    .map_err(AppError::unreadable)
}

/// The remote twin of `repo::set_default`: one statement, one transaction.
pub async fn set_default(pg: &PgPool, id: i64) -> Result<(), AppError> {
    let done = sqlx::query(
        "UPDATE ai_model SET is_default = (id = $1), updated_at = now() WHERE id = $1 OR is_default",
    )
    .bind(id)
    .execute(pg)
    .await
    .map_err(|e| refused(Write::SwitchDefault, e))?;
    if done.rows_affected() == 0 {
        return Err(AppError::Conflict(CatalogMsg::GoneFromSupabase.into()));
    }
    Ok(())
}

pub async fn all(pg: &PgPool) -> Result<Vec<RemoteModel>, AppError> {
    sqlx::query_as(
        "SELECT id, name, model, base_url, description, api_key, timeout, is_active, is_default,
            CASE WHEN jsonb_typeof(model_list::jsonb) = 'array' THEN model_list::jsonb END AS model_list
         FROM ai_model ORDER BY id",
    )
    .fetch_all(pg)
    .await
    .map_err(AppError::unreadable)
}
