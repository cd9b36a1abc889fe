//! Open-loop load: a run sends at a request rate (constant or Poisson),
//! keeps it when the system keeps up, and says so when it does not.

use reqwest::Method;
use serde_json::{json, Value};

use crate::simulation::run_to_end;
use crate::support::{app_with_sim, spawn_app, TestApp};
use model_suite::simulation::load::{Load, Schedule};
use model_suite::upstream::sim::SimOptions;

async fn app_on(latency_ms: u64) -> TestApp {
    app_with_sim(SimOptions {
        latency_ms,
        ..Default::default()
    })
    .await
}

fn within(got: f64, want: f64, share: f64) -> bool {
    (got - want).abs() <= want * share
}

#[tokio::test]
async fn a_constant_rate_is_kept_when_the_system_keeps_up() {
    let app = app_on(0).await;
    let done = run_to_end(
        &app,
        json!({"total": 80, "load": {"kind": "constant", "rps": 40}}),
    )
    .await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["ok"], 80);
    let rate = &done["rate"];
    assert_eq!(rate["target_rps"], 40.0);
    let achieved = rate["achieved_rps"].as_f64().expect("achieved");
    assert!(within(achieved, 40.0, 0.05), "achieved {achieved} req/s");
    assert_eq!(rate["kept_up"], true);
    assert_eq!(done["config"]["load"]["kind"], "constant");

    // Over time, from the rows: 80 requests at 40 req/s span two seconds.
    let seconds: Vec<Value> = app
        .api(
            Method::GET,
            &format!(
                "/api/v1/llm/tests/runs/{}/timeline",
                done["id"].as_str().expect("id")
            ),
        )
        .send()
        .await
        .expect("timeline")
        .json()
        .await
        .expect("json");
    let total: u64 = seconds
        .iter()
        .map(|s| s["done"].as_u64().expect("done"))
        .sum();
    assert_eq!(total, 80, "{seconds:?}");
    assert!((2..=4).contains(&seconds.len()), "{seconds:?}");
    let first = seconds[0]["done"].as_u64().expect("done");
    assert!(
        (28..=52).contains(&first),
        "about 40 in the first second: {seconds:?}"
    );
    assert!(seconds.iter().all(|s| s["failed"] == 0));
    assert!(
        seconds[0]["latency_p95_ms"].as_f64().expect("p95")
            >= seconds[0]["latency_p50_ms"].as_f64().expect("p50")
    );
}

#[tokio::test]
async fn a_poisson_rate_follows_its_seeded_arrivals() {
    let app = app_on(0).await;
    let load = json!({"kind": "poisson", "rps": 60, "seed": 11});
    let done = run_to_end(&app, json!({"total": 120, "load": load})).await;
    assert_eq!(done["ok"], 120, "{done}");
    // The same seed gives the same arrivals: the rate they make is what
    // the run must have sent at.
    let mut arrivals =
        Schedule::of(&serde_json::from_value::<Load>(load).expect("load"), 0).expect("a rate run");
    let last = (0..120).map(|_| arrivals.next_due()).last().expect("120");
    let planned = 119.0 / last.as_secs_f64();
    let achieved = done["rate"]["achieved_rps"].as_f64().expect("achieved");
    assert!(
        within(achieved, planned, 0.05),
        "achieved {achieved} req/s, planned {planned}"
    );
    let reported = done["rate"]["planned_rps"].as_f64().expect("planned");
    assert!(
        within(reported, planned, 0.001),
        "planned {reported} vs {planned}"
    );
    assert_eq!(done["rate"]["kept_up"], true);
}

#[tokio::test]
async fn a_rate_the_cap_cannot_carry_is_reported_with_its_queue_time() {
    // Two in flight at 50 ms each carry at most 40 req/s.
    let app = app_on(50).await;
    let done = run_to_end(
        &app,
        json!({"total": 60, "concurrency": 2, "load": {"kind": "constant", "rps": 100}}),
    )
    .await;
    assert_eq!(done["ok"], 60, "{done}");
    let achieved = done["rate"]["achieved_rps"].as_f64().expect("achieved");
    assert!(achieved < 50.0, "achieved {achieved} req/s");
    assert_eq!(done["rate"]["kept_up"], false);
    let queue_p95 = done["queue_ms"]["p95"].as_f64().expect("queue");
    assert!(
        queue_p95 > 100.0,
        "late requests count their wait as queue time: p95 {queue_p95} ms"
    );
}

#[tokio::test]
async fn a_rate_out_of_range_is_refused_naming_the_field() {
    let app = spawn_app().await;
    for rps in [json!(0), json!(-3), json!(10_001)] {
        let res = app
            .api(Method::POST, "/api/v1/llm/tests/runs")
            .json(&json!({"total": 5, "load": {"kind": "constant", "rps": rps}}))
            .send()
            .await
            .expect("start");
        assert_eq!(res.status(), 422, "rps {rps}");
        let err: Value = res.json().await.expect("json");
        assert_eq!(err["error"]["field"], "load.rps", "{err}");
    }
    let closed: Value = app
        .api(Method::POST, "/api/v1/llm/tests/runs")
        .json(&json!({"total": 5, "load": {"kind": "concurrency", "concurrency": 0}}))
        .send()
        .await
        .expect("start")
        .json()
        .await
        .expect("json");
    assert_eq!(closed["error"]["field"], "concurrency", "{closed}");
}
