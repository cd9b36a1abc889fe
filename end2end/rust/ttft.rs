//! Time to first token is the upstream's, not TCP's: on a kept-alive
//! connection, small writes are not held back by Nagle's algorithm meeting
//! a delayed ACK (up to 40 ms each).

use std::time::{Duration, Instant};

use futures::StreamExt;
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{endpoint_body, spawn_app, spawn_sim};
use model_suite::upstream::sim::SimOptions;

const FIRST_BYTE_MS: u64 = 50;
/// Far below the 40 ms a delayed ACK costs, with room for a busy machine.
const SLACK_MS: f64 = 20.0;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_ttft_through_the_chat_api_is_the_upstreams_delay() {
    let app = spawn_app().await;
    let sim = spawn_sim(SimOptions {
        latency_ms: FIRST_BYTE_MS,
        chunk_delay_ms: 5,
        ..Default::default()
    })
    .await;
    app.create_endpoint(endpoint_body("Sim", &sim)).await;
    let user = app.token("user", 600);

    // An independent client, one kept-alive connection, one request at a time.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()
        .expect("client");
    let mut firsts = Vec::new();
    for _ in 0..15 {
        let started = Instant::now();
        let res = client
            .post(app.url("/api/v1/chat/completions"))
            .bearer_auth(&user)
            .json(&json!({"model": "sim-small", "stream": true,
                          "messages": [{"role": "user", "content": "one two three four"}]}))
            .send()
            .await
            .expect("chat");
        let mut body = res.bytes_stream();
        let mut first = None;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.expect("chunk");
            if first.is_none() && String::from_utf8_lossy(&chunk).contains("\"content\"") {
                first = Some(started.elapsed());
            }
        }
        firsts.push(first.expect("a content chunk").as_secs_f64() * 1000.0);
    }
    firsts.sort_by(f64::total_cmp);
    let client_p50 = firsts[firsts.len() / 2];

    // The engine, same path, one request at a time.
    let run: Value = app
        .api(Method::POST, "/api/v1/llm/tests/runs")
        .json(&json!({"total": 15, "concurrency": 1, "stream": true, "message": "one two three four"}))
        .send()
        .await
        .expect("start")
        .json()
        .await
        .expect("json");
    let id = run["id"].as_str().expect("id").to_owned();
    let mut engine_p50 = f64::NAN;
    for _ in 0..200 {
        let run: Value = app
            .api(Method::GET, &format!("/api/v1/llm/tests/runs/{id}"))
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        if run["status"] != "running" {
            engine_p50 = run["ttft_ms"]["p50"].as_f64().expect("ttft");
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!("TTFT p50: client {client_p50:.1} ms, engine {engine_p50:.1} ms, upstream first byte {FIRST_BYTE_MS} ms");
    let ceiling = FIRST_BYTE_MS as f64 + SLACK_MS;
    assert!(client_p50 < ceiling, "client TTFT p50 {client_p50:.1} ms");
    assert!(engine_p50 < ceiling, "engine TTFT p50 {engine_p50:.1} ms");
}
