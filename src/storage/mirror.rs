//! The results mirror: with Supabase configured, every `ai_prompt_tests`
//! row (chats, load tests, model checks) is copied to Supabase's
//! `ai_prompt_tests` in batches, with its prompt and endpoint ids mapped to
//! theirs. Results are written to SQLite first because a load test writes
//! thousands a second; the mirror follows in the background.
//!
//! Progress is the last mirrored local id, kept in a small file, written
//! after each committed batch: a crash between the two repeats at most one
//! batch. Without the file (lost, or never written) each row is sent only
//! if Supabase does not hold it yet, so none arrives twice. A prompt with no Supabase row yet (the built-in ones) is created
//! there first; a row whose endpoint is not in Supabase yet waits for the
//! next sync, and nothing after it is sent before it.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use sqlx::{PgPool, SqlitePool};

use crate::config::files::{create_private_dir_all, private_options, write_private_atomic};
use crate::error::{AppError, Write};

const BATCH: i64 = 500;

#[derive(Clone)]
pub struct ResultsMirror {
    db: SqlitePool,
    pg: PgPool,
    cursor: PathBuf,
    /// One push at a time (the interval and the sync button may meet).
    busy: Arc<tokio::sync::Mutex<()>>,
    /// Prompt categories whose rows, once deleted in Supabase, stay
    /// deleted: their results are passed over instead of re-creating them.
    keep_deleted: &'static [&'static str],
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MirrorReport {
    pub pushed: u64,
    pub prompts_created: u64,
    /// Rows of endpoints (or mappings) deleted in Supabase, passed over.
    pub skipped: u64,
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

/// Whether Postgres will read `t` as a time (else the row gets `now()`
/// rather than failing its whole batch).
fn readable_time(t: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(t).is_ok()
        || chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f").is_ok()
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
            keep_deleted: &[],
        }
    }

    /// Results of prompts of these categories deleted in Supabase are
    /// passed over: the deletion is respected, the prompt never re-created.
    pub fn keeping_deleted(mut self, categories: &'static [&'static str]) -> ResultsMirror {
        self.keep_deleted = categories;
        self
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
        write_private_atomic(&self.cursor, format!("{id}\n").as_bytes()).map_err(AppError::internal)
    }

    /// Sends everything not sent yet, batch by batch.
    pub async fn push(&self) -> Result<MirrorReport, AppError> {
        let _one = self.busy.lock().await;
        let mut report = MirrorReport::default();
        // One mirror at a time across processes too (`model-suite sync`
        // beside a running server).
        let Some(_lock) = self.lock_file()? else {
            report.waiting = Some("another process is mirroring results".into());
            return Ok(report);
        };
        // Without a cursor (lost, or never written) rows may be in Supabase
        // already: only the ones not there are sent, so none arrives twice.
        let recovering = !self.cursor.exists();
        let mut after = self.checked_cursor().await?;
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
            .bind(after)
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
            let Some(last) = rows.last().map(|r| r.id) else {
                return Ok(report);
            };
            // Rows of endpoints deleted in Supabase have no place there.
            let remote = self
                .remote_ids("ai_model", rows.iter().filter_map(|r| r.e_sid))
                .await?;
            let before = rows.len();
            rows.retain(|r| r.e_sid.is_some_and(|s| remote.contains(&s)));
            report.skipped += (before - rows.len()) as u64;
            let known = self
                .remote_ids("ai_prompt", rows.iter().filter_map(|r| r.p_sid))
                .await?;
            let mut made: std::collections::HashMap<i64, Option<i64>> = Default::default();
            for r in rows.iter_mut() {
                if r.p_sid.is_some_and(|s| known.contains(&s)) {
                    continue;
                }
                let sid = match made.get(&r.prompt_id) {
                    Some(sid) => *sid,
                    None => self.prompt_id(r.prompt_id, &known, &mut report).await?,
                };
                made.insert(r.prompt_id, sid);
                r.p_sid = sid;
            }
            let before = rows.len();
            rows.retain(|r| r.p_sid.is_some());
            report.skipped += (before - rows.len()) as u64;
            // Prove the cursor can be written before anything is sent.
            self.mark_sent(after)?;
            let sent = if rows.is_empty() {
                0
            } else {
                self.insert(&rows, recovering).await?
            };
            self.mark_sent(last)?;
            after = last;
            report.pushed += sent;
            if report.waiting.is_some() || !full {
                return Ok(report);
            }
        }
    }

    /// The cursor, reset when the local table was replaced by a newer one
    /// whose ids start again below it.
    async fn checked_cursor(&self) -> Result<i64, AppError> {
        let sent = self.last_sent()?;
        let seq: Option<i64> =
            sqlx::query_scalar("SELECT seq FROM sqlite_sequence WHERE name = 'ai_prompt_tests'")
                .fetch_optional(&self.db)
                .await
                .ok()
                .flatten();
        match seq {
            Some(seq) if seq < sent => {
                tracing::warn!(sent, seq, "ai_prompt_tests starts below the mirror cursor (a new database?); mirroring it from the start");
                self.mark_sent(0)?;
                Ok(0)
            }
            _ => Ok(sent),
        }
    }

    /// An exclusive lock on `<cursor>.lock`, or `None` when another process
    /// holds it.
    fn lock_file(&self) -> Result<Option<std::fs::File>, AppError> {
        if let Some(dir) = self.cursor.parent() {
            create_private_dir_all(dir).map_err(AppError::internal)?;
        }
        let file = private_options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.cursor.with_extension("lock"))
            .map_err(AppError::internal)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(file)),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(AppError::internal(e)),
        }
    }

    /// Which of `ids` exist in Supabase's `table`.
    async fn remote_ids(
        &self,
        table: &'static str,
        ids: impl Iterator<Item = i64>,
    ) -> Result<HashSet<i64>, AppError> {
        let ids: Vec<i64> = ids.collect::<HashSet<_>>().into_iter().collect();
        let found: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM {table} WHERE id = ANY($1)"
        )))
        .bind(&ids)
        .fetch_all(&self.pg)
        .await
        .map_err(AppError::unreadable)?;
        Ok(found.into_iter().collect())
    }

    /// Inserts the batch; `only_new` skips rows Supabase already holds
    /// (same prompt, endpoint, request and time). Returns the rows sent.
    async fn insert(&self, rows: &[Row], only_new: bool) -> Result<u64, AppError> {
        let col = |f: fn(&Row) -> Option<String>| rows.iter().map(f).collect::<Vec<_>>();
        let done = sqlx::query(
            "INSERT INTO ai_prompt_tests (prompt_id, endpoint_id, model, request_message, response_message,
                success, latency_ms, error, created_at)
             SELECT u.p, u.e, u.m, u.req, u.res, u.ok, u.lat, u.err, COALESCE(u.at::timestamptz, now())
             FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bool[],
                         $7::float8[], $8::text[], $9::text[]) AS u(p, e, m, req, res, ok, lat, err, at)
             WHERE NOT $10 OR NOT EXISTS (
                SELECT 1 FROM ai_prompt_tests r
                WHERE r.prompt_id = u.p AND r.endpoint_id = u.e AND r.request_message = u.req
                  AND r.created_at = u.at::timestamptz)",
        )
        .bind(rows.iter().map(|r| r.p_sid).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.e_sid).collect::<Vec<_>>())
        .bind(col(|r| r.model.clone()))
        .bind(rows.iter().map(|r| r.request_message.clone()).collect::<Vec<_>>())
        .bind(col(|r| r.response_message.clone()))
        .bind(rows.iter().map(|r| r.success.unwrap_or(0) != 0).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.latency_ms).collect::<Vec<_>>())
        .bind(col(|r| r.error.clone()))
        .bind(col(|r| r.created_at.clone().filter(|t| readable_time(t))))
        .bind(only_new)
        .execute(&self.pg)
        .await
        .map_err(|e| AppError::refused(Write::SaveResults, e))?;
        Ok(done.rows_affected())
    }

    /// The Supabase id of local prompt `id`, creating the row there first
    /// (again, when the one it had is not among `known` any more — unless
    /// its category keeps deletions: then `None`).
    async fn prompt_id(
        &self,
        id: i64,
        known: &HashSet<i64>,
        report: &mut MirrorReport,
    ) -> Result<Option<i64>, AppError> {
        let p: Prompt = sqlx::query_as(
            "SELECT supabase_id, name, content, version, category, description, is_active FROM ai_prompts WHERE id = ?1",
        )
        .bind(id)
        .fetch_one(&self.db)
        .await?;
        if let Some(sid) = p.supabase_id.filter(|s| known.contains(s)) {
            return Ok(Some(sid));
        }
        let kept_deleted = p
            .category
            .as_deref()
            .is_some_and(|c| self.keep_deleted.contains(&c));
        if p.supabase_id.is_some() && kept_deleted {
            return Ok(None);
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
        Ok(Some(sid))
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
