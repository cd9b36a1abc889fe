//! Traffic is health: chats that fail in a row take an endpoint down at
//! once (degraded, then offline, with the reason and the time); a success
//! or a probe brings it back.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::switchable::switchable_upstream;
use crate::support::{endpoint_body, spawn_app_with, TestApp};

async fn chat(app: &TestApp) -> u16 {
    app.http
        .post(app.url("/api/v1/chat/completions"))
        .bearer_auth(app.token("user", 600))
        .json(&json!({"messages": [{"role": "user", "content": "hello"}]}))
        .send()
        .await
        .expect("chat")
        .status()
        .as_u16()
}

/// The endpoint as the catalog shows it once its status is `want`; fails
/// when that takes longer than a second.
async fn shown_within_a_second(app: &TestApp, id: i64, want: &str) -> Value {
    let started = Instant::now();
    loop {
        let shown: Value = app
            .api(Method::GET, &format!("/api/v1/llm/models/{id}"))
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        if shown["status"] == want {
            return shown;
        }
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "not {want} within a second: {shown}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn status_of(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT status FROM ai_endpoints WHERE id = ?1")
        .bind(id)
        .fetch_one(&app.state.db)
        .await
        .expect("status")
}

#[tokio::test]
async fn chats_failing_in_a_row_degrade_then_take_an_endpoint_offline_and_a_success_brings_it_back()
{
    let app = spawn_app_with(&[
        ("PASSIVE_DEGRADED_AFTER", "2"),
        ("PASSIVE_OFFLINE_AFTER", "4"),
    ])
    .await;
    let upstream = switchable_upstream().await;
    let id = app
        .create_endpoint(endpoint_body("Chats fail", &upstream.url))
        .await["id"]
        .as_i64()
        .expect("id");
    app.state.monitor.check_one(id).await.expect("probe");
    assert_eq!(status_of(&app, id).await, "online");

    // Answers about the request (4xx, 429) say nothing about its health.
    upstream.answer(400);
    for _ in 0..5 {
        assert_eq!(chat(&app).await, 502);
    }
    upstream.answer(429);
    assert_eq!(chat(&app).await, 502);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(status_of(&app, id).await, "online");

    upstream.answer(503);
    assert_eq!(chat(&app).await, 502);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        status_of(&app, id).await,
        "online",
        "one failure is not a run"
    );
    assert_eq!(chat(&app).await, 502);
    let degraded = shown_within_a_second(&app, id, "degraded").await;
    assert!(
        degraded["last_error"]
            .as_str()
            .is_some_and(|e| e.starts_with("2 chats in a row failed: HTTP 503")),
        "{degraded}"
    );
    for _ in 0..2 {
        assert_eq!(chat(&app).await, 502);
    }
    let offline = shown_within_a_second(&app, id, "offline").await;
    assert!(
        offline["last_error"]
            .as_str()
            .is_some_and(|e| e.starts_with("4 chats in a row failed: HTTP 503: switched to 503")),
        "{offline}"
    );
    let when = offline["last_checked_at"].as_str().expect("time");
    assert!(
        when > degraded["last_checked_at"].as_str().unwrap_or(""),
        "{offline}"
    );

    // The resolve box sees it at once.
    let resolved: Value = app
        .api(Method::POST, "/api/v1/llm/resolve")
        .json(&json!({}))
        .send()
        .await
        .expect("resolve")
        .json()
        .await
        .expect("json");
    let words = resolved["reasons"].to_string();
    assert!(
        words.contains("Chats fail") && words.contains("offline"),
        "{resolved}"
    );

    // An offline endpoint is still tried when nothing else serves the
    // model, and its first success brings it back.
    upstream.answer(200);
    assert_eq!(chat(&app).await, 200);
    let back = shown_within_a_second(&app, id, "online").await;
    assert!(back["last_error"].is_null(), "{back}");

    // So does a probe, after traffic took it down again.
    upstream.answer(500);
    for _ in 0..4 {
        chat(&app).await;
    }
    shown_within_a_second(&app, id, "offline").await;
    let probed = app.state.monitor.check_one(id).await.expect("probe");
    assert_eq!(probed.status, "online");
    assert_eq!(status_of(&app, id).await, "online");
    chat(&app).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        status_of(&app, id).await,
        "online",
        "the count started afresh"
    );
}

#[tokio::test]
async fn load_test_requests_report_their_outcome_too() {
    let app = spawn_app_with(&[
        ("PASSIVE_DEGRADED_AFTER", "3"),
        ("PASSIVE_OFFLINE_AFTER", "6"),
    ])
    .await;
    let upstream = switchable_upstream().await;
    let id = app
        .create_endpoint(endpoint_body("Load", &upstream.url))
        .await["id"]
        .as_i64()
        .expect("id");
    upstream.answer(500);
    let run: Value = app
        .api(Method::POST, "/api/v1/llm/tests/runs")
        .json(&json!({"total": 6, "concurrency": 1}))
        .send()
        .await
        .expect("start")
        .json()
        .await
        .expect("json");
    let run_id = run["id"].as_str().expect("id");
    let started = Instant::now();
    loop {
        let run: Value = app
            .api(Method::GET, &format!("/api/v1/llm/tests/runs/{run_id}"))
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        if run["status"] != "running" {
            assert_eq!(run["failed"], 6, "{run}");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{run}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(upstream.chats(), 6);
    let shown = shown_within_a_second(&app, id, "offline").await;
    assert!(
        shown["last_error"]
            .as_str()
            .is_some_and(|e| e.starts_with("6 chats in a row failed")),
        "{shown}"
    );
}
