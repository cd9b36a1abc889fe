//! The Mapping and Runs tables page, sort and filter on the server: the
//! browser gets one page and the total, never the whole list.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{endpoint_body, spawn_app, spawn_sim, TestApp};
use model_suite::upstream::sim::SimOptions;

/// What a page's server function answers for `body`: status and JSON.
async fn call(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let res = app
        .api(Method::POST, path)
        .json(&body)
        .send()
        .await
        .expect("server fn");
    (res.status().as_u16(), res.json().await.expect("json"))
}

/// `GET path` of the REST API: status, `X-Total-Count` and the JSON body.
async fn rest(app: &TestApp, path: &str) -> (u16, Option<i64>, Value) {
    let res = app.api(Method::GET, path).send().await.expect("rest");
    let total = res
        .headers()
        .get("x-total-count")
        .and_then(|v| v.to_str().ok()?.parse().ok());
    (
        res.status().as_u16(),
        total,
        res.json().await.expect("json"),
    )
}

/// One field of every element of a REST list.
fn field(list: &Value, pick: impl Fn(&Value) -> Value) -> Vec<Value> {
    list.as_array().expect("array").iter().map(pick).collect()
}

#[tokio::test]
async fn the_mapping_table_pages_sorts_and_filters_by_scope_or_model() {
    let app = spawn_app().await;
    let sim = spawn_sim(SimOptions {
        models: vec!["sim-small".into(), "sim-large".into()],
        ..Default::default()
    })
    .await;
    app.create_endpoint(endpoint_body("Sim", &sim)).await;
    for (scope, model) in [
        ("tenant:beta", "sim-small"),
        ("tenant:alpha", "sim-large"),
        ("module:gamma", "sim-small"),
    ] {
        app.create_mapping(json!({"scope": scope, "models": [model], "default": model}))
            .await;
    }
    // The page's mapping table, as the server draws it.
    let list = |query: Value| {
        call(
            &app,
            "/api/mapping/table",
            json!({"query": query, "lang": "En"}),
        )
    };
    let scopes = |d: &Value| drawn_values(d, r#"data-testid="mapping-row" data-scope=""#);

    let (status, by_scope) = list(json!({})).await;
    assert_eq!(status, 200, "{by_scope}");
    assert_eq!(
        scopes(&by_scope),
        ["module:gamma", "tenant:alpha", "tenant:beta"]
    );
    assert!(html(&by_scope).contains("1 / 1 · 3"), "{by_scope}");
    // Coverage comes with each row: the endpoint serving its model.
    assert!(html(&by_scope).contains("Sim ("), "{by_scope}");

    let (_, newest) = list(json!({"sort": "id", "per_page": 2})).await;
    assert_eq!(scopes(&newest), ["module:gamma", "tenant:alpha"]);
    assert!(html(&newest).contains("1 / 2 · 3"), "{newest}");
    let (_, second) = list(json!({"sort": "id", "per_page": 2, "page": 2})).await;
    assert_eq!(scopes(&second), ["tenant:beta"]);

    let (_, by_model) = list(json!({"q": "SIM-SMALL"})).await;
    assert_eq!(scopes(&by_model), ["module:gamma", "tenant:beta"]);
    let (_, by_part) = list(json!({"q": "tenant:"})).await;
    assert_eq!(scopes(&by_part).len(), 2);
    // `_` and `%` are taken literally, not as wildcards.
    let (_, literal) = list(json!({"q": "%"})).await;
    assert!(scopes(&literal).is_empty(), "{literal}");
    assert!(html(&literal).contains("No mapping matches"), "{literal}");

    let (status, err) = list(json!({"sort": "note"})).await;
    assert_eq!(status, 422);
    assert_eq!(err["Validation"]["field"], "sort", "{err}");

    // The REST list: every mapping without parameters, one page with them,
    // an array either way, and how many match in X-Total-Count.
    let (status, total, all) = rest(&app, "/api/v1/llm/mappings").await;
    assert_eq!((status, total), (200, Some(3)));
    assert_eq!(all.as_array().map(Vec::len), Some(3));
    let (_, total, page) = rest(&app, "/api/v1/llm/mappings?sort=id&per_page=2&page=2").await;
    assert_eq!(total, Some(3));
    assert_eq!(
        field(&page, |v| v["mapping"]["scope"].clone()),
        ["tenant:beta"]
    );
    let (_, total, _) = rest(&app, "/api/v1/llm/mappings?q=tenant:").await;
    assert_eq!(total, Some(2));
    let (status, _, err) = rest(&app, "/api/v1/llm/mappings?sort=note").await;
    assert_eq!(status, 422);
    assert!(err.to_string().contains("sort"), "{err}");
}

#[tokio::test]
async fn the_runs_table_pages_sorts_and_filters_on_the_server() {
    let app = spawn_app().await;
    let sim = spawn_sim(SimOptions {
        models: vec!["sim-small".into(), "sim-large".into()],
        ..Default::default()
    })
    .await;
    app.create_endpoint(endpoint_body("Sim", &sim)).await;
    let mut ids = Vec::new();
    for (total, model) in [(3, "sim-small"), (6, "sim-large"), (4, "sim-small")] {
        let res = app
            .api(Method::POST, "/api/v1/llm/tests/runs")
            .json(&json!({"total": total, "concurrency": 2, "model": model}))
            .send()
            .await
            .expect("start");
        assert_eq!(res.status(), 201);
        let id = res.json::<Value>().await.expect("json")["id"]
            .as_str()
            .expect("id")
            .to_owned();
        finish(&app, &id).await;
        ids.push(id);
    }
    // The page's runs table, as the server draws it.
    let list = |query: Value| {
        let panel = json!({"Runs": {"query": query, "selected": null, "chosen": null}});
        call(
            &app,
            "/api/simulation/draw",
            json!({"panel": panel, "lang": "En"}),
        )
    };
    let runs = |d: &Value| drawn_values(d, r#"data-run=""#);
    let id = |i: usize| ids[i].clone();

    let (status, newest) = list(json!({"per_page": 2})).await;
    assert_eq!(status, 200, "{newest}");
    assert_eq!(runs(&newest), [id(2), id(1)]);
    assert!(html(&newest).contains("1 / 2 · 3"), "{newest}");
    let (_, older) = list(json!({"per_page": 2, "page": 2})).await;
    assert_eq!(runs(&older), [id(0)]);

    let (_, most_done) = list(json!({"sort": "done"})).await;
    assert_eq!(runs(&most_done), [id(1), id(2), id(0)]);
    let (_, least_done) = list(json!({"sort": "done", "ascending": true})).await;
    assert_eq!(runs(&least_done), [id(0), id(2), id(1)]);

    let (_, large) = list(json!({"q": "LARGE"})).await;
    assert_eq!(runs(&large), [id(1)]);
    let (_, running) = list(json!({"status": "running"})).await;
    assert!(
        runs(&running).is_empty() && html(&running).contains("no-runs"),
        "{running}"
    );
    let (_, completed) = list(json!({"status": "completed"})).await;
    assert_eq!(runs(&completed).len(), 3);

    let (status, err) = list(json!({"sort": "model"})).await;
    assert_eq!(status, 422);
    assert_eq!(err["Validation"]["field"], "sort", "{err}");

    let (status, total, all) = rest(&app, "/api/v1/llm/tests/runs").await;
    assert_eq!((status, total), (200, Some(3)));
    assert_eq!(
        field(&all, |v| v["id"].clone()),
        [json!(ids[2]), json!(ids[1]), json!(ids[0])]
    );
    let paged = "/api/v1/llm/tests/runs?sort=done&ascending=true&per_page=2";
    let (_, total, least_done) = rest(&app, paged).await;
    assert_eq!(total, Some(3));
    assert_eq!(field(&least_done, |v| v["done"].clone()), [3, 4]);
    let (status, _, err) = rest(&app, "/api/v1/llm/tests/runs?sort=model").await;
    assert_eq!(status, 422);
    assert!(err.to_string().contains("sort"), "{err}");
}

/// The HTML of a drawn panel: the answer itself, or its `html`.
fn html(drawn: &Value) -> &str {
    drawn
        .as_str()
        .or_else(|| drawn["html"].as_str())
        .unwrap_or_default()
}

/// Every quoted value that follows `marker` in a drawn panel, in order.
fn drawn_values(drawn: &Value, marker: &str) -> Vec<String> {
    html(drawn)
        .split(marker)
        .skip(1)
        .filter_map(|rest| rest.split('"').next().map(str::to_owned))
        .collect()
}

async fn finish(app: &TestApp, id: &str) {
    for _ in 0..400 {
        let run: Value = app
            .api(Method::GET, &format!("/api/v1/llm/tests/runs/{id}"))
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        if run["status"] != "running" {
            assert_eq!(run["status"], "completed", "{run}");
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("run {id} did not finish");
}

#[tokio::test]
async fn the_dashboard_counts_every_state_and_shows_what_needs_a_look_first() {
    let app = spawn_app().await;
    for (name, status) in [
        ("Fine", "online"),
        ("Down", "offline"),
        ("Slow", "degraded"),
        ("Off", "online"),
        ("Also fine", "online"),
    ] {
        let id = app
            .create_endpoint(endpoint_body(name, "http://127.0.0.1:9/v1"))
            .await["id"]
            .as_i64()
            .expect("id");
        sqlx::query("UPDATE ai_endpoints SET status = ?1, is_active = ?2 WHERE id = ?3")
            .bind(status)
            .bind(i64::from(name != "Off"))
            .bind(id)
            .execute(&app.state.db)
            .await
            .expect("status");
    }
    let (status, d) = call(&app, "/api/dashboard/data", json!({})).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(
        d["states"],
        json!([
            ["offline", 1],
            ["degraded", 1],
            ["disabled", 1],
            ["online", 2]
        ])
    );
    assert_eq!(d["total_endpoints"], 5);
    let tiles: Vec<&str> = d["endpoints"]
        .as_array()
        .expect("endpoints")
        .iter()
        .map(|e| e["name"].as_str().expect("name"))
        .collect();
    assert_eq!(tiles, ["Down", "Slow", "Off", "Also fine", "Fine"]);
    // The catalog orders the same way when asked.
    let list: Value = app
        .api(Method::GET, "/api/v1/llm/models?sort=attention&per_page=2")
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(list["items"][0]["name"], "Down");
    assert_eq!(list["items"][1]["name"], "Slow");
}

#[tokio::test]
async fn a_coverage_chip_names_ten_endpoints_healthy_first_and_counts_the_rest() {
    let app = spawn_app().await;
    let mut last = 0;
    for i in 0..12 {
        last = app
            .create_endpoint(endpoint_body(&format!("E{i:02}"), "http://127.0.0.1:9/v1"))
            .await["id"]
            .as_i64()
            .expect("id");
    }
    sqlx::query(
        "UPDATE ai_endpoints SET status = CASE WHEN id = ?1 THEN 'online' ELSE 'offline' END",
    )
    .bind(last)
    .execute(&app.state.db)
    .await
    .expect("status");
    let model = endpoint_body("x", "http://x")["model"].clone();
    app.create_mapping(json!({"scope": "tenant:big", "models": [model], "default": model}))
        .await;
    let (status, _, all) = rest(&app, "/api/v1/llm/mappings").await;
    assert_eq!(status, 200, "{all}");
    let coverage = &all[0]["coverage"][0];
    assert_eq!(coverage["endpoints"].as_array().expect("named").len(), 10);
    assert_eq!(coverage["more"], 2);
    assert_eq!(
        coverage["endpoints"][0]["id"], last,
        "the healthy one first"
    );
    assert_eq!(coverage["endpoints"][0]["status"], "online");
}
