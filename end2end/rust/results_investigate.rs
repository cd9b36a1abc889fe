//! Results you can investigate: the table filters by status, error kind,
//! endpoint, model and user, sorts by any timing, and one result opens with
//! its request, reply or error, who served it and every timing.

use reqwest::Method;
use serde_json::{json, Value};

use crate::simulation::run_to_end;
use crate::support::switchable::switchable_upstream;
use crate::support::{endpoint_body, spawn_app, TestApp};

async fn run(app: &TestApp, body: Value) -> String {
    run_to_end(app, body).await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// `GET /api/v1/llm/tests/results{/one}?{query}`, which must answer 200.
async fn results(app: &TestApp, one: &str, query: &str) -> Value {
    let path = match one {
        "" => format!("/api/v1/llm/tests/results?{query}"),
        id => format!("/api/v1/llm/tests/results/{id}?{query}"),
    };
    let res = app.api(Method::GET, &path).send().await.expect("results");
    assert_eq!(res.status(), 200, "{query}");
    res.json().await.expect("json")
}

#[tokio::test]
async fn results_filter_sort_and_open_with_everything_asked_and_answered() {
    let app = spawn_app().await;
    let up = switchable_upstream().await;
    let made = app.create_endpoint(endpoint_body("Switch", &up.url)).await;
    let endpoint = made["id"].as_i64().expect("id");
    let ok_run = run(
        &app,
        json!({"total": 8, "concurrency": 2, "users": 2, "stream": false,
        "message": "what is a squat?"}),
    )
    .await;
    up.answer(503);
    let bad_run = run(&app, json!({"total": 4, "concurrency": 1, "stream": false})).await;

    let failed = results(
        &app,
        "",
        &format!("run_id={bad_run}&error_kind=http_status"),
    )
    .await;
    assert_eq!(failed["total"], 4);
    let none = results(&app, "", &format!("run_id={ok_run}&error_kind=http_status")).await;
    assert_eq!(none["total"], 0);
    let by_endpoint = results(&app, "", &format!("endpoint_id={endpoint}")).await;
    assert_eq!(by_endpoint["total"], 12);
    let by_model = results(&app, "", &format!("run_id={ok_run}&model=sim-small")).await;
    assert_eq!(by_model["total"], 8);
    let by_user = results(&app, "", &format!("run_id={ok_run}&user=loadtest-user-1")).await;
    assert_eq!(by_user["total"], 4, "two users share eight requests");

    for (sort, ascending) in [
        ("latency_ms", false),
        ("latency_ms", true),
        ("queue_ms", false),
    ] {
        let page = results(
            &app,
            "",
            &format!("run_id={ok_run}&sort={sort}&ascending={ascending}"),
        )
        .await;
        let values: Vec<f64> = page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|r| r[sort].as_f64().expect("timing"))
            .collect();
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        if !ascending {
            sorted.reverse();
        }
        assert_eq!(values, sorted, "{sort} ascending={ascending}");
    }
    // Rows without the figure go last whichever way a timing is sorted.
    for (sort, ascending) in [("ttft_ms", true), ("ttft_ms", false), ("ttfb_ms", true)] {
        let page = results(
            &app,
            "",
            &format!("endpoint_id={endpoint}&sort={sort}&ascending={ascending}"),
        )
        .await;
        let values: Vec<Option<f64>> = page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|r| r[sort].as_f64())
            .collect();
        let known = values.iter().take_while(|v| v.is_some()).count();
        assert!(
            values[known..].iter().all(Option::is_none),
            "{sort} ascending={ascending}: {values:?}"
        );
        if sort == "ttft_ms" {
            assert!(
                known < values.len(),
                "unstreamed rows have no TTFT: {values:?}"
            );
        }
    }
    let res = app
        .api(Method::GET, "/api/v1/llm/tests/results?sort=content")
        .send()
        .await
        .expect("results");
    assert_eq!(res.status(), 422);
    let err: Value = res.json().await.expect("json");
    assert_eq!(err["error"]["field"], "sort");

    // One result, opened: the request, the reply, who served it, timings.
    let ok_id = by_model["items"][0]["id"].as_i64().expect("id");
    let detail = results(&app, &ok_id.to_string(), "").await;
    assert_eq!(detail["messages"][0]["content"], "what is a squat?");
    assert_eq!(detail["params"]["stream"], false);
    assert_eq!(detail["reply"], "ok");
    assert_eq!(detail["row"]["endpoint_id"], endpoint);
    assert_eq!(detail["row"]["model"], "sim-small");
    assert!(detail["row"]["latency_ms"].as_f64().expect("latency") > 0.0);
    assert!(detail["row"]["ttfb_ms"].as_f64().is_some());
    let bad_id = failed["items"][0]["id"].as_i64().expect("id");
    let detail = results(&app, &bad_id.to_string(), "").await;
    // The chat API answers a failed upstream as a bad gateway, naming it.
    assert_eq!(detail["row"]["status"], 502);
    assert_eq!(detail["row"]["error_kind"], "http_status");
    assert!(
        detail["row"]["error"]
            .as_str()
            .expect("error")
            .contains("503"),
        "{detail}"
    );
    // The raw records, a line each, with every stored field and the reply.
    let res = app
        .api(
            Method::GET,
            &format!("/api/v1/llm/tests/runs/{ok_run}/export?format=jsonl"),
        )
        .send()
        .await
        .expect("export");
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"].to_str().expect("type"),
        "application/x-ndjson"
    );
    let text = res.text().await.expect("text");
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(records.len(), 8);
    for r in &records {
        assert_eq!(r["response_message"]["content"], "ok");
        assert!(r["response_message"]["ttfb_ms"].as_f64().is_some(), "{r}");
        assert_eq!(
            r["request_message"]["messages"][0]["content"],
            "what is a squat?"
        );
        assert!(r["prompt_id"].as_i64().is_some());
    }
    let res = app
        .api(Method::GET, "/api/v1/llm/tests/results/999999")
        .send()
        .await
        .expect("detail");
    assert_eq!(res.status(), 404);

    // Pages of 5 over the 12 rows, either way round, are the whole list in
    // order (the far pages are read from the other end of the index).
    for ascending in [false, true] {
        let all = results(&app, "", &format!("per_page=50&ascending={ascending}")).await;
        let ids = |v: &Value| -> Vec<i64> {
            v["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|r| r["id"].as_i64().expect("id"))
                .collect()
        };
        let mut paged = Vec::new();
        for page in 1..=3 {
            let q = format!("per_page=5&page={page}&ascending={ascending}");
            paged.extend(ids(&results(&app, "", &q).await));
        }
        assert_eq!(paged, ids(&all), "ascending={ascending}");
        assert_eq!(paged.len(), 12);
    }
}

/// The table's filters export across runs, in every format; a filter that
/// matches nothing exports a header (or an empty list) and no rows.
#[tokio::test]
async fn the_filtered_rows_of_several_runs_export_as_csv_json_and_jsonl() {
    let app = spawn_app().await;
    let up = switchable_upstream().await;
    app.create_endpoint(endpoint_body("Switch", &up.url)).await;
    let first = run(&app, json!({"total": 3, "concurrency": 1, "stream": false})).await;
    up.answer(503);
    run(&app, json!({"total": 2, "concurrency": 1, "stream": false})).await;
    up.answer(200);
    let third = run(&app, json!({"total": 4, "concurrency": 1, "stream": false})).await;

    let export = |query: String| {
        let app = &app;
        async move {
            let res = app
                .api(
                    Method::GET,
                    &format!("/api/v1/llm/tests/results/export?{query}"),
                )
                .send()
                .await
                .expect("export");
            assert_eq!(res.status(), 200, "{query}");
            res.text().await.expect("body")
        }
    };
    let ok_csv = export("success=true&model=sim-small&format=csv".into()).await;
    let lines: Vec<&str> = ok_csv.trim().lines().collect();
    assert_eq!(
        lines.len() - 1,
        7,
        "the successes of both good runs: {ok_csv}"
    );
    assert!(lines[1..]
        .iter()
        .all(|l| l.contains(&first) || l.contains(&third)));

    let failed: Value =
        serde_json::from_str(&export("success=false&format=json".into()).await).expect("json");
    let failed = failed.as_array().expect("rows");
    assert_eq!(failed.len(), 2);
    assert!(failed.iter().all(|r| r["error_kind"] == "http_status"));

    let raw = export(format!("run_id={third}&format=jsonl")).await;
    let records: Vec<Value> = raw
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(records.len(), 4);
    assert!(records
        .iter()
        .all(|r| r["response_message"]["content"].is_string()));

    let nothing = export("user=nobody&format=csv".into()).await;
    assert_eq!(nothing.trim().lines().count(), 1, "the header alone");
}
