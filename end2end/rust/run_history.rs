//! A run's summary file is a cache: without it the run's rows still
//! export.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{endpoint_body, spawn_app, spawn_app_with, spawn_sim};
use model_suite::upstream::sim::SimOptions;

#[tokio::test]
async fn a_run_exports_from_its_rows_when_its_summary_file_is_gone() {
    let app = spawn_app().await;
    let sim = spawn_sim(SimOptions::default()).await;
    app.create_endpoint(endpoint_body("Sim", &sim)).await;
    let res = app
        .api(Method::POST, "/api/v1/llm/tests/runs")
        .json(&json!({"total": 20, "concurrency": 4}))
        .send()
        .await
        .expect("start");
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let summary = app.dir.path().join("runs").join(format!("{id}.json"));
    for _ in 0..400 {
        let run: Value = app
            .api(Method::GET, &format!("/api/v1/llm/tests/runs/{id}"))
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        if run["status"] != "running" && summary.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Wait until the finished run has left memory, then lose its file.
    tokio::time::sleep(Duration::from_millis(300)).await;
    std::fs::remove_file(&summary).expect("remove the summary file");

    let res = app
        .api(
            Method::GET,
            &format!("/api/v1/llm/tests/runs/{id}/export?format=json"),
        )
        .send()
        .await
        .expect("export");
    assert_eq!(res.status(), 200);
    let rows: Vec<Value> = res.json().await.expect("array");
    assert_eq!(rows.len(), 20);

    let res = app
        .api(Method::GET, "/api/v1/llm/tests/runs/no-such-run/export")
        .send()
        .await
        .expect("export");
    assert_eq!(
        res.status(),
        404,
        "a run with neither file nor rows is unknown"
    );
}

#[tokio::test]
async fn another_instance_reads_a_run_back_from_the_rows_alone() {
    let first = spawn_app().await;
    let sim = spawn_sim(SimOptions::default()).await;
    first.create_endpoint(endpoint_body("Sim", &sim)).await;
    let res = crate::simulation::start(
        &first,
        json!({"total": 12, "concurrency": 3, "users": 2, "scope": {"tenant": "acme"}}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let done = crate::simulation::wait_finished(&first, &id).await;
    assert_eq!(done["status"], "completed", "{done}");

    // Same database, its own storage: no summary file of this run.
    let db = first.db_path().to_string_lossy().to_string();
    let second = spawn_app_with(&[("SQLITE_PATH", db.as_str())]).await;
    let summary = second.dir.path().join("runs").join(format!("{id}.json"));
    assert!(!summary.exists());
    let res = second
        .api(Method::GET, &format!("/api/v1/llm/tests/runs/{id}"))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), 200);
    let run: Value = res.json().await.expect("json");
    assert_eq!(run["status"], "completed", "{run}");
    assert_eq!(run["config"]["total"], 12);
    assert_eq!(run["config"]["concurrency"], 3);
    assert_eq!(run["config"]["users"], 2);
    assert_eq!(run["config"]["scope"]["tenant"], "acme");
    assert_eq!(run["started_at"], done["started_at"]);
    assert_eq!(
        (run["ok"].clone(), run["done"].clone()),
        (json!(12), json!(12))
    );
    assert_eq!(
        run["latency_ms"]["p50"], done["latency_ms"]["p50"],
        "exact figures, from the same rows"
    );
    assert!(summary.exists(), "the summary is cached again");
}
