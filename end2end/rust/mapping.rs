use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{endpoint_body, spawn_app, spawn_sim, TestApp};
use model_suite::upstream::sim::SimOptions;

async fn post_mapping(app: &TestApp, body: Value) -> reqwest::Response {
    app.api(Method::POST, "/api/v1/llm/mappings")
        .json(&body)
        .send()
        .await
        .expect("post mapping")
}

/// What `POST /api/v1/llm/resolve` answers for `body`.
pub async fn resolve(app: &TestApp, body: Value) -> Value {
    app.api(Method::POST, "/api/v1/llm/resolve")
        .json(&body)
        .send()
        .await
        .expect("resolve")
        .json()
        .await
        .expect("json")
}

/// Two endpoints: `Alpha` (default, sim-small + sim-large) and `Beta` (sim-vision).
async fn catalog(app: &TestApp) -> (i64, i64) {
    let sim = spawn_sim(SimOptions {
        models: vec!["sim-small".into(), "sim-large".into(), "sim-vision".into()],
        ..Default::default()
    })
    .await;
    let a = app.create_endpoint(endpoint_body("Alpha", &sim)).await["id"]
        .as_i64()
        .expect("id");
    let mut beta = endpoint_body("Beta", &sim);
    beta["model"] = "sim-vision".into();
    beta["model_list"] = json!(["sim-vision"]);
    let b = app.create_endpoint(beta).await["id"].as_i64().expect("id");
    (a, b)
}

#[tokio::test]
async fn a_mapping_is_one_ai_prompts_row_with_tools_json() {
    let app = spawn_app().await;
    catalog(&app).await;
    let res = post_mapping(&app, json!({"scope": "tenant:acme", "models": ["sim-large", "sim-vision"], "default": "sim-vision", "note": "Acme plan"})).await;
    assert_eq!(res.status(), 201);
    let (name, category, content, tools, active): (String, String, String, String, i64) =
        sqlx::query_as("SELECT name, category, content, tools_json, is_active FROM ai_prompts")
            .fetch_one(&app.state.db)
            .await
            .expect("row");
    assert_eq!(
        (name.as_str(), category.as_str(), content.as_str(), active),
        ("tenant:acme", "model_mapping", "Acme plan", 1)
    );
    let tools: Value = serde_json::from_str(&tools).expect("json");
    assert_eq!(
        tools,
        json!({"models": ["sim-large", "sim-vision"], "default": "sim-vision"})
    );

    let list: Value = app
        .api(Method::GET, "/api/v1/llm/mappings")
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let coverage = &list[0]["coverage"];
    assert_eq!(coverage[1]["model"], "sim-vision");
    assert_eq!(coverage[1]["endpoints"][0]["name"], "Beta");
}

#[tokio::test]
async fn mapping_rules_are_enforced_with_the_field_named() {
    let app = spawn_app().await;
    catalog(&app).await;
    let cases = [
        (
            json!({"scope": "team:x", "models": ["sim-small"], "default": "sim-small"}),
            422,
            Some("scope"),
        ),
        (
            json!({"scope": "tenant:Acme", "models": ["sim-small"], "default": "sim-small"}),
            422,
            Some("scope"),
        ),
        (
            json!({"scope": "prompt:42", "models": ["sim-small"], "default": "sim-small"}),
            422,
            Some("scope"),
        ),
        (
            json!({"scope": "tenant:a", "models": [], "default": null}),
            422,
            Some("models"),
        ),
        (
            json!({"scope": "tenant:a", "models": ["sim-small"], "default": "sim-large"}),
            422,
            Some("default"),
        ),
        (
            json!({"scope": "tenant:a", "models": ["ghost"], "default": "ghost"}),
            422,
            Some("models"),
        ),
    ];
    for (body, status, field) in cases {
        let res = post_mapping(&app, body.clone()).await;
        assert_eq!(res.status(), status, "{body}");
        let err: Value = res.json().await.expect("json");
        assert_eq!(err["error"]["field"].as_str(), field, "{err}");
    }
    let dangling = post_mapping(&app, json!({"scope": "tenant:a", "models": ["ghost"], "default": "ghost", "accept_dangling": true})).await;
    assert_eq!(dangling.status(), 201, "accepted as dangling");
    let dup = post_mapping(
        &app,
        json!({"scope": "tenant:a", "models": ["sim-small"], "default": "sim-small"}),
    )
    .await;
    assert_eq!(dup.status(), 409);

    sqlx::query("INSERT INTO ai_prompts (name, content, category) VALUES ('coach', 'You are a coach', 'chat')").execute(&app.state.db).await.expect("prompt");
    let pid: i64 = sqlx::query_scalar("SELECT id FROM ai_prompts WHERE name = 'coach'")
        .fetch_one(&app.state.db)
        .await
        .expect("id");
    let ok = post_mapping(
        &app,
        json!({"scope": format!("prompt:{pid}"), "models": ["sim-small"], "default": "sim-small"}),
    )
    .await;
    assert_eq!(ok.status(), 201, "a prompt scope naming a real prompt");
}

#[tokio::test]
async fn resolve_picks_the_most_specific_mapping_and_explains_why() {
    let app = spawn_app().await;
    let (alpha, beta) = catalog(&app).await;
    assert_eq!(post_mapping(&app, json!({"scope": "tenant:acme", "models": ["sim-large", "sim-vision"], "default": "sim-vision"})).await.status(), 201);
    assert_eq!(
        post_mapping(
            &app,
            json!({"scope": "module:coach", "models": ["sim-small"], "default": "sim-small"})
        )
        .await
        .status(),
        201
    );

    let r = resolve(&app, json!({"tenant": "acme", "module": "coach"})).await;
    assert_eq!(r["resolution"]["model"], "sim-vision");
    assert_eq!(r["resolution"]["endpoint_id"], beta);
    let r = resolve(&app, json!({"tenant": "acme", "model": "sim-small"})).await;
    assert_eq!(
        r["resolution"]["model"], "sim-vision",
        "acme may not use sim-small"
    );
    assert!(r["reasons"].to_string().contains("not allowed"), "{r}");
    let r = resolve(&app, json!({"module": "coach"})).await;
    assert_eq!(
        (
            r["resolution"]["model"].as_str(),
            r["resolution"]["endpoint_id"].as_i64()
        ),
        (Some("sim-small"), Some(alpha))
    );
    let r = resolve(&app, json!({})).await;
    assert_eq!(
        r["resolution"]["model"], "sim-small",
        "no mapping: the global default model"
    );

    app.api(Method::PUT, &format!("/api/v1/llm/models/{beta}/active"))
        .json(&json!({"is_active": false}))
        .send()
        .await
        .expect("disable");
    let r = resolve(&app, json!({"tenant": "acme"})).await;
    assert!(r["resolution"].is_null());
    assert!(
        r["error"].as_str().expect("error").contains("sim-vision"),
        "{r}"
    );
}

async fn resolve_answer(app: &TestApp, body: Value) -> Value {
    app.api(Method::POST, "/api/v1/llm/resolve")
        .json(&body)
        .send()
        .await
        .expect("resolve")
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn the_resolve_box_orders_the_candidates_with_reasons_and_shows_what_traffic_used_last() {
    let app = crate::support::spawn_app().await;
    let dead = crate::failover::add(
        &app,
        "Dead",
        &crate::support::switchable::refused_url(),
        1.0,
    )
    .await;
    let sim = spawn_sim(SimOptions::default()).await;
    let live = crate::failover::add(&app, "Live", &sim, 50.0).await;

    let before = resolve_answer(&app, json!({})).await;
    let order = &before["resolution"]["candidates"];
    assert_eq!(order[0]["endpoint_id"], dead, "{before}");
    assert_eq!(
        order[0]["why"], "as healthy as the next, and the global default",
        "{before}"
    );
    assert_eq!(order[1]["endpoint_id"], live);
    assert_eq!(order[1]["why"], "tried last");
    assert!(before["last_used"].is_null(), "no traffic yet: {before}");

    let res = app
        .http
        .post(app.url("/api/v1/chat/completions"))
        .bearer_auth(app.token("user", 600))
        .json(&json!({"messages": [{"role": "user", "content": "hi"}]}))
        .send()
        .await
        .expect("chat");
    assert_eq!(res.status(), 200);
    let after = resolve_answer(&app, json!({"tenant": "anyone"})).await;
    let used = &after["last_used"];
    assert_eq!(used["endpoint_id"], live, "{after}");
    assert_eq!(used["endpoint_name"], "Live");
    assert_eq!(used["attempts"], 2);
    assert_eq!(used["answered"], true);
    assert!(used["at"].is_string());

    // Another route (another mapping, another model) has its own record.
    app.create_mapping(
        json!({"scope": "tenant:acme", "models": ["sim-large"], "default": "sim-large"}),
    )
    .await;
    let acme = resolve_answer(&app, json!({"tenant": "acme"})).await;
    assert_eq!(acme["resolution"]["model"], "sim-large");
    assert!(acme["last_used"].is_null(), "{acme}");
}
