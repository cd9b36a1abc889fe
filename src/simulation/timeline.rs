//! A run over time, from its stored rows: per second since its start, the
//! requests that ended, how many failed, and latency p50/p95 (exact, from
//! the rows of that second); `timeline_view` draws it.

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

/// A run's rows read so far, per second: what a refresh adds to.
#[cfg(feature = "ssr")]
struct Run {
    started_at: String,
    /// The rows read: how many, and the highest id.
    count: i64,
    last: i64,
    /// Per second: the latencies (sorted when last read) and the failures.
    seconds: Vec<(Vec<f64>, u64)>,
}

/// Runs' timelines kept between refreshes (shared by an engine's clones),
/// by run id: a refresh of a run still being written reads only the rows
/// added since the last one, instead of all of them each time.
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct Timelines(std::sync::Arc<tokio::sync::Mutex<super::kept::Kept<Run>>>);

#[cfg(feature = "ssr")]
impl Default for Timelines {
    /// Eight runs and two million latencies (16 MB) at most.
    fn default() -> Timelines {
        let latencies = |r: &Run| r.seconds.iter().map(|s| s.0.len()).sum();
        let kept = super::kept::Kept::new(8, 2_000_000, latencies);
        Timelines(std::sync::Arc::new(tokio::sync::Mutex::new(kept)))
    }
}

/// The run's seconds, from its stored rows. Rows are only added (ids only
/// grow) or deleted: when the kept rows plus those with a higher id are as
/// many as the run has, only those are read; otherwise all of them.
#[cfg(feature = "ssr")]
pub async fn of_run(
    db: &sqlx::SqlitePool,
    kept: &Timelines,
    run_id: &str,
    started_at: &str,
) -> Result<Vec<Second>, crate::error::AppError> {
    let start = chrono::DateTime::parse_from_rfc3339(started_at)
        .map_err(|e| crate::error::AppError::internal(format!("run start `{started_at}`: {e}")))?;
    let mut all = kept.0.lock().await;
    let (count, last): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MAX(id) FROM ai_prompt_tests
         WHERE json_extract(request_message, '$.run_id') = ?1",
    )
    .bind(run_id)
    .fetch_one(db)
    .await?;
    let last = last.unwrap_or(0);
    let mut run = match all.take(run_id) {
        Some(k) if k.started_at == started_at && k.last <= last => k,
        _ => Run {
            started_at: started_at.to_owned(),
            count: 0,
            last: 0,
            seconds: Vec::new(),
        },
    };
    if (run.count, run.last) != (count, last) {
        let added = rows_between(db, run_id, run.last, last).await?;
        if run.count + added.len() as i64 != count {
            // Rows were deleted: read the run afresh.
            run.seconds.clear();
            run.count = 0;
            let rows = rows_between(db, run_id, 0, last).await?;
            add(&mut run, start, rows);
        } else {
            add(&mut run, start, added);
        }
        run.last = last;
    }
    // Sorting a second already sorted (all but the newest) is one pass.
    let seconds = run
        .seconds
        .iter_mut()
        .enumerate()
        .map(|(at, (lat, failed))| {
            let p = super::tokens::exact_percentiles(lat).unwrap_or_default();
            Second {
                at: at as u32,
                done: lat.len() as u64,
                failed: *failed,
                latency_p50_ms: p.p50,
                latency_p95_ms: p.p95,
            }
        })
        .collect();
    all.put(run_id.to_owned(), run);
    Ok(seconds)
}

#[cfg(feature = "ssr")]
type Row = (Option<String>, Option<f64>, Option<i64>);

/// The run's rows with `after < id <= last`.
#[cfg(feature = "ssr")]
async fn rows_between(
    db: &sqlx::SqlitePool,
    run_id: &str,
    after: i64,
    last: i64,
) -> Result<Vec<Row>, sqlx::Error> {
    sqlx::query_as(
        "SELECT created_at, latency_ms, success FROM ai_prompt_tests
         WHERE json_extract(request_message, '$.run_id') = ?1 AND id > ?2 AND id <= ?3",
    )
    .bind(run_id)
    .bind(after)
    .bind(last)
    .fetch_all(db)
    .await
}

/// Files `rows` under their seconds.
#[cfg(feature = "ssr")]
fn add(run: &mut Run, start: chrono::DateTime<chrono::FixedOffset>, rows: Vec<Row>) {
    run.count += rows.len() as i64;
    for (at, latency, success) in rows {
        let Some(at) = at.and_then(|a| chrono::DateTime::parse_from_rfc3339(&a).ok()) else {
            continue;
        };
        let second = (at - start).num_milliseconds().max(0) as usize / 1000;
        if second >= SECONDS_MAX {
            continue;
        }
        if run.seconds.len() <= second {
            run.seconds.resize_with(second + 1, Default::default);
        }
        let s = &mut run.seconds[second];
        s.0.push(latency.unwrap_or(0.0));
        s.1 += u64::from(success.unwrap_or(0) == 0);
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::{of_run, Timelines};
    use crate::simulation::test_rows;

    const START: &str = "2026-01-01T00:00:00Z";

    async fn add(db: &sqlx::SqlitePool, run: &str, at_ms: i64, latency: f64, ok: bool) {
        let at = chrono::DateTime::parse_from_rfc3339(START).expect("start")
            + chrono::Duration::milliseconds(at_ms);
        test_rows::add(db, run, "{}", (ok, latency), &at.to_rfc3339()).await;
    }

    /// A kept timeline reads only the rows added since (an old row changed
    /// behind its back, which the product never does, shows it), and reads
    /// the run afresh once rows were deleted.
    #[tokio::test]
    async fn a_refresh_reads_only_the_rows_added_since() {
        let (_dir, db) = test_rows::store().await;
        for i in 0..10 {
            add(&db, "r", i * 150, 10.0 * (i + 1) as f64, i != 3).await;
            add(&db, "other", i * 150, 999.0, false).await;
        }
        let kept = Timelines::default();
        let afresh = || async {
            of_run(&db, &Timelines::default(), "r", START)
                .await
                .expect("afresh")
        };
        let first = of_run(&db, &kept, "r", START).await.expect("first");
        assert_eq!(first, afresh().await);
        assert_eq!(first.iter().map(|s| s.done).collect::<Vec<_>>(), [7, 3]);
        assert_eq!(first[0].failed, 1);
        assert_eq!(first[0].latency_p50_ms, 40.0);

        for i in 0..4 {
            add(&db, "r", 1500 + i * 300, 5.0, true).await;
        }
        let second = of_run(&db, &kept, "r", START).await.expect("second");
        assert_eq!(second, afresh().await);
        assert_eq!(second.iter().map(|s| s.done).collect::<Vec<_>>(), [7, 5, 2]);

        sqlx::query("UPDATE ai_prompt_tests SET latency_ms = 1000 WHERE id = 1")
            .execute(&db)
            .await
            .expect("update");
        add(&db, "r", 2500, 5.0, true).await;
        let third = of_run(&db, &kept, "r", START).await.expect("third");
        assert_eq!(third[0], second[0], "the old rows were not read again");
        assert_ne!(third, afresh().await);

        sqlx::query("DELETE FROM ai_prompt_tests WHERE id IN (3, 5)")
            .execute(&db)
            .await
            .expect("delete");
        let fourth = of_run(&db, &kept, "r", START).await.expect("fourth");
        assert_eq!(fourth, afresh().await);
        assert_eq!(fourth[0].done, 5);
    }
}
