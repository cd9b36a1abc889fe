//! OpenAI clients: `GET /api/v1/models` with a user token lists the models
//! its scope may use, in OpenAI's shape; chat API errors come in OpenAI's
//! error shape, worded in the caller's language.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{endpoint_body, spawn_app, spawn_app_with, spawn_sim, TestApp};
use model_suite::upstream::sim::SimOptions;

async fn mint(app: &TestApp, tenant: Option<&str>) -> String {
    let minted: Value = app
        .api(Method::POST, "/api/v1/llm/tests/mint")
        .json(&json!({"sub": "client", "tenant": tenant, "expires_in_minutes": 10}))
        .send()
        .await
        .expect("mint")
        .json()
        .await
        .expect("json");
    minted["token"].as_str().expect("token").to_owned()
}

async fn models(app: &TestApp, token: Option<&str>, tenant: Option<&str>) -> (u16, Value) {
    let mut req = app.http.get(app.url("/api/v1/models"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(t) = tenant {
        req = req.header("X-Scope-Tenant", t);
    }
    let res = req.send().await.expect("models");
    (res.status().as_u16(), res.json().await.expect("json"))
}

fn ids(list: &Value) -> Vec<&str> {
    list["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|m| m["id"].as_str().expect("id"))
        .collect()
}

#[tokio::test]
async fn openai_clients_list_the_models_their_token_may_use() {
    let app = spawn_app().await;
    let sim = spawn_sim(SimOptions::default()).await;
    app.create_endpoint(endpoint_body("Sim", &sim)).await;
    app.create_mapping(json!({"scope": "tenant:acme", "models": ["sim-large", "ghost"], "default": "sim-large", "accept_dangling": true}))
        .await;

    let anyone = mint(&app, None).await;
    let (status, list) = models(&app, Some(&anyone), None).await;
    assert_eq!(status, 200);
    assert_eq!(
        list,
        json!({"object": "list", "data": [{"id": "sim-small", "object": "model", "created": 0, "owned_by": "model-suite"}]}),
        "no mapping applies: the global default model"
    );
    let (_, list) = models(&app, Some(&anyone), Some("acme")).await;
    assert_eq!(
        ids(&list),
        ["sim-large"],
        "acme's models that an endpoint serves"
    );
    let acme = mint(&app, Some("acme")).await;
    let (_, list) = models(&app, Some(&acme), None).await;
    assert_eq!(ids(&list), ["sim-large"], "the scope comes from the token");
    let (status, refused) = models(&app, Some(&acme), Some("globex")).await;
    assert_eq!(status, 403);
    assert_eq!(refused["error"]["type"], "permission_error", "{refused}");

    let (status, refused) = models(&app, None, None).await;
    assert_eq!(status, 401);
    assert_eq!(refused["error"]["code"], "unauthorized");
    let (status, _) = models(&app, Some(&app.token("admin", 600)), None).await;
    assert_eq!(status, 401, "an admin session is not a user token");
    let catalog = app
        .api(Method::GET, "/api/v1/llm/models")
        .send()
        .await
        .expect("catalog");
    assert_eq!(catalog.status(), 200, "admins keep their catalog route");

    // The official client's call.
    let client = async_openai::Client::with_config(
        async_openai::config::OpenAIConfig::new()
            .with_api_base(format!("{}/api/v1", app.base))
            .with_api_key(acme),
    );
    let listed = client.models().list().await.expect("list models");
    let names: Vec<String> = listed.data.into_iter().map(|m| m.id).collect();
    assert_eq!(names, ["sim-large"]);
}

async fn chat(app: &TestApp, token: Option<&str>, lang: &str, body: &str) -> (u16, Value) {
    let mut req = app
        .http
        .post(app.url("/api/v1/chat/completions"))
        .header("accept-language", lang)
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.expect("chat");
    (res.status().as_u16(), res.json().await.expect("json"))
}

/// `error.message/type/param/code`, and nothing but those (and the
/// upstream's status when it answered).
fn assert_openai_shape(body: &Value, kind: &str, code: &str, param: Value) {
    let error = body["error"].as_object().expect("error object");
    let keys: Vec<&str> = error.keys().map(String::as_str).collect();
    assert!(
        keys.iter()
            .all(|k| ["message", "type", "param", "code", "upstream_status"].contains(k)),
        "{body}"
    );
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(
        (&error["type"], &error["code"], &error["param"]),
        (&json!(kind), &json!(code), &param),
        "{body}"
    );
}

#[tokio::test]
async fn chat_errors_come_in_openais_shape_in_the_callers_language() {
    let app = spawn_app_with(&[("CHAT_MAX_TOKENS", "10")]).await;
    let hello = r#"{"messages": [{"role": "user", "content": "hi"}]}"#;
    let user = mint(&app, None).await;

    let (status, body) = chat(&app, None, "en", hello).await;
    assert_eq!(status, 401);
    assert_openai_shape(&body, "authentication_error", "unauthorized", Value::Null);
    assert!(body["error"]["message"]
        .as_str()
        .expect("m")
        .starts_with("send a user JWT"));
    let (_, body) = chat(&app, None, "zh-CN,zh;q=0.9", hello).await;
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("m")
            .contains("请以"),
        "{body}"
    );
    let (status, body) = chat(&app, Some("not-a-jwt"), "zh-CN", hello).await;
    assert_eq!(status, 401);
    assert_openai_shape(&body, "authentication_error", "invalid_token", Value::Null);
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("m")
            .contains("不接受"),
        "{body}"
    );

    let (status, body) = chat(&app, Some(&user), "en", "not json").await;
    assert_eq!(status, 422);
    assert_openai_shape(&body, "invalid_request_error", "validation", Value::Null);
    let (_, body) = chat(&app, Some(&user), "en", r#"{"messages": "hi"}"#).await;
    assert_openai_shape(
        &body,
        "invalid_request_error",
        "validation",
        json!("messages"),
    );
    let big = r#"{"messages": [], "max_tokens": 11}"#;
    let (_, body) = chat(&app, Some(&user), "zh-CN", big).await;
    assert_openai_shape(
        &body,
        "invalid_request_error",
        "validation",
        json!("max_tokens"),
    );
    assert_eq!(body["error"]["message"], "`max_tokens` 最多为 10");

    let acme = mint(&app, Some("acme")).await;
    let res = app
        .http
        .post(app.url("/api/v1/chat/completions"))
        .bearer_auth(&acme)
        .header("X-Scope-Tenant", "globex")
        .header("accept-language", "zh-CN")
        .body(hello)
        .send()
        .await
        .expect("chat");
    assert_eq!(res.status(), 403);
    let body: Value = res.json().await.expect("json");
    assert_openai_shape(&body, "permission_error", "scope_forbidden", Value::Null);
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("m")
            .contains("绑定"),
        "{body}"
    );

    // No endpoint yet: no route, worded for the caller.
    let (status, body) = chat(&app, Some(&user), "zh-CN", hello).await;
    assert_eq!(status, 422);
    assert_openai_shape(&body, "invalid_request_error", "no_route", Value::Null);
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("m")
            .contains("没有适用的映射"),
        "{body}"
    );

    // The endpoint fails: a server error naming it, in the caller's language.
    let failing = spawn_sim(SimOptions {
        error_rate: 1.0,
        ..Default::default()
    })
    .await;
    app.create_endpoint(endpoint_body("Failing", &failing))
        .await;
    let (status, body) = chat(&app, Some(&user), "zh-CN", hello).await;
    assert_eq!(status, 502);
    assert_openai_shape(&body, "server_error", "upstream_error", Value::Null);
    assert_eq!(body["error"]["upstream_status"], 500);
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("m")
            .starts_with("端点 `Failing` 返回 HTTP 500"),
        "{body}"
    );

    let limited = spawn_app_with(&[("CHAT_REQUESTS_PER_MINUTE", "1")]).await;
    let user = mint(&limited, None).await;
    chat(&limited, Some(&user), "en", hello).await;
    let (status, body) = chat(&limited, Some(&user), "en", hello).await;
    assert_eq!(status, 429);
    assert_openai_shape(&body, "rate_limit_error", "rate_limited", Value::Null);
}
