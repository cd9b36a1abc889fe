//! Honest attribution: a request that never reached an endpoint (no route,
//! a refused token, a local error) reads "not routed" in results, run
//! figures, exports and the dashboard, and counts under no endpoint — even
//! though its row is filed under the default (the column may not be empty).

use reqwest::Method;
use serde_json::{json, Value};

use crate::simulation::{start, wait_finished};
use crate::support::{endpoint_body, spawn_app, spawn_sim};
use model_suite::upstream::sim::SimOptions;

#[tokio::test]
async fn requests_that_never_reached_an_endpoint_read_not_routed_and_count_under_none() {
    let app = spawn_app().await;
    let sim = spawn_sim(SimOptions::default()).await;
    let default = app.create_endpoint(endpoint_body("Default", &sim)).await["id"]
        .as_i64()
        .expect("id");
    // Acme may only use a model nobody serves: its chats have no route.
    app.create_mapping(json!({"scope": "tenant:acme", "models": ["ghost"], "default": "ghost", "accept_dangling": true}))
        .await;

    let refused = start(
        &app,
        json!({"total": 6, "concurrency": 2, "scope": {"tenant": "acme"}}),
    )
    .await;
    let refused = refused.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let served = start(&app, json!({"total": 4, "concurrency": 2})).await;
    let served = served.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let run = wait_finished(&app, &refused).await;
    assert_eq!(
        (run["failed"].as_u64(), run["not_routed"].as_u64()),
        (Some(6), Some(6)),
        "{run}"
    );
    assert_eq!(
        run["by_endpoint"],
        json!([]),
        "not one counted under the default: {run}"
    );
    let run = wait_finished(&app, &served).await;
    assert_eq!(run["not_routed"], 0);
    assert_eq!(
        run["by_endpoint"],
        json!([{"endpoint_id": default, "ok": 4, "failed": 0}])
    );

    // The rows are filed under the default, as the schema demands …
    let filed: Vec<i64> = sqlx::query_scalar(
        "SELECT endpoint_id FROM ai_prompt_tests WHERE json_extract(request_message, '$.run_id') = ?1",
    )
    .bind(&refused)
    .fetch_all(&app.state.db)
    .await
    .expect("rows");
    assert_eq!(filed, vec![default; 6]);
    // … and read back as never routed.
    let page: Value = app
        .api(
            Method::GET,
            &format!("/api/v1/llm/tests/results?run_id={refused}"),
        )
        .send()
        .await
        .expect("results")
        .json()
        .await
        .expect("json");
    let rows = page["items"].as_array().expect("items");
    assert_eq!(rows.len(), 6);
    assert!(
        rows.iter()
            .all(|r| r["endpoint_id"].is_null() && r["status"] == 422),
        "{page}"
    );
    let export = |format: &'static str, run: String| {
        let app = &app;
        async move {
            app.api(
                Method::GET,
                &format!("/api/v1/llm/tests/runs/{run}/export?format={format}"),
            )
            .send()
            .await
            .expect("export")
            .text()
            .await
            .expect("text")
        }
    };
    let csv = export("csv", refused.clone()).await;
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let (at, routed) = (
        header
            .iter()
            .position(|h| *h == "endpoint_id")
            .expect("endpoint_id"),
        header.iter().position(|h| *h == "routed").expect("routed"),
    );
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!((cells[at], cells[routed]), ("", "false"), "{line}");
    }
    let served_csv = export("csv", served.clone()).await;
    let first = served_csv.lines().nth(1).expect("a row");
    let cells: Vec<&str> = first.split(',').collect();
    assert_eq!(
        (cells[at], cells[routed]),
        (default.to_string().as_str(), "true")
    );
    let json_rows: Vec<Value> =
        serde_json::from_str(&export("json", refused.clone()).await).expect("json export");
    assert!(json_rows.iter().all(|r| r["endpoint_id"].is_null()));

    // The dashboard's recent runs say so; the default's traffic never saw them.
    let dash: Value = app
        .api(Method::POST, "/api/dashboard/data")
        .json(&json!({}))
        .send()
        .await
        .expect("dashboard")
        .json()
        .await
        .expect("json");
    let recent = dash["runs"].as_array().expect("runs");
    let of = |id: &str| {
        recent
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .expect("run shown")
    };
    assert_eq!(of(&refused)["not_routed"], 6, "{dash}");
    assert_eq!(of(&served)["not_routed"], 0);
    let calls = dash["traffic"].as_array().expect("traffic");
    assert_eq!(
        calls,
        &vec![json!({"endpoint_id": default, "requests": 4, "errors": 0})]
    );
}
