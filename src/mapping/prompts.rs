//! The prompts a prompt-scope mapping (`prompt:<id>`) can name.
//!
//! A prompt is named by its identity in the authority: `ai_prompt.id` in
//! Supabase when it is configured — the id GymBro's backend and every other
//! console use for the same prompt — else the local `ai_prompts.id`.
//! Mapping rows and the product's own built-in rows (`model-suite:…`) are
//! not prompts to map.

use serde::{Deserialize, Serialize};

/// One prompt the picker offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct PromptChoice {
    /// The id a `prompt:<id>` scope and `X-Scope-Prompt` name.
    pub id: i64,
    pub name: String,
    pub category: Option<String>,
    pub is_active: bool,
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use sqlx::{PgPool, SqlitePool};

    use super::PromptChoice;
    use crate::error::AppError;

    /// At most this many prompts are offered (newest first beyond it).
    pub const LIST_MAX: i64 = 2000;

    /// The rows that are prompts (not mappings, not built-ins).
    const PROMPTS_ONLY: &str =
        "COALESCE(category, '') <> 'model_mapping' AND name NOT LIKE 'model-suite:%'";

    /// The prompts that exist in the authority, by name.
    pub async fn list(
        db: &SqlitePool,
        supabase: Option<&PgPool>,
    ) -> Result<Vec<PromptChoice>, AppError> {
        let mut all: Vec<PromptChoice> = match supabase {
            Some(pg) => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT id, name, category, COALESCE(is_active, false) AS is_active
                 FROM ai_prompt WHERE {PROMPTS_ONLY} ORDER BY id DESC LIMIT $1"
            )))
            .bind(LIST_MAX)
            .fetch_all(pg)
            .await
            .map_err(AppError::unreadable)?,
            None => {
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT id, name, category, COALESCE(is_active, 0) = 1 AS is_active
                 FROM ai_prompts WHERE {PROMPTS_ONLY} ORDER BY id DESC LIMIT ?1"
                )))
                .bind(LIST_MAX)
                .fetch_all(db)
                .await?
            }
        };
        all.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        Ok(all)
    }

    /// Whether the authority has prompt `id`.
    pub async fn exists(
        db: &SqlitePool,
        supabase: Option<&PgPool>,
        id: i64,
    ) -> Result<bool, AppError> {
        let found: Option<i64> = match supabase {
            Some(pg) => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT id FROM ai_prompt WHERE id = $1 AND {PROMPTS_ONLY}"
            )))
            .bind(id)
            .fetch_optional(pg)
            .await
            .map_err(AppError::unreadable)?,
            None => {
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "SELECT id FROM ai_prompts WHERE id = ?1 AND {PROMPTS_ONLY}"
                )))
                .bind(id)
                .fetch_optional(db)
                .await?
            }
        };
        Ok(found.is_some())
    }

    /// The local `ai_prompts` row that stands for prompt `id` of the
    /// authority, for results to refer to: with Supabase, the row linked by
    /// `supabase_id` (made from the remote row the first time a result
    /// needs it); without, the row itself. `None` when no such prompt exists.
    pub async fn local_row(
        db: &SqlitePool,
        supabase: Option<&PgPool>,
        id: i64,
    ) -> Result<Option<i64>, AppError> {
        let Some(pg) = supabase else {
            return Ok(
                sqlx::query_scalar("SELECT id FROM ai_prompts WHERE id = ?1")
                    .bind(id)
                    .fetch_optional(db)
                    .await?,
            );
        };
        let linked: Option<i64> =
            sqlx::query_scalar("SELECT id FROM ai_prompts WHERE supabase_id = ?1")
                .bind(id)
                .fetch_optional(db)
                .await?;
        if linked.is_some() {
            return Ok(linked);
        }
        type Remote = (
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let remote: Option<Remote> = sqlx::query_as(
            "SELECT name, content, version, category, description FROM ai_prompt WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pg)
        .await
        .map_err(AppError::unreadable)?;
        let Some((name, content, version, category, description)) = remote else {
            return Ok(None);
        };
        let now = crate::catalog::repo::now();
        // Another task may have linked it meanwhile: the unique
        // `supabase_id` keeps one row, and the select reads it back.
        sqlx::query(
            "INSERT INTO ai_prompts (supabase_id, name, content, version, category, description, is_active, created_at, updated_at, last_synced_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?7, ?7) ON CONFLICT (supabase_id) DO NOTHING",
        )
        .bind(id)
        .bind(name)
        .bind(content)
        .bind(version)
        .bind(category)
        .bind(description)
        .bind(now)
        .execute(db)
        .await?;
        Ok(
            sqlx::query_scalar("SELECT id FROM ai_prompts WHERE supabase_id = ?1")
                .bind(id)
                .fetch_optional(db)
                .await?,
        )
    }
}
