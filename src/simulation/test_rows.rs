//! Result rows for unit tests: a SQLite store in a temporary folder with
//! the prompt and the endpoint (both id 1) the rows refer to.

use sqlx::SqlitePool;

pub async fn store() -> (tempfile::TempDir, SqlitePool) {
    let dir = tempfile::tempdir().expect("dir");
    let db = crate::storage::open_sqlite(&dir.path().join("t.db"))
        .await
        .expect("db");
    sqlx::query(
        "INSERT INTO ai_prompts (id, name, content, category) VALUES (1, 'p', '', 'load_test');
         INSERT INTO ai_endpoints (id, name, base_url, model, api_key) VALUES (1, 'e', 'http://x', 'm', '')",
    )
    .execute(&db)
    .await
    .expect("prompt and endpoint");
    (dir, db)
}

/// A row of run `run` with its `response` JSON, outcome, latency and time;
/// its id.
pub async fn add(
    db: &SqlitePool,
    run: &str,
    response: &str,
    (ok, latency_ms): (bool, f64),
    created_at: &str,
) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO ai_prompt_tests (prompt_id, endpoint_id, model, request_message,
            response_message, success, latency_ms, created_at)
         VALUES (1, 1, 'm', json_object('run_id', ?1), ?2, ?3, ?4, ?5) RETURNING id",
    )
    .bind(run)
    .bind(response)
    .bind(ok)
    .bind(latency_ms)
    .bind(created_at)
    .fetch_one(db)
    .await
    .expect("row")
}
