//! Where the catalog's model checks are stored: a trait the results'
//! batched writer implements (wired at start), so a check's row takes the
//! same batches and JSON fallback as every other `ai_prompt_tests` row.

use futures::future::BoxFuture;

/// One model check's answer, as the row it is stored as.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckRow {
    pub prompt_id: i64,
    pub endpoint_id: i64,
    pub model: String,
    pub status: Option<u16>,
    pub reply: Option<String>,
    pub latency_ms: f64,
    pub error: Option<String>,
    pub created_at: String,
}

/// Where model check rows are written (the simulation's results writer,
/// wired at start): each answer is its row id, or `None` when SQLite was
/// busy and the row went to the JSON fallback (replayed later).
pub trait CheckRows: Send + Sync {
    fn store(&self, rows: Vec<CheckRow>) -> BoxFuture<'_, Vec<Option<i64>>>;
}
