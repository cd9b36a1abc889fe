use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{endpoint_body, spawn_app, spawn_sim};
use model_suite::upstream::sim::SimOptions;

#[tokio::test]
async fn create_masks_the_key_and_resolves_urls() {
    let app = spawn_app().await;
    let created = app
        .create_endpoint(endpoint_body("Main", "http://127.0.0.1:9/v1"))
        .await;
    assert_eq!(created["api_key_mask"], "sk-t…9f2c");
    assert_eq!(created["has_api_key"], true);
    assert_eq!(
        created["resolved_endpoints"]["chat_completions"],
        "http://127.0.0.1:9/v1/chat/completions"
    );
    assert_eq!(
        created["is_default"], true,
        "the first endpoint becomes the default"
    );
    let text = created.to_string();
    assert!(!text.contains("1234567890abcdef"), "key leaked: {text}");

    let id = created["id"].as_i64().expect("id");
    let read: Value = app
        .api(Method::GET, &format!("/api/v1/llm/models/{id}"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert!(read.get("api_key").is_none());
    let audit = std::fs::read_to_string(app.dir.path().join("logs/audit.log")).expect("audit");
    assert!(audit.contains("endpoint.create"));
    assert!(
        !audit.contains("1234567890abcdef"),
        "key leaked into the audit log"
    );
}

#[tokio::test]
async fn validation_errors_are_422_naming_the_field() {
    let app = spawn_app().await;
    let cases = [
        (json!({"timeout": 0}), "timeout"),
        (json!({"timeout": 601}), "timeout"),
        (json!({"base_url": "ftp://x"}), "base_url"),
        (json!({"name": ""}), "name"),
        (json!({"model": "not-listed"}), "model"),
        (
            json!({"model_list": ["a", "a"], "model": "a"}),
            "model_list",
        ),
    ];
    for (patch, field) in cases {
        let mut body = endpoint_body("E", "http://127.0.0.1:9/v1");
        for (k, v) in patch.as_object().expect("object") {
            body[k] = v.clone();
        }
        let res = app
            .api(Method::POST, "/api/v1/llm/models")
            .json(&body)
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), 422, "{field}");
        let err: Value = res.json().await.expect("json");
        assert_eq!(err["error"]["field"], field, "{err}");
        assert_eq!(err["error"]["code"], "validation");
    }
    let bad_json = app
        .api(Method::POST, "/api/v1/llm/models")
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .expect("post");
    assert_eq!(bad_json.status(), 422);
    let missing = app
        .api(Method::GET, "/api/v1/llm/models/999")
        .send()
        .await
        .expect("get");
    assert_eq!(missing.status(), 404);
    let list: Value = app
        .api(Method::GET, "/api/v1/llm/models")
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(list["total"], 0, "nothing half-written");
}

#[tokio::test]
async fn the_default_cannot_be_disabled_or_deleted() {
    let app = spawn_app().await;
    let first = app
        .create_endpoint(endpoint_body("First", "http://127.0.0.1:9/v1"))
        .await;
    let second = app
        .create_endpoint(endpoint_body("Second", "http://127.0.0.1:9/v1"))
        .await;
    assert_eq!(second["is_default"], false);
    let id = first["id"].as_i64().expect("id");

    let off = app
        .api(Method::PUT, &format!("/api/v1/llm/models/{id}/active"))
        .json(&json!({"is_active": false}))
        .send()
        .await
        .expect("put");
    assert_eq!(off.status(), 409);
    let msg = off.json::<Value>().await.expect("json")["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        msg.contains("make another endpoint the default first"),
        "{msg}"
    );
    let del = app
        .api(Method::DELETE, &format!("/api/v1/llm/models/{id}"))
        .send()
        .await
        .expect("delete");
    assert_eq!(del.status(), 409);

    let sid = second["id"].as_i64().expect("id");
    let switched = app
        .api(Method::POST, &format!("/api/v1/llm/models/{sid}/default"))
        .send()
        .await
        .expect("switch");
    assert_eq!(switched.status(), 200);
    let del = app
        .api(Method::DELETE, &format!("/api/v1/llm/models/{id}"))
        .send()
        .await
        .expect("delete");
    assert_eq!(del.status(), 204);
    let old = app
        .api(Method::GET, "/api/v1/llm/endpoints")
        .send()
        .await
        .expect("old path");
    assert_eq!(
        old.json::<Value>().await.expect("json")["total"],
        1,
        "older path answers the same"
    );
}

#[tokio::test]
async fn default_switch_is_atomic_under_100_concurrent_requests() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            app.create_endpoint(endpoint_body(&format!("E{i}"), "http://127.0.0.1:9/v1"))
                .await["id"]
                .as_i64()
                .expect("id"),
        );
    }
    let pool = app.state.db.clone();
    let watcher = tokio::spawn(async move {
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let n: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM ai_endpoints WHERE is_default = 1")
                    .fetch_one(&pool)
                    .await
                    .expect("count");
            seen.insert(n);
            tokio::task::yield_now().await;
        }
        seen
    });
    let calls = (0..100).map(|i| {
        let req = app.api(
            Method::POST,
            &format!("/api/v1/llm/models/{}/default", ids[i % ids.len()]),
        );
        async move { req.send().await.expect("switch").status() }
    });
    let statuses = futures::future::join_all(calls).await;
    assert!(statuses.iter().all(|s| s.is_success()), "{statuses:?}");
    let seen = watcher.await.expect("watcher");
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        [1],
        "a reader saw zero or two defaults"
    );
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ai_endpoints WHERE is_default = 1")
        .fetch_one(&app.state.db)
        .await
        .expect("count");
    assert_eq!(n, 1);
}

#[tokio::test]
async fn fetch_models_shows_the_diff_and_model_list_edits_are_checked() {
    let app = spawn_app().await;
    let sim = spawn_sim(SimOptions {
        models: vec!["sim-small".into(), "sim-new".into()],
        ..Default::default()
    })
    .await;
    let e = app.create_endpoint(endpoint_body("Sim", &sim)).await;
    let id = e["id"].as_i64().expect("id");
    let diff: Value = app
        .api(
            Method::POST,
            &format!("/api/v1/llm/models/{id}/fetch-models"),
        )
        .send()
        .await
        .expect("fetch")
        .json()
        .await
        .expect("json");
    assert_eq!(diff["new"], json!(["sim-new"]));
    assert_eq!(diff["gone"], json!(["sim-large"]));

    let dropped_default = app
        .api(Method::PUT, &format!("/api/v1/llm/models/{id}/model-list"))
        .json(&json!({"models": ["sim-new"]}))
        .send()
        .await
        .expect("put");
    assert_eq!(
        dropped_default.status(),
        422,
        "the endpoint's own model must stay listed"
    );
    let accepted = app
        .api(Method::PUT, &format!("/api/v1/llm/models/{id}/model-list"))
        .json(&json!({"models": ["sim-small", "sim-new"]}))
        .send()
        .await
        .expect("put");
    assert_eq!(accepted.status(), 200);
    assert_eq!(
        accepted.json::<Value>().await.expect("json")["model_list"],
        json!(["sim-small", "sim-new"])
    );
}

#[tokio::test]
async fn an_unreachable_supabase_is_a_503_and_nothing_changes() {
    let app = crate::support::spawn_app_with(&[(
        "SUPABASE_DB_URL",
        "postgres://nobody:nothing@127.0.0.1:9/none",
    )])
    .await;
    let res = app
        .api(Method::POST, "/api/v1/llm/models")
        .json(&endpoint_body("E", "http://127.0.0.1:9/v1"))
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 503);
    let err: Value = res.json().await.expect("json");
    assert_eq!(err["error"]["code"], "authority_unavailable");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ai_endpoints")
        .fetch_one(&app.state.db)
        .await
        .expect("count");
    assert_eq!(n, 0);
    let list = app
        .api(Method::GET, "/api/v1/llm/models")
        .send()
        .await
        .expect("list");
    assert_eq!(list.status(), 200, "reads keep working from SQLite");
}

/// The endpoint list sorts by the columns that make sense, pages on the
/// server, and names an unknown sort key.
#[tokio::test]
async fn the_endpoint_list_sorts_and_pages_on_the_server() {
    let app = spawn_app().await;
    for name in ["beta", "Alpha", "gamma"] {
        app.create_endpoint(endpoint_body(name, "http://127.0.0.1:9/v1"))
            .await;
    }
    let list = |query: &'static str| {
        let app = &app;
        async move {
            let res = app
                .api(Method::GET, &format!("/api/v1/llm/models?{query}"))
                .send()
                .await
                .expect("list");
            (
                res.status().as_u16(),
                res.json::<Value>().await.expect("json"),
            )
        }
    };
    let names = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|e| e["name"].as_str().expect("name").to_owned())
            .collect()
    };
    let (_, by_name) = list("sort=name&ascending=true").await;
    assert_eq!(names(&by_name), ["Alpha", "beta", "gamma"]);
    let (_, newest) = list("sort=id").await;
    assert_eq!(names(&newest), ["gamma", "Alpha", "beta"]);
    let (_, second) = list("sort=id&ascending=true&per_page=2&page=2").await;
    assert_eq!(names(&second), ["gamma"]);
    assert_eq!(second["total"], 3);
    let (status, err) = list("sort=base_url").await;
    assert_eq!(status, 422);
    assert_eq!(err["error"]["field"], "sort");
    assert!(err["error"]["message"]
        .as_str()
        .expect("message")
        .contains("latency_ms"));
}
