//! The catalog with Supabase as the authority, against a real PostgreSQL.

use reqwest::Method;
use serde_json::Value;
use sqlx::PgPool;

use crate::supabase::isolated_postgres;
use crate::support::{endpoint_body, spawn_app_with, TestApp};
use model_suite::storage::supabase::REFERENCE_SCHEMA;

pub async fn app_with_supabase() -> Option<(TestApp, PgPool)> {
    let (pg, url) = isolated_postgres().await?;
    sqlx::raw_sql(REFERENCE_SCHEMA)
        .execute(&pg)
        .await
        .expect("reference schema");
    let app = spawn_app_with(&[("SUPABASE_DB_URL", url.as_str())]).await;
    Some((app, pg))
}

async fn local_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM ai_endpoints")
        .fetch_one(&app.state.db)
        .await
        .expect("count")
}

#[tokio::test]
async fn writes_go_to_supabase_first_then_sqlite_by_supabase_id() {
    let Some((app, pg)) = app_with_supabase().await else {
        return;
    };
    let created = app
        .create_endpoint(endpoint_body("Main", "http://127.0.0.1:9/v1"))
        .await;
    let sid = created["supabase_id"]
        .as_i64()
        .expect("mirrored with a supabase_id");
    assert_eq!(created["sync_status"], "synced");
    let (name, key, default): (String, Option<String>, bool) =
        sqlx::query_as("SELECT name, api_key, is_default FROM ai_model WHERE id = $1")
            .bind(sid)
            .fetch_one(&pg)
            .await
            .expect("remote row");
    assert_eq!(name, "Main");
    assert_eq!(
        key.as_deref(),
        Some("sk-test-1234567890abcdef9f2c"),
        "the authority keeps the key"
    );
    assert!(default);

    let id = created["id"].as_i64().expect("id");
    let mut edit = endpoint_body("Main renamed", "http://127.0.0.1:9/v1");
    edit["api_key"] = Value::Null;
    let res = app
        .api(Method::PUT, &format!("/api/v1/llm/models/{id}"))
        .json(&edit)
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), 200);
    let (name, key): (String, Option<String>) =
        sqlx::query_as("SELECT name, api_key FROM ai_model WHERE id = $1")
            .bind(sid)
            .fetch_one(&pg)
            .await
            .expect("remote row");
    assert_eq!(name, "Main renamed");
    assert!(key.is_some(), "an edit without a key keeps the key");
}

#[tokio::test]
async fn a_refused_supabase_write_is_503_and_neither_store_changes() {
    let Some((app, pg)) = app_with_supabase().await else {
        return;
    };
    let kept = app
        .create_endpoint(endpoint_body("Kept", "http://127.0.0.1:9/v1"))
        .await;
    sqlx::query("ALTER TABLE ai_model ADD CONSTRAINT no_refused CHECK (name <> 'Refused')")
        .execute(&pg)
        .await
        .expect("constraint");

    let res = app
        .api(Method::POST, "/api/v1/llm/models")
        .json(&endpoint_body("Refused", "http://127.0.0.1:9/v1"))
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 503);
    let err: Value = res.json().await.expect("json");
    assert!(
        err["error"]["message"]
            .as_str()
            .expect("msg")
            .contains("nothing was changed"),
        "{err}"
    );
    assert_eq!(local_count(&app).await, 1);
    let remote: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ai_model")
        .fetch_one(&pg)
        .await
        .expect("count");
    assert_eq!(remote, 1);

    let id = kept["id"].as_i64().expect("id");
    let res = app
        .api(Method::PUT, &format!("/api/v1/llm/models/{id}"))
        .json(&endpoint_body("Refused", "http://127.0.0.1:9/v1"))
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), 503);
    let name: String = sqlx::query_scalar("SELECT name FROM ai_endpoints WHERE id = ?1")
        .bind(id)
        .fetch_one(&app.state.db)
        .await
        .expect("name");
    assert_eq!(
        name, "Kept",
        "SQLite untouched after a refused authority write"
    );
}

#[tokio::test]
async fn sync_adds_updates_removes_and_pushes_local_only_rows() {
    let Some((app, pg)) = app_with_supabase().await else {
        return;
    };
    let a = app
        .create_endpoint(endpoint_body("A", "http://127.0.0.1:9/v1"))
        .await;
    let b = app
        .create_endpoint(endpoint_body("B", "http://127.0.0.1:9/v1"))
        .await;
    let _c = app
        .create_endpoint(endpoint_body("C", "http://127.0.0.1:9/v1"))
        .await;
    // Made before Supabase was configured: no supabase_id.
    sqlx::query("INSERT INTO ai_endpoints (name, base_url, model, model_list) VALUES ('Local only', 'http://127.0.0.1:9/v1', 'sim-small', '[\"sim-small\"]')")
        .execute(&app.state.db)
        .await
        .expect("local row");
    sqlx::query("INSERT INTO ai_model (name, base_url, model, model_list) VALUES ('Remote new', 'https://remote.example/v1', 'gpt-x', '[\"gpt-x\"]')")
        .execute(&pg)
        .await
        .expect("remote insert");
    sqlx::query("UPDATE ai_model SET description = 'changed remotely' WHERE id = $1")
        .bind(a["supabase_id"].as_i64())
        .execute(&pg)
        .await
        .expect("remote update");
    sqlx::query("DELETE FROM ai_model WHERE id = $1")
        .bind(b["supabase_id"].as_i64())
        .execute(&pg)
        .await
        .expect("remote delete");

    let report: Value = app
        .api(Method::POST, "/api/v1/llm/sync")
        .send()
        .await
        .expect("sync")
        .json()
        .await
        .expect("json");
    assert_eq!(
        (
            report["added"].as_u64(),
            report["updated"].as_u64(),
            report["removed"].as_u64(),
            report["unchanged"].as_u64(),
            report["pushed"].as_u64()
        ),
        (Some(1), Some(1), Some(1), Some(2), Some(1)),
        "{report}"
    );
    assert!(report["finished_at"].is_string());

    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM ai_endpoints ORDER BY name")
        .fetch_all(&app.state.db)
        .await
        .expect("names");
    assert_eq!(names, ["A", "C", "Local only", "Remote new"]);
    let unsynced: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM ai_endpoints WHERE supabase_id IS NULL")
            .fetch_one(&app.state.db)
            .await
            .expect("count");
    assert_eq!(unsynced, 0, "every row now has its supabase_id");
    let remote: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ai_model")
        .fetch_one(&pg)
        .await
        .expect("count");
    assert_eq!(remote, 4);
    let desc: Option<String> =
        sqlx::query_scalar("SELECT description FROM ai_endpoints WHERE name = 'A'")
            .fetch_one(&app.state.db)
            .await
            .expect("desc");
    assert_eq!(desc.as_deref(), Some("changed remotely"));

    let again: Value = app
        .api(Method::POST, "/api/v1/llm/sync")
        .send()
        .await
        .expect("sync")
        .json()
        .await
        .expect("json");
    assert_eq!(
        (again["unchanged"].as_u64(), again["added"].as_u64()),
        (Some(4), Some(0)),
        "{again}"
    );
}

#[tokio::test]
async fn default_switch_is_atomic_in_both_stores_under_100_concurrent_requests() {
    let Some((app, pg)) = app_with_supabase().await else {
        return;
    };
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            app.create_endpoint(endpoint_body(&format!("E{i}"), "http://127.0.0.1:9/v1"))
                .await["id"]
                .as_i64()
                .expect("id"),
        );
    }
    let calls = (0..100).map(|i| {
        let req = app.api(
            Method::POST,
            &format!("/api/v1/llm/models/{}/default", ids[(i * 7) % ids.len()]),
        );
        async move { req.send().await.expect("switch").status() }
    });
    let statuses = futures::future::join_all(calls).await;
    assert!(statuses.iter().all(|s| s.is_success()), "{statuses:?}");

    let local: Vec<Option<i64>> =
        sqlx::query_scalar("SELECT supabase_id FROM ai_endpoints WHERE is_default = 1")
            .fetch_all(&app.state.db)
            .await
            .expect("local");
    let remote: Vec<i64> = sqlx::query_scalar("SELECT id FROM ai_model WHERE is_default")
        .fetch_all(&pg)
        .await
        .expect("remote");
    assert_eq!(local.len(), 1);
    assert_eq!(remote.len(), 1);
    assert_eq!(
        local[0],
        Some(remote[0]),
        "both stores agree on the default"
    );
}
