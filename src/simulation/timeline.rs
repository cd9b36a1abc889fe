//! A run over time, from its stored rows: per second since its start, the
//! requests that ended, how many failed, and latency p50/p95 (exact, from
//! the rows of that second); `timeline_chart` draws it.

use serde::{Deserialize, Serialize};

/// One second of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Second {
    /// Seconds since the run started (this second is `[at, at + 1)`).
    pub at: u32,
    pub done: u64,
    pub failed: u64,
    pub latency_p50_ms: f64,
    pub latency_p95_ms: f64,
}

/// At most this many seconds are returned (a longer run is cut at the end).
pub const SECONDS_MAX: usize = 3600;

#[cfg(feature = "ssr")]
pub async fn of_run(
    db: &sqlx::SqlitePool,
    run_id: &str,
    started_at: &str,
) -> Result<Vec<Second>, crate::error::AppError> {
    let rows: Vec<(Option<String>, Option<f64>, Option<i64>)> = sqlx::query_as(
        "SELECT created_at, latency_ms, success FROM ai_prompt_tests
         WHERE json_extract(request_message, '$.run_id') = ?1",
    )
    .bind(run_id)
    .fetch_all(db)
    .await?;
    let start = chrono::DateTime::parse_from_rfc3339(started_at)
        .map_err(|e| crate::error::AppError::internal(format!("run start `{started_at}`: {e}")))?;
    let mut buckets: Vec<(Vec<f64>, u64)> = Vec::new();
    for (at, latency, success) in rows {
        let Some(at) = at.and_then(|a| chrono::DateTime::parse_from_rfc3339(&a).ok()) else {
            continue;
        };
        let second = (at - start).num_milliseconds().max(0) as usize / 1000;
        if second >= SECONDS_MAX {
            continue;
        }
        if buckets.len() <= second {
            buckets.resize_with(second + 1, Default::default);
        }
        let b = &mut buckets[second];
        b.0.push(latency.unwrap_or(0.0));
        b.1 += u64::from(success.unwrap_or(0) == 0);
    }
    Ok(buckets
        .into_iter()
        .enumerate()
        .map(|(at, (mut lat, failed))| {
            let p = super::tokens::exact_percentiles(&mut lat).unwrap_or_default();
            Second {
                at: at as u32,
                done: lat.len() as u64,
                failed,
                latency_p50_ms: p.p50,
                latency_p95_ms: p.p95,
            }
        })
        .collect())
}
