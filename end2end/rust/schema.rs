use model_suite::storage::open_sqlite;
use sqlx::{Row, SqlitePool};

use crate::support::spawn_app;

/// (name, type, not null, default, primary key) — written out from the data
/// contract in PRODUCT.md, independently of the DDL in `storage::schema`.
type Col = (&'static str, &'static str, bool, Option<&'static str>, bool);

const AI_ENDPOINTS: [Col; 20] = [
    ("id", "INTEGER", false, None, true),
    ("supabase_id", "INTEGER", false, None, false),
    ("name", "TEXT", true, None, false),
    ("base_url", "TEXT", true, None, false),
    ("model", "TEXT", false, None, false),
    ("api_key", "TEXT", false, None, false),
    ("description", "TEXT", false, None, false),
    ("timeout", "INTEGER", false, Some("60"), false),
    ("is_active", "INTEGER", false, Some("1"), false),
    ("is_default", "INTEGER", false, Some("0"), false),
    ("model_list", "TEXT", false, None, false),
    ("status", "TEXT", false, Some("'unknown'"), false),
    ("latency_ms", "REAL", false, None, false),
    ("last_checked_at", "TEXT", false, None, false),
    ("last_error", "TEXT", false, None, false),
    ("sync_status", "TEXT", false, Some("'unsynced'"), false),
    ("last_synced_at", "TEXT", false, None, false),
    ("resolved_endpoints", "TEXT", false, None, false),
    ("created_at", "TEXT", false, None, false),
    ("updated_at", "TEXT", false, None, false),
];

const AI_PROMPTS: [Col; 12] = [
    ("id", "INTEGER", false, None, true),
    ("supabase_id", "INTEGER", false, None, false),
    ("name", "TEXT", true, None, false),
    ("content", "TEXT", true, None, false),
    ("version", "TEXT", false, None, false),
    ("category", "TEXT", false, None, false),
    ("description", "TEXT", false, None, false),
    ("tools_json", "TEXT", false, None, false),
    ("is_active", "INTEGER", false, Some("0"), false),
    ("created_at", "TEXT", false, None, false),
    ("updated_at", "TEXT", false, None, false),
    ("last_synced_at", "TEXT", false, None, false),
];

const AI_PROMPT_TESTS: [Col; 10] = [
    ("id", "INTEGER", false, None, true),
    ("prompt_id", "INTEGER", true, None, false),
    ("endpoint_id", "INTEGER", true, None, false),
    ("model", "TEXT", false, None, false),
    ("request_message", "TEXT", true, None, false),
    ("response_message", "TEXT", false, None, false),
    ("success", "INTEGER", false, Some("0"), false),
    ("latency_ms", "REAL", false, None, false),
    ("error", "TEXT", false, None, false),
    ("created_at", "TEXT", false, None, false),
];

async fn columns(
    pool: &SqlitePool,
    table: &str,
) -> Vec<(String, String, bool, Option<String>, bool)> {
    sqlx::query(
        "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1) ORDER BY cid",
    )
    .bind(table)
    .fetch_all(pool)
    .await
    .expect("table_info")
    .iter()
    .map(|r| {
        (
            r.get(0),
            r.get(1),
            r.get::<i64, _>(2) == 1,
            r.get(3),
            r.get::<i64, _>(4) == 1,
        )
    })
    .collect()
}

/// (first column, unique) of every index on `table`.
async fn indexes(pool: &SqlitePool, table: &str) -> Vec<(String, bool)> {
    sqlx::query(
        "SELECT ii.name, il.\"unique\" FROM pragma_index_list(?1) il
         JOIN pragma_index_info(il.name) ii ON ii.seqno = 0",
    )
    .bind(table)
    .fetch_all(pool)
    .await
    .expect("index_list")
    .iter()
    // An index on an expression has no column name.
    .map(|r| {
        let first: Option<String> = r.get(0);
        (
            first.unwrap_or_else(|| "<expr>".into()),
            r.get::<i64, _>(1) == 1,
        )
    })
    .collect()
}

fn assert_columns(
    table: &str,
    actual: &[(String, String, bool, Option<String>, bool)],
    expected: &[Col],
) {
    assert_eq!(actual.len(), expected.len(), "{table}: column count");
    for (a, e) in actual.iter().zip(expected) {
        let e = (
            e.0.to_owned(),
            e.1.to_owned(),
            e.2,
            e.3.map(str::to_owned),
            e.4,
        );
        assert_eq!(a, &e, "{table}.{}", e.0);
    }
}

#[tokio::test]
async fn fresh_store_has_exactly_the_contract_tables_columns_and_indexes() {
    let app = spawn_app().await;
    let pool = &app.state.db;
    assert_columns(
        "ai_endpoints",
        &columns(pool, "ai_endpoints").await,
        &AI_ENDPOINTS,
    );
    assert_columns(
        "ai_prompts",
        &columns(pool, "ai_prompts").await,
        &AI_PROMPTS,
    );
    assert_columns(
        "ai_prompt_tests",
        &columns(pool, "ai_prompt_tests").await,
        &AI_PROMPT_TESTS,
    );

    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .expect("tables");
    assert_eq!(
        tables,
        ["ai_endpoints", "ai_prompt_tests", "ai_prompts"],
        "no extra tables"
    );

    let expect_indexes = [
        (
            "ai_endpoints",
            vec![
                ("is_active", false),
                ("name", false),
                ("status", false),
                ("supabase_id", true),
            ],
        ),
        (
            "ai_prompts",
            vec![("is_active", false), ("name", false), ("supabase_id", true)],
        ),
        (
            "ai_prompt_tests",
            // The run, run + latency and outcome indexes (their first
            // column an expression), deep pages (id), latency order.
            vec![
                ("<expr>", false),
                ("<expr>", false),
                ("<expr>", false),
                ("endpoint_id", false),
                ("id", false),
                ("latency_ms", false),
                ("prompt_id", false),
            ],
        ),
    ];
    for (table, expected) in expect_indexes {
        let mut actual = indexes(pool, table).await;
        actual.sort();
        let expected: Vec<(String, bool)> = expected
            .into_iter()
            .map(|(c, u)| (c.to_owned(), u))
            .collect();
        assert_eq!(actual, expected, "{table} indexes");
    }

    let fks: Vec<(String, String)> = sqlx::query("SELECT \"table\", \"from\" FROM pragma_foreign_key_list('ai_prompt_tests') ORDER BY \"from\"")
        .fetch_all(pool)
        .await
        .expect("fk list")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        fks,
        [
            ("ai_endpoints".to_owned(), "endpoint_id".to_owned()),
            ("ai_prompts".to_owned(), "prompt_id".to_owned())
        ]
    );
}

#[tokio::test]
async fn store_runs_in_wal_mode_with_foreign_keys_enforced() {
    let app = spawn_app().await;
    let pool = &app.state.db;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(pool)
        .await
        .expect("mode");
    assert_eq!(mode, "wal");
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(pool)
        .await
        .expect("fk");
    assert_eq!(fk, 1);
    let orphan = sqlx::query("INSERT INTO ai_prompt_tests (prompt_id, endpoint_id, request_message) VALUES (999, 999, '{}')")
        .execute(pool)
        .await;
    assert!(
        orphan.is_err(),
        "a result row must point at a real prompt and endpoint"
    );
}

/// GymBro's own `ai_endpoints`: the contract's columns plus one of its own.
const GYMBRO_ENDPOINTS: &str = "CREATE TABLE ai_endpoints (id INTEGER PRIMARY KEY AUTOINCREMENT, \
    supabase_id INTEGER UNIQUE, name TEXT NOT NULL, base_url TEXT NOT NULL, model TEXT, api_key TEXT, \
    description TEXT, timeout INTEGER DEFAULT 60, is_active INTEGER DEFAULT 1, is_default INTEGER DEFAULT 0, \
    model_list TEXT, status TEXT DEFAULT 'unknown', latency_ms REAL, last_checked_at TEXT, last_error TEXT, \
    sync_status TEXT DEFAULT 'unsynced', last_synced_at TEXT, resolved_endpoints TEXT, created_at TEXT, \
    updated_at TEXT, legacy_flag INTEGER)";

async fn master(pool: &SqlitePool) -> Vec<(String, String)> {
    sqlx::query("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
        .fetch_all(pool)
        .await
        .expect("master")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

#[tokio::test]
async fn an_existing_table_without_contract_columns_is_named_and_left_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("old.db");
    let pool = SqlitePool::connect(&format!("sqlite://{}?mode=rwc", path.display()))
        .await
        .expect("create");
    sqlx::query("CREATE TABLE ai_prompts (id INTEGER PRIMARY KEY, name TEXT NOT NULL, content TEXT NOT NULL)")
        .execute(&pool)
        .await
        .expect("seed");
    let before = master(&pool).await;
    pool.close().await;

    let err = open_sqlite(&path)
        .await
        .expect_err("refuses to work on a table it cannot use");
    let message = err.to_string();
    assert!(
        message.contains("ai_prompts.tools_json") && message.contains("ai_prompts.is_active"),
        "{message}"
    );
    assert!(!message.contains("ai_prompts.name"), "{message}");

    let pool = SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("reopen");
    assert_eq!(
        master(&pool).await,
        before,
        "nothing was created or altered"
    );
}

#[tokio::test]
async fn opening_an_existing_gymbro_database_changes_nothing_that_is_there() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("gymbro.db");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let pool = SqlitePool::connect(&url).await.expect("create db");
    for ddl in [
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)",
        "INSERT INTO users (email) VALUES ('coach@gymbro.example')",
        GYMBRO_ENDPOINTS,
        "CREATE INDEX legacy_endpoint_name ON ai_endpoints(name)",
        "INSERT INTO ai_endpoints (name, base_url, model, api_key, legacy_flag) VALUES ('prod', 'https://api.example', 'gpt-4o', 'sk-legacy', 7)",
    ] {
        sqlx::query(ddl).execute(&pool).await.expect("seed");
    }
    let before = master(&pool).await;
    pool.close().await;

    let opened = open_sqlite(&path).await.expect("open existing");
    let after = master(&opened).await;
    for object in &before {
        assert!(
            after.contains(object),
            "{} was changed or dropped",
            object.0
        );
    }
    let names: Vec<&str> = after.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains(&"ai_prompts") && names.contains(&"ai_prompt_tests"),
        "missing tables are added"
    );
    assert!(
        !names.contains(&"idx_ai_endpoints_name"),
        "an existing index on name is reused, not duplicated"
    );

    let row: (String, i64) =
        sqlx::query_as("SELECT api_key, legacy_flag FROM ai_endpoints WHERE name = 'prod'")
            .fetch_one(&opened)
            .await
            .expect("row kept");
    assert_eq!(row, ("sk-legacy".to_owned(), 7));
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&opened)
        .await
        .expect("users");
    assert_eq!(users, 1);
}
