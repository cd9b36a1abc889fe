//! Mappings with Supabase's `ai_prompt` as the authority, against a real
//! PostgreSQL: writes go there first, and sync reconciles both ways.

use reqwest::Method;
use serde_json::{json, Value};

use crate::catalog_supabase::app_with_supabase;
use crate::support::endpoint_body;

#[tokio::test]
async fn mapping_writes_go_to_supabase_ai_prompt_first() {
    let Some((app, pg)) = app_with_supabase().await else {
        return;
    };
    app.create_endpoint(endpoint_body("Main", "http://127.0.0.1:9/v1"))
        .await;
    let body = json!({"scope": "tenant:acme", "models": ["sim-small"], "default": "sim-small", "note": "Acme"});
    let res = app
        .api(Method::POST, "/api/v1/llm/mappings")
        .json(&body)
        .send()
        .await
        .expect("create");
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.expect("json");
    let sid = created["supabase_id"]
        .as_i64()
        .expect("mirrored with a supabase_id");
    let (name, category, tools): (String, String, Value) =
        sqlx::query_as("SELECT name, category, tools_json FROM ai_prompt WHERE id = $1")
            .bind(sid)
            .fetch_one(&pg)
            .await
            .expect("remote row");
    assert_eq!(
        (name.as_str(), category.as_str()),
        ("tenant:acme", "model_mapping")
    );
    assert_eq!(tools["default"], "sim-small");

    sqlx::query("ALTER TABLE ai_prompt ADD CONSTRAINT no_beta CHECK (name <> 'tenant:beta')")
        .execute(&pg)
        .await
        .expect("constraint");
    let mut refused = body.clone();
    refused["scope"] = "tenant:beta".into();
    let res = app
        .api(Method::POST, "/api/v1/llm/mappings")
        .json(&refused)
        .send()
        .await
        .expect("create");
    assert_eq!(res.status(), 503);
    let local: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM ai_prompts WHERE category = 'model_mapping'")
            .fetch_one(&app.state.db)
            .await
            .expect("count");
    assert_eq!(
        local, 1,
        "a refused authority write leaves SQLite untouched"
    );
}

#[tokio::test]
async fn sync_reconciles_mappings_by_supabase_id_and_adopts_a_remote_scope() {
    let Some((app, pg)) = app_with_supabase().await else {
        return;
    };
    app.create_endpoint(endpoint_body("Main", "http://127.0.0.1:9/v1"))
        .await;
    let mapping = |scope: &str| json!({"scope": scope, "models": ["sim-small"], "default": "sim-small", "note": "n"});
    app.create_mapping(mapping("tenant:kept")).await;
    let gone = app.create_mapping(mapping("tenant:gone")).await;
    let changed = app.create_mapping(mapping("module:coach")).await;
    // Made while Supabase was away: no supabase_id yet. One scope exists
    // remotely already (adopted), one does not (pushed).
    for scope in ["tenant:acme", "tenant:local"] {
        sqlx::query("INSERT INTO ai_prompts (name, content, category, tools_json, is_active) VALUES (?1, 'local', 'model_mapping', '{\"models\":[\"sim-small\"],\"default\":\"sim-small\"}', 1)")
            .bind(scope)
            .execute(&app.state.db)
            .await
            .expect("local row");
    }
    let tools = json!({"models": ["sim-large"], "default": "sim-large"});
    sqlx::query("INSERT INTO ai_prompt (name, content, category, tools_json, is_active) VALUES ('tenant:acme', 'from Supabase', 'model_mapping', $1, TRUE), ('tenant:new', 'remote', 'model_mapping', $1, TRUE), ('Greeting', 'Hello', 'chat', NULL, TRUE)")
        .bind(&tools)
        .execute(&pg)
        .await
        .expect("remote rows");
    sqlx::query("UPDATE ai_prompt SET tools_json = $2 WHERE id = $1")
        .bind(changed["supabase_id"].as_i64())
        .bind(&tools)
        .execute(&pg)
        .await
        .expect("remote update");
    sqlx::query("DELETE FROM ai_prompt WHERE id = $1")
        .bind(gone["supabase_id"].as_i64())
        .execute(&pg)
        .await
        .expect("remote delete");

    let sync = || async {
        app.api(Method::POST, "/api/v1/llm/sync")
            .send()
            .await
            .expect("sync")
            .json::<Value>()
            .await
            .expect("json")
    };
    let report = sync().await;
    let m = &report["mappings"];
    assert_eq!(
        [&m["added"], &m["updated"], &m["removed"], &m["unchanged"], &m["pushed"]],
        [&json!(1), &json!(2), &json!(1), &json!(2), &json!(1)],
        "added tenant:new; updated module:coach and the adopted tenant:acme; removed tenant:gone; pushed tenant:local: {report}"
    );

    let local: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, tools_json FROM ai_prompts WHERE category = 'model_mapping' ORDER BY name",
    )
    .fetch_all(&app.state.db)
    .await
    .expect("local rows");
    let names: Vec<&str> = local.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "module:coach",
            "tenant:acme",
            "tenant:kept",
            "tenant:local",
            "tenant:new"
        ]
    );
    for (name, tools_json) in &local {
        let t: Value = serde_json::from_str(tools_json).expect("tools_json");
        let wanted = if ["module:coach", "tenant:acme", "tenant:new"].contains(&name.as_str()) {
            "sim-large"
        } else {
            "sim-small"
        };
        assert_eq!(t["default"], wanted, "{name}: the authority wins");
    }
    let remote: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM ai_prompt WHERE category = 'model_mapping' AND name = 'tenant:acme'",
    )
    .fetch_one(&pg)
    .await
    .expect("count");
    assert_eq!(remote, 1, "the local tenant:acme adopted the remote row");
    let unsynced: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM ai_prompts WHERE category = 'model_mapping' AND (supabase_id IS NULL OR last_synced_at IS NULL)",
    )
    .fetch_one(&app.state.db)
    .await
    .expect("count");
    assert_eq!(unsynced, 0);
    let other: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ai_prompts WHERE name = 'Greeting'")
        .fetch_one(&app.state.db)
        .await
        .expect("count");
    assert_eq!(other, 0, "only mapping rows are synced");

    let again = sync().await;
    assert_eq!(again["mappings"]["unchanged"], 5, "{again}");
    assert_eq!(again["mappings"]["added"], 0);
}
