//! The results mirror: with Supabase configured, every `ai_prompt_tests`
//! row (chats, load tests, model checks) is copied to Supabase's
//! `ai_prompt_tests` in batches, with its prompt and endpoint ids mapped to
//! theirs. Results are written to SQLite first because a load test writes
//! thousands a second; the mirror follows in the background.
//!
//! Progress is the last mirrored local id, kept in a small file, written
//! after each committed batch: a crash between the two repeats at most one
//! batch. A prompt with no Supabase row yet (the built-in ones) is created
//! there first; a row whose endpoint is not in Supabase yet waits for the
//! next sync, and nothing after it is sent before it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use sqlx::{PgPool, SqlitePool};

use crate::error::{AppError, Write};

const BATCH: i64 = 500;

#[derive(Clone)]
pub struct ResultsMirror {
    db: SqlitePool,
    pg: PgPool,
    cursor: PathBuf,
    /// One push at a time (the interval and the sync button may meet).
    busy: Arc<tokio::sync::Mutex<()>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MirrorReport {
    pub pushed: u64,
    pub prompts_created: u64,
    /// Why the mirror stopped short, when it did.
    pub waiting: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    prompt_id: i64,
    model: Option<String>,
    request_message: String,
    response_message: Option<String>,
    success: Option<i64>,
    latency_ms: Option<f64>,
    error: Option<String>,
    created_at: Option<String>,
    endpoint_id: i64,
    p_sid: Option<i64>,
    e_sid: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Prompt {
    supabase_id: Option<i64>,
    name: String,
    content: String,
    version: Option<String>,
    category: Option<String>,
    description: Option<String>,
    is_active: Option<i64>,
}

impl ResultsMirror {
    pub fn new(db: SqlitePool, pg: PgPool, cursor: PathBuf) -> ResultsMirror {
        ResultsMirror {
            db,
            pg,
            cursor,
            busy: Arc::default(),
        }
    }

    /// The last local id already in Supabase (0 when nothing was sent yet).
    fn last_sent(&self) -> Result<i64, AppError> {
        match std::fs::read_to_string(&self.cursor) {
            Ok(text) => text.trim().parse().map_err(|_| {
                AppError::internal(format!(
                    "{} does not hold a row id; fix or delete it (deleting re-sends every result)",
                    self.cursor.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
            Err(e) => Err(AppError::internal(e)),
        }
    }

    fn mark_sent(&self, id: i64) -> Result<(), AppError> {
        let tmp = self.cursor.with_extension("tmp");
        std::fs::write(&tmp, format!("{id}\n"))
            .and_then(|_| std::fs::rename(&tmp, &self.cursor))
            .map_err(AppError::internal)
    }

    /// Sends everything not sent yet, batch by batch.
    pub async fn push(&self) -> Result<MirrorReport, AppError> {
        let _one = self.busy.lock().await;
        let mut report = MirrorReport::default();
        loop {
            let mut rows: Vec<Row> = sqlx::query_as(
                "SELECT t.id, t.prompt_id, t.model, t.request_message, t.response_message, t.success,
                        t.latency_ms, t.error, t.created_at, t.endpoint_id,
                        p.supabase_id AS p_sid, e.supabase_id AS e_sid
                 FROM ai_prompt_tests t
                 JOIN ai_prompts p ON p.id = t.prompt_id
                 JOIN ai_endpoints e ON e.id = t.endpoint_id
                 WHERE t.id > ?1 ORDER BY t.id LIMIT ?2",
            )
            .bind(self.last_sent()?)
            .bind(BATCH)
            .fetch_all(&self.db)
            .await?;
            if rows.is_empty() {
                return Ok(report);
            }
            let full = rows.len() as i64 == BATCH;
            if let Some(pos) = rows.iter().position(|r| r.e_sid.is_none()) {
                report.waiting = Some(format!(
                    "endpoint {} is not in Supabase yet; the next sync sends it",
                    rows[pos].endpoint_id
                ));
                rows.truncate(pos);
            }
            for r in rows.iter_mut().filter(|r| r.p_sid.is_none()) {
                r.p_sid = Some(self.prompt_id(r.prompt_id, &mut report).await?);
            }
            let Some(last) = rows.last().map(|r| r.id) else {
                return Ok(report);
            };
            self.insert(&rows).await?;
            self.mark_sent(last)?;
            report.pushed += rows.len() as u64;
            if report.waiting.is_some() || !full {
                return Ok(report);
            }
        }
    }

    async fn insert(&self, rows: &[Row]) -> Result<(), AppError> {
        let col = |f: fn(&Row) -> Option<String>| rows.iter().map(f).collect::<Vec<_>>();
        sqlx::query(
            "INSERT INTO ai_prompt_tests (prompt_id, endpoint_id, model, request_message, response_message,
                success, latency_ms, error, created_at)
             SELECT u.p, u.e, u.m, u.req, u.res, u.ok, u.lat, u.err, COALESCE(u.at::timestamptz, now())
             FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bool[],
                         $7::float8[], $8::text[], $9::text[]) AS u(p, e, m, req, res, ok, lat, err, at)",
        )
        .bind(rows.iter().map(|r| r.p_sid).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.e_sid).collect::<Vec<_>>())
        .bind(col(|r| r.model.clone()))
        .bind(rows.iter().map(|r| r.request_message.clone()).collect::<Vec<_>>())
        .bind(col(|r| r.response_message.clone()))
        .bind(rows.iter().map(|r| r.success.unwrap_or(0) != 0).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.latency_ms).collect::<Vec<_>>())
        .bind(col(|r| r.error.clone()))
        .bind(col(|r| r.created_at.clone()))
        .execute(&self.pg)
        .await
        .map_err(|e| AppError::refused(Write::SaveResults, e))?;
        Ok(())
    }

    /// The Supabase id of local prompt `id`, creating the row there first.
    async fn prompt_id(&self, id: i64, report: &mut MirrorReport) -> Result<i64, AppError> {
        let p: Prompt = sqlx::query_as(
            "SELECT supabase_id, name, content, version, category, description, is_active FROM ai_prompts WHERE id = ?1",
        )
        .bind(id)
        .fetch_one(&self.db)
        .await?;
        let sid = p.supabase_id;
        if let Some(sid) = sid {
            return Ok(sid);
        }
        let sid: i64 = sqlx::query_scalar(
            "INSERT INTO ai_prompt (name, content, version, category, description, is_active)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&p.name)
        .bind(&p.content)
        .bind(&p.version)
        .bind(&p.category)
        .bind(&p.description)
        .bind(p.is_active.unwrap_or(0) != 0)
        .fetch_one(&self.pg)
        .await
        .map_err(|e| AppError::refused(Write::SaveResults, e))?;
        sqlx::query("UPDATE ai_prompts SET supabase_id = ?2 WHERE id = ?1")
            .bind(id)
            .bind(sid)
            .execute(&self.db)
            .await?;
        report.prompts_created += 1;
        Ok(sid)
    }

    /// Pushes now and then every `every`, for the life of the process.
    pub fn spawn(self, every: Duration) {
        crate::monitor::spawn_every(every, move || {
            let mirror = self.clone();
            async move {
                match mirror.push().await {
                    Ok(r) if r.pushed > 0 => tracing::info!(?r, "results mirrored to Supabase"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "results mirror failed"),
                }
            }
        });
    }
}
