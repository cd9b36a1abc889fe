//! A run that was going when the process died (or was stopped) keeps its
//! figures: counts, errors and the exact percentiles and token figures
//! (`exact`) recomputed from the rows it stored, once the fallback files
//! are written back.

use serde_json::Value;
use sqlx::SqlitePool;

use super::client::{Attempt, ErrorKind};
use super::stats::LiveStats;
use super::store::RunStore;
use super::types::{RunConfig, RunSnapshot, RunStatus, StopPolicy};

/// One stored row, as much of it as the figures need.
#[derive(sqlx::FromRow)]
struct StoredOutcome {
    success: bool,
    latency_ms: Option<f64>,
    response_message: Option<String>,
    created_at: Option<String>,
}

/// Recomputes the runs `store` found interrupted when it opened; returns
/// how many it saved.
pub async fn recover_interrupted(
    store: &RunStore,
    db: &SqlitePool,
    fallback_dir: &std::path::Path,
) -> usize {
    let ids = store.interrupted_at_open();
    if ids.is_empty() {
        return 0;
    }
    if let Err(e) = super::fallback::replay(db, fallback_dir).await {
        tracing::warn!(error = %e, "fallback replay before recovering runs failed");
    }
    let mut saved = 0;
    for id in ids {
        let Some(run) = store.load(&id) else { continue };
        match figures_from_rows(db, fallback_dir, run).await {
            Ok(run) => {
                tracing::info!(run = %run.id, done = run.done, "interrupted run recovered from its rows");
                store.save(&run);
                saved += 1;
            }
            Err(e) => tracing::warn!(error = %e, run = %id, "cannot recompute an interrupted run"),
        }
    }
    saved
}

/// A run read back from its rows alone (its summary file gone, or never
/// written here: another instance's run): the configuration and start the
/// first stored record carries, and figures recomputed from every row.
/// Rows do not say why a run ended early, so a run with a row per request
/// is `completed` (or `failed`) and any other `interrupted`.
pub async fn from_rows(
    db: &SqlitePool,
    fallback_dir: &std::path::Path,
    id: &str,
) -> Result<Option<RunSnapshot>, sqlx::Error> {
    let head: Option<String> = sqlx::query_scalar(
        "SELECT json_extract(request_message, '$.run') FROM ai_prompt_tests
         WHERE json_extract(request_message, '$.run_id') = ?1
           AND json_extract(request_message, '$.run') IS NOT NULL LIMIT 1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    let Some(head) = head.and_then(|h| serde_json::from_str::<Value>(&h).ok()) else {
        return Ok(None);
    };
    let Ok(config) = serde_json::from_value::<RunConfig>(head["config"].clone()) else {
        return Ok(None);
    };
    let started_at = head["started_at"].as_str().unwrap_or_default().to_owned();
    let run = RunSnapshot {
        id: id.to_owned(),
        config,
        status: RunStatus::Interrupted,
        stop_reason: None,
        started_at,
        finished_at: None,
        done: 0,
        ok: 0,
        failed: 0,
        cancelled: 0,
        not_sent: 0,
        in_flight: 0,
        queued: 0,
        rps: 0.0,
        elapsed_secs: 0.0,
        latency_ms: Default::default(),
        ttft_ms: None,
        queue_ms: Default::default(),
        errors: Vec::new(),
        bench: Default::default(),
        histogram: Vec::new(),
        rows_written: 0,
        fallback_records: 0,
        not_routed: 0,
        by_endpoint: Vec::new(),
        rate: None,
    };
    let mut run = figures_from_rows(db, fallback_dir, run).await?;
    if run.done >= u64::from(run.config.total) {
        run.status = if run.ok == 0 {
            RunStatus::Failed
        } else {
            RunStatus::Completed
        };
    }
    Ok(Some(run))
}

async fn figures_from_rows(
    db: &SqlitePool,
    fallback_dir: &std::path::Path,
    mut run: RunSnapshot,
) -> Result<RunSnapshot, sqlx::Error> {
    let rows: Vec<StoredOutcome> = sqlx::query_as(
        "SELECT success, latency_ms, response_message, created_at FROM ai_prompt_tests
         WHERE json_extract(request_message, '$.run_id') = ?1",
    )
    .bind(&run.id)
    .fetch_all(db)
    .await?;
    let mut stats = LiveStats::default();
    let mut last: Option<String> = None;
    for r in &rows {
        let response: Value = r
            .response_message
            .as_deref()
            .and_then(|m| serde_json::from_str(m).ok())
            .unwrap_or(Value::Null);
        let kind = response["error_kind"].as_str();
        let attempt = Attempt {
            latency_ms: r.latency_ms.unwrap_or(0.0),
            ttft_ms: response["ttft_ms"].as_f64(),
            endpoint_id: response["endpoint_id"].as_i64(),
            error_kind: if r.success {
                None
            } else {
                Some(
                    kind.and_then(ErrorKind::parse)
                        .unwrap_or(ErrorKind::HttpStatus),
                )
            },
            ..Attempt::default()
        };
        stats.add(
            &attempt,
            response["queue_ms"].as_f64().unwrap_or(0.0),
            &StopPolicy::Never,
            1,
        );
        if r.created_at > last {
            last = r.created_at.clone();
        }
    }
    // Unreadable fallback files leave the histograms' figures (`exact` false).
    stats.exact = super::exact::settle(db, fallback_dir, &run.id).await;
    let elapsed = match (
        chrono::DateTime::parse_from_rfc3339(&run.started_at),
        last.as_deref().map(chrono::DateTime::parse_from_rfc3339),
    ) {
        (Ok(a), Some(Ok(b))) => (b - a).num_milliseconds().max(1) as f64 / 1000.0,
        _ => run.elapsed_secs,
    };
    run.status = RunStatus::Interrupted;
    run.done = stats.done();
    run.ok = stats.ok;
    run.failed = stats.failed;
    run.cancelled = stats.cancelled;
    run.in_flight = 0;
    run.queued = 0;
    run.not_sent = u64::from(run.config.total).saturating_sub(run.done + run.cancelled);
    run.rps = run.ok as f64 / elapsed;
    run.elapsed_secs = elapsed;
    run.latency_ms = stats.latency();
    run.ttft_ms = stats.ttft();
    run.queue_ms = stats.queue();
    run.bench = stats.bench();
    run.bench.tokens_per_sec = run.bench.output_tokens as f64 / elapsed;
    run.errors = stats.errors.iter().map(|(k, v)| (k.clone(), *v)).collect();
    run.histogram = stats.chart();
    run.not_routed = stats.not_routed;
    run.by_endpoint = stats.shares();
    run.rows_written = rows.len() as u64;
    run.fallback_records = 0;
    run.finished_at = last.or(run.finished_at);
    Ok(run)
}
