//! Capacity sweeps: constant-rate steps judged against an SLO find the
//! highest rate sustained within it, with goodput per step.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{app_with_sim, spawn_app, TestApp};
use model_suite::upstream::sim::SimOptions;

async fn app_on(latency_ms: u64) -> TestApp {
    app_with_sim(SimOptions {
        latency_ms,
        ..Default::default()
    })
    .await
}

async fn sweep(app: &TestApp, body: Value) -> Value {
    let res = app
        .api(Method::POST, "/api/v1/llm/tests/sweeps")
        .json(&body)
        .send()
        .await
        .expect("start");
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    for _ in 0..600 {
        let s: Value = app
            .api(Method::GET, &format!("/api/v1/llm/tests/sweeps/{id}"))
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        if s["status"] != "running" {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("sweep {id} did not end");
}

#[tokio::test]
async fn a_sweep_finds_the_highest_rate_sustained_within_the_slo() {
    // Two in flight at 20 ms each carry well under 100 req/s.
    let app = app_on(20).await;
    let done = sweep(
        &app,
        json!({
            "rates": [10, 40, 400],
            "requests_per_step": 40,
            "slo": {"latency_p95_ms": 500, "max_error_percent": 1},
            "run": {"total": 1, "concurrency": 2}
        }),
    )
    .await;
    assert_eq!(done["status"], "completed", "{done}");
    let steps = done["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 3, "{done}");
    let meets: Vec<bool> = steps
        .iter()
        .map(|s| s["meets_slo"].as_bool().expect("verdict"))
        .collect();
    assert_eq!(meets, [true, true, false], "{done}");
    assert_eq!(steps[2]["kept_up"], false, "400 req/s is past the cap");
    assert_eq!(done["sustained_rps"], 40.0);
    let goodput = steps[1]["goodput_rps"].as_f64().expect("goodput");
    let step_run: Value = app
        .api(
            Method::GET,
            &format!(
                "/api/v1/llm/tests/runs/{}",
                steps[1]["run_id"].as_str().expect("run")
            ),
        )
        .send()
        .await
        .expect("run")
        .json()
        .await
        .expect("json");
    // Goodput counts the successes that met the SLO over the same span as
    // successes per second: at most all of them, and — the step met the
    // SLO at p95 — at least 95 % of them.
    let rps = step_run["rps"].as_f64().expect("rps");
    assert!(
        goodput <= rps * 1.01 && goodput >= rps * 0.94,
        "goodput {goodput} against successes/s {rps} at 40 req/s"
    );
    // Each step is an ordinary run, listed and stored like any other.
    for s in steps {
        let run: Value = app
            .api(
                Method::GET,
                &format!(
                    "/api/v1/llm/tests/runs/{}",
                    s["run_id"].as_str().expect("run")
                ),
            )
            .send()
            .await
            .expect("run")
            .json()
            .await
            .expect("json");
        assert_eq!(run["config"]["load"]["kind"], "constant");
        assert_eq!(run["rows_written"], 40);
    }
}

#[tokio::test]
async fn a_slo_no_step_meets_stops_the_sweep_with_no_sustained_rate() {
    let app = app_on(20).await;
    let done = sweep(
        &app,
        json!({
            "rates": [5, 10],
            "requests_per_step": 10,
            "slo": {"latency_p95_ms": 5},
            "run": {"total": 1}
        }),
    )
    .await;
    let steps = done["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 1, "stops at the first miss: {done}");
    assert_eq!(steps[0]["meets_slo"], false);
    assert_eq!(steps[0]["goodput_rps"], 0.0, "no request was within 5 ms");
    assert_eq!(done["sustained_rps"], Value::Null);
}

#[tokio::test]
async fn a_sweep_that_cannot_be_run_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({"rates": [10, 5], "requests_per_step": 10, "run": {"total": 1}}),
            "rates",
        ),
        (
            json!({"rates": [], "requests_per_step": 10, "run": {"total": 1}}),
            "rates",
        ),
        (
            json!({"rates": [5], "requests_per_step": 10, "slo": {"ttft_p95_ms": 100}, "run": {"total": 1}}),
            "slo.ttft_p95_ms",
        ),
        (
            json!({"rates": [5], "requests_per_step": 0, "run": {"total": 1}}),
            "requests_per_step",
        ),
        (
            json!({"rates": [5], "requests_per_step": 5, "run": {"total": 1, "concurrency": 100000}}),
            "run.concurrency",
        ),
        (
            json!({"rates": [5], "requests_per_step": 10, "slo": {"max_error_percent": 120}, "run": {"total": 1}}),
            "slo.max_error_percent",
        ),
    ];
    for (body, field) in cases {
        let res = app
            .api(Method::POST, "/api/v1/llm/tests/sweeps")
            .json(&body)
            .send()
            .await
            .expect("start");
        assert_eq!(res.status(), 422, "{body}");
        let err: Value = res.json().await.expect("json");
        assert_eq!(err["error"]["field"], field, "{body}: {err}");
    }
}
