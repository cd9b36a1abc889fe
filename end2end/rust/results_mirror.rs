//! Result rows follow into Supabase's `ai_prompt_tests` with Supabase's
//! ids, against a real PostgreSQL; a row whose endpoint is not there yet
//! waits for the sync that sends it.

use reqwest::Method;
use serde_json::Value;

use crate::catalog_supabase::app_with_supabase;
use crate::support::{endpoint_body, spawn_sim};
use model_suite::upstream::sim::SimOptions;

#[tokio::test]
async fn results_are_mirrored_with_supabase_ids_and_wait_for_their_endpoint() {
    let Some((app, pg)) = app_with_supabase().await else {
        return;
    };
    let sim = spawn_sim(SimOptions::default()).await;
    let default = app.create_endpoint(endpoint_body("Default", &sim)).await;
    let checked = app.create_endpoint(endpoint_body("Checked", &sim)).await;
    let (id, sid) = (
        checked["id"].as_i64().expect("id"),
        checked["supabase_id"].as_i64().expect("supabase id"),
    );
    assert_eq!(app.model_checks(Method::POST, id).await.0, 200);
    // An endpoint made while Supabase was away, with one result after the checks.
    let local_only: i64 = sqlx::query_scalar(
        "INSERT INTO ai_endpoints (name, base_url, model, model_list) VALUES ('Local', 'http://127.0.0.1:9/v1', 'm', '[\"m\"]') RETURNING id",
    )
    .fetch_one(&app.state.db)
    .await
    .expect("local endpoint");
    sqlx::query(
        "INSERT INTO ai_prompt_tests (prompt_id, endpoint_id, model, request_message, success, created_at)
         SELECT prompt_id, ?1, 'm', '{}', 1, '2026-11-28T10:00:00Z' FROM ai_prompt_tests LIMIT 1",
    )
    .bind(local_only)
    .execute(&app.state.db)
    .await
    .expect("local result");

    let mirror = app.state.mirror.as_ref().expect("a mirror with Supabase");
    let first = mirror.push().await.expect("push");
    assert_eq!((first.pushed, first.prompts_created), (2, 1), "{first:?}");
    assert!(first.waiting.is_some());
    let remote: Vec<(i64, String, bool)> = sqlx::query_as(
        "SELECT t.endpoint_id, p.category, t.success FROM ai_prompt_tests t JOIN ai_prompt p ON p.id = t.prompt_id ORDER BY t.id",
    )
    .fetch_all(&pg)
    .await
    .expect("remote rows");
    assert_eq!(
        remote,
        [
            (sid, "model_check".to_owned(), true),
            (sid, "model_check".to_owned(), true)
        ]
    );
    assert_eq!(
        mirror.push().await.expect("again").pushed,
        0,
        "nothing twice"
    );
    // A lost cursor re-checks every row against Supabase: still once.
    std::fs::remove_file(app.dir.path().join("supabase-results.cursor")).expect("lose the cursor");
    assert_eq!(
        mirror.push().await.expect("after the loss").pushed,
        0,
        "nothing twice without the cursor either"
    );
    let remote_count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ai_prompt_tests")
        .fetch_one(&pg)
        .await
        .expect("count");
    assert_eq!(remote_count, 2);

    let report: Value = app
        .api(Method::POST, "/api/v1/llm/sync")
        .send()
        .await
        .expect("sync")
        .json()
        .await
        .expect("json");
    assert_eq!(report["pushed"], 1, "the local endpoint went up: {report}");
    assert_eq!(report["results_pushed"], 1, "{report}");
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ai_prompt_tests")
        .fetch_one(&pg)
        .await
        .expect("count");
    assert_eq!(total, 3);

    // Mirrored model checks go with their endpoint in both stores.
    let res = app
        .api(Method::DELETE, &format!("/api/v1/llm/models/{id}"))
        .send()
        .await
        .expect("delete");
    assert_eq!(res.status(), 204);
    let left: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM ai_prompt_tests WHERE endpoint_id = $1")
            .bind(sid)
            .fetch_one(&pg)
            .await
            .expect("count");
    assert_eq!(left, 0);

    // While another process mirrors, this one waits its turn.
    let lock =
        std::fs::File::create(app.dir.path().join("supabase-results.lock")).expect("lock file");
    lock.lock().expect("lock");
    let busy = mirror.push().await.expect("push");
    assert_eq!(busy.pushed, 0);
    assert!(busy.waiting.expect("waiting").contains("another process"));
    lock.unlock().expect("unlock");

    // A result of an endpoint deleted in Supabase is passed over, not jammed on.
    let (local_default, remote_default) = (
        default["id"].as_i64().expect("id"),
        default["supabase_id"].as_i64().expect("sid"),
    );
    sqlx::query(
        "INSERT INTO ai_prompt_tests (prompt_id, endpoint_id, model, request_message, success, created_at)
         SELECT id, ?1, 'm', '{}', 1, 'not a time' FROM ai_prompts WHERE category = 'model_check'",
    )
    .bind(local_default)
    .execute(&app.state.db)
    .await
    .expect("local result");
    sqlx::query("DELETE FROM ai_model WHERE id = $1")
        .bind(remote_default)
        .execute(&pg)
        .await
        .expect("remote delete");
    let after = mirror.push().await.expect("push");
    assert_eq!((after.pushed, after.skipped), (0, 1), "{after:?}");
    assert_eq!(
        mirror.push().await.expect("again").skipped,
        0,
        "the cursor moved past it"
    );
    let cursor = app.dir.path().join("supabase-results.cursor");
    assert_eq!(crate::support::mode_of(&cursor), 0o600, "the cursor file");
}
