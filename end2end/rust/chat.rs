use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{endpoint_body, spawn_app, spawn_sim, TestApp};
use model_suite::upstream::sim::SimOptions;

async fn chat(
    app: &TestApp,
    token: Option<&str>,
    body: Value,
    tenant: Option<&str>,
) -> reqwest::Response {
    let mut req = app
        .http
        .post(app.url("/api/v1/chat/completions"))
        .json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(t) = tenant {
        req = req.header("X-Scope-Tenant", t);
    }
    req.send().await.expect("chat")
}

fn hello(model: &str) -> Value {
    json!({"model": model, "messages": [{"role": "user", "content": "hello"}]})
}

#[tokio::test]
async fn chat_needs_a_user_jwt() {
    let app = spawn_app().await;
    let res = chat(&app, None, hello("sim-small"), None).await;
    assert_eq!(res.status(), 401);
    let body: Value = res.json().await.expect("json error");
    assert_eq!(body["error"]["code"], "unauthorized");
    let expired = app.token("user", -30);
    assert_eq!(
        chat(&app, Some(&expired), hello("sim-small"), None)
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn chat_routes_through_the_mapping_and_names_model_and_endpoint() {
    let app = spawn_app().await;
    let sim = spawn_sim(SimOptions::default()).await;
    let id = app.create_endpoint(endpoint_body("Sim", &sim)).await["id"]
        .as_i64()
        .expect("id");
    let res = app
        .api(Method::POST, "/api/v1/llm/mappings")
        .json(&json!({"scope": "tenant:acme", "models": ["sim-large"], "default": "sim-large"}))
        .send()
        .await
        .expect("map");
    assert_eq!(res.status(), 201);

    let user = app.token("user", 600);
    let res = chat(&app, Some(&user), hello("sim-small"), Some("acme")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-model-suite-model"], "sim-large");
    assert_eq!(
        res.headers()["x-model-suite-endpoint-id"],
        id.to_string().as_str()
    );
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["model"], "sim-large");
    assert!(body["choices"][0]["message"]["content"]
        .as_str()
        .expect("content")
        .contains("hello"));

    let mut meta = hello("sim-small");
    meta["metadata"] = json!({"tenant": "acme"});
    let res = chat(&app, Some(&user), meta, None).await;
    assert_eq!(
        res.headers()["x-model-suite-model"],
        "sim-large",
        "scope from body metadata"
    );

    let mut stream = hello("sim-small");
    stream["stream"] = true.into();
    let res = chat(&app, Some(&user), stream, None).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .expect("ct")
        .starts_with("text/event-stream"));
    let text = res.text().await.expect("sse");
    assert!(text.trim_end().ends_with("data: [DONE]"), "{text}");
    let traffic = app.state.traffic.snapshot();
    assert_eq!(traffic[&id].requests, 3);
}

#[tokio::test]
async fn upstream_failures_map_to_502_and_504_with_the_reason() {
    let app = spawn_app().await;
    let failing = spawn_sim(SimOptions {
        error_rate: 1.0,
        ..Default::default()
    })
    .await;
    app.create_endpoint(endpoint_body("Failing", &failing))
        .await;
    let user = app.token("user", 600);
    let res = chat(&app, Some(&user), hello("sim-small"), None).await;
    assert_eq!(res.status(), 502);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"]["upstream_status"], 500);
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("msg")
            .contains("injected error"),
        "{body}"
    );

    let app = spawn_app().await;
    let slow = spawn_sim(SimOptions {
        latency_ms: 3_000,
        ..Default::default()
    })
    .await;
    let mut e = endpoint_body("Slow", &slow);
    e["timeout"] = 1.into();
    app.create_endpoint(e).await;
    let res = chat(&app, Some(&user), hello("sim-small"), None).await;
    assert_eq!(res.status(), 504);

    let app = spawn_app().await;
    let res = chat(&app, Some(&user), hello("sim-small"), None).await;
    assert_eq!(res.status(), 422);
    let body = res.json::<Value>().await.expect("json");
    assert_eq!(body["error"]["code"], "no_route");
    assert!(body["error"]["message"]
        .as_str()
        .expect("message")
        .contains("global default"));
    let zh = app
        .http
        .post(app.url("/api/v1/chat/completions"))
        .bearer_auth(&user)
        .header("accept-language", "zh-CN")
        .json(&hello("sim-small"))
        .send()
        .await
        .expect("chat")
        .json::<Value>()
        .await
        .expect("json");
    assert!(
        zh["error"]["message"]
            .as_str()
            .expect("message")
            .contains("没有适用的映射"),
        "worded for the caller: {zh}"
    );
}

#[tokio::test]
async fn routing_follows_every_write_at_once() {
    let app = spawn_app().await;
    let sim = spawn_sim(SimOptions::default()).await;
    app.create_endpoint(endpoint_body("Sim", &sim)).await;
    let user = app.token("user", 600);
    let model_now = || async {
        chat(&app, Some(&user), hello("sim-small"), Some("acme"))
            .await
            .headers()["x-model-suite-model"]
            .to_str()
            .expect("header")
            .to_owned()
    };
    assert_eq!(model_now().await, "sim-small", "the global default");
    let created = app
        .create_mapping(
            json!({"scope": "tenant:acme", "models": ["sim-large"], "default": "sim-large"}),
        )
        .await;
    assert_eq!(model_now().await, "sim-large", "the new mapping, at once");
    let id = created["id"].as_i64().expect("id");
    let res = app
        .api(Method::PUT, &format!("/api/v1/llm/mappings/{id}/active"))
        .json(&json!({"is_active": false}))
        .send()
        .await
        .expect("disable");
    assert_eq!(res.status(), 200);
    assert_eq!(model_now().await, "sim-small", "disabled, at once");
}
