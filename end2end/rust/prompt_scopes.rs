//! Prompt scopes name the prompt by its identity in the authority: with
//! Supabase, the `ai_prompt.id` GymBro's backend uses, whether or not the
//! prompt was ever copied into SQLite.

use reqwest::Method;
use serde_json::{json, Value};

use crate::catalog_supabase::app_with_supabase;
use crate::mapping::resolve;
use crate::simulation::{start, wait_finished};
use crate::support::{endpoint_body, spawn_app, spawn_sim};
use model_suite::upstream::sim::SimOptions;

const GYMBRO_PROMPT: i64 = 7001;

async fn prompts(app: &crate::support::TestApp) -> Vec<Value> {
    let res = app
        .api(Method::GET, "/api/v1/llm/prompts")
        .send()
        .await
        .expect("prompts");
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
}

#[tokio::test]
async fn a_prompt_scope_names_the_supabase_prompt_and_its_results_refer_to_it() {
    let Some((app, pg)) = app_with_supabase().await else {
        return;
    };
    // GymBro's own prompt, with an id no local row has.
    sqlx::query("INSERT INTO ai_prompt (id, name, content, category, is_active) VALUES ($1, 'coach-v2', 'You are a coach', 'coach', true)")
        .bind(GYMBRO_PROMPT)
        .execute(&pg)
        .await
        .expect("gymbro prompt");
    let sim = spawn_sim(SimOptions::default()).await;
    app.create_endpoint(endpoint_body("Sim", &sim)).await;
    app.create_mapping(
        json!({"scope": "tenant:acme", "models": ["sim-small"], "default": "sim-small"}),
    )
    .await;

    let offered = prompts(&app).await;
    assert_eq!(
        offered,
        vec![
            json!({"id": GYMBRO_PROMPT, "name": "coach-v2", "category": "coach", "is_active": true})
        ],
        "the picker offers Supabase's prompts by their Supabase id, not mapping rows"
    );

    let res = app
        .api(Method::POST, "/api/v1/llm/mappings")
        .json(&json!({"scope": "prompt:7999", "models": ["sim-small"], "default": "sim-small"}))
        .send()
        .await
        .expect("create");
    assert_eq!(res.status(), 422, "a prompt Supabase does not have");
    let err: Value = res.json().await.expect("json");
    assert_eq!(err["error"]["field"], "scope", "{err}");

    let made = app
        .create_mapping(json!({"scope": format!("prompt:{GYMBRO_PROMPT}"), "models": ["sim-small"], "default": "sim-small"}))
        .await;
    let remote_name: String = sqlx::query_scalar("SELECT name FROM ai_prompt WHERE id = $1")
        .bind(made["supabase_id"].as_i64().expect("sid"))
        .fetch_one(&pg)
        .await
        .expect("remote mapping");
    assert_eq!(remote_name, format!("prompt:{GYMBRO_PROMPT}"));

    let resolved = resolve(&app, json!({"prompt_id": GYMBRO_PROMPT, "tenant": "acme"})).await;
    assert_eq!(
        resolved["resolution"]["scope"],
        format!("prompt:{GYMBRO_PROMPT}"),
        "{resolved}"
    );

    let res = start(
        &app,
        json!({"total": 3, "concurrency": 1, "scope": {"prompt_id": GYMBRO_PROMPT}}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let run = wait_finished(&app, &id).await;
    assert_eq!(run["ok"], 3, "{run}");
    let linked: Vec<Option<i64>> = sqlx::query_scalar(
        "SELECT p.supabase_id FROM ai_prompt_tests t JOIN ai_prompts p ON p.id = t.prompt_id
         WHERE json_extract(t.request_message, '$.run_id') = ?1",
    )
    .bind(&id)
    .fetch_all(&app.state.db)
    .await
    .expect("rows");
    assert_eq!(
        linked,
        vec![Some(GYMBRO_PROMPT); 3],
        "the run's rows are filed under the local row that stands for Supabase's prompt"
    );
}

#[tokio::test]
async fn without_supabase_the_picker_offers_local_prompts_by_their_own_id() {
    let app = spawn_app().await;
    sqlx::query("INSERT INTO ai_prompts (name, content, category, is_active) VALUES ('coach', 'You are a coach', 'chat', 1)")
        .execute(&app.state.db)
        .await
        .expect("prompt");
    app.create_endpoint(endpoint_body("Main", "http://127.0.0.1:9/v1"))
        .await;
    app.create_mapping(
        json!({"scope": "tenant:acme", "models": ["sim-small"], "default": "sim-small"}),
    )
    .await;
    // The built-in row simulated chats are filed under.
    model_suite::simulation::records::row_targets(&app.state.db, None, None)
        .await
        .expect("built-in prompt");
    let pid: i64 = sqlx::query_scalar("SELECT id FROM ai_prompts WHERE name = 'coach'")
        .fetch_one(&app.state.db)
        .await
        .expect("id");
    assert_eq!(
        prompts(&app).await,
        vec![json!({"id": pid, "name": "coach", "category": "chat", "is_active": true})],
        "local prompts only: no mapping rows, no built-in rows"
    );
}
