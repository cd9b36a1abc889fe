//! Supabase as the live authority, with two console instances (each its
//! own SQLite) against one real PostgreSQL: a change made on one console
//! or directly in SQL reaches the other's store, pages and routing within
//! two seconds, with the documented trigger and without it.

use std::future::Future;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::mapping::resolve;
use crate::supabase::isolated_postgres;
use crate::support::{endpoint_body, spawn_app_with, TestApp};
use model_suite::storage::supabase::REFERENCE_SCHEMA;

/// How long a change may take to reach another instance.
pub const PROPAGATION: Duration = Duration::from_secs(2);

/// One Postgres with the reference schema (`trigger`: with the live-change
/// triggers, else without) and two consoles following it.
pub async fn two_consoles(trigger: bool) -> Option<(TestApp, TestApp, PgPool)> {
    let (pg, url) = isolated_postgres().await?;
    sqlx::raw_sql(REFERENCE_SCHEMA)
        .execute(&pg)
        .await
        .expect("reference schema");
    if !trigger {
        sqlx::raw_sql(
            "DROP TRIGGER ai_model_notify ON ai_model; DROP TRIGGER ai_prompt_notify ON ai_prompt;",
        )
        .execute(&pg)
        .await
        .expect("drop triggers");
    }
    let a = console(&url).await;
    let b = console(&url).await;
    Some((a, b, pg))
}

/// A console on `url` with no sync interval and no probes: only the
/// start-up sync and the live watch keep it true.
pub async fn console(url: &str) -> TestApp {
    let app = spawn_app_with(&[
        ("SUPABASE_DB_URL", url),
        ("SYNC_INTERVAL_MINUTES", "0"),
        ("MONITOR_INTERVAL_SECS", "0"),
    ])
    .await;
    model_suite::server::live::start(&app.state);
    app
}

/// Waits until `check` holds; panics naming `what` after `within`.
pub async fn within<F, Fut>(within: Duration, what: &str, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    loop {
        if check().await {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "{what}: not seen within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub async fn local_endpoint(app: &TestApp, supabase_id: i64) -> Option<Value> {
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM ai_endpoints WHERE supabase_id = ?1")
        .bind(supabase_id)
        .fetch_optional(&app.state.db)
        .await
        .expect("local lookup");
    let id = id?;
    let res = app
        .api(Method::GET, &format!("/api/v1/llm/models/{id}"))
        .send()
        .await
        .expect("get");
    Some(res.json().await.expect("json"))
}

async fn an_sql_edit_reaches_both_consoles(trigger: bool) {
    let Some((a, b, pg)) = two_consoles(trigger).await else {
        return;
    };
    let created = a
        .create_endpoint(endpoint_body("Main", "http://127.0.0.1:9/v1"))
        .await;
    let sid = created["supabase_id"].as_i64().expect("supabase_id");
    let (a, b) = (&a, &b);
    within(
        PROPAGATION,
        "the other console has the new endpoint",
        || async move { local_endpoint(b, sid).await.is_some() },
    )
    .await;

    // Directly in SQL, without touching updated_at: only the row changes.
    sqlx::query("UPDATE ai_model SET description = 'edited in SQL', model_list = '[\"sim-small\",\"sim-large\",\"sim-xl\"]' WHERE id = $1")
        .bind(sid)
        .execute(&pg)
        .await
        .expect("sql edit");
    for app in [a, b] {
        let took = within(PROPAGATION, "the SQL edit", || async move {
            local_endpoint(app, sid)
                .await
                .is_some_and(|e| e["description"] == "edited in SQL")
        })
        .await;
        eprintln!("SQL edit seen after {took:?} (trigger: {trigger})");
        let e = local_endpoint(app, sid).await.expect("row");
        assert_eq!(e["model_list"], json!(["sim-small", "sim-large", "sim-xl"]));
    }
    let before = a.state.catalog.epoch();
    sqlx::query("DELETE FROM ai_model WHERE id = $1")
        .bind(sid)
        .execute(&pg)
        .await
        .expect("sql delete");
    for app in [a, b] {
        within(PROPAGATION, "the SQL delete", || async move {
            local_endpoint(app, sid).await.is_none()
        })
        .await;
    }
    assert!(
        a.state.catalog.epoch() > before,
        "what the pages watch moved with the remote change"
    );
}

#[tokio::test]
async fn an_endpoint_edited_in_sql_reaches_both_consoles_within_two_seconds_with_the_trigger() {
    an_sql_edit_reaches_both_consoles(true).await;
}

#[tokio::test]
async fn without_the_trigger_the_change_probe_brings_an_sql_edit_within_two_seconds() {
    an_sql_edit_reaches_both_consoles(false).await;
}

#[tokio::test]
async fn a_mapping_changed_on_one_console_routes_on_the_other_within_two_seconds() {
    let Some((a, b, _pg)) = two_consoles(true).await else {
        return;
    };
    a.create_endpoint(endpoint_body("Main", "http://127.0.0.1:9/v1"))
        .await;
    let mapping = a
        .create_mapping(json!({"scope": "tenant:acme", "models": ["sim-small", "sim-large"], "default": "sim-small", "note": "n"}))
        .await;
    let acme = &json!({"tenant": "acme"});
    let b = &b;
    within(
        PROPAGATION,
        "the other console routes acme by the mapping",
        || async move { resolve(b, acme.clone()).await["resolution"]["scope"] == "tenant:acme" },
    )
    .await;
    assert_eq!(
        resolve(b, acme.clone()).await["resolution"]["model"],
        "sim-small"
    );

    let id = mapping["id"].as_i64().expect("id");
    let res = a
        .api(Method::PUT, &format!("/api/v1/llm/mappings/{id}"))
        .json(&json!({"scope": "tenant:acme", "models": ["sim-small", "sim-large"], "default": "sim-large", "note": "n", "updated_at": mapping["updated_at"]}))
        .send()
        .await
        .expect("put");
    assert_eq!(
        res.status(),
        200,
        "{}",
        res.text().await.unwrap_or_default()
    );
    let took = within(
        PROPAGATION,
        "the other console routes to the new default",
        || async move { resolve(b, acme.clone()).await["resolution"]["model"] == "sim-large" },
    )
    .await;
    eprintln!("mapping edit routed on the other console after {took:?}");
}

#[tokio::test]
async fn a_sync_runs_at_start_even_when_the_interval_is_zero() {
    let Some((a, _b, _pg)) = two_consoles(true).await else {
        return;
    };
    let a = &a;
    within(
        Duration::from_secs(5),
        "the start-up sync in the audit log",
        || async move {
            a.audit_lines()
                .iter()
                .any(|l| l["action"] == "catalog.sync" && l["actor"] == "system")
        },
    )
    .await;
}

#[tokio::test]
async fn an_unreachable_supabase_is_named_on_the_catalog_with_since_when() {
    let app = console("postgres://model_suite:x@127.0.0.1:9/none?sslmode=disable").await;
    let app = &app;
    within(
        Duration::from_secs(15),
        "the catalog says since when Supabase is away",
        || async move {
            let page: Value = app
                .api(Method::GET, "/api/v1/llm/models")
                .send()
                .await
                .expect("list")
                .json()
                .await
                .expect("json");
            page["authority_away_since"]
                .as_str()
                .is_some_and(|t| t.starts_with("20"))
        },
    )
    .await;
    let res = app
        .api(Method::POST, "/api/v1/llm/models")
        .json(&endpoint_body("Refused", "http://127.0.0.1:9/v1"))
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 503, "writes are refused meanwhile");
}

#[tokio::test]
async fn with_the_trigger_a_change_arrives_by_notification_alone() {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    use model_suite::storage::watch::{spawn, AuthorityStatus, ProbeEvery, Watched};

    let Some((pg, _url)) = isolated_postgres().await else {
        return;
    };
    sqlx::raw_sql(REFERENCE_SCHEMA)
        .execute(&pg)
        .await
        .expect("reference schema");
    let hits = Arc::new(AtomicU64::new(0));
    let counted = hits.clone();
    let watched = Watched {
        table: "ai_model",
        probe: model_suite::catalog::remote::PROBE,
        reconcile: Arc::new(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            Box::pin(async { Ok(()) })
        }),
    };
    // Probes so rare that only a notification can bring the change.
    let rare = ProbeEvery {
        alone: Duration::from_secs(600),
        with_trigger: Duration::from_secs(600),
    };
    spawn(pg.clone(), vec![watched], rare, AuthorityStatus::default());
    tokio::time::sleep(Duration::from_secs(3)).await;
    let before = hits.load(Ordering::SeqCst);
    sqlx::query(
        "INSERT INTO ai_model (name, base_url) VALUES ('Notified', 'http://127.0.0.1:9/v1')",
    )
    .execute(&pg)
    .await
    .expect("insert");
    let hits = &hits;
    within(
        PROPAGATION,
        "the notification woke the reconcile",
        || async move { hits.load(Ordering::SeqCst) > before },
    )
    .await;
}
