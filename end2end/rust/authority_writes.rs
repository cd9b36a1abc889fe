//! Writes with Supabase as the authority and two console instances: an
//! edit is conditional on the version the admin saw (no lost update), the
//! default stays single when two consoles switch it at once, and a row
//! deleted in Supabase stays deleted.

use reqwest::Method;
use serde_json::{json, Value};

use crate::authority_live::{local_endpoint, two_consoles, within, PROPAGATION};
use crate::support::{endpoint_body, TestApp};

async fn put(app: &TestApp, path: &str, body: &Value) -> (u16, Value) {
    let res = app
        .api(Method::PUT, path)
        .json(body)
        .send()
        .await
        .expect("put");
    (res.status().as_u16(), res.json().await.expect("json"))
}

#[tokio::test]
async fn an_edit_from_a_stale_version_is_409_naming_when_and_changes_nothing() {
    let Some((a, b, pg)) = two_consoles(true).await else {
        return;
    };
    let created = a
        .create_endpoint(endpoint_body("Main", "http://127.0.0.1:9/v1"))
        .await;
    let sid = created["supabase_id"].as_i64().expect("supabase_id");
    let b_ref = &b;
    within(PROPAGATION, "console B has it", || async move {
        local_endpoint(b_ref, sid).await.is_some()
    })
    .await;
    // Both admins open the endpoint.
    let seen_by_b = local_endpoint(&b, sid).await.expect("row");
    let b_id = seen_by_b["id"].as_i64().expect("id");

    let mut first = endpoint_body("Renamed by A", "http://127.0.0.1:9/v1");
    first["updated_at"] = created["updated_at"].clone();
    let (status, after_a) = put(&a, &format!("/api/v1/llm/models/{}", created["id"]), &first).await;
    assert_eq!(status, 200, "{after_a}");

    let mut second = endpoint_body("Renamed by B", "http://127.0.0.1:9/v1");
    second["updated_at"] = seen_by_b["updated_at"].clone();
    let (status, err) = put(&b, &format!("/api/v1/llm/models/{b_id}"), &second).await;
    assert_eq!(status, 409, "{err}");
    let msg = err["error"]["message"].as_str().expect("message");
    assert!(msg.contains("was changed in Supabase at 20"), "{msg}");
    assert!(msg.contains("not applied"), "{msg}");
    let remote: String = sqlx::query_scalar("SELECT name FROM ai_model WHERE id = $1")
        .bind(sid)
        .fetch_one(&pg)
        .await
        .expect("remote");
    assert_eq!(remote, "Renamed by A", "the refused edit changed nothing");
    let current = local_endpoint(&b, sid).await.expect("row");
    assert_eq!(
        current["name"], "Renamed by A",
        "B now shows the current values"
    );
    assert_eq!(current["updated_at"], after_a["updated_at"]);

    // A version that is not a time is bad input, named; nothing is kept.
    second["updated_at"] = "yesterday".into();
    let (status, err) = put(&b, &format!("/api/v1/llm/models/{b_id}"), &second).await;
    assert_eq!(status, 422, "{err}");
    assert_eq!(err["error"]["field"], "updated_at");

    // Re-applied from the current version, it goes through.
    second["updated_at"] = current["updated_at"].clone();
    let (status, body) = put(&b, &format!("/api/v1/llm/models/{b_id}"), &second).await;
    assert_eq!(status, 200, "{body}");
    let a_ref = &a;
    within(
        PROPAGATION,
        "console A follows B's re-applied edit",
        || async move {
            local_endpoint(a_ref, sid)
                .await
                .is_some_and(|e| e["name"] == "Renamed by B")
        },
    )
    .await;
}

#[tokio::test]
async fn a_mapping_edit_from_a_stale_version_is_409_and_changes_nothing() {
    let Some((a, _b, pg)) = two_consoles(true).await else {
        return;
    };
    a.create_endpoint(endpoint_body("Main", "http://127.0.0.1:9/v1"))
        .await;
    let m = a
        .create_mapping(json!({"scope": "tenant:acme", "models": ["sim-small", "sim-large"], "default": "sim-small", "note": "n"}))
        .await;
    let sid = m["supabase_id"].as_i64().expect("supabase_id");
    sqlx::query(
        "UPDATE ai_prompt SET content = 'edited by GymBro', updated_at = now() WHERE id = $1",
    )
    .bind(sid)
    .execute(&pg)
    .await
    .expect("sql edit");
    let body = json!({"scope": "tenant:acme", "models": ["sim-small", "sim-large"], "default": "sim-large", "note": "mine", "updated_at": m["updated_at"]});
    let (status, err) = put(&a, &format!("/api/v1/llm/mappings/{}", m["id"]), &body).await;
    assert_eq!(status, 409, "{err}");
    let (note, default): (String, String) =
        sqlx::query_as("SELECT content, tools_json->>'default' FROM ai_prompt WHERE id = $1")
            .bind(sid)
            .fetch_one(&pg)
            .await
            .expect("remote");
    assert_eq!(
        (note.as_str(), default.as_str()),
        ("edited by GymBro", "sim-small")
    );
}

#[tokio::test]
async fn two_consoles_switching_the_default_at_once_leave_exactly_one_everywhere() {
    let Some((a, b, pg)) = two_consoles(true).await else {
        return;
    };
    let mut sids = Vec::new();
    for name in ["One", "Two", "Three"] {
        let e = a
            .create_endpoint(endpoint_body(name, "http://127.0.0.1:9/v1"))
            .await;
        sids.push(e["supabase_id"].as_i64().expect("supabase_id"));
    }
    let b_ref = &b;
    let wanted = sids.clone();
    within(PROPAGATION, "console B has all three", || {
        let wanted = wanted.clone();
        async move {
            for sid in wanted {
                if local_endpoint(b_ref, sid).await.is_none() {
                    return false;
                }
            }
            true
        }
    })
    .await;
    let local_id = |app: &TestApp, sid: i64| {
        let db = app.state.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT id FROM ai_endpoints WHERE supabase_id = ?1")
                .bind(sid)
                .fetch_one(&db)
                .await
                .expect("local id")
        }
    };
    for round in 0..10 {
        let (x, y) = (sids[1 + round % 2], sids[2 - round % 2]);
        let (xa, yb) = (local_id(&a, x).await, local_id(&b, y).await);
        let (ra, rb) = tokio::join!(
            a.api(Method::POST, &format!("/api/v1/llm/models/{xa}/default"))
                .send(),
            b.api(Method::POST, &format!("/api/v1/llm/models/{yb}/default"))
                .send(),
        );
        assert_eq!(ra.expect("a").status(), 200);
        assert_eq!(rb.expect("b").status(), 200);
        let defaults: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM ai_model WHERE is_default ORDER BY id")
                .fetch_all(&pg)
                .await
                .expect("defaults");
        assert_eq!(
            defaults.len(),
            1,
            "round {round}: exactly one default in Supabase"
        );
    }
    let remote_default: i64 = sqlx::query_scalar("SELECT id FROM ai_model WHERE is_default")
        .fetch_one(&pg)
        .await
        .expect("default");
    for app in [&a, &b] {
        within(
            PROPAGATION,
            "every SQLite agrees on the one default",
            || async move {
                let defaults: Vec<Option<i64>> =
                    sqlx::query_scalar("SELECT supabase_id FROM ai_endpoints WHERE is_default = 1")
                        .fetch_all(&app.state.db)
                        .await
                        .expect("local defaults");
                defaults == [Some(remote_default)]
            },
        )
        .await;
    }
}

#[tokio::test]
async fn two_consoles_creating_their_first_endpoint_at_once_make_one_default() {
    let Some((a, b, pg)) = two_consoles(true).await else {
        return;
    };
    tokio::join!(
        a.create_endpoint(endpoint_body("From A", "http://127.0.0.1:9/v1")),
        b.create_endpoint(endpoint_body("From B", "http://127.0.0.1:9/v1")),
    );
    let defaults: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ai_model WHERE is_default")
        .fetch_one(&pg)
        .await
        .expect("count");
    assert_eq!(defaults, 1, "Supabase decides, not each console's own view");
    for app in [&a, &b] {
        within(PROPAGATION, "each SQLite has one default", || async move {
            let n: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM ai_endpoints WHERE is_default = 1")
                    .fetch_one(&app.state.db)
                    .await
                    .expect("count");
            n == 1
        })
        .await;
    }
}

#[tokio::test]
async fn a_mapping_deleted_in_supabase_is_kept_disabled_where_results_refer_to_it_and_never_comes_back(
) {
    let Some((a, b, pg)) = two_consoles(true).await else {
        return;
    };
    let e = a
        .create_endpoint(endpoint_body("Main", "http://127.0.0.1:9/v1"))
        .await;
    let m = a
        .create_mapping(json!({"scope": "tenant:gone", "models": ["sim-small"], "default": "sim-small", "note": "n"}))
        .await;
    let sid = m["supabase_id"].as_i64().expect("supabase_id");
    // A result on console A refers to the mapping row.
    sqlx::query("INSERT INTO ai_prompt_tests (prompt_id, endpoint_id, model, request_message, success, created_at) VALUES (?1, ?2, 'sim-small', '{}', 1, '2026-01-01T00:00:00Z')")
        .bind(m["id"].as_i64())
        .bind(e["id"].as_i64())
        .execute(&a.state.db)
        .await
        .expect("result row");
    let b_ref = &b;
    within(PROPAGATION, "console B has the mapping", || async move {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM ai_prompts WHERE supabase_id = ?1")
            .bind(sid)
            .fetch_one(&b_ref.state.db)
            .await
            .expect("count")
            == 1
    })
    .await;

    sqlx::query("DELETE FROM ai_prompt WHERE id = $1")
        .bind(sid)
        .execute(&pg)
        .await
        .expect("sql delete");
    within(PROPAGATION, "console B deleted it", || async move {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM ai_prompts WHERE supabase_id = ?1")
            .bind(sid)
            .fetch_one(&b_ref.state.db)
            .await
            .expect("count")
            == 0
    })
    .await;
    let a_ref = &a;
    within(
        PROPAGATION,
        "console A disabled and marked it",
        || async move {
            let row: (i64, String) = sqlx::query_as(
                "SELECT is_active, tools_json FROM ai_prompts WHERE supabase_id = ?1",
            )
            .bind(sid)
            .fetch_one(&a_ref.state.db)
            .await
            .expect("kept row");
            row.0 == 0 && row.1.contains("\"removed_in_supabase\":true")
        },
    )
    .await;

    let listed: Vec<Value> = a
        .api(Method::GET, "/api/v1/llm/mappings")
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(
        listed[0]["mapping"]["removed_in_supabase"], true,
        "{listed:?}"
    );
    let html = a
        .get_with_cookie("/mappings", &a.admin_cookie().await)
        .await
        .text()
        .await
        .expect("html");
    assert!(html.contains("data-testid=\"removed-in-supabase\""));

    let res = a
        .api(Method::POST, "/api/v1/llm/sync")
        .send()
        .await
        .expect("sync");
    assert_eq!(res.status(), 200);
    let remote: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM ai_prompt WHERE name = 'tenant:gone'")
            .fetch_one(&pg)
            .await
            .expect("count");
    assert_eq!(
        remote, 0,
        "a full sync does not bring the deleted mapping back"
    );
    let routed = a
        .api(Method::POST, "/api/v1/llm/resolve")
        .json(&json!({"tenant": "gone"}))
        .send()
        .await
        .expect("resolve")
        .json::<Value>()
        .await
        .expect("json");
    assert_ne!(routed["resolution"]["scope"], "tenant:gone", "{routed}");
}
