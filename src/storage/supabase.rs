//! Supabase (Postgres), the authority when `SUPABASE_DB_URL` is set. This
//! part connects and checks that the remote tables have every column Model
//! Suite needs, naming exactly what is missing. It never creates or alters
//! remote tables; [`REFERENCE_SCHEMA`] is shipped for tests and new installs.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgSslMode};
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

/// How to reach `SUPABASE_DB_URL`: over TLS (`sslmode=require`) unless the
/// URL names its own `sslmode` (or `PGSSLMODE` is set), which is kept.
pub fn connect_options(url: &str) -> Result<PgConnectOptions, sqlx::Error> {
    let options = PgConnectOptions::from_str(url)?;
    if names_ssl_mode(url) || std::env::var_os("PGSSLMODE").is_some() {
        Ok(options)
    } else {
        Ok(options.ssl_mode(PgSslMode::Require))
    }
}

/// Whether the connection string says `sslmode=` (sqlx also reads `ssl-mode`).
fn names_ssl_mode(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| {
        u.query_pairs()
            .any(|(key, _)| key == "sslmode" || key == "ssl-mode")
    })
}

/// Connects with a short timeout, so a down Supabase is reported, not waited on.
pub async fn connect(url: &str) -> Result<PgPool, SupabaseError> {
    let options = connect_options(url).map_err(SupabaseError::Connect)?;
    PgPoolOptions::new()
        .max_connections(5)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(url: &str) -> PgSslMode {
        connect_options(url).expect("a valid URL").get_ssl_mode()
    }

    #[test]
    fn tls_is_required_unless_the_url_names_its_own_sslmode() {
        if std::env::var_os("PGSSLMODE").is_some() {
            eprintln!("PGSSLMODE is set; it decides the default, skipping");
            return;
        }
        let base = "postgres://app:secret@db.example.supabase.co:5432/postgres";
        assert!(matches!(mode(base), PgSslMode::Require));
        assert!(matches!(
            mode(&format!("{base}?application_name=ms")),
            PgSslMode::Require
        ));
        assert!(matches!(
            mode(&format!("{base}?sslmode=disable")),
            PgSslMode::Disable
        ));
        assert!(matches!(
            mode(&format!("{base}?application_name=ms&sslmode=verify-full")),
            PgSslMode::VerifyFull
        ));
        assert!(matches!(
            mode(&format!("{base}?ssl-mode=prefer")),
            PgSslMode::Prefer
        ));
        assert!(connect_options("postgres://app@[bad").is_err());
    }
}
