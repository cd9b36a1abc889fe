//! Supabase (Postgres), the authority when `SUPABASE_DB_URL` is set. This
//! part connects and checks that the remote tables have every column Model
//! Suite needs, naming exactly what is missing. It never creates or alters
//! remote tables; [`REFERENCE_SCHEMA`] is shipped for tests and new installs.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

/// The reference schema of `ai_model`, `ai_prompt` and `ai_prompt_tests`.
pub const REFERENCE_SCHEMA: &str = include_str!("supabase_schema.sql");

/// The columns Model Suite reads and writes, per remote table.
pub const REQUIRED_COLUMNS: [(&str, &[&str]); 3] = [
    (
        "ai_model",
        &[
            "id",
            "name",
            "model",
            "base_url",
            "description",
            "api_key",
            "timeout",
            "is_active",
            "is_default",
            "model_list",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "ai_prompt",
        &[
            "id",
            "name",
            "content",
            "version",
            "category",
            "description",
            "tools_json",
            "is_active",
            "created_at",
            "updated_at",
        ],
    ),
    ("ai_prompt_tests", super::schema::PROMPT_TESTS_COLUMNS),
];

#[derive(Debug, thiserror::Error)]
pub enum SupabaseError {
    #[error("SUPABASE_DB_URL: cannot connect to Supabase: {0}")]
    Connect(sqlx::Error),
    #[error("Supabase query failed: {0}")]
    Query(#[from] sqlx::Error),
    #[error("Supabase is missing columns Model Suite needs: {}", .0.join(", "))]
    MissingColumns(Vec<String>),
}

/// Connects with a short timeout, so a down Supabase is reported, not waited on.
pub async fn connect(url: &str) -> Result<PgPool, SupabaseError> {
    PgPoolOptions::new()
        .max_connections(5)
        .acquire_timeout(Duration::from_secs(5))
        .connect(url)
        .await
        .map_err(SupabaseError::Connect)
}

/// Every required `table.column` absent from the remote's current schema.
pub async fn missing_columns(pool: &PgPool) -> Result<Vec<String>, SupabaseError> {
    let present: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns
         WHERE table_schema = current_schema()",
    )
    .fetch_all(pool)
    .await?;
    Ok(super::schema::absent_columns(&REQUIRED_COLUMNS, &present))
}

/// Connects and fails with the list of missing columns, if any.
pub async fn connect_checked(url: &str) -> Result<PgPool, SupabaseError> {
    let pool = connect(url).await?;
    let missing = missing_columns(&pool).await?;
    if missing.is_empty() {
        Ok(pool)
    } else {
        Err(SupabaseError::MissingColumns(missing))
    }
}
