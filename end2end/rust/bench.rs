//! `make bench`: numbers, not assertions. Ignored in `make test`; run with
//! `cargo test --release --features ssr --test integration bench -- --ignored --nocapture`.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{endpoint_body, spawn_app_with, spawn_sim, TestApp};
use model_suite::simulation::records::{insert_batch, Record};
use model_suite::upstream::sim::SimOptions;

fn peak_rss_mb() -> f64 {
    status_mb("VmHWM:")
}

fn rss_mb() -> f64 {
    status_mb("VmRSS:")
}

fn status_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).map(str::to_owned))
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

async fn app_on(latency_ms: u64) -> TestApp {
    // No per-user rate limit: oha sends everything with one token, and a
    // 429 would be a cheap answer counted as a request served.
    let app = spawn_app_with(&[
        ("LOADTEST_MAX_INFLIGHT", "1000"),
        ("CHAT_REQUESTS_PER_MINUTE", "0"),
    ])
    .await;
    let sim = spawn_sim(SimOptions {
        latency_ms,
        chunk_delay_ms: 0,
        ..Default::default()
    })
    .await;
    let mut e = endpoint_body("Bench sim", &sim);
    e["timeout"] = 60.into();
    app.create_endpoint(e).await;
    app
}

async fn engine_run(app: &TestApp, total: u32, concurrency: u32) -> (f64, f64, Value) {
    engine_run_with(app, json!({"total": total, "concurrency": concurrency})).await
}

/// Starts a run with `config`, waits for its end; (req/s, wall s, run).
pub async fn engine_run_with(app: &TestApp, config: Value) -> (f64, f64, Value) {
    let total = config["total"].as_u64().unwrap_or(0);
    let started = Instant::now();
    let res = app
        .api(Method::POST, "/api/v1/llm/tests/runs")
        .json(&config)
        .send()
        .await
        .expect("start");
    let id = res.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    loop {
        let run: Value = app
            .api(Method::GET, &format!("/api/v1/llm/tests/runs/{id}"))
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        if run["status"] != "running" {
            if run["ok"].as_u64() != Some(total) {
                eprintln!(
                    "engine: {} of {total} requests succeeded: {}",
                    run["ok"], run["errors"]
                );
            }
            return (
                run["rps"].as_f64().unwrap_or(0.0),
                started.elapsed().as_secs_f64(),
                run,
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn oha(app: &TestApp, total: u32, concurrency: u32) -> Option<f64> {
    let token = app.token("user", 3600);
    let out = std::process::Command::new("oha")
        .args([
            "-n",
            &total.to_string(),
            "-c",
            &concurrency.to_string(),
            "--no-tui",
            "--output-format",
            "json",
            "-m",
            "POST",
        ])
        .args([
            "-H",
            &format!("Authorization: Bearer {token}"),
            "-H",
            "content-type: application/json",
        ])
        .args([
            "-d",
            r#"{"messages":[{"role":"user","content":"Hello! Please reply briefly."}]}"#,
        ])
        .arg(app.url("/api/v1/chat/completions"))
        .output()
        .ok()?;
    let v: Value = serde_json::from_slice(&out.stdout).ok()?;
    let answered: u64 = v["statusCodeDistribution"]
        .as_object()
        .map(|m| m.values().filter_map(Value::as_u64).sum())
        .unwrap_or(0);
    let ok = v["statusCodeDistribution"]["200"].as_u64().unwrap_or(0);
    if ok != answered || answered != u64::from(total) {
        eprintln!(
            "oha: {ok} of {total} requests answered 200: {}",
            v["statusCodeDistribution"]
        );
    }
    v["summary"]["requestsPerSec"].as_f64()
}

pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

pub fn record(i: u64) -> Record {
    Record {
        record_id: format!("bench-{i}"),
        run_id: Some("bench".into()),
        seq: i,
        user: "bench".into(),
        scope: Default::default(),
        messages: json!([{"role": "user", "content": "Hello! Please reply briefly."}]),
        params: json!({"stream": false}),
        prompt_id: 1,
        endpoint_id: 1,
        served_by: Some(1),
        model: Some("sim-small".into()),
        status: Some(200),
        success: true,
        latency_ms: 12.5,
        ttfb_ms: Some(10.0),
        ttft_ms: None,
        queue_ms: 0.1,
        error_kind: None,
        error: None,
        content: "Simulated reply to: Hello! Please reply briefly.".into(),
        usage: Some(json!({"prompt_tokens": 8, "completion_tokens": 8, "total_tokens": 16})),
        created_at: "2026-01-01T00:00:00Z".into(),
        attempts: Some(1),
        failed_attempts: None,
        tokens: Default::default(),
        run: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run with make bench"]
async fn bench() {
    let app = app_on(0).await;
    let mut table = Table::default();
    // Warm both sides (connections, allocator pages) before measuring, then
    // alternate engine and oha three times and take each one's median: the
    // machine is noisy, and the first run of a process is the slowest.
    engine_run(&app, 2000, 50).await;
    let _ = oha(&app, 2000, 50);
    for concurrency in [50u32, 1000] {
        let mut engine_rps = Vec::new();
        let mut oha_rps = Vec::new();
        for _ in 0..3 {
            engine_rps.push(engine_run(&app, 5000, concurrency).await.0);
            oha_rps.extend(oha(&app, 5000, concurrency));
        }
        let rps = median(&mut engine_rps);
        table.push((
            format!("engine → chat API → simulator (0 ms), c={concurrency}, req/s (median of 3)"),
            format!("{rps:.0}"),
        ));
        match (!oha_rps.is_empty()).then(|| median(&mut oha_rps)) {
            Some(o) => {
                table.push((
                    format!(
                        "oha → chat API → simulator (0 ms), c={concurrency}, req/s (median of 3)"
                    ),
                    format!("{o:.0}"),
                ));
                table.push((
                    format!("engine / oha, c={concurrency}"),
                    format!("{:.2}", rps / o),
                ));
            }
            None => table.push((format!("oha, c={concurrency}"), "oha not installed".into())),
        }
    }
    table.push((
        "server + engine peak RSS (one process), MB".into(),
        format!("{:.0}", peak_rss_mb()),
    ));

    // The batched writer's raw speed: 20 000 rows, 500 per transaction.
    sqlx::query("INSERT INTO ai_prompts (id, name, content) VALUES (1, 'bench', 'bench') ON CONFLICT DO NOTHING").execute(&app.state.db).await.expect("prompt");
    let rows: Vec<Record> = (0..20_000).map(record).collect();
    let started = Instant::now();
    for chunk in rows.chunks(500) {
        insert_batch(&app.state.db, chunk).await.expect("batch");
    }
    table.push((
        "batched writer, rows/s (500 per transaction)".into(),
        format!("{:.0}", 20_000.0 / started.elapsed().as_secs_f64()),
    ));

    let slow = app_on(50).await;
    let (_, wall, run) = engine_run(&slow, 10_000, 1000).await;
    table.push((
        "10 000 requests at c=1000, simulator 50 ms: wall s (ideal 0.5)".into(),
        format!("{wall:.2}"),
    ));
    table.push((
        "   of which queue p95, ms".into(),
        format!("{:.1}", run["queue_ms"]["p95"].as_f64().unwrap_or(0.0)),
    ));

    // Memory stays flat: finished runs leave the live map.
    let mem = app_on(0).await;
    for _ in 0..10 {
        engine_run(&mem, 1, 1).await;
    }
    let after_10 = rss_mb();
    for _ in 10..500 {
        engine_run(&mem, 1, 1).await;
    }
    let after_500 = rss_mb();
    table.push((
        "RSS after 10 one-request runs → after 500, MB".into(),
        format!(
            "{after_10:.0} → {after_500:.0} ({:+.1})",
            after_500 - after_10
        ),
    ));

    for (what, url) in [
        (
            "a refused connection",
            crate::support::switchable::refused_url(),
        ),
        ("a 503 answer", {
            let failing = crate::support::switchable::switchable_upstream().await;
            failing.answer(503);
            failing.url.clone()
        }),
    ] {
        let (direct, failed_over) = failover_cost(&url).await;
        table.push((
            format!(
                "chat p50, ms: straight to a healthy endpoint / after failing over from {what}"
            ),
            format!("{direct:.2} / {failed_over:.2}"),
        ));
        table.push((
            format!("   added by one failover from {what}, ms"),
            format!("{:.2}", failed_over - direct),
        ));
    }

    table.print();
}

/// The figures, printed as they come (a later failure keeps them) and
/// again together at the end.
#[derive(Default)]
struct Table(Vec<(String, String)>);

impl Table {
    fn push(&mut self, row: (String, String)) {
        eprintln!("{}: {}", row.0, row.1);
        self.0.push(row);
    }

    fn print(&self) {
        println!("\n| metric | value |\n|---|---|");
        for (k, v) in &self.0 {
            println!("| {k} | {v} |");
        }
    }
}

/// Median latency of 300 chats one after another, straight to a healthy
/// endpoint, then with `first` (failing, but seen as online and faster)
/// tried before it.
async fn failover_cost(first: &str) -> (f64, f64) {
    let app = spawn_app_with(&[
        ("CHAT_REQUESTS_PER_MINUTE", "0"),
        ("PASSIVE_DEGRADED_AFTER", "1000"),
        ("PASSIVE_OFFLINE_AFTER", "1000"),
    ])
    .await;
    let sim = spawn_sim(SimOptions {
        latency_ms: 0,
        chunk_delay_ms: 0,
        ..Default::default()
    })
    .await;
    crate::failover::add(&app, "Healthy", &sim, 50.0).await;
    let token = app.token("user", 3600);
    let direct = chat_p50(&app, &token, "1").await;
    // The failing one is the default and the fastest: routing tries it first.
    let failing = crate::failover::add(&app, "Failing", first, 1.0).await;
    let res = app
        .api(
            Method::POST,
            &format!("/api/v1/llm/models/{failing}/default"),
        )
        .send()
        .await
        .expect("set default");
    assert!(res.status().is_success(), "set default: {}", res.status());
    crate::failover::seen_as(&app, failing, "online", 1.0).await;
    let failed_over = chat_p50(&app, &token, "2").await;
    (direct, failed_over)
}

/// Median latency of 300 chats sent one after another, each tried on
/// `attempts` endpoints.
async fn chat_p50(app: &TestApp, token: &str, attempts: &str) -> f64 {
    let mut ms = Vec::with_capacity(300);
    for _ in 0..300 {
        let started = Instant::now();
        let res = app
            .http
            .post(app.url("/api/v1/chat/completions"))
            .bearer_auth(token)
            .json(&json!({"messages": [{"role": "user", "content": "hi"}]}))
            .send()
            .await
            .expect("chat");
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["x-model-suite-attempts"], attempts);
        let _ = res.bytes().await;
        ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    ms[ms.len() / 2]
}
