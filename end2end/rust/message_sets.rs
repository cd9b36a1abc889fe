//! Realistic requests: a run sends a message set (typed, or a JSONL of chat
//! requests), in order or at random with a seed, with max_tokens and
//! temperature.

use reqwest::Method;
use serde_json::{json, Value};

use crate::simulation::run_to_end;
use crate::support::{app_with_sim, TestApp};
use model_suite::upstream::sim::SimOptions;

const JSONL: &str = r#"{"messages":[{"role":"user","content":"alpha"}],"max_tokens":16}
{"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"beta"}]}

{"messages":[{"role":"user","content":[{"type":"text","text":"gamma"}]}],"max_tokens":64}
"#;

async fn app() -> TestApp {
    app_with_sim(SimOptions::default()).await
}

/// (seq, last message's text, max_tokens, temperature) of every row, by seq.
async fn sent(app: &TestApp, body: Value) -> Vec<(i64, String, Option<i64>, Option<f64>)> {
    let run = run_to_end(app, body).await;
    assert_eq!(run["failed"], 0, "{run}");
    let id = run["id"].as_str().expect("id");
    let rows: Vec<(i64, String, Option<i64>, Option<f64>)> = sqlx::query_as(
        "SELECT json_extract(request_message, '$.seq'),
                COALESCE(json_extract(request_message, '$.messages[#-1].content[0].text'),
                         json_extract(request_message, '$.messages[#-1].content')),
                json_extract(request_message, '$.params.max_tokens'),
                json_extract(request_message, '$.params.temperature')
         FROM ai_prompt_tests WHERE json_extract(request_message, '$.run_id') = ?1
         ORDER BY json_extract(request_message, '$.seq')",
    )
    .bind(id)
    .fetch_all(&app.state.db)
    .await
    .expect("rows");
    rows
}

#[tokio::test]
async fn a_jsonl_set_is_sent_in_order_with_each_lines_max_tokens() {
    let app = app().await;
    let rows = sent(
        &app,
        json!({"total": 6, "concurrency": 2, "max_tokens": 100, "temperature": 0.2,
               "message_set": {"jsonl": JSONL}}),
    )
    .await;
    let texts: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(texts, ["alpha", "beta", "gamma", "alpha", "beta", "gamma"]);
    let max_tokens: Vec<Option<i64>> = rows.iter().map(|r| r.2).collect();
    assert_eq!(
        max_tokens,
        [Some(16), Some(100), Some(64), Some(16), Some(100), Some(64)],
        "a line's own max_tokens wins over the run's"
    );
    assert!(rows.iter().all(|r| r.3 == Some(0.2)));
}

#[tokio::test]
async fn a_seeded_random_set_repeats_and_typed_messages_count() {
    let app = app().await;
    let body = json!({"total": 30, "concurrency": 3,
        "message_set": {"typed": ["one", "two", "three", "four"], "random": true, "seed": 5}});
    let first: Vec<String> = sent(&app, body.clone())
        .await
        .into_iter()
        .map(|r| r.1)
        .collect();
    let again: Vec<String> = sent(&app, body).await.into_iter().map(|r| r.1).collect();
    assert_eq!(first, again, "the same seed picks the same messages");
    let distinct: std::collections::BTreeSet<&String> = first.iter().collect();
    assert_eq!(distinct.len(), 4, "{first:?}");
    let in_order: Vec<&str> = ["one", "two", "three", "four"].repeat(8)[..30].to_vec();
    assert_ne!(first, in_order, "at random, not in order");
}

#[tokio::test]
async fn a_bad_set_is_refused_naming_the_field_and_the_line() {
    let app = app().await;
    let cases = [
        (
            json!({"jsonl": "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}\n{\"messages\":[]}"}),
            "message_set.jsonl",
            "line 2",
        ),
        (json!({"jsonl": "not json"}), "message_set.jsonl", "line 1"),
        (json!({"typed": []}), "message_set", "1–1000"),
    ];
    for (set, field, says) in cases {
        let res = app
            .api(Method::POST, "/api/v1/llm/tests/runs")
            .json(&json!({"total": 3, "concurrency": 1, "message_set": set}))
            .send()
            .await
            .expect("start");
        assert_eq!(res.status(), 422, "{set}");
        let err: Value = res.json().await.expect("json");
        assert_eq!(err["error"]["field"], field, "{err}");
        assert!(
            err["error"]["message"]
                .as_str()
                .expect("message")
                .contains(says),
            "{err}"
        );
    }
    let res = app
        .api(Method::POST, "/api/v1/llm/tests/runs")
        .json(&json!({"total": 3, "concurrency": 1, "temperature": 3}))
        .send()
        .await
        .expect("start");
    let err: Value = res.json().await.expect("json");
    assert_eq!(err["error"]["field"], "temperature", "{err}");
}

/// A run given a minted token takes its scope from the token's claims (and
/// is routed by it), never stores the token, and refuses a scope field that
/// contradicts it or a token that is not a user token of this console.
#[tokio::test]
async fn a_run_takes_its_scope_from_a_minted_tokens_claims() {
    let app = app().await;
    app.create_mapping(
        json!({"scope": "tenant:acme", "models": ["sim-large"], "default": "sim-large"}),
    )
    .await;
    let minted: Value = app
        .api(Method::POST, "/api/v1/llm/tests/mint")
        .json(&json!({"sub": "coach-1", "tenant": "acme", "module": "coach", "expires_in_minutes": 10}))
        .send()
        .await
        .expect("mint")
        .json()
        .await
        .expect("json");
    assert_eq!(minted["claims"]["module"], "coach");
    let token = minted["token"].as_str().expect("token");

    let run = run_to_end(&app, json!({"total": 3, "concurrency": 1, "token": token})).await;
    assert_eq!(run["ok"], 3, "{run}");
    assert_eq!(
        run["config"]["scope"],
        json!({"prompt_id": null, "tenant": "acme", "module": "coach"})
    );
    assert!(run["config"].get("token").is_none(), "{run}");
    let id = run["id"].as_str().expect("id");
    let models: Vec<String> = sqlx::query_scalar(
        "SELECT model FROM ai_prompt_tests WHERE json_extract(request_message, '$.run_id') = ?1",
    )
    .bind(id)
    .fetch_all(&app.state.db)
    .await
    .expect("rows");
    assert_eq!(models, ["sim-large"; 3], "routed by the token's tenant");
    let stored: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM ai_prompt_tests WHERE instr(request_message, ?1) > 0",
    )
    .bind(token)
    .fetch_one(&app.state.db)
    .await
    .expect("count");
    assert_eq!(stored, 0, "the token is not stored");

    for (body, field) in [
        (
            json!({"total": 1, "concurrency": 1, "token": token, "scope": {"tenant": "globex"}}),
            "scope.tenant",
        ),
        (
            json!({"total": 1, "concurrency": 1, "token": "not-a-jwt"}),
            "token",
        ),
        (
            json!({"total": 1, "concurrency": 1, "token": app.token("admin", 600)}),
            "token",
        ),
    ] {
        let res = app
            .api(Method::POST, "/api/v1/llm/tests/runs")
            .json(&body)
            .send()
            .await
            .expect("start");
        assert_eq!(res.status(), 422);
        let err: Value = res.json().await.expect("json");
        assert_eq!(err["error"]["field"], field, "{err}");
    }
}
