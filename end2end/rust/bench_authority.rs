//! `make bench`: how fast a change in Supabase reaches another instance,
//! and what following Supabase costs Postgres. Numbers, not assertions;
//! needs TEST_DATABASE_URL (the bench target starts a throw-away cluster).

use std::time::{Duration, Instant};

use reqwest::Method;
use sqlx::PgPool;

use crate::authority_live::{local_endpoint, two_consoles};
use crate::support::{endpoint_body, TestApp};
use model_suite::storage::watch::ProbeEvery;

const EDITS: usize = 100;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// `EDITS` edits on console A, each timed until console B's SQLite has it.
async fn propagation(a: &TestApp, b: &TestApp) -> (f64, f64) {
    let created = a
        .create_endpoint(endpoint_body("Bench", "http://127.0.0.1:9/v1"))
        .await;
    let (id, sid) = (created["id"].as_i64(), created["supabase_id"].as_i64());
    let sid = sid.expect("supabase_id");
    while local_endpoint(b, sid).await.is_none() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut delays = Vec::with_capacity(EDITS);
    for i in 0..EDITS {
        // Spread the edits over the probe's period, as real edits are.
        tokio::time::sleep(Duration::from_millis((i as u64 * 137) % 500)).await;
        let mut body = endpoint_body("Bench", "http://127.0.0.1:9/v1");
        body["description"] = format!("edit {i}").into();
        let started = Instant::now();
        let res = a
            .api(
                Method::PUT,
                &format!("/api/v1/llm/models/{}", id.expect("id")),
            )
            .json(&body)
            .send()
            .await
            .expect("put");
        assert_eq!(res.status(), 200);
        let wanted = format!("edit {i}");
        loop {
            let seen: Option<String> =
                sqlx::query_scalar("SELECT description FROM ai_endpoints WHERE supabase_id = ?1")
                    .bind(sid)
                    .fetch_optional(&b.state.db)
                    .await
                    .expect("read")
                    .flatten();
            if seen.as_deref() == Some(wanted.as_str()) {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "edit {i} never arrived"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        delays.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    delays.sort_by(f64::total_cmp);
    (percentile(&delays, 50.0), percentile(&delays, 99.0))
}

/// Mean time of one round of the change probes (both tables), in ms.
async fn probe_cost(pg: &PgPool) -> f64 {
    let probes = [
        model_suite::catalog::remote::PROBE,
        model_suite::mapping::remote::PROBE,
    ];
    let rounds = 200;
    let started = Instant::now();
    for _ in 0..rounds {
        for p in probes {
            let _: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(p))
                .fetch_one(pg)
                .await
                .expect("probe");
        }
    }
    started.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds)
}

#[tokio::test]
#[ignore = "a benchmark: make bench"]
async fn bench_supabase_propagation_delay_and_probe_load() {
    let mut table: Vec<(String, String)> = Vec::new();
    for trigger in [true, false] {
        let Some((a, b, pg)) = two_consoles(trigger).await else {
            eprintln!("TEST_DATABASE_URL not set: no propagation figures");
            return;
        };
        let (p50, p99) = propagation(&a, &b).await;
        let how = if trigger {
            "LISTEN/NOTIFY trigger"
        } else {
            "change probe only"
        };
        table.push((
            format!("edit on A → B's SQLite, {how} (p50 / p99 over {EDITS})"),
            format!("{p50:.0} ms / {p99:.0} ms"),
        ));
        if !trigger {
            let round = probe_cost(&pg).await;
            let every = ProbeEvery::default();
            let per_sec = 2.0 / every.alone.as_secs_f64();
            table.push((
                "probe load per instance, no trigger".into(),
                format!(
                    "{per_sec:.0} queries/s; {round:.2} ms per round of 2 (round trips, upper bound of Postgres time) → at most {:.1} ms per s",
                    round * per_sec / 2.0
                ),
            ));
            table.push((
                "probe load per instance, with trigger".into(),
                format!(
                    "2 queries per {} s + 1 LISTEN connection",
                    every.with_trigger.as_secs()
                ),
            ));
        }
    }
    println!("\n| Supabase live | |\n|---|---|");
    for (k, v) in &table {
        println!("| {k} | {v} |");
    }
}
