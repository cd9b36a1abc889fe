//! Two real `model-suite serve` processes, each with its own storage folder
//! and SQLite file, against one real PostgreSQL: what one console writes the
//! other serves within two seconds, a stale edit is a 409, two default
//! switches at once leave one default everywhere, a row deleted in SQL goes
//! from both, and a write refused while Supabase is away is kept on disk
//! and re-applied later.

use std::path::{Path, PathBuf};

use reqwest::Method;
use serde_json::Value;
use sqlx::{Connection, PgPool};

use crate::authority_live::{within, PROPAGATION};
use crate::supabase::isolated_postgres;
use crate::support::process::{admin_login, start_server, ServerProcess};
use crate::support::{endpoint_body, ADMIN_PASSWORD, ADMIN_USER, JWT_SECRET};
use model_suite::storage::supabase::REFERENCE_SCHEMA;

struct Console {
    server: ServerProcess,
    dir: tempfile::TempDir,
    http: reqwest::Client,
    token: String,
}

impl Console {
    async fn start(supabase: &str) -> Console {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().to_string_lossy().to_string();
        let server = start_server(
            dir.path(),
            &[
                ("STORAGE_DIR", root.as_str()),
                ("JWT_SECRET", JWT_SECRET),
                ("ADMIN_USERNAME", ADMIN_USER),
                ("ADMIN_PASSWORD", ADMIN_PASSWORD),
                ("SUPABASE_DB_URL", supabase),
                ("SYNC_INTERVAL_MINUTES", "0"),
            ],
            None,
        )
        .await;
        let http = reqwest::Client::new();
        let token = admin_login(&http, &server.base).await;
        Console {
            server,
            dir,
            http,
            token,
        }
    }

    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, self.server.url(path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req.send().await.expect("call");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// This console's copy of the endpoint named `name`, if it has one.
    async fn endpoint(&self, name: &str) -> Option<Value> {
        let (_, page) = self
            .call(Method::GET, "/api/v1/llm/models?per_page=100", None)
            .await;
        page["items"]
            .as_array()?
            .iter()
            .find(|e| e["name"] == name)
            .cloned()
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("model_suite.db")
    }
}

/// Names of the default endpoints in one console's SQLite file, read
/// directly from the file.
async fn local_defaults(db: &Path) -> Vec<String> {
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{}?mode=ro", db.display()))
        .await
        .expect("open sqlite");
    sqlx::query_scalar("SELECT name FROM ai_endpoints WHERE is_default = 1")
        .fetch_all(&mut conn)
        .await
        .expect("defaults")
}

async fn remote_defaults(pg: &PgPool) -> Vec<String> {
    sqlx::query_scalar("SELECT name FROM ai_model WHERE is_default")
        .fetch_all(pg)
        .await
        .expect("remote defaults")
}

async fn seen_by(console: &Console, name: &str) -> Value {
    within(
        PROPAGATION,
        &format!("{name} reaches the console"),
        || async { console.endpoint(name).await.is_some() },
    )
    .await;
    console.endpoint(name).await.expect("row")
}

#[tokio::test]
async fn two_console_processes_on_one_postgres_agree_within_two_seconds() {
    let Some((pg, url)) = isolated_postgres().await else {
        return;
    };
    sqlx::raw_sql(REFERENCE_SCHEMA)
        .execute(&pg)
        .await
        .expect("reference schema");
    let (a, b) = tokio::join!(Console::start(&url), Console::start(&url));

    // 1. Created on A, served by B.
    let (status, main) = a
        .call(
            Method::POST,
            "/api/v1/llm/models",
            Some(&endpoint_body("Main", "http://127.0.0.1:9/v1")),
        )
        .await;
    assert_eq!(status, 201, "{main}");
    let main_on_b = seen_by(&b, "Main").await;

    // 2. Both admins opened it; A saves first, B's save from the old
    // version is refused and changes nothing.
    let mut edit = endpoint_body("Main", "http://127.0.0.1:9/v1");
    edit["description"] = "from A".into();
    edit["updated_at"] = main["updated_at"].clone();
    let (status, body) = a
        .call(
            Method::PUT,
            &format!("/api/v1/llm/models/{}", main["id"]),
            Some(&edit),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    edit["description"] = "from B".into();
    edit["updated_at"] = main_on_b["updated_at"].clone();
    let (status, err) = b
        .call(
            Method::PUT,
            &format!("/api/v1/llm/models/{}", main_on_b["id"]),
            Some(&edit),
        )
        .await;
    assert_eq!(status, 409, "{err}");
    within(PROPAGATION, "B shows A's edit", || async {
        b.endpoint("Main")
            .await
            .is_some_and(|e| e["description"] == "from A")
    })
    .await;

    // Two consoles switch the default at the same moment.
    let (status, spare) = b
        .call(
            Method::POST,
            "/api/v1/llm/models",
            Some(&endpoint_body("Spare", "http://127.0.0.1:9/v1")),
        )
        .await;
    assert_eq!(status, 201, "{spare}");
    let spare_on_a = seen_by(&a, "Spare").await;
    let on_a = format!("/api/v1/llm/models/{}/default", spare_on_a["id"]);
    let on_b = format!("/api/v1/llm/models/{}/default", main_on_b["id"]);
    let (ra, rb) = tokio::join!(
        a.call(Method::POST, &on_a, None),
        b.call(Method::POST, &on_b, None),
    );
    assert!(
        ra.0 == 200 || rb.0 == 200,
        "one switch goes in: {ra:?} {rb:?}"
    );
    let remote = remote_defaults(&pg).await;
    assert_eq!(remote.len(), 1, "one default in Supabase: {remote:?}");
    for console in [&a, &b] {
        let db = console.db();
        let remote = &remote;
        within(PROPAGATION, "the same single default in SQLite", || {
            let db = db.clone();
            async move { &local_defaults(&db).await == remote }
        })
        .await;
    }

    // 3. Deleted directly in SQL: gone from both, never pushed back.
    let (status, old) = a
        .call(
            Method::POST,
            "/api/v1/llm/models",
            Some(&endpoint_body("Old", "http://127.0.0.1:9/v1")),
        )
        .await;
    assert_eq!(status, 201, "{old}");
    seen_by(&b, "Old").await;
    sqlx::query("DELETE FROM ai_model WHERE name = 'Old'")
        .execute(&pg)
        .await
        .expect("sql delete");
    for console in [&a, &b] {
        within(PROPAGATION, "the SQL delete", || async {
            console.endpoint("Old").await.is_none()
        })
        .await;
    }

    // 6. Supabase away: B's edit is refused, kept as a file, nothing
    // applied; back again, the admin re-applies it and A follows.
    sqlx::raw_sql("ALTER TABLE ai_model RENAME TO ai_model_away")
        .execute(&pg)
        .await
        .expect("away");
    let current = b.endpoint("Main").await.expect("row");
    let mut kept = endpoint_body("Main", "http://127.0.0.1:9/v1");
    kept["description"] = "while away".into();
    kept["updated_at"] = current["updated_at"].clone();
    let (status, err) = b
        .call(
            Method::PUT,
            &format!("/api/v1/llm/models/{}", current["id"]),
            Some(&kept),
        )
        .await;
    assert_eq!(status, 503, "{err}");
    let files = std::fs::read_dir(b.dir.path().join("ai_runtime"))
        .expect("ai_runtime")
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("pending-write-")
        })
        .count();
    assert_eq!(files, 1, "the refused write is a file on B's disk");
    assert_eq!(
        b.endpoint("Main").await.expect("row")["description"],
        "from A",
        "nothing applied"
    );
    sqlx::raw_sql("ALTER TABLE ai_model_away RENAME TO ai_model")
        .execute(&pg)
        .await
        .expect("back");
    let (_, pending) = b.call(Method::GET, "/api/v1/llm/pending", None).await;
    let id = pending[0]["id"].as_str().expect("pending id");
    let (status, body) = b
        .call(
            Method::POST,
            &format!("/api/v1/llm/pending/{id}/apply"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    within(PROPAGATION, "A follows the re-applied edit", || async {
        a.endpoint("Main")
            .await
            .is_some_and(|e| e["description"] == "while away")
    })
    .await;
}
