//! `make bench`: the pages and table queries with 5 000 endpoints and
//! 1 000 000 result rows (p50 of repeated requests, server-rendered pages
//! read to the end). Numbers, not assertions.

use std::time::Instant;

use crate::bench::{median, record};
use crate::support::{spawn_app, TestApp};
use model_suite::simulation::records::{insert_batch, Record};
use model_suite::storage::schema::RESULT_INDEXES;

const ENDPOINTS: usize = 5_000;
const ROWS: u64 = 1_000_000;
const RUNS: u64 = 10;
const TRIES: usize = 15;

async fn fill(app: &TestApp) {
    let started = Instant::now();
    let mut tx = app.state.db.begin().await.expect("begin");
    for i in 0..ENDPOINTS {
        sqlx::query(
            "INSERT INTO ai_endpoints (name, base_url, model, api_key, timeout, is_active, is_default,
                model_list, status, latency_ms, created_at, updated_at)
             VALUES (?1, ?2, 'sim-small', 'sk-bench', 30, 1, 0, '[\"sim-small\"]', ?3, ?4,
                '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
        )
        .bind(format!("Endpoint {i:05}"))
        .bind(format!("http://10.0.{}.{}:8000/v1", i / 250, i % 250))
        .bind(["online", "degraded", "offline"][i % 3])
        .bind((i % 997) as f64)
        .execute(&mut *tx)
        .await
        .expect("endpoint");
    }
    tx.commit().await.expect("commit");
    let prompt: i64 = sqlx::query_scalar(
        "INSERT INTO ai_prompts (name, content, category) VALUES ('bench', '', 'bench') RETURNING id",
    )
    .fetch_one(&app.state.db)
    .await
    .expect("prompt");
    // Rows shaped as the engine writes them (one real record as the
    // template), made by SQLite itself: a million through the writer
    // would take minutes here.
    let template = record(0);
    let per_run = ROWS / RUNS;
    for run in 0..RUNS {
        sqlx::query(
            "WITH RECURSIVE c(k) AS (SELECT ?1 UNION ALL SELECT k + 1 FROM c WHERE k < ?1 + ?2 - 1)
             INSERT INTO ai_prompt_tests (prompt_id, endpoint_id, model, request_message,
                response_message, success, latency_ms, error, created_at)
             SELECT ?3, 1, 'sim-small',
                json_set(?4, '$.record_id', 'bench-' || k, '$.run_id', 'bench-' || (k / ?2), '$.seq', k % ?2),
                CASE WHEN k % 20 = 0 THEN json_set(?5, '$.status', 504, '$.error_kind', 'timeout') ELSE ?5 END,
                k % 20 != 0, (k % 1000) + 0.5,
                CASE WHEN k % 20 = 0 THEN 'upstream timed out' END, '2026-01-01T00:00:00Z'
             FROM c",
        )
        .bind((run * per_run) as i64)
        .bind(per_run as i64)
        .bind(prompt)
        .bind(template.request_message())
        .bind(template.response_message())
        .execute(&app.state.db)
        .await
        .expect("rows");
    }
    eprintln!(
        "filled {ENDPOINTS} endpoints and {ROWS} rows in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

/// ms of one GET of `path`, read to its last byte.
async fn once(app: &TestApp, cookie: &str, path: &str) -> f64 {
    let t = Instant::now();
    let res = app.get_with_cookie(path, cookie).await;
    assert!(res.status().is_success(), "{path}: {}", res.status());
    res.bytes().await.expect("body");
    t.elapsed().as_secs_f64() * 1000.0
}

/// p50 in ms of `TRIES` GETs of `path`, each read to its last byte.
async fn p50(app: &TestApp, cookie: &str, path: &str) -> f64 {
    let mut ms = Vec::with_capacity(TRIES);
    for _ in 0..=TRIES {
        ms.push(once(app, cookie, path).await);
    }
    ms.remove(0); // the first one warms the page cache
    median(&mut ms)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run with make bench"]
async fn bench_tables() {
    let app = spawn_app().await;
    fill(&app).await;
    let cookie = app.admin_cookie().await;
    let last_endpoints = ENDPOINTS.div_ceil(50);
    let last_rows = ROWS.div_ceil(50);
    println!("\n| page or query, {ENDPOINTS} endpoints, {ROWS} result rows | p50 ms |\n|---|---|");
    for (label, path) in [
        (
            "Catalog page (SSR), first page".to_owned(),
            "/models".to_owned(),
        ),
        ("Dashboard (SSR)".into(), "/".into()),
        ("Mapping page (SSR)".into(), "/mappings".into()),
        (
            "Simulation page (SSR, runs and newest results)".into(),
            "/simulation".into(),
        ),
        (
            "endpoints, last page by name".into(),
            format!("/api/v1/llm/models?sort=name&ascending=true&page={last_endpoints}"),
        ),
        (
            "endpoints, sorted by latency".into(),
            "/api/v1/llm/models?sort=latency_ms".into(),
        ),
        (
            "endpoints, filtered by name".into(),
            "/api/v1/llm/models?q=Endpoint%2004".into(),
        ),
        (
            "results, first page (newest)".into(),
            "/api/v1/llm/tests/results?per_page=50".into(),
        ),
        (
            "results, page 100".into(),
            "/api/v1/llm/tests/results?per_page=50&page=100".into(),
        ),
        (
            "results, last page".into(),
            format!("/api/v1/llm/tests/results?per_page=50&page={last_rows}"),
        ),
        (
            "results of one run".into(),
            "/api/v1/llm/tests/results?per_page=50&run_id=bench-3".into(),
        ),
        (
            "results, failed only".into(),
            "/api/v1/llm/tests/results?per_page=50&success=false".into(),
        ),
        (
            "results of one run, slowest first".into(),
            "/api/v1/llm/tests/results?per_page=50&run_id=bench-3&sort=latency_ms".into(),
        ),
        (
            "results of one run, fastest first, page 1 000".into(),
            "/api/v1/llm/tests/results?per_page=50&run_id=bench-3&sort=latency_ms&ascending=true&page=1000".into(),
        ),
        (
            "results of one run, by TTFT".into(),
            "/api/v1/llm/tests/results?per_page=50&run_id=bench-3&sort=ttft_ms".into(),
        ),
        (
            "results of one run, by TTFT, page 1 000".into(),
            "/api/v1/llm/tests/results?per_page=50&run_id=bench-3&sort=ttft_ms&page=1000".into(),
        ),
        (
            "all results, slowest first".into(),
            "/api/v1/llm/tests/results?per_page=50&sort=latency_ms".into(),
        ),
        (
            "all results, by TTFB".into(),
            "/api/v1/llm/tests/results?per_page=50&sort=ttfb_ms".into(),
        ),
    ] {
        let ms = p50(&app, &cookie, &path).await;
        println!("| {label} | {ms:.1} |");
    }
    // Timings inside the rows' JSON have no index: the first read of such
    // an order sorts every row under the filter, the pages after it are
    // slices of it. That first read, once for each of three runs:
    let mut first = Vec::new();
    for run in 5..8 {
        let path = format!("/api/v1/llm/tests/results?per_page=50&run_id=bench-{run}&sort=tpot_ms");
        first.push(once(&app, &cookie, &path).await);
    }
    println!(
        "| results of one run, by TPOT, first read (the order is sorted, median of 3 runs) | {:.1} |",
        median(&mut first)
    );
    // A run still being written: 100 rows added, then a page of its kept
    // order (only the rows added are read and merged in; before, each such
    // page was a first read).
    let mut grown = Vec::new();
    for _ in 0..TRIES {
        sqlx::query(
            "INSERT INTO ai_prompt_tests (prompt_id, endpoint_id, model, request_message,
                response_message, success, latency_ms, error, created_at)
             SELECT prompt_id, endpoint_id, model, request_message, response_message, success,
                latency_ms, error, created_at FROM ai_prompt_tests
             WHERE json_extract(request_message, '$.run_id') = 'bench-5' ORDER BY id LIMIT 100",
        )
        .execute(&app.state.db)
        .await
        .expect("rows added");
        let path = "/api/v1/llm/tests/results?per_page=50&run_id=bench-5&sort=tpot_ms";
        grown.push(once(&app, &cookie, path).await);
    }
    println!(
        "| results of one run, by TPOT, after 100 rows were added (merged into the kept order) | {:.1} |",
        median(&mut grown)
    );
    let path = "/api/v1/llm/tests/results?per_page=50&sort=queue_ms";
    println!(
        "| all results, by queue time, first read (one run) | {:.1} |",
        once(&app, &cookie, path).await
    );
    // A run's timeline reads all its rows the first time (what each refresh
    // cost before timelines were kept), then only the rows added since
    // (the function itself: these rows carry no run head to serve it by).
    use model_suite::simulation::timeline::{of_run, Timelines};
    let kept = Timelines::default();
    let read = || of_run(&app.state.db, &kept, "bench-9", "2026-01-01T00:00:00Z");
    let t = Instant::now();
    let seconds = read().await.expect("timeline");
    assert_eq!(seconds.iter().map(|s| s.done).sum::<u64>(), ROWS / RUNS);
    println!(
        "| timeline of one run, first read (every refresh, before) | {:.1} |",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let mut ms = Vec::with_capacity(TRIES);
    for _ in 0..TRIES {
        let t = Instant::now();
        read().await.expect("timeline");
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "| timeline of one run, refreshed (kept; none added) | {:.1} |",
        median(&mut ms)
    );
}

/// Rows/s of the batched writer (500 a transaction) into an empty table,
/// with the results indexes but those named in `dropped`.
async fn writer_rate(dropped: &[&str]) -> f64 {
    let app = spawn_app().await;
    for name in dropped {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX {name}")))
            .execute(&app.state.db)
            .await
            .expect("drop");
    }
    for sql in [
        "INSERT INTO ai_prompts (id, name, content) VALUES (1, 'bench', 'bench')",
        "INSERT INTO ai_endpoints (id, name, base_url, model, api_key, timeout, is_active,
            is_default, model_list, status, created_at, updated_at)
         VALUES (1, 'bench', 'http://127.0.0.1:9/v1', 'sim-small', 'sk-bench', 30, 1, 0,
            '[\"sim-small\"]', 'online', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
    ] {
        sqlx::query(sql).execute(&app.state.db).await.expect("row");
    }
    // Latencies scattered as in life, so the latency indexes take them out
    // of order.
    let rows: Vec<Record> = (0..50_000)
        .map(|i| Record {
            latency_ms: (i * 7919 % 1000) as f64 + 0.5,
            ..record(i)
        })
        .collect();
    let started = Instant::now();
    for chunk in rows.chunks(500) {
        insert_batch(&app.state.db, chunk).await.expect("batch");
    }
    50_000.0 / started.elapsed().as_secs_f64()
}

/// What the results indexes cost the writer, alternated and taken as the
/// median of three each (this machine is noisy).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run with make bench"]
async fn bench_result_index_cost() {
    let all: Vec<&str> = RESULT_INDEXES.iter().map(|(name, _)| *name).collect();
    let latency = [
        "idx_ai_prompt_tests_run_latency",
        "idx_ai_prompt_tests_latency",
    ];
    let variants: [(&str, &[&str]); 3] = [
        ("with the 5 results indexes", &[]),
        ("without the 2 latency ones", &latency),
        ("without any", &all),
    ];
    let mut rates = vec![Vec::new(); variants.len()];
    for _ in 0..3 {
        for (i, (_, dropped)) in variants.iter().enumerate() {
            rates[i].push(writer_rate(dropped).await);
        }
    }
    println!("\n| batched writer, 50 000 rows, 500 a transaction | rows/s |\n|---|---|");
    for ((label, _), mut r) in variants.iter().zip(rates) {
        println!("| {label} | {:.0} |", median(&mut r));
    }
}
