//! Load tests survive their process: the real binary is stopped with
//! SIGTERM and killed with SIGKILL while SQLite is locked, and the stored
//! rows are counted against what the upstream actually answered.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::routing::{get, post};
use serde_json::{json, Value};
use sqlx::Connection;

use crate::support::process::admin_login;
use crate::support::{endpoint_body, serve_upstream, ADMIN_PASSWORD, JWT_SECRET};
use model_suite::simulation::fallback::fallback_records;

/// An upstream that answers every chat after `latency` and counts them.
pub async fn counting_upstream(latency: Duration) -> (String, Arc<AtomicU64>) {
    counting_upstream_with(latency, 200).await
}

/// Like [`counting_upstream`], answering every chat with `status`.
pub async fn counting_upstream_with(latency: Duration, status: u16) -> (String, Arc<AtomicU64>) {
    let served = Arc::new(AtomicU64::new(0));
    let counter = served.clone();
    let router = axum::Router::new()
        .route(
            "/v1/models",
            get(|| async { axum::Json(json!({"object": "list", "data": [{"id": "sim-small"}]})) }),
        )
        .route(
            "/v1/chat/completions",
            post(move || {
                let counter = counter.clone();
                async move {
                    tokio::time::sleep(latency).await;
                    counter.fetch_add(1, Ordering::SeqCst);
                    let code = axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::OK);
                    (code, axum::Json(json!({
                        "id": "c", "object": "chat.completion", "model": "sim-small",
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
                    })))
                }
            }),
        );
    (serve_upstream(router).await, served)
}

struct Server {
    child: Child,
    base: String,
    http: reqwest::Client,
    token: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

async fn start(dir: &std::path::Path) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_model-suite"))
        .arg("serve")
        .current_dir(dir)
        .env_clear()
        .env("STORAGE_DIR", dir)
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("JWT_SECRET", JWT_SECRET)
        .env("ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("MONITOR_INTERVAL_SECS", "0")
        .env("LOG_LEVEL", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start model-suite");
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let started = Instant::now();
    while http.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let token = admin_login(&http, &base).await;
    Server {
        child,
        base,
        http,
        token,
    }
}

impl Server {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.expect("call").json().await.expect("json")
    }

    async fn start_run(&self, upstream: &str, concurrency: u32) -> String {
        let mut e = endpoint_body("Counting", upstream);
        e["model_list"] = json!(["sim-small"]);
        e["model"] = json!("sim-small");
        self.call(reqwest::Method::POST, "/api/v1/llm/models", Some(e))
            .await;
        let run = self
            .call(
                reqwest::Method::POST,
                "/api/v1/llm/tests/runs",
                Some(json!({"total": 100000, "concurrency": concurrency})),
            )
            .await;
        run["id"].as_str().expect("run id").to_owned()
    }

    async fn wait_done(&self, id: &str, at_least: u64) {
        let started = Instant::now();
        loop {
            let run = self
                .call(
                    reqwest::Method::GET,
                    &format!("/api/v1/llm/tests/runs/{id}"),
                    None,
                )
                .await;
            if run["done"].as_u64().unwrap_or(0) >= at_least {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "run too slow: {run}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn signal(&self, signal: &str) {
        let ok = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(ok.success());
    }
}

async fn stored_rows(db: &std::path::Path, run: &str) -> u64 {
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{}", db.display()))
        .await
        .expect("open");
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM ai_prompt_tests WHERE json_extract(request_message, '$.run_id') = ?1",
    )
    .bind(run)
    .fetch_one(&mut conn)
    .await
    .expect("count");
    n as u64
}

fn kept_in_fallback(dir: &std::path::Path, run: &str) -> u64 {
    fallback_records(&dir.join("ai_runtime"))
        .unwrap_or_default()
        .iter()
        .filter(|r| r.run_id.as_deref() == Some(run))
        .count() as u64
}

fn wait_exit(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(
            started.elapsed() < within,
            "the server did not exit within {within:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_run_drains_every_request_and_exits_zero() {
    let dir = tempfile::tempdir().expect("dir");
    let (upstream, served) = counting_upstream(Duration::from_millis(20)).await;
    let mut server = start(dir.path()).await;
    let id = server.start_run(&upstream, 20).await;
    server.wait_done(&id, 300).await;
    server.signal("-TERM");
    let status =
        tokio::task::block_in_place(|| wait_exit(&mut server.child, Duration::from_secs(30)));
    assert_eq!(status.code(), Some(0), "{status:?}");

    let summary: Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("runs").join(format!("{id}.json"))).expect("summary"),
    )
    .expect("json");
    assert_eq!(summary["status"], "interrupted", "{summary}");
    let done = summary["done"].as_u64().expect("done");
    assert!(done >= 300, "{summary}");
    let kept = stored_rows(&dir.path().join("model_suite.db"), &id).await
        + kept_in_fallback(dir.path(), &id);
    assert_eq!(kept, done, "every completed request is stored");
    assert_eq!(
        served.load(Ordering::SeqCst),
        done,
        "in-flight requests finished within the grace period, none was sent after the signal"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_while_sqlite_is_locked_loses_at_most_a_second_of_results() {
    let dir = tempfile::tempdir().expect("dir");
    let concurrency = 20;
    let (upstream, served) = counting_upstream(Duration::from_millis(20)).await;
    let mut server = start(dir.path()).await;
    let id = server.start_run(&upstream, concurrency).await;
    server.wait_done(&id, 300).await;
    let before = (served.load(Ordering::SeqCst), Instant::now());
    tokio::time::sleep(Duration::from_millis(500)).await;
    let per_sec =
        (served.load(Ordering::SeqCst) - before.0) as f64 / before.1.elapsed().as_secs_f64();

    // Another process holds SQLite's write lock; the server is killed
    // while it lasts.
    let db = dir.path().join("model_suite.db");
    let mut lock = crate::support::lock_sqlite(&db).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    server.signal("-KILL");
    tokio::task::block_in_place(|| wait_exit(&mut server.child, Duration::from_secs(10)));
    let answered = served.load(Ordering::SeqCst);
    sqlx::query("COMMIT")
        .execute(&mut lock)
        .await
        .expect("unlock");

    let kept = stored_rows(&db, &id).await + kept_in_fallback(dir.path(), &id);
    let lost = answered.saturating_sub(kept);
    println!("answered {answered}, kept {kept}, lost {lost}, {per_sec:.0} req/s");
    assert!(
        (lost as f64) <= per_sec + f64::from(concurrency),
        "lost {lost} of {answered} (more than a second's worth at {per_sec:.0}/s plus the {concurrency} in flight)"
    );

    // After a restart the run reads interrupted, its figures from its rows.
    let server = start(dir.path()).await;
    let run = server
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/llm/tests/runs/{id}"),
            None,
        )
        .await;
    assert_eq!(run["status"], "interrupted", "{run}");
    assert_eq!(
        run["done"].as_u64(),
        Some(stored_rows(&db, &id).await),
        "{run}"
    );
    assert!(
        run["latency_ms"]["p50"].as_f64().unwrap_or(0.0) > 0.0,
        "{run}"
    );
    assert_eq!(run["exact"], true, "{run}");
    assert_eq!(
        run["output_tokens"], run["ok"],
        "one token per reply, counted from the rows: {run}"
    );
    let mut child = server.child;
    let _ = child.kill();
}
