//! The data contract's three tables, created only when missing. An existing
//! (GymBro) database is never dropped, renamed or altered: every statement is
//! `IF NOT EXISTS`, and an index is added only when no index already covers
//! that column.

use sqlx::SqlitePool;

const TABLES: [&str; 3] = [
    "CREATE TABLE IF NOT EXISTS ai_endpoints (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        supabase_id INTEGER UNIQUE,
        name TEXT NOT NULL,
        base_url TEXT NOT NULL,
        model TEXT,
        api_key TEXT,
        description TEXT,
        timeout INTEGER DEFAULT 60,
        is_active INTEGER DEFAULT 1,
        is_default INTEGER DEFAULT 0,
        model_list TEXT,
        status TEXT DEFAULT 'unknown',
        latency_ms REAL,
        last_checked_at TEXT,
        last_error TEXT,
        sync_status TEXT DEFAULT 'unsynced',
        last_synced_at TEXT,
        resolved_endpoints TEXT,
        created_at TEXT,
        updated_at TEXT
    )",
    "CREATE TABLE IF NOT EXISTS ai_prompts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        supabase_id INTEGER UNIQUE,
        name TEXT NOT NULL,
        content TEXT NOT NULL,
        version TEXT,
        category TEXT,
        description TEXT,
        tools_json TEXT,
        is_active INTEGER DEFAULT 0,
        created_at TEXT,
        updated_at TEXT,
        last_synced_at TEXT
    )",
    "CREATE TABLE IF NOT EXISTS ai_prompt_tests (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        prompt_id INTEGER NOT NULL REFERENCES ai_prompts(id),
        endpoint_id INTEGER NOT NULL REFERENCES ai_endpoints(id),
        model TEXT,
        request_message TEXT NOT NULL,
        response_message TEXT,
        success INTEGER DEFAULT 0,
        latency_ms REAL,
        error TEXT,
        created_at TEXT
    )",
];

/// (index name, table, column) for every index the contract asks for; the
/// unique `supabase_id` indexes come from the column constraints.
pub const INDEXES: [(&str, &str, &str); 7] = [
    ("idx_ai_endpoints_is_active", "ai_endpoints", "is_active"),
    ("idx_ai_endpoints_status", "ai_endpoints", "status"),
    ("idx_ai_endpoints_name", "ai_endpoints", "name"),
    ("idx_ai_prompts_is_active", "ai_prompts", "is_active"),
    ("idx_ai_prompts_name", "ai_prompts", "name"),
    (
        "idx_ai_prompt_tests_prompt_id",
        "ai_prompt_tests",
        "prompt_id",
    ),
    (
        "idx_ai_prompt_tests_endpoint_id",
        "ai_prompt_tests",
        "endpoint_id",
    ),
];

/// (index name, what it indexes) for the results table at a million rows,
/// measured by `make bench`: without them a run's rows, the failed rows
/// and a deep page each scan the whole table (a second or more).
pub const RESULT_INDEXES: [(&str, &str); 5] = [
    // Deep pages: the ids in order from a small index, not the table.
    ("idx_ai_prompt_tests_id", "ai_prompt_tests(id)"),
    // A run's rows in id order (its newest page reads 50 entries).
    (
        "idx_ai_prompt_tests_run",
        "ai_prompt_tests(json_extract(request_message, '$.run_id'))",
    ),
    // The same in latency order, for a run and for every row: the slowest
    // or fastest page reads its 50 entries instead of sorting the rows.
    (
        "idx_ai_prompt_tests_run_latency",
        "ai_prompt_tests(json_extract(request_message, '$.run_id'), latency_ms)",
    ),
    ("idx_ai_prompt_tests_latency", "ai_prompt_tests(latency_ms)"),
    (
        "idx_ai_prompt_tests_success",
        "ai_prompt_tests(COALESCE(success, 0))",
    ),
];

/// `ai_prompt_tests` has the same columns in SQLite and in Supabase.
pub const PROMPT_TESTS_COLUMNS: &[&str] = &[
    "id",
    "prompt_id",
    "endpoint_id",
    "model",
    "request_message",
    "response_message",
    "success",
    "latency_ms",
    "error",
    "created_at",
];

/// Every required `table.column` that `present` (table, column) lacks.
pub fn absent_columns(required: &[(&str, &[&str])], present: &[(String, String)]) -> Vec<String> {
    required
        .iter()
        .flat_map(|(table, columns)| columns.iter().map(move |c| (*table, *c)))
        .filter(|(t, c)| !present.iter().any(|(pt, pc)| pt == t && pc == c))
        .map(|(t, c)| format!("{t}.{c}"))
        .collect()
}

/// The columns each table must have; an existing table may have more.
pub const CONTRACT_COLUMNS: [(&str, &[&str]); 3] = [
    (
        "ai_endpoints",
        &[
            "id",
            "supabase_id",
            "name",
            "base_url",
            "model",
            "api_key",
            "description",
            "timeout",
            "is_active",
            "is_default",
            "model_list",
            "status",
            "latency_ms",
            "last_checked_at",
            "last_error",
            "sync_status",
            "last_synced_at",
            "resolved_endpoints",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "ai_prompts",
        &[
            "id",
            "supabase_id",
            "name",
            "content",
            "version",
            "category",
            "description",
            "tools_json",
            "is_active",
            "created_at",
            "updated_at",
            "last_synced_at",
        ],
    ),
    ("ai_prompt_tests", PROMPT_TESTS_COLUMNS),
];

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error(transparent)]
    Sqlite(#[from] sqlx::Error),
    #[error(
        "the existing database lacks columns of the data contract: {}; \
         Model Suite does not alter existing tables — add them or point SQLITE_PATH elsewhere",
        .0.join(", ")
    )]
    MissingColumns(Vec<String>),
}

/// Creates what is missing and checks what exists; on any error nothing is
/// left half-done (one transaction).
pub async fn ensure_schema(pool: &SqlitePool) -> Result<(), SchemaError> {
    let mut tx = pool.begin().await?;
    for ddl in TABLES {
        sqlx::query(ddl).execute(&mut *tx).await?;
    }
    let mut present: Vec<(String, String)> = Vec::new();
    for (table, _) in CONTRACT_COLUMNS {
        let names: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?1)")
            .bind(table)
            .fetch_all(&mut *tx)
            .await?;
        present.extend(names.into_iter().map(|n| (table.to_owned(), n)));
    }
    let missing = absent_columns(&CONTRACT_COLUMNS, &present);
    if !missing.is_empty() {
        tx.rollback().await?;
        return Err(SchemaError::MissingColumns(missing));
    }
    for (name, table, column) in INDEXES {
        if !column_is_indexed(&mut tx, table, column).await? {
            let ddl = format!("CREATE INDEX IF NOT EXISTS {name} ON {table}({column})");
            sqlx::query(sqlx::AssertSqlSafe(ddl))
                .execute(&mut *tx)
                .await?;
        }
    }
    for (name, target) in RESULT_INDEXES {
        let ddl = format!("CREATE INDEX IF NOT EXISTS {name} ON {target}");
        sqlx::query(sqlx::AssertSqlSafe(ddl))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// True when some index on `table` starts with `column` (ours or one the
/// existing database already had under another name).
async fn column_is_indexed(
    conn: &mut sqlx::SqliteConnection,
    table: &str,
    column: &str,
) -> Result<bool, sqlx::Error> {
    let first_columns: Vec<String> = sqlx::query_scalar(
        "SELECT ii.name FROM pragma_index_list(?1) AS il
         JOIN pragma_index_info(il.name) AS ii ON ii.seqno = 0",
    )
    .bind(table)
    .fetch_all(conn)
    .await?;
    Ok(first_columns.iter().any(|c| c == column))
}
