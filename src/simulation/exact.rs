//! A run's exact figures, computed from every result it stored (its rows,
//! plus records still waiting in fallback files): what a finished or
//! recovered run reports instead of the live histograms' approximations.
//! Counts and the chart stay the live ones.

use std::collections::HashSet;
use std::path::Path;

use futures::TryStreamExt;
use sqlx::SqlitePool;

use super::fallback::fallback_records;
use super::records::Record;
use super::tokens::exact_percentiles;
use super::types::Percentiles;

/// Percentiles over the successes (queue time over every stored result)
/// and the successes' output tokens.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExactFigures {
    pub latency: Percentiles,
    pub ttft: Option<Percentiles>,
    pub queue: Percentiles,
    pub tpot: Option<Percentiles>,
    pub itl: Option<Percentiles>,
    pub output_tokens: u64,
    pub output_tokens_estimated: u64,
    /// Stored results read (rows and fallback records).
    pub results: u64,
}

/// The fields of one stored result the figures need.
#[derive(sqlx::FromRow)]
struct Stored {
    record_id: Option<String>,
    success: bool,
    latency_ms: Option<f64>,
    ttft_ms: Option<f64>,
    queue_ms: Option<f64>,
    tpot_ms: Option<f64>,
    output_tokens: Option<i64>,
    estimated: Option<i64>,
    /// The JSON array of gaps, as stored.
    itl_ms: Option<String>,
}

impl From<&Record> for Stored {
    fn from(r: &Record) -> Stored {
        Stored {
            record_id: Some(r.record_id.clone()),
            success: r.success,
            latency_ms: Some(r.latency_ms),
            ttft_ms: r.ttft_ms,
            queue_ms: Some(r.queue_ms),
            tpot_ms: r.tokens.tpot_ms,
            output_tokens: r.tokens.output_tokens.and_then(|n| i64::try_from(n).ok()),
            estimated: Some(i64::from(r.tokens.output_tokens_estimated)),
            itl_ms: serde_json::to_string(&r.tokens.itl_ms).ok(),
        }
    }
}

#[derive(Default)]
struct Samples {
    latency: Vec<f64>,
    ttft: Vec<f64>,
    queue: Vec<f64>,
    tpot: Vec<f64>,
    itl: Vec<f64>,
    output_tokens: u64,
    estimated: u64,
    results: u64,
}

impl Samples {
    fn add(&mut self, s: &Stored) {
        self.results += 1;
        self.queue.extend(s.queue_ms);
        if !s.success {
            return;
        }
        self.latency.extend(s.latency_ms);
        self.ttft.extend(s.ttft_ms);
        self.tpot.extend(s.tpot_ms);
        if let Some(gaps) = s.itl_ms.as_deref() {
            // A result stored before gaps were kept has none; an unreadable
            // array is skipped rather than failing the whole run.
            if let Ok(gaps) = serde_json::from_str::<Vec<f64>>(gaps) {
                self.itl.extend(gaps);
            }
        }
        if let Some(n) = s.output_tokens.and_then(|n| u64::try_from(n).ok()) {
            self.output_tokens += n;
            if s.estimated == Some(1) {
                self.estimated += 1;
            }
        }
    }

    fn figures(mut self) -> ExactFigures {
        ExactFigures {
            latency: exact_percentiles(&mut self.latency).unwrap_or_default(),
            ttft: exact_percentiles(&mut self.ttft),
            queue: exact_percentiles(&mut self.queue).unwrap_or_default(),
            tpot: exact_percentiles(&mut self.tpot),
            itl: exact_percentiles(&mut self.itl),
            output_tokens: self.output_tokens,
            output_tokens_estimated: self.estimated,
            results: self.results,
        }
    }
}

const STORED_OF_RUN: &str = "SELECT json_extract(request_message, '$.record_id') AS record_id,
        success, latency_ms,
        CAST(json_extract(response_message, '$.ttft_ms') AS REAL) AS ttft_ms,
        CAST(json_extract(response_message, '$.queue_ms') AS REAL) AS queue_ms,
        CAST(json_extract(response_message, '$.tpot_ms') AS REAL) AS tpot_ms,
        CAST(json_extract(response_message, '$.output_tokens') AS INTEGER) AS output_tokens,
        CAST(json_extract(response_message, '$.output_tokens_estimated') AS INTEGER) AS estimated,
        json_extract(response_message, '$.itl_ms') AS itl_ms
    FROM ai_prompt_tests WHERE json_extract(request_message, '$.run_id') = ?1";

/// Reads run `run_id`'s stored results (rows streamed, never all in memory
/// at once) and computes its exact figures.
pub async fn exact_figures(
    db: &SqlitePool,
    fallback_dir: &Path,
    run_id: &str,
) -> Result<ExactFigures, ExactError> {
    let waiting: Vec<Record> = fallback_records(fallback_dir)
        .map_err(ExactError::Fallback)?
        .into_iter()
        .filter(|r| r.run_id.as_deref() == Some(run_id))
        .collect();
    let mut samples = Samples::default();
    let mut stored_ids = HashSet::new();
    let mut rows = sqlx::query_as::<_, Stored>(STORED_OF_RUN)
        .bind(run_id)
        .fetch(db);
    while let Some(row) = rows.try_next().await? {
        samples.add(&row);
        if !waiting.is_empty() {
            stored_ids.extend(row.record_id);
        }
    }
    // A record replayed meanwhile is both a row and in a file: count it once.
    for r in waiting
        .iter()
        .filter(|r| !stored_ids.contains(&r.record_id))
    {
        samples.add(&Stored::from(r));
    }
    Ok(samples.figures())
}

/// [`exact_figures`], or none (logged) when the results cannot be read:
/// the run then keeps its live figures.
pub async fn settle(db: &SqlitePool, fallback_dir: &Path, run_id: &str) -> Option<ExactFigures> {
    match exact_figures(db, fallback_dir, run_id).await {
        Ok(f) => Some(f),
        Err(e) => {
            tracing::warn!(error = %e, run = %run_id, "cannot compute a run's exact figures; keeping the live ones");
            None
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExactError {
    #[error("cannot read the run's rows: {0}")]
    Rows(#[from] sqlx::Error),
    #[error("cannot read the fallback files: {0}")]
    Fallback(std::io::Error),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulation::fallback::write_fallback;
    use crate::simulation::records::insert_batch;
    use crate::simulation::tokens::TokenTiming;

    fn record(id: &str, run: &str, success: bool, latency_ms: f64, tokens: TokenTiming) -> Record {
        Record {
            record_id: id.into(),
            run_id: Some(run.into()),
            seq: 0,
            user: "u".into(),
            scope: Default::default(),
            messages: serde_json::json!([]),
            params: serde_json::json!({}),
            prompt_id: 1,
            endpoint_id: 1,
            served_by: Some(1),
            model: None,
            status: Some(if success { 200 } else { 502 }),
            success,
            latency_ms,
            ttfb_ms: None,
            ttft_ms: success.then_some(5.0),
            queue_ms: 1.0,
            error_kind: (!success).then(|| "http_status".into()),
            error: None,
            content: String::new(),
            usage: None,
            created_at: "2026-12-01T00:00:00Z".into(),
            attempts: Some(1),
            failed_attempts: None,
            tokens,
            run: None,
        }
    }

    fn streamed(tokens: u64, estimated: bool, gaps: &[f64]) -> TokenTiming {
        TokenTiming {
            output_tokens: Some(tokens),
            output_tokens_estimated: estimated,
            content_deltas: Some(tokens as u32),
            tpot_ms: Some(gaps.iter().sum::<f64>() / gaps.len() as f64),
            itl_ms: gaps.to_vec(),
        }
    }

    #[tokio::test]
    async fn rows_and_waiting_fallback_records_count_once_and_other_runs_not_at_all() {
        let dir = tempfile::tempdir().expect("dir");
        let db = crate::storage::open_sqlite(&dir.path().join("t.db"))
            .await
            .expect("db");
        sqlx::query("INSERT INTO ai_endpoints (id, name, base_url) VALUES (1, 'e', 'http://x')")
            .execute(&db)
            .await
            .expect("endpoint");
        sqlx::query("INSERT INTO ai_prompts (id, name, content) VALUES (1, 'p', 'c')")
            .execute(&db)
            .await
            .expect("prompt");
        let first = record("a", "run-1", true, 100.0, streamed(3, false, &[10.0, 20.0]));
        let failed = record("b", "run-1", false, 9.0, TokenTiming::default());
        let other = record("c", "run-2", true, 999.0, streamed(50, false, &[999.0]));
        insert_batch(&db, &[first.clone(), failed, other])
            .await
            .expect("rows");
        // One record still waiting in a file, and one the replay already wrote.
        let waiting = record("d", "run-1", true, 300.0, streamed(2, true, &[30.0]));
        let fallback = dir.path().join("ai_runtime");
        std::fs::create_dir_all(&fallback).expect("fallback dir");
        write_fallback(&fallback, &[first, waiting]).expect("fallback");

        let f = exact_figures(&db, &fallback, "run-1")
            .await
            .expect("figures");
        assert_eq!(f.results, 3);
        assert_eq!((f.output_tokens, f.output_tokens_estimated), (5, 1));
        let itl = f.itl.expect("itl");
        assert_eq!((itl.p50, itl.mean, itl.max), (20.0, 20.0, 30.0));
        assert_eq!(f.tpot.expect("tpot").p50, 22.5);
        // Successes only; queue time over every stored result.
        assert_eq!((f.latency.p50, f.latency.max), (200.0, 300.0));
        assert_eq!(f.queue.p50, 1.0);
        assert_eq!(f.ttft.expect("ttft").max, 5.0);

        let none = exact_figures(&db, &fallback, "run-3").await.expect("empty");
        assert_eq!(
            (none.results, none.itl, none.latency),
            (0, None, Percentiles::default())
        );
    }
}
