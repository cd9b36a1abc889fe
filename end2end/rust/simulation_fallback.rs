//! Nothing lost: with SQLite locked in the middle of a run, results go to
//! JSON files; replay writes them back exactly once.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{endpoint_body, spawn_app, spawn_sim};
use model_suite::simulation::fallback::{fallback_files, fallback_records, replay};
use model_suite::upstream::sim::SimOptions;

#[tokio::test]
async fn rows_plus_fallback_equal_completed_and_replay_leaves_no_file() {
    let app = spawn_app().await;
    let sim = spawn_sim(SimOptions {
        latency_ms: 10,
        ..Default::default()
    })
    .await;
    app.create_endpoint(endpoint_body("Sim", &sim)).await;
    let start = app
        .api(Method::POST, "/api/v1/llm/tests/runs")
        .json(&json!({"total": 600, "concurrency": 4}))
        .send()
        .await
        .expect("start");
    let id = start.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();

    // Mid-run, another process holds SQLite's write lock for a while.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut locker = crate::support::lock_sqlite(&app.db_path()).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    sqlx::query("ROLLBACK")
        .execute(&mut locker)
        .await
        .expect("unlock");

    let mut run = Value::Null;
    for _ in 0..600 {
        run = app
            .api(Method::GET, &format!("/api/v1/llm/tests/runs/{id}"))
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        if run["status"] != "running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(run["status"], "completed", "{run}");
    let completed = run["done"].as_u64().expect("done");
    assert_eq!(completed, 600);

    let dir = app.dir.path().join("ai_runtime");
    let count_rows = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM ai_prompt_tests WHERE json_extract(request_message, '$.run_id') = ?1")
            .bind(&id)
            .fetch_one(&app.state.db)
            .await
            .expect("count") as u64
    };
    let kept = fallback_records(&dir).expect("read fallback").len() as u64;
    assert!(kept > 0, "the lock sent some batches to the fallback");
    assert_eq!(
        count_rows().await + kept,
        completed,
        "rows + fallback records == completed requests"
    );
    assert_eq!(run["fallback_records"].as_u64(), Some(kept));

    let first = fallback_files(&dir).expect("list")[0].clone();
    assert_eq!(crate::support::mode_of(&dir), 0o700, "the fallback folder");
    assert_eq!(crate::support::mode_of(&first), 0o600, "a fallback file");
    let saved = std::fs::read(&first).expect("copy of a fallback file");
    let report = replay(&app.state.db, &dir).await.expect("replay");
    assert_eq!(report.inserted, kept);
    assert_eq!(count_rows().await, completed);
    assert!(
        fallback_files(&dir).expect("list").is_empty(),
        "no fallback file left"
    );

    // The same file replayed again (say, after a crash before its delete)
    // inserts nothing twice.
    std::fs::write(&first, &saved).expect("restore");
    let again = replay(&app.state.db, &dir).await.expect("replay");
    assert_eq!(again.inserted, 0);
    assert!(again.already_present > 0);
    assert_eq!(count_rows().await, completed);
}

#[tokio::test]
async fn a_record_whose_endpoint_was_deleted_is_refiled_not_stuck() {
    let app = spawn_app().await;
    let sim = spawn_sim(SimOptions::default()).await;
    let keep = app.create_endpoint(endpoint_body("Keep", &sim)).await["id"]
        .as_i64()
        .expect("id");
    let gone = app.create_endpoint(endpoint_body("Gone", &sim)).await["id"]
        .as_i64()
        .expect("id");
    let prompt = model_suite::simulation::records::row_targets(&app.state.db, None, None)
        .await
        .expect("targets")
        .prompt_id;
    let record =
        |id: &str, endpoint: i64, prompt_id: i64| model_suite::simulation::records::Record {
            record_id: id.into(),
            run_id: Some("r-refile".into()),
            seq: 1,
            user: "u".into(),
            scope: Default::default(),
            messages: json!([]),
            params: json!({}),
            prompt_id,
            endpoint_id: endpoint,
            served_by: Some(endpoint),
            model: Some("sim-small".into()),
            status: Some(200),
            success: true,
            latency_ms: 1.0,
            ttfb_ms: None,
            ttft_ms: None,
            queue_ms: 0.0,
            error_kind: None,
            error: None,
            content: "hi".into(),
            usage: None,
            created_at: "2026-11-28T10:00:00Z".into(),
            attempts: Some(1),
            failed_attempts: None,
            tokens: Default::default(),
            run: None,
        };
    let dir = app.dir.path().join("ai_runtime");
    model_suite::simulation::fallback::write_fallback(
        &dir,
        &[record("a", gone, prompt), record("b", keep, 999_999)],
    )
    .expect("fallback file");
    let res = app
        .api(Method::DELETE, &format!("/api/v1/llm/models/{gone}"))
        .send()
        .await
        .expect("delete");
    assert_eq!(res.status(), 204, "no stored row pins it yet");

    let report = replay(&app.state.db, &dir).await.expect("replay");
    assert_eq!((report.inserted, report.refiled), (2, 2), "{report:?}");
    assert!(report.failed_files.is_empty());
    let rows: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT endpoint_id, prompt_id, response_message FROM ai_prompt_tests ORDER BY id",
    )
    .fetch_all(&app.state.db)
    .await
    .expect("rows");
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter().all(|(e, p, _)| *e == keep && *p == prompt),
        "{rows:?}"
    );
    let served: Value = serde_json::from_str(&rows[0].2).expect("json");
    assert_eq!(
        served["endpoint_id"], gone,
        "the row still says who served it"
    );
}

#[tokio::test]
async fn a_single_chat_takes_the_same_write_path_and_fallback() {
    let app = spawn_app().await;
    let sim = spawn_sim(SimOptions::default()).await;
    app.create_endpoint(endpoint_body("Sim", &sim)).await;
    let minted: Value = app
        .api(Method::POST, "/api/v1/llm/tests/mint")
        .json(&json!({"sub": "dialog-user", "expires_in_minutes": 5}))
        .send()
        .await
        .expect("mint")
        .json()
        .await
        .expect("json");
    // Resolving the prompt row first, so the lock below only meets the write.
    model_suite::simulation::records::row_targets(&app.state.db, None, None)
        .await
        .expect("targets");
    let mut locker = crate::support::lock_sqlite(&app.db_path()).await;
    let dialog: Value = app
        .api(Method::POST, "/api/v1/llm/tests/dialog")
        .json(&json!({"token": minted["token"], "message": "kept while locked"}))
        .send()
        .await
        .expect("dialog")
        .json()
        .await
        .expect("json");
    assert_eq!(dialog["status"], 200, "{dialog}");
    assert_eq!(dialog["row_id"], Value::Null, "SQLite was locked: {dialog}");
    let dir = app.dir.path().join("ai_runtime");
    let waiting = fallback_records(&dir).expect("records");
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].user, "dialog-user");
    sqlx::query("ROLLBACK")
        .execute(&mut locker)
        .await
        .expect("unlock");
    replay(&app.state.db, &dir).await.expect("replay");
    let stored: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM ai_prompt_tests WHERE json_extract(request_message, '$.user') = 'dialog-user'",
    )
    .fetch_one(&app.state.db)
    .await
    .expect("count");
    assert_eq!(stored, 1);
}
