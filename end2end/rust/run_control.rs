//! Runs do what their settings say: a stop sends nothing after it fires,
//! bad thresholds and scopes are refused, statuses tell the truth, and a
//! finished run leaves memory.

use std::sync::atomic::Ordering;
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::durability::{counting_upstream, counting_upstream_with};
use crate::simulation::run_to_end;
use crate::support::{endpoint_body, spawn_app_with, TestApp};

async fn app_on(upstream: &str, extra: &[(&str, &str)]) -> TestApp {
    let app = spawn_app_with(extra).await;
    let mut e = endpoint_body("Counting", upstream);
    e["model_list"] = json!(["sim-small"]);
    e["model"] = json!("sim-small");
    app.create_endpoint(e).await;
    app
}

#[tokio::test]
async fn a_first_error_stop_sends_nothing_after_it_fires_even_with_a_queue() {
    // Concurrency 100 against an in-flight cap of 10: 90 wait in the queue.
    let (upstream, served) = counting_upstream_with(Duration::from_millis(30), 500).await;
    let app = app_on(&upstream, &[("LOADTEST_MAX_INFLIGHT", "10")]).await;
    let run = run_to_end(
        &app,
        json!({"total": 1000, "concurrency": 100, "stop": {"kind": "first_error"}}),
    )
    .await;
    let done = run["done"].as_u64().expect("done");
    assert_eq!(
        served.load(Ordering::SeqCst),
        done,
        "sent after the stop: {run}"
    );
    assert!(
        done <= 10,
        "only the requests already in flight finish: {run}"
    );
    assert_eq!(
        run["not_sent"].as_u64(),
        Some(1000 - done - run["cancelled"].as_u64().unwrap_or(0)),
        "{run}"
    );
    assert_eq!(run["status"], "stopped", "{run}");
    assert_eq!(
        app.state.engine.live_count(),
        0,
        "a finished run leaves memory"
    );

    let all_failed = run_to_end(&app, json!({"total": 20, "concurrency": 5})).await;
    assert_eq!(
        all_failed["status"], "failed",
        "not one success is no completion: {all_failed}"
    );
}

#[tokio::test]
async fn stop_after_n_errors_and_on_the_overall_rate() {
    let (upstream, _) = counting_upstream_with(Duration::from_millis(1), 500).await;
    let app = app_on(&upstream, &[]).await;
    let run = run_to_end(
        &app,
        json!({"total": 200, "concurrency": 1, "stop": {"kind": "after_errors", "count": 5}}),
    )
    .await;
    assert_eq!(run["failed"].as_u64(), Some(5), "{run}");
    assert_eq!(run["stop_reason"]["kind"], "after_errors", "{run}");

    let run = run_to_end(
        &app,
        json!({"total": 200, "concurrency": 1,
               "stop": {"kind": "overall_error_rate", "percent": 50.0, "min_done": 8}}),
    )
    .await;
    assert_eq!(run["done"].as_u64(), Some(8), "{run}");
    assert_eq!(run["stop_reason"]["kind"], "error_rate", "{run}");
}

#[tokio::test]
async fn zero_thresholds_and_bad_scopes_are_refused_naming_the_field() {
    let (upstream, served) = counting_upstream(Duration::from_millis(1)).await;
    let app = app_on(&upstream, &[]).await;
    for (config, field) in [
        (
            json!({"stop": {"kind": "error_rate", "window": 10, "percent": 0.0, "min_done": 1}}),
            "stop.percent",
        ),
        (
            json!({"stop": {"kind": "overall_error_rate", "percent": 0.0, "min_done": 1}}),
            "stop.percent",
        ),
        (
            json!({"stop": {"kind": "after_errors", "count": 0}}),
            "stop.count",
        ),
        (json!({"scope": {"prompt_id": -5}}), "scope.prompt_id"),
        (json!({"scope": {"tenant": "a b"}}), "scope.tenant"),
    ] {
        let mut body = json!({"total": 10, "concurrency": 1});
        for (k, v) in config.as_object().expect("object") {
            body[k] = v.clone();
        }
        let res = app
            .api(Method::POST, "/api/v1/llm/tests/runs")
            .json(&body)
            .send()
            .await
            .expect("start");
        assert_eq!(res.status(), 422, "{body}");
        assert_eq!(
            res.json::<Value>().await.expect("json")["error"]["field"],
            field,
            "{body}"
        );
    }
    assert_eq!(served.load(Ordering::SeqCst), 0, "nothing was sent");
}
