//! Endpoints can be removed: the delete says how many results refer to it,
//! they can be exported and deleted with it (here and in Supabase), or the
//! endpoint kept disabled; two endpoints never share a name.

use reqwest::Method;
use serde_json::{json, Value};

use crate::catalog_supabase::app_with_supabase;
use crate::simulation::{start, wait_finished};
use crate::support::{endpoint_body, spawn_app, spawn_sim, TestApp};
use model_suite::upstream::sim::SimOptions;

async fn run(app: &TestApp, body: Value) {
    let id = start(app, body).await.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    wait_finished(app, &id).await;
}

async fn rows_under(app: &TestApp, id: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM ai_prompt_tests WHERE endpoint_id = ?1")
        .bind(id)
        .fetch_one(&app.state.db)
        .await
        .expect("count")
}

/// Endpoint `Kept` (default, serves sim-small) and `Gone` (alone serves
/// sim-large, which tenant `big` uses): 5 results served by Gone, 2 not
/// routed while it was the default, 3 served by Kept.
async fn with_results(app: &TestApp, sim: &str) -> (i64, i64) {
    let mut kept = endpoint_body("Kept", sim);
    kept["model_list"] = json!(["sim-small"]);
    let kept = app.create_endpoint(kept).await["id"].as_i64().expect("id");
    let gone = app.create_endpoint(endpoint_body("Gone", sim)).await["id"]
        .as_i64()
        .expect("id");
    app.create_mapping(
        json!({"scope": "tenant:big", "models": ["sim-large"], "default": "sim-large"}),
    )
    .await;
    app.create_mapping(json!({"scope": "tenant:ghost", "models": ["ghost"], "default": "ghost", "accept_dangling": true}))
        .await;
    // Kept first, while neither has been seen online (a served chat marks
    // its endpoint online, and online ones go first).
    run(app, json!({"total": 3, "concurrency": 2})).await;
    run(
        app,
        json!({"total": 5, "concurrency": 2, "scope": {"tenant": "big"}}),
    )
    .await;
    let make_default = |id: i64| {
        app.api(Method::POST, &format!("/api/v1/llm/models/{id}/default"))
            .send()
    };
    assert_eq!(make_default(gone).await.expect("default").status(), 200);
    run(
        app,
        json!({"total": 2, "concurrency": 1, "scope": {"tenant": "ghost"}}),
    )
    .await;
    assert_eq!(make_default(kept).await.expect("default").status(), 200);
    (kept, gone)
}

#[tokio::test]
async fn the_delete_names_the_results_that_refer_to_it_then_exports_and_deletes_them_too() {
    let app = spawn_app().await;
    let sim = spawn_sim(SimOptions::default()).await;
    let (kept, gone) = with_results(&app, &sim).await;

    let usage: Value = app
        .api(Method::GET, &format!("/api/v1/llm/models/{gone}/usage"))
        .send()
        .await
        .expect("usage")
        .json()
        .await
        .expect("json");
    assert_eq!(
        usage,
        json!({"results": 7, "not_routed": 2, "supabase_results": null})
    );

    let refused = app
        .api(Method::DELETE, &format!("/api/v1/llm/models/{gone}"))
        .send()
        .await
        .expect("delete");
    assert_eq!(refused.status(), 409);
    let body: Value = refused.json().await.expect("json");
    assert_eq!(
        body["error"]["message"],
        "7 stored results refer to `Gone`; export them and delete both, or keep it disabled"
    );
    assert_eq!(rows_under(&app, gone).await, 7, "nothing deleted");

    let export = |format: &'static str| {
        let app = &app;
        async move {
            let res = app
                .api(
                    Method::GET,
                    &format!(
                        "/api/v1/llm/tests/results/export?referring_to={gone}&format={format}"
                    ),
                )
                .send()
                .await
                .expect("export");
            assert_eq!(res.status(), 200);
            let disposition = res.headers()["content-disposition"]
                .to_str()
                .expect("header")
                .to_owned();
            assert!(
                disposition.contains(&format!("endpoint-{gone}-results.{format}")),
                "{disposition}"
            );
            res.text().await.expect("text")
        }
    };
    assert_eq!(export("csv").await.lines().count(), 8, "header + 7 rows");
    let rows: Vec<Value> = serde_json::from_str(&export("json").await).expect("json");
    assert_eq!(rows.len(), 7);
    assert_eq!(
        rows.iter().filter(|r| r["endpoint_id"].is_null()).count(),
        2,
        "the not routed ones say so"
    );
    let missing = app
        .api(
            Method::GET,
            "/api/v1/llm/tests/results/export?referring_to=999999",
        )
        .send()
        .await
        .expect("export");
    assert_eq!(missing.status(), 404);

    let deleted = app
        .api(
            Method::DELETE,
            &format!("/api/v1/llm/models/{gone}?with_results=true"),
        )
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), 204);
    assert_eq!(rows_under(&app, gone).await, 0);
    assert_eq!(
        rows_under(&app, kept).await,
        3,
        "other endpoints' results stay"
    );
    let audit = app.audit_lines();
    let line = audit
        .iter()
        .rev()
        .find(|l| l["action"] == "endpoint.delete")
        .expect("audited");
    assert_eq!(line["detail"]["results_deleted"], 7, "{line}");
}

#[tokio::test]
async fn two_endpoints_never_share_a_name() {
    let app = spawn_app().await;
    let sim = spawn_sim(SimOptions::default()).await;
    let first = app.create_endpoint(endpoint_body("Sim", &sim)).await["id"]
        .as_i64()
        .expect("id");
    let again = app
        .api(Method::POST, "/api/v1/llm/models")
        .json(&endpoint_body(" sim ", &sim))
        .send()
        .await
        .expect("create");
    assert_eq!(again.status(), 409);
    let body: Value = again.json().await.expect("json");
    assert_eq!(body["error"]["code"], "conflict");
    assert_eq!(
        body["error"]["message"],
        format!("an endpoint named `Sim` already exists (#{first}); choose another name")
    );
    let other = app.create_endpoint(endpoint_body("Other", &sim)).await["id"]
        .as_i64()
        .expect("id");
    let renamed = app
        .api(Method::PUT, &format!("/api/v1/llm/models/{other}"))
        .json(&endpoint_body("SIM", &sim))
        .send()
        .await
        .expect("update");
    assert_eq!(renamed.status(), 409);
    let same = app
        .api(Method::PUT, &format!("/api/v1/llm/models/{first}"))
        .json(&endpoint_body("Sim", &sim))
        .send()
        .await
        .expect("update");
    assert_eq!(same.status(), 200, "keeping its own name is fine");
}

#[tokio::test]
async fn deleting_with_results_deletes_them_in_supabase_too() {
    let Some((app, pg)) = app_with_supabase().await else {
        return;
    };
    let sim = spawn_sim(SimOptions::default()).await;
    let (kept, gone) = with_results(&app, &sim).await;
    let sid: i64 = sqlx::query_scalar("SELECT supabase_id FROM ai_endpoints WHERE id = ?1")
        .bind(gone)
        .fetch_one(&app.state.db)
        .await
        .expect("supabase id");
    let mirror = app.state.mirror.as_ref().expect("a mirror");
    mirror.push().await.expect("push");
    let remote = |sid: i64| {
        let pg = pg.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM ai_prompt_tests WHERE endpoint_id = $1",
            )
            .bind(sid)
            .fetch_one(&pg)
            .await
            .expect("count")
        }
    };
    assert_eq!(remote(sid).await, 7);
    let usage: Value = app
        .api(Method::GET, &format!("/api/v1/llm/models/{gone}/usage"))
        .send()
        .await
        .expect("usage")
        .json()
        .await
        .expect("json");
    assert_eq!(usage["supabase_results"], 7, "{usage}");
    let refused = app
        .api(Method::DELETE, &format!("/api/v1/llm/models/{gone}"))
        .send()
        .await
        .expect("delete");
    assert_eq!(refused.status(), 409);
    let deleted = app
        .api(
            Method::DELETE,
            &format!("/api/v1/llm/models/{gone}?with_results=true"),
        )
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), 204);
    assert_eq!(remote(sid).await, 0);
    let model: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ai_model WHERE id = $1")
        .bind(sid)
        .fetch_one(&pg)
        .await
        .expect("count");
    assert_eq!(model, 0);
    let kept_sid: i64 = sqlx::query_scalar("SELECT supabase_id FROM ai_endpoints WHERE id = ?1")
        .bind(kept)
        .fetch_one(&app.state.db)
        .await
        .expect("supabase id");
    assert_eq!(
        remote(kept_sid).await,
        3,
        "the other endpoint's results stay"
    );
}
