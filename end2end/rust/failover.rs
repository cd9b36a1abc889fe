//! Failover: a chat that an endpoint fails before any byte reached the
//! caller (no answer, a timeout, a 5xx, a 429) goes to the next endpoint
//! serving the same model, within the budget; the answer names the
//! endpoint that answered and the attempts.

use std::time::{Duration, Instant};

use futures::StreamExt;
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::switchable::{black_hole, breaks_mid_stream, refused_url, switchable_upstream};
use crate::support::{endpoint_body, spawn_app_with, TestApp};

/// Sets what routing reads about an endpoint, as a probe would have.
pub async fn seen_as(app: &TestApp, id: i64, status: &str, latency_ms: f64) {
    sqlx::query("UPDATE ai_endpoints SET status = ?2, latency_ms = ?3 WHERE id = ?1")
        .bind(id)
        .bind(status)
        .bind(latency_ms)
        .execute(&app.state.db)
        .await
        .expect("update");
    app.state
        .catalog
        .epoch_handle()
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
}

pub async fn add(app: &TestApp, name: &str, url: &str, latency_ms: f64) -> i64 {
    let id = app.create_endpoint(endpoint_body(name, url)).await["id"]
        .as_i64()
        .expect("id");
    seen_as(app, id, "online", latency_ms).await;
    id
}

struct Answer {
    status: u16,
    endpoint: Option<i64>,
    attempts: Option<u32>,
    failed: Option<String>,
}

async fn chat(app: &TestApp, token: &str, stream: bool) -> Answer {
    let res = app
        .http
        .post(app.url("/api/v1/chat/completions"))
        .bearer_auth(token)
        .json(&json!({"messages": [{"role": "user", "content": "hello"}], "stream": stream}))
        .send()
        .await
        .expect("chat");
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let answer = Answer {
        status: res.status().as_u16(),
        endpoint: header("x-model-suite-endpoint-id").and_then(|v| v.parse().ok()),
        attempts: header("x-model-suite-attempts").and_then(|v| v.parse().ok()),
        failed: header("x-model-suite-failed-attempts"),
    };
    let _ = res.bytes().await;
    answer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_endpoints_serve_one_model_one_dead_but_marked_online_all_1000_chats_succeed() {
    // Offline after 5 failed chats in a row (a degraded step would already
    // put the live one first; see the passive-health tests for that).
    let app = spawn_app_with(&[
        ("CHAT_REQUESTS_PER_MINUTE", "0"),
        ("PASSIVE_DEGRADED_AFTER", "5"),
        ("PASSIVE_OFFLINE_AFTER", "5"),
    ])
    .await;
    // The dead one is the default and the fastest: routing tries it first.
    let dead = add(&app, "Dead", &refused_url(), 5.0).await;
    let upstream = switchable_upstream().await;
    let live = add(&app, "Live", &upstream.url, 50.0).await;
    let resolved: Value = app
        .api(Method::POST, "/api/v1/llm/resolve")
        .json(&json!({}))
        .send()
        .await
        .expect("resolve")
        .json()
        .await
        .expect("json");
    assert_eq!(resolved["resolution"]["endpoint_id"], dead, "{resolved}");

    let token = app.token("user", 600);
    let answers: Vec<Answer> = futures::stream::iter(0..1000)
        .map(|_| chat(&app, &token, false))
        .buffer_unordered(50)
        .collect()
        .await;
    let ok = answers.iter().filter(|a| a.status == 200).count();
    assert_eq!(ok, 1000, "every chat succeeds");
    assert!(answers.iter().all(|a| a.endpoint == Some(live)));
    let failed_over: Vec<&Answer> = answers.iter().filter(|a| a.attempts == Some(2)).collect();
    assert_eq!(
        failed_over.len() + answers.iter().filter(|a| a.attempts == Some(1)).count(),
        1000
    );
    assert!(
        failed_over.len() >= 5,
        "the dead one was tried until it was offline"
    );
    let expected = format!("{dead}=unreachable");
    assert!(failed_over
        .iter()
        .all(|a| a.failed.as_deref() == Some(expected.as_str())));
    assert_eq!(upstream.chats(), 1000);

    // Each attempt was counted where it went.
    let traffic = app.state.traffic.snapshot();
    assert_eq!(traffic[&dead].requests, failed_over.len() as u64);
    assert_eq!(traffic[&dead].errors, failed_over.len() as u64);
    assert_eq!(traffic[&live].requests, 1000);

    // The dead one is offline after the threshold.
    let started = Instant::now();
    let stored = loop {
        let e: Value = app
            .api(Method::GET, &format!("/api/v1/llm/models/{dead}"))
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        if e["status"] == "offline" || started.elapsed() > Duration::from_secs(1) {
            break e;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(stored["status"], "offline", "{stored}");
    assert!(
        stored["last_error"]
            .as_str()
            .is_some_and(|e| e.starts_with("5 chats in a row failed: connection refused")),
        "{stored}"
    );
    // From then on chats go straight to the live one.
    for _ in 0..10 {
        let a = chat(&app, &token, false).await;
        assert_eq!(
            (a.status, a.endpoint, a.attempts),
            (200, Some(live), Some(1))
        );
    }
}

#[tokio::test]
async fn failover_stops_at_the_attempt_budget_and_never_follows_an_answer_about_the_request() {
    let app = spawn_app_with(&[
        ("FAILOVER_ATTEMPTS", "2"),
        ("PASSIVE_OFFLINE_AFTER", "1000"),
        ("PASSIVE_DEGRADED_AFTER", "1000"),
    ])
    .await;
    let (a, b, c) = (
        switchable_upstream().await,
        switchable_upstream().await,
        switchable_upstream().await,
    );
    let ia = add(&app, "A", &a.url, 1.0).await;
    let ib = add(&app, "B", &b.url, 2.0).await;
    add(&app, "C", &c.url, 3.0).await;
    let token = app.token("user", 600);

    for u in [&a, &b, &c] {
        u.answer(503);
    }
    let all_fail = chat(&app, &token, false).await;
    assert_eq!(all_fail.status, 502);
    assert_eq!(
        all_fail.attempts,
        Some(2),
        "FAILOVER_ATTEMPTS caps the attempts"
    );
    assert_eq!(all_fail.endpoint, Some(ib), "names the last one tried");
    assert_eq!(all_fail.failed, Some(format!("{ia}=503,{ib}=503")));
    assert_eq!((a.chats(), b.chats(), c.chats()), (1, 1, 0));

    // A 429 is worth another endpoint.
    a.answer(429);
    b.answer(200);
    let busy = chat(&app, &token, false).await;
    assert_eq!(
        (busy.status, busy.endpoint, busy.attempts),
        (200, Some(ib), Some(2))
    );
    assert_eq!(busy.failed, Some(format!("{ia}=429")));

    // A 400 is about the request: no other endpoint would answer better.
    a.answer(400);
    let refused = chat(&app, &token, false).await;
    assert_eq!((refused.status, refused.attempts), (502, Some(1)));
    assert_eq!(b.chats(), 2, "not sent on");
}

#[tokio::test]
async fn no_failover_once_bytes_were_streamed_or_the_time_budget_is_spent() {
    let app = spawn_app_with(&[("FAILOVER_BUDGET_SECS", "1")]).await;
    let broken = add(&app, "Breaks", &breaks_mid_stream().await, 1.0).await;
    let next = switchable_upstream().await;
    let id_next = add(&app, "Next", &next.url, 2.0).await;
    let token = app.token("user", 600);
    let streamed = chat(&app, &token, true).await;
    assert_eq!(
        (streamed.status, streamed.endpoint, streamed.attempts),
        (200, Some(broken), Some(1))
    );
    assert_eq!(next.chats(), 0, "bytes reached the caller: never retried");

    // An attempt that outlasts the budget is the last one.
    let app = spawn_app_with(&[("FAILOVER_BUDGET_SECS", "1")]).await;
    let mut hole = endpoint_body("Hangs", &black_hole().await);
    hole["timeout"] = 2.into();
    let hangs = app.create_endpoint(hole).await["id"].as_i64().expect("id");
    seen_as(&app, hangs, "online", 1.0).await;
    let next = switchable_upstream().await;
    add(&app, "Next", &next.url, 2.0).await;
    let started = Instant::now();
    let late = chat(&app, &app.token("user", 600), false).await;
    assert_eq!((late.status, late.attempts), (504, Some(1)));
    assert!(started.elapsed() >= Duration::from_secs(2));
    assert_eq!(next.chats(), 0, "the budget was spent");
    let _ = id_next;
}

#[tokio::test]
async fn a_load_test_stores_each_requests_attempts_in_its_results_and_exports() {
    let app = spawn_app_with(&[
        ("PASSIVE_DEGRADED_AFTER", "1000"),
        ("PASSIVE_OFFLINE_AFTER", "1000"),
    ])
    .await;
    let dead = add(&app, "Dead", &refused_url(), 1.0).await;
    let upstream = switchable_upstream().await;
    let live = add(&app, "Live", &upstream.url, 9.0).await;
    let run: Value = app
        .api(Method::POST, "/api/v1/llm/tests/runs")
        .json(&json!({"total": 20, "concurrency": 4}))
        .send()
        .await
        .expect("start")
        .json()
        .await
        .expect("json");
    let id = run["id"].as_str().expect("id").to_owned();
    let started = Instant::now();
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
            assert_eq!(run["ok"], 20, "{run}");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{run}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let page: Value = app
        .api(
            Method::GET,
            &format!("/api/v1/llm/tests/results?run_id={id}&per_page=50"),
        )
        .send()
        .await
        .expect("page")
        .json()
        .await
        .expect("json");
    let rows = page["items"].as_array().expect("rows");
    assert_eq!(rows.len(), 20);
    let failed = format!("{dead}=unreachable");
    for row in rows {
        assert_eq!(row["endpoint_id"], live, "{row}");
        assert_eq!(row["attempts"], 2, "{row}");
        assert_eq!(row["failed_attempts"], failed.as_str(), "{row}");
    }
    let csv = app
        .api(
            Method::GET,
            &format!("/api/v1/llm/tests/runs/{id}/export?format=csv"),
        )
        .send()
        .await
        .expect("csv")
        .text()
        .await
        .expect("text");
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let at = header
        .iter()
        .position(|h| *h == "attempts")
        .expect("attempts column");
    assert_eq!(header[at + 1], "failed_attempts");
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!((cells[at], cells[at + 1]), ("2", failed.as_str()), "{line}");
    }
}
