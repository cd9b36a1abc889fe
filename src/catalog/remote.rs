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
    /// `updated_at` as text (UTC, microseconds): the row's version.
    pub updated_at: Option<String>,
}

/// What a conditional write found.
#[derive(Debug, PartialEq)]
pub enum Written {
    /// Applied; the row's new version.
    Done(Option<String>),
    /// Someone changed the row since the version given; when.
    Changed { at: Option<String> },
    /// The row no longer exists.
    Gone,
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

/// Inserts a row; `want_default` makes it the default only if Supabase has
/// none (decided there, under the default lock). Returns the new id, its
/// version, and whether it became the default.
pub async fn insert(
    pg: &PgPool,
    v: &ValidEndpoint,
    want_default: bool,
) -> Result<(i64, Option<String>, bool), AppError> {
    let done = async {
        let mut tx = pg.begin().await?;
        lock_default(&mut tx).await?;
        let row = sqlx::query_as(
            "INSERT INTO ai_model (name, model, base_url, description, api_key, timeout, is_active, is_default,
                model_list, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7,
                $8 AND NOT EXISTS (SELECT 1 FROM ai_model WHERE is_default), $9, now(), now())
             RETURNING id, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),
                COALESCE(is_default, FALSE)",
        )
        .bind(&v.name)
        .bind(&v.model)
        .bind(&v.base_url)
        .bind(&v.description)
        .bind(&v.api_key)
        .bind(v.timeout as i32)
        .bind(v.is_active)
        .bind(want_default)
        .bind(Json(&v.model_list))
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(row)
    };
    done.await.map_err(|e| refused(Write::SaveEndpoint, e))
}

/// Serialises every change of the default in Supabase: a transaction
/// advisory lock (no table of our own), held until commit.
async fn lock_default(tx: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('model_suite.ai_model.is_default'))")
        .execute(tx)
        .await?;
    Ok(())
}

/// Updates by id, only if the row is still at version `seen` (its
/// `updated_at` as this console last saw it).
pub async fn update(
    pg: &PgPool,
    id: i64,
    v: &ValidEndpoint,
    seen: Option<&str>,
) -> Result<Written, AppError> {
    let done: Option<Option<String>> = sqlx::query_scalar(
        "UPDATE ai_model SET name = $2, model = $3, base_url = $4, description = $5,
            api_key = CASE WHEN $10 THEN NULL ELSE COALESCE($6, api_key) END,
            timeout = $7, is_active = $8, model_list = $9, updated_at = now()
         WHERE id = $1 AND updated_at IS NOT DISTINCT FROM $11::timestamptz
         RETURNING to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
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
    .bind(seen)
    .fetch_optional(pg)
    .await
    .map_err(|e| refused(Write::UpdateEndpoint, e))?;
    match done {
        Some(version) => Ok(Written::Done(version)),
        None => version_now(pg, id).await,
    }
}

/// After a refused conditional write: changed (and when) or gone.
async fn version_now(pg: &PgPool, id: i64) -> Result<Written, AppError> {
    let now: Option<Option<String>> = sqlx::query_scalar(
        "SELECT to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM ai_model WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pg)
    .await
    .map_err(AppError::unreadable)?;
    Ok(match now {
        Some(at) => Written::Changed { at },
        None => Written::Gone,
    })
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

/// The remote twin of `repo::set_default`: under the default lock, one
/// statement in one transaction, so two consoles switching at once end
/// with exactly one default. Returns each changed row's new version.
pub async fn set_default(pg: &PgPool, id: i64) -> Result<Vec<(i64, Option<String>)>, AppError> {
    let done = async {
        let mut tx = pg.begin().await?;
        lock_default(&mut tx).await?;
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM ai_model WHERE id = $1)")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        if !exists {
            return Ok((Vec::new(), false));
        }
        let rows: Vec<(i64, Option<String>)> = sqlx::query_as(
            "UPDATE ai_model SET is_default = (id = $1), updated_at = now()
             WHERE id = $1 OR is_default
             RETURNING id, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>((rows, true))
    };
    let (rows, exists) = done.await.map_err(|e| refused(Write::SwitchDefault, e))?;
    if !exists {
        return Err(AppError::Conflict(CatalogMsg::GoneFromSupabase.into()));
    }
    Ok(rows)
}

/// The change probe: moves whenever any row is added, changed or removed
/// (`xmin` is the row version Postgres keeps anyway).
pub const PROBE: &str = "SELECT count(*)::text || '/' || COALESCE(max(updated_at)::text, '') || '/'
    || COALESCE(sum(xmin::text::bigint), 0)::text FROM ai_model";

pub async fn all(pg: &PgPool) -> Result<Vec<RemoteModel>, AppError> {
    sqlx::query_as(
        "SELECT id, name, model, base_url, description, api_key, timeout, is_active, is_default,
            CASE WHEN jsonb_typeof(model_list::jsonb) = 'array' THEN model_list::jsonb END AS model_list,
            to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS updated_at
         FROM ai_model ORDER BY id",
    )
    .fetch_all(pg)
    .await
    .map_err(AppError::unreadable)
}
