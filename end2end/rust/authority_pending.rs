//! A write Supabase refuses is kept, not lost: a JSON file under
//! `storage/ai_runtime`, listed for the admin (no key shown), re-applied
//! through the same version check, or discarded. Nothing is applied behind
//! the admin's back.

use reqwest::Method;
use serde_json::{json, Value};

use crate::authority_live::two_consoles;
use crate::support::{endpoint_body, mode_of, TestApp};

async fn pending(app: &TestApp) -> Vec<Value> {
    app.api(Method::GET, "/api/v1/llm/pending")
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json")
}

async fn away(pg: &sqlx::PgPool, yes: bool) {
    let sql = if yes {
        "ALTER TABLE ai_model RENAME TO ai_model_away; ALTER TABLE ai_prompt RENAME TO ai_prompt_away;"
    } else {
        "ALTER TABLE ai_model_away RENAME TO ai_model; ALTER TABLE ai_prompt_away RENAME TO ai_prompt;"
    };
    sqlx::raw_sql(sql).execute(pg).await.expect("toggle tables");
}

#[tokio::test]
async fn a_refused_write_is_kept_listed_without_its_key_and_reapplied_or_discarded() {
    let Some((a, _b, pg)) = two_consoles(true).await else {
        return;
    };
    let created = a
        .create_endpoint(endpoint_body("Main", "http://127.0.0.1:9/v1"))
        .await;
    let id = created["id"].as_i64().expect("id");
    away(&pg, true).await;

    let mut edit = endpoint_body("Main", "http://127.0.0.1:9/v1");
    edit["description"] = "while away".into();
    edit["updated_at"] = created["updated_at"].clone();
    let res = a
        .api(Method::PUT, &format!("/api/v1/llm/models/{id}"))
        .json(&edit)
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), 503);
    let res = a
        .api(Method::POST, "/api/v1/llm/mappings")
        .json(&json!({"scope": "tenant:acme", "models": ["sim-small"], "default": "sim-small", "note": "kept"}))
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 503);
    let local: Option<String> =
        sqlx::query_scalar("SELECT description FROM ai_endpoints WHERE id = ?1")
            .bind(id)
            .fetch_one(&a.state.db)
            .await
            .expect("local");
    assert_eq!(local, None, "nothing applied locally");

    let kept = pending(&a).await;
    let kinds: Vec<&str> = kept
        .iter()
        .map(|p| p["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["endpoint.update", "mapping.create"]);
    assert_eq!(kept[0]["body"]["description"], "while away");
    assert_eq!(kept[0]["has_api_key"], true);
    let listed = serde_json::to_string(&kept).expect("json");
    assert!(!listed.contains("sk-test"), "no key in the list: {listed}");
    let files: Vec<String> = std::fs::read_dir(a.dir.path().join("ai_runtime"))
        .expect("ai_runtime")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with("pending-write-"))
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    for f in &files {
        let path = a.dir.path().join("ai_runtime").join(f);
        assert_eq!(
            mode_of(&path),
            0o600,
            "{f} is the admin's only (it may hold a key)"
        );
    }
    let cookie = a.admin_cookie().await;
    for page in ["/", "/mappings"] {
        let html = a
            .get_with_cookie(page, &cookie)
            .await
            .text()
            .await
            .expect("html");
        assert_eq!(
            html.matches("data-testid=\"pending-change\"").count(),
            2,
            "{page} lists the pending changes"
        );
        assert!(
            html.contains("while away") || html.contains("Main"),
            "{page}"
        );
        assert!(!html.contains("sk-test"), "{page}: no key on the page");
    }

    // Back, but the endpoint changed meanwhile: its re-apply is a conflict
    // and stays kept; the mapping goes in.
    away(&pg, false).await;
    sqlx::query("UPDATE ai_model SET timeout = 7, updated_at = now() WHERE id = $1")
        .bind(created["supabase_id"].as_i64())
        .execute(&pg)
        .await
        .expect("sql edit");
    let apply = |pid: &Value| {
        a.api(
            Method::POST,
            &format!("/api/v1/llm/pending/{}/apply", pid.as_str().expect("id")),
        )
        .send()
    };
    let res = apply(&kept[0]["id"]).await.expect("apply");
    assert_eq!(
        res.status(),
        409,
        "the version check applies to a re-apply too"
    );
    let res = apply(&kept[1]["id"]).await.expect("apply");
    assert_eq!(res.status(), 200);
    let remote: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM ai_prompt WHERE name = 'tenant:acme' AND content = 'kept'",
    )
    .fetch_one(&pg)
    .await
    .expect("count");
    assert_eq!(remote, 1);
    let left = pending(&a).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["id"], kept[0]["id"]);

    let res = a
        .api(
            Method::DELETE,
            &format!(
                "/api/v1/llm/pending/{}",
                kept[0]["id"].as_str().expect("id")
            ),
        )
        .send()
        .await
        .expect("discard");
    assert_eq!(res.status(), 204);
    assert!(pending(&a).await.is_empty());
    let description: Option<String> =
        sqlx::query_scalar("SELECT description FROM ai_model WHERE id = $1")
            .bind(created["supabase_id"].as_i64())
            .fetch_one(&pg)
            .await
            .expect("remote");
    assert_eq!(description, None, "a discarded write is never applied");
}

#[tokio::test]
async fn a_refused_default_switch_and_deletes_are_kept_and_reapplied() {
    let Some((a, _b, pg)) = two_consoles(true).await else {
        return;
    };
    let first = a
        .create_endpoint(endpoint_body("Main", "http://127.0.0.1:9/v1"))
        .await;
    let second = a
        .create_endpoint(endpoint_body("Spare", "http://127.0.0.1:9/v1"))
        .await;
    let third = a
        .create_endpoint(endpoint_body("Old", "http://127.0.0.1:9/v1"))
        .await;
    let mapping = a
        .create_mapping(
            json!({"scope": "tenant:acme", "models": ["sim-small"], "default": "sim-small"}),
        )
        .await;
    let id = |v: &Value| v["id"].as_i64().expect("id");
    away(&pg, true).await;

    let calls = [
        (
            Method::POST,
            format!("/api/v1/llm/models/{}/default", id(&second)),
        ),
        (Method::DELETE, format!("/api/v1/llm/models/{}", id(&third))),
        (
            Method::DELETE,
            format!("/api/v1/llm/mappings/{}", id(&mapping)),
        ),
    ];
    for (method, path) in &calls {
        let res = a.api(method.clone(), path).send().await.expect("call");
        assert_eq!(res.status(), 503, "{method} {path}");
    }
    let default: i64 = sqlx::query_scalar("SELECT id FROM ai_endpoints WHERE is_default = 1")
        .fetch_one(&a.state.db)
        .await
        .expect("default");
    assert_eq!(default, id(&first), "nothing applied locally");
    let kept = pending(&a).await;
    let kinds: Vec<(&str, i64)> = kept
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().expect("kind"),
                p["target"].as_i64().expect("target"),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("endpoint.default", id(&second)),
            ("endpoint.delete", id(&third)),
            ("mapping.delete", id(&mapping)),
        ]
    );

    away(&pg, false).await;
    for p in &kept {
        let res = a
            .api(
                Method::POST,
                &format!(
                    "/api/v1/llm/pending/{}/apply",
                    p["id"].as_str().expect("id")
                ),
            )
            .send()
            .await
            .expect("apply");
        assert_eq!(res.status(), 200, "{}", p["kind"]);
    }
    assert!(pending(&a).await.is_empty());
    let remote_default: Vec<String> =
        sqlx::query_scalar("SELECT name FROM ai_model WHERE is_default")
            .fetch_all(&pg)
            .await
            .expect("remote default");
    assert_eq!(remote_default, ["Spare"]);
    let remote_rows: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM ai_model WHERE name = 'Old'),
                (SELECT COUNT(*) FROM ai_prompt WHERE name = 'tenant:acme')",
    )
    .fetch_one(&pg)
    .await
    .expect("remote rows");
    assert_eq!(remote_rows, (0, 0), "both deletes went in");
}
