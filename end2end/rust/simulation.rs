use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{endpoint_body, spawn_app, spawn_sim, TestApp};
use model_suite::upstream::sim::SimOptions;

pub async fn start(app: &TestApp, body: Value) -> reqwest::Response {
    app.api(Method::POST, "/api/v1/llm/tests/runs")
        .json(&body)
        .send()
        .await
        .expect("start run")
}

pub async fn wait_finished(app: &TestApp, id: &str) -> Value {
    for _ in 0..600 {
        let run: Value = app
            .api(Method::GET, &format!("/api/v1/llm/tests/runs/{id}"))
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        if run["status"] != "running" {
            return run;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("run {id} did not finish");
}

/// Starts a run (it must be accepted) and answers it once it has ended.
pub async fn run_to_end(app: &TestApp, config: Value) -> Value {
    let res = start(app, config).await;
    let status = res.status();
    let body: Value = res.json().await.expect("json");
    assert_eq!(status, 201, "{body}");
    wait_finished(app, body["id"].as_str().expect("id")).await
}

async fn rows_of(app: &TestApp, id: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM ai_prompt_tests WHERE json_extract(request_message, '$.run_id') = ?1",
    )
    .bind(id)
    .fetch_one(&app.state.db)
    .await
    .expect("count")
}

async fn with_sim(options: SimOptions) -> TestApp {
    let app = spawn_app().await;
    let sim = spawn_sim(options).await;
    app.create_endpoint(endpoint_body("Sim", &sim)).await;
    app
}

#[tokio::test]
async fn mint_signs_a_user_token_the_chat_api_accepts_and_caps_expiry() {
    let app = with_sim(SimOptions::default()).await;
    let res = app
        .api(Method::POST, "/api/v1/llm/tests/mint")
        .json(
            &json!({"sub": "coach-1", "role": "user", "tenant": "acme", "expires_in_minutes": 30}),
        )
        .send()
        .await
        .expect("mint");
    assert_eq!(res.status(), 200);
    let minted: Value = res.json().await.expect("json");
    assert_eq!(minted["claims"]["tenant"], "acme");
    assert_eq!(minted["claims"]["sub"], "coach-1");
    let token = minted["token"].as_str().expect("token");
    let chat = app
        .http
        .post(app.url("/api/v1/chat/completions"))
        .bearer_auth(token)
        .json(&json!({"messages": [{"role": "user", "content": "hi"}]}))
        .send()
        .await
        .expect("chat");
    assert_eq!(chat.status(), 200);

    let too_long = app
        .api(Method::POST, "/api/v1/llm/tests/mint")
        .json(&json!({"sub": "x", "expires_in_minutes": 100000}))
        .send()
        .await
        .expect("mint");
    assert_eq!(too_long.status(), 422);
    assert_eq!(
        too_long.json::<Value>().await.expect("json")["error"]["field"],
        "expires_in_minutes"
    );
    let logs = std::fs::read_to_string(app.dir.path().join("logs/audit.log")).expect("audit");
    assert!(!logs.contains(token), "tokens never reach a log");
}

#[tokio::test]
async fn single_dialog_is_one_row_with_latency_and_ttft() {
    let app = with_sim(SimOptions::default()).await;
    let token = app.token("user", 600);
    let res: Value = app
        .api(Method::POST, "/api/v1/llm/tests/dialog")
        .json(&json!({"token": token, "message": "hello dialog", "stream": true}))
        .send()
        .await
        .expect("dialog")
        .json()
        .await
        .expect("json");
    assert!(
        res["content"]
            .as_str()
            .expect("content")
            .contains("hello dialog"),
        "{res}"
    );
    assert!(res["ttft_ms"].as_f64().expect("ttft") > 0.0);
    assert!(res["latency_ms"].as_f64().expect("latency") >= res["ttft_ms"].as_f64().expect("ttft"));
    let id = res["row_id"].as_i64().expect("stored");
    let (success, req): (i64, String) =
        sqlx::query_as("SELECT success, request_message FROM ai_prompt_tests WHERE id = ?1")
            .bind(id)
            .fetch_one(&app.state.db)
            .await
            .expect("row");
    assert_eq!(success, 1);
    assert!(req.contains("hello dialog"));
}

#[tokio::test]
async fn run_limits_are_refused_naming_the_field() {
    let app = with_sim(SimOptions::default()).await;
    for (body, field) in [
        (json!({"total": 0, "concurrency": 1}), "total"),
        (json!({"total": 100001, "concurrency": 1}), "total"),
        (json!({"total": 10, "concurrency": 1001}), "concurrency"),
        (json!({"total": 10, "concurrency": 0}), "concurrency"),
        (
            json!({"total": 10, "concurrency": 1, "stop": {"kind": "error_rate", "window": 10, "percent": 150.0, "min_done": 5}}),
            "stop.percent",
        ),
    ] {
        let res = start(&app, body).await;
        assert_eq!(res.status(), 422);
        let err: Value = res.json().await.expect("json");
        assert_eq!(err["error"]["field"], field, "{err}");
        assert!(
            err["error"]["message"].as_str().expect("msg").contains('–'),
            "names the limits: {err}"
        );
    }
}

#[tokio::test]
async fn a_run_stores_one_row_per_request_with_its_figures() {
    let app = with_sim(SimOptions {
        latency_ms: 5,
        ..Default::default()
    })
    .await;
    let res = start(
        &app,
        json!({"total": 200, "concurrency": 20, "users": 5, "stream": true}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let run = wait_finished(&app, &id).await;
    assert_eq!(run["status"], "completed");
    assert_eq!(
        (run["ok"].as_u64(), run["failed"].as_u64()),
        (Some(200), Some(0)),
        "{run}"
    );
    assert!(run["latency_ms"]["p95"].as_f64().expect("p95") > 0.0);
    assert!(
        run["ttft_ms"]["p50"].as_f64().is_some(),
        "TTFT when streaming"
    );
    assert!(run["rps"].as_f64().expect("rps") > 0.0);
    assert_eq!(rows_of(&app, &id).await, 200);
    let users: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT json_extract(request_message, '$.user')) FROM ai_prompt_tests",
    )
    .fetch_one(&app.state.db)
    .await
    .expect("users");
    assert_eq!(users, 5);

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
    assert_eq!(csv.lines().count(), 201, "header + 200 rows");
    let json_export: Vec<Value> = app
        .api(
            Method::GET,
            &format!("/api/v1/llm/tests/runs/{id}/export?format=json"),
        )
        .send()
        .await
        .expect("json")
        .json()
        .await
        .expect("array");
    assert_eq!(json_export.len(), 200);
    let page: Value = app
        .api(
            Method::GET,
            &format!("/api/v1/llm/tests/results?run_id={id}&per_page=50&success=true"),
        )
        .send()
        .await
        .expect("page")
        .json()
        .await
        .expect("json");
    assert_eq!(
        (
            page["total"].as_i64(),
            page["items"].as_array().map(Vec::len)
        ),
        (Some(200), Some(50))
    );
}

#[tokio::test]
async fn first_error_policy_stops_the_run() {
    let app = with_sim(SimOptions {
        error_rate: 1.0,
        ..Default::default()
    })
    .await;
    let id = start(
        &app,
        json!({"total": 500, "concurrency": 2, "stop": {"kind": "first_error"}}),
    )
    .await
    .json::<Value>()
    .await
    .expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let run = wait_finished(&app, &id).await;
    assert_eq!(run["status"], "stopped");
    assert_eq!(run["stop_reason"]["kind"], "first_error", "{run}");
    assert!(run["done"].as_u64().expect("done") < 500);
    assert!(run["errors"].to_string().contains("http_status"), "{run}");
}

#[tokio::test]
async fn cancel_aborts_in_flight_requests_and_keeps_what_completed() {
    // Replies take 10 s: a run that ends soon after cancel aborted them.
    let app = with_sim(SimOptions {
        latency_ms: 10_000,
        ..Default::default()
    })
    .await;
    let id = start(&app, json!({"total": 1000, "concurrency": 10}))
        .await
        .json::<Value>()
        .await
        .expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let asked = std::time::Instant::now();
    let res = app
        .api(Method::POST, &format!("/api/v1/llm/tests/runs/{id}/cancel"))
        .send()
        .await
        .expect("cancel");
    assert_eq!(res.status(), 200);
    let run = wait_finished(&app, &id).await;
    assert!(
        asked.elapsed() < Duration::from_secs(5),
        "in-flight requests were aborted, not awaited"
    );
    assert_eq!(run["status"], "cancelled");
    assert_eq!(
        run["cancelled"].as_u64(),
        Some(10),
        "the ten in flight were aborted: {run}"
    );
    assert_eq!(
        rows_of(&app, &id).await as u64,
        run["done"].as_u64().expect("done"),
        "everything completed is kept"
    );
}

#[tokio::test]
async fn a_run_going_when_the_server_stopped_reads_interrupted_after_restart() {
    let app = with_sim(SimOptions::default()).await;
    let id = start(&app, json!({"total": 5, "concurrency": 1}))
        .await
        .json::<Value>()
        .await
        .expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let done = wait_finished(&app, &id).await;
    // Pretend the process died mid-run: the stored summary still says running.
    let file = app.dir.path().join("runs").join(format!("{id}.json"));
    let mut stored: Value =
        serde_json::from_slice(&std::fs::read(&file).expect("summary file")).expect("json");
    assert_eq!(
        stored["done"], done["done"],
        "the summary on disk is the final one"
    );
    stored["status"] = "running".into();
    std::fs::write(&file, serde_json::to_vec(&stored).expect("bytes")).expect("write");

    let store = model_suite::simulation::store::RunStore::open(app.dir.path().join("runs"), None);
    let reopened = store.load(&id).expect("still there");
    assert_eq!(
        reopened.status,
        model_suite::simulation::types::RunStatus::Interrupted
    );
    assert_eq!(reopened.done, 5);
}

#[tokio::test]
async fn metrics_expose_chat_and_run_counters() {
    let app = with_sim(SimOptions::default()).await;
    let id = start(&app, json!({"total": 3, "concurrency": 1}))
        .await
        .json::<Value>()
        .await
        .expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    wait_finished(&app, &id).await;
    let unauth = app.get("/metrics").await;
    assert_eq!(unauth.status(), 401);
    let text = app
        .api(Method::GET, "/metrics")
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(text.contains("model_suite_chat_requests_total"), "{text}");
    assert!(text.contains("model_suite_loadtest_runs_total"), "{text}");
    assert!(
        text.contains("model_suite_chat_request_duration_seconds"),
        "{text}"
    );
    let log = std::fs::read_to_string(app.dir.path().join("logs/loadtest.log")).unwrap_or_default();
    assert!(
        log.contains(&id),
        "finished runs are summarised in the log dir: {log}"
    );
}

#[tokio::test]
async fn the_streamed_dialog_sends_deltas_as_they_arrive_then_the_result() {
    let app = with_sim(SimOptions {
        chunk_delay_ms: 20,
        ..Default::default()
    })
    .await;
    let token = app.token("user", 600);
    let body = json!({"request": {"token": token, "message": "你好 coach", "stream": true}});
    let res = app
        .api(Method::POST, "/api/simulation/dialog_stream")
        .json(&body)
        .send()
        .await
        .expect("stream");
    assert_eq!(res.status(), 200);
    let mut res = res;
    let mut chunks = 0;
    let mut text = String::new();
    while let Some(chunk) = res.chunk().await.expect("chunk") {
        assert!(
            chunk.is_ascii(),
            "lines are ASCII, so no character is ever split"
        );
        chunks += 1;
        text.push_str(std::str::from_utf8(&chunk).expect("utf8"));
    }
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    let deltas: String = lines.iter().filter_map(|l| l["d"].as_str()).collect();
    let last = lines.last().expect("a result line");
    assert!(chunks > 2, "arrived in pieces, not at the end: {chunks}");
    assert!(deltas.contains("你好 coach"), "{deltas}");
    assert_eq!(last["r"]["content"].as_str(), Some(deltas.as_str()));
    assert!(last["r"]["row_id"].as_i64().is_some(), "stored as one row");
}
