//! Model checks: one chat per listed model against the simulator, each kept
//! as an `ai_prompt_tests` row; the last result per model survives a reload.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{endpoint_body, serve_upstream, spawn_app, spawn_sim};
use model_suite::upstream::sim::SimOptions;

async fn check_rows(app: &crate::support::TestApp, endpoint: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM ai_prompt_tests WHERE endpoint_id = ?1")
        .bind(endpoint)
        .fetch_one(&app.state.db)
        .await
        .expect("count")
}

#[tokio::test]
async fn every_listed_model_is_checked_stored_and_a_ghost_fails_by_name() {
    let app = spawn_app().await;
    let sim = spawn_sim(SimOptions::default()).await;
    app.create_endpoint(endpoint_body("Default", &sim)).await;
    let mut body = endpoint_body("Checked", &sim);
    body["model_list"] = json!(["sim-small", "ghost-model", "sim-large"]);
    let id = app.create_endpoint(body).await["id"].as_i64().expect("id");

    let (_, before) = app.model_checks(Method::GET, id).await;
    assert!(
        before
            .as_array()
            .expect("list")
            .iter()
            .all(|c| c["checked_at"].is_null()),
        "{before}"
    );

    let (status, checks) = app.model_checks(Method::POST, id).await;
    assert_eq!(status, 200);
    let checks = checks.as_array().expect("list").clone();
    let summary: Vec<(&str, bool)> = checks
        .iter()
        .map(|c| {
            (
                c["model"].as_str().expect("model"),
                c["ok"].as_bool().expect("ok"),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("sim-small", true),
            ("ghost-model", false),
            ("sim-large", true)
        ],
        "in model_list order"
    );
    let ghost = &checks[1];
    assert!(
        ghost["error"].as_str().expect("error").contains("404"),
        "{ghost}"
    );
    assert_eq!(check_rows(&app, id).await, 3);

    app.model_checks(Method::POST, id).await;
    assert_eq!(check_rows(&app, id).await, 6, "the history is kept");
    let (_, last) = app.model_checks(Method::GET, id).await;
    let last = last.as_array().expect("list").clone();
    assert_eq!(last.len(), 3, "one line per model: {last:?}");
    let newest: i64 = sqlx::query_scalar("SELECT MAX(id) FROM ai_prompt_tests")
        .fetch_one(&app.state.db)
        .await
        .expect("max");
    assert!(last.iter().any(|c| c["row_id"] == newest));
    assert!(last.iter().all(|c| c["checked_at"].is_string()));

    // Model checks do not pin the endpoint: it can still be deleted.
    let res = app
        .api(Method::DELETE, &format!("/api/v1/llm/models/{id}"))
        .send()
        .await
        .expect("delete");
    assert_eq!(res.status(), 204);
    assert_eq!(check_rows(&app, id).await, 0);
    assert!(app
        .audit_lines()
        .iter()
        .any(|l| l["action"] == "catalog.check_models"));
}

#[tokio::test]
async fn an_endpoint_without_models_has_nothing_to_check() {
    let app = spawn_app().await;
    let mut body = endpoint_body("Empty", "http://127.0.0.1:9/v1");
    body["model"] = Value::Null;
    body["model_list"] = json!([]);
    let id = app.create_endpoint(body).await["id"].as_i64().expect("id");
    let (status, body) = app.model_checks(Method::POST, id).await;
    assert_eq!(status, 409);
    assert!(body["error"]["message"]
        .as_str()
        .expect("message")
        .contains("no models to check"));
}

/// An upstream that, like newer OpenAI models, refuses `max_tokens` and
/// answers with an empty content when given `max_completion_tokens`.
async fn strict_upstream() -> String {
    let app = axum::Router::new().route(
        "/v1/chat/completions",
        axum::routing::post(|axum::Json(body): axum::Json<Value>| async move {
            if body.get("max_tokens").is_some() {
                return (
                    axum::http::StatusCode::BAD_REQUEST,
                    axum::Json(json!({"error": {"message": "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."}})),
                );
            }
            (
                axum::http::StatusCode::OK,
                axum::Json(json!({"choices": [{"message": {"role": "assistant", "content": ""}, "finish_reason": "length"}]})),
            )
        }),
    );
    serve_upstream(app).await
}

#[tokio::test]
async fn a_model_that_refuses_max_tokens_is_asked_again_and_counts() {
    let app = spawn_app().await;
    let url = strict_upstream().await;
    let mut body = endpoint_body("Strict", &url);
    body["model"] = "o-strict".into();
    body["model_list"] = json!(["o-strict"]);
    let id = app.create_endpoint(body).await["id"].as_i64().expect("id");
    let (_, checks) = app.model_checks(Method::POST, id).await;
    assert_eq!(checks[0]["ok"], true, "{checks}");
}

/// Model checks share the results' one write path: with SQLite locked they
/// are kept in the JSON fallback (not lost, not an error), and the replay
/// writes them back once.
#[tokio::test]
async fn with_sqlite_locked_checks_are_kept_in_the_fallback_and_replayed_once() {
    use model_suite::simulation::fallback::{fallback_files, fallback_records, replay};

    let app = spawn_app().await;
    let sim = spawn_sim(SimOptions::default()).await;
    let mut body = endpoint_body("Checked", &sim);
    body["model_list"] = json!(["sim-small", "sim-large"]);
    let id = app.create_endpoint(body).await["id"].as_i64().expect("id");
    // The first check files the built-in prompt; then SQLite is locked.
    app.model_checks(Method::POST, id).await;
    assert_eq!(check_rows(&app, id).await, 2);
    let mut locker = crate::support::lock_sqlite(&app.db_path()).await;

    let (status, checks) = app.model_checks(Method::POST, id).await;
    assert_eq!(status, 200, "{checks}");
    let checks = checks.as_array().expect("list").clone();
    assert_eq!(checks.len(), 2);
    assert!(checks
        .iter()
        .all(|c| c["ok"] == true && c["row_id"].is_null()));
    let dir = app.dir.path().join("ai_runtime");
    let kept = fallback_records(&dir).expect("read fallback");
    assert_eq!(kept.len(), 2, "both checks are in the fallback");
    assert!(kept
        .iter()
        .all(|r| r.endpoint_id == id && r.params["kind"] == "model_check"));

    sqlx::query("ROLLBACK")
        .execute(&mut locker)
        .await
        .expect("unlock");
    let report = replay(&app.state.db, &dir).await.expect("replay");
    assert_eq!(report.inserted, 2);
    assert!(fallback_files(&dir).expect("list").is_empty());
    assert_eq!(check_rows(&app, id).await, 4, "written back exactly once");
    let (_, last) = app.model_checks(Method::GET, id).await;
    assert!(last
        .as_array()
        .expect("list")
        .iter()
        .all(|c| c["row_id"].is_i64() && c["ok"] == true));
}
