//! One simulated request's record and how it becomes an `ai_prompt_tests`
//! row: which prompt and endpoint rows it is filed under, and the insert.
//! Where records go when SQLite refuses them is `fallback`.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sqlx::SqlitePool;

use super::client::Attempt;
use super::msg::SimMsg;
use super::tokens::TokenTiming;
use super::types::{ChatScope, RunConfig, StopPolicy};
use crate::error::AppError;

/// Every field of a row, as kept in a fallback file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Unique per record; what makes replay idempotent.
    pub record_id: String,
    pub run_id: Option<String>,
    pub seq: u64,
    pub user: String,
    pub scope: ChatScope,
    pub messages: Value,
    pub params: Value,
    pub prompt_id: i64,
    /// The endpoint the row is filed under (the one that served it, else the
    /// global default: the column may not be empty).
    pub endpoint_id: i64,
    /// The endpoint the chat API actually chose, when it said.
    pub served_by: Option<i64>,
    pub model: Option<String>,
    pub status: Option<u16>,
    pub success: bool,
    pub latency_ms: f64,
    pub ttfb_ms: Option<f64>,
    pub ttft_ms: Option<f64>,
    pub queue_ms: f64,
    pub error_kind: Option<String>,
    pub error: Option<String>,
    pub content: String,
    pub usage: Option<Value>,
    pub created_at: String,
    /// Endpoints the chat API tried, and the failed ones (`id=what,…`).
    #[serde(default)]
    pub attempts: Option<u32>,
    #[serde(default)]
    pub failed_attempts: Option<String>,
    /// Output tokens, TPOT and the inter-token gaps.
    #[serde(flatten)]
    pub tokens: TokenTiming,
    /// The run's configuration and start (`{"config", "started_at"}`), on
    /// the first record of a run sent to be stored: what lets the run be
    /// read back from its rows alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<Value>,
}

impl Record {
    pub fn request_message(&self) -> String {
        let mut m = json!({
            "record_id": self.record_id,
            "run_id": self.run_id,
            "seq": self.seq,
            "user": self.user,
            "scope": self.scope,
            "messages": self.messages,
            "params": self.params,
        });
        if let Some(run) = &self.run {
            m["run"] = run.clone();
        }
        m.to_string()
    }

    pub fn response_message(&self) -> String {
        json!({
            "status": self.status,
            "content": self.content,
            "model": self.model,
            "endpoint_id": self.served_by,
            "ttfb_ms": self.ttfb_ms,
            "ttft_ms": self.ttft_ms,
            "queue_ms": self.queue_ms,
            "error_kind": self.error_kind,
            "usage": self.usage,
            "attempts": self.attempts,
            "failed_attempts": self.failed_attempts,
            "output_tokens": self.tokens.output_tokens,
            "output_tokens_estimated": self.tokens.output_tokens_estimated,
            "content_deltas": self.tokens.content_deltas,
            "tpot_ms": self.tokens.tpot_ms,
            "itl_ms": self.tokens.itl_ms,
        })
        .to_string()
    }
}

pub async fn insert(conn: &mut sqlx::SqliteConnection, r: &Record) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO ai_prompt_tests (prompt_id, endpoint_id, model, request_message, response_message, success, latency_ms, error, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
    )
    .bind(r.prompt_id)
    .bind(r.endpoint_id)
    .bind(&r.model)
    .bind(r.request_message())
    .bind(r.response_message())
    .bind(i64::from(r.success))
    .bind(r.latency_ms)
    .bind(&r.error)
    .bind(&r.created_at)
    .fetch_one(conn)
    .await
}

/// Rows per `INSERT` statement of a batch (9 parameters each, well under
/// SQLite's 32 766): one statement per 100 rows instead of one per row.
const ROWS_PER_INSERT: usize = 100;

/// Writes a batch in one transaction: all rows or none. Returns the row
/// ids in the batch's order.
pub async fn insert_batch(pool: &SqlitePool, batch: &[Record]) -> Result<Vec<i64>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let mut ids = Vec::with_capacity(batch.len());
    for chunk in batch.chunks(ROWS_PER_INSERT) {
        let mut insert = sqlx::QueryBuilder::new(
            "INSERT INTO ai_prompt_tests (prompt_id, endpoint_id, model, request_message, response_message, success, latency_ms, error, created_at) ",
        );
        insert.push_values(chunk, |mut row, r| {
            row.push_bind(r.prompt_id)
                .push_bind(r.endpoint_id)
                .push_bind(r.model.clone())
                .push_bind(r.request_message())
                .push_bind(r.response_message())
                .push_bind(i64::from(r.success))
                .push_bind(r.latency_ms)
                .push_bind(r.error.clone())
                .push_bind(r.created_at.clone());
        });
        insert.push(" RETURNING id");
        let mut got: Vec<i64> = insert.build_query_scalar().fetch_all(&mut *tx).await?;
        // One statement's new rows get rising ids in the order of its
        // VALUES; RETURNING itself promises no order.
        got.sort_unstable();
        ids.extend(got);
    }
    tx.commit().await?;
    Ok(ids)
}

/// Name of the built-in prompt row simulated chats are filed under when no
/// prompt was chosen (`ai_prompt_tests.prompt_id` may not be empty).
pub const SIMULATION_PROMPT: &str = "model-suite:simulation";

/// The rows a record is filed under: its prompt, and the endpoint used
/// when the request never reached one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowTargets {
    pub prompt_id: i64,
    pub endpoint_id: i64,
}

/// The prompt row and fallback endpoint rows are filed under. Creates the
/// built-in simulation prompt once; refuses when the catalog is empty.
pub async fn row_targets(
    db: &SqlitePool,
    supabase: Option<&sqlx::PgPool>,
    prompt: Option<i64>,
) -> Result<RowTargets, AppError> {
    let endpoint: Option<i64> =
        sqlx::query_scalar("SELECT id FROM ai_endpoints ORDER BY is_default DESC, id LIMIT 1")
            .fetch_optional(db)
            .await?;
    let endpoint = endpoint.ok_or_else(|| AppError::Conflict(SimMsg::NoEndpointYet.into()))?;
    // The prompt id is the authority's (Supabase's `ai_prompt.id` when
    // configured): rows refer to the local row that stands for it.
    if let Some(p) = prompt {
        if let Some(local) = crate::mapping::prompts::local_row(db, supabase, p).await? {
            return Ok(RowTargets {
                prompt_id: local,
                endpoint_id: endpoint,
            });
        }
    }
    let id = crate::catalog::repo::builtin_prompt(
        db,
        SIMULATION_PROMPT,
        "simulation",
        "Built-in prompt of simulated chats",
        "Rows of JWT simulations with no prompt chosen",
    )
    .await?;
    Ok(RowTargets {
        prompt_id: id,
        endpoint_id: endpoint,
    })
}

#[allow(clippy::too_many_arguments)]
pub fn record_of(
    run_id: Option<&str>,
    seq: u64,
    user: &str,
    c: &RunConfig,
    messages: Value,
    targets: RowTargets,
    a: &Attempt,
    queue_ms: f64,
) -> Record {
    // A run's id is unique and its seq numbers are too (no random draw per
    // record); a lone dialog's record gets a random id.
    let record_id = match run_id {
        Some(run) => format!("{run}-{seq}"),
        None => uuid::Uuid::new_v4().simple().to_string(),
    };
    Record {
        record_id,
        run_id: run_id.map(str::to_owned),
        seq,
        user: user.to_owned(),
        scope: c.scope.clone(),
        messages,
        params: {
            let mut p = json!({ "stream": c.stream, "model": c.model });
            if let Some(t) = c.temperature {
                p["temperature"] = json!(t);
            }
            p
        },
        prompt_id: targets.prompt_id,
        endpoint_id: a.endpoint_id.unwrap_or(targets.endpoint_id),
        served_by: a.endpoint_id,
        model: a.model.clone().or_else(|| c.model.clone()),
        status: a.status,
        success: a.ok(),
        latency_ms: a.latency_ms,
        ttfb_ms: a.ttfb_ms,
        ttft_ms: a.ttft_ms,
        queue_ms,
        error_kind: a.error_kind.map(|k| k.as_str().to_owned()),
        error: a.error.clone(),
        content: a.content.chars().take(2000).collect(),
        usage: a.usage.clone(),
        created_at: crate::catalog::repo::now(),
        attempts: a.attempts,
        failed_attempts: a.failed_attempts.clone(),
        tokens: TokenTiming::of(a),
        run: None,
    }
}

/// Makes a record for the single dialog too.
#[allow(clippy::too_many_arguments)]
pub fn dialog_record(
    scope: &ChatScope,
    stream: bool,
    model: Option<&str>,
    messages: serde_json::Value,
    targets: RowTargets,
    a: &Attempt,
    user: &str,
) -> Record {
    let config = RunConfig {
        total: 1,
        load: Default::default(),
        concurrency: 1,
        ramp_up_secs: 0,
        users: 1,
        stream,
        stop: StopPolicy::Never,
        scope: scope.clone(),
        model: model.map(str::to_owned),
        message: String::new(),
        message_set: None,
        max_tokens: None,
        temperature: None,
        token: None,
    };
    record_of(None, 0, user, &config, messages, targets, a, 0.0)
}
