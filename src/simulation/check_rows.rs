//! The catalog's model checks stored through the results writer: each
//! check becomes a [`Record`] like any simulated chat, so it is batched
//! with them and falls back to the same JSON files when SQLite is busy.

use futures::future::{join_all, BoxFuture};
use serde_json::json;

use super::records::Record;
use super::types::ChatScope;
use super::writer::ResultsWriter;
use crate::catalog::check_rows::{CheckRow, CheckRows};
use crate::upstream::CHECK_MESSAGE;

/// The user a model check's row names.
const CHECK_USER: &str = "model-check";

fn record_of(r: CheckRow) -> Record {
    Record {
        record_id: uuid::Uuid::new_v4().simple().to_string(),
        run_id: None,
        seq: 0,
        user: CHECK_USER.to_owned(),
        scope: ChatScope::default(),
        messages: json!([{ "role": "user", "content": CHECK_MESSAGE }]),
        params: json!({ "kind": "model_check", "model": r.model, "max_tokens": 8 }),
        prompt_id: r.prompt_id,
        endpoint_id: r.endpoint_id,
        served_by: Some(r.endpoint_id),
        success: r.error.is_none(),
        error_kind: r.error.as_ref().map(|_| {
            if r.status.is_some() {
                "http_status"
            } else {
                "connect"
            }
            .to_owned()
        }),
        model: Some(r.model),
        status: r.status,
        latency_ms: r.latency_ms,
        ttfb_ms: None,
        ttft_ms: None,
        queue_ms: 0.0,
        error: r.error,
        content: r.reply.unwrap_or_default(),
        usage: None,
        created_at: r.created_at,
        attempts: None,
        failed_attempts: None,
        tokens: Default::default(),
        run: None,
    }
}

impl CheckRows for ResultsWriter {
    fn store(&self, rows: Vec<CheckRow>) -> BoxFuture<'_, Vec<Option<i64>>> {
        Box::pin(async move {
            // Sent together, they share one batch (one transaction).
            join_all(rows.into_iter().map(|r| async move {
                match ResultsWriter::store(self, record_of(r)).await {
                    Ok(id) => id,
                    Err(e) => {
                        tracing::error!(error = %e, "a model check's row could not be kept");
                        None
                    }
                }
            }))
            .await
        })
    }
}
