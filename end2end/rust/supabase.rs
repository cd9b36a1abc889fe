//! Against a real PostgreSQL (`make test` starts one with pg_virtualenv and
//! sets TEST_DATABASE_URL). Without it these tests say so and pass only when
//! REQUIRE_TEST_DATABASE is unset, as in a bare `cargo test`.

use std::str::FromStr;

use model_suite::storage::supabase::{
    connect_checked, missing_columns, SupabaseError, REFERENCE_SCHEMA,
};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

/// A pool confined to a fresh schema of its own, plus its URL.
pub async fn isolated_postgres() -> Option<(PgPool, String)> {
    let Ok(url) = std::env::var("TEST_DATABASE_URL") else {
        assert!(
            std::env::var("REQUIRE_TEST_DATABASE").is_err(),
            "REQUIRE_TEST_DATABASE is set but TEST_DATABASE_URL is not"
        );
        eprintln!("TEST_DATABASE_URL not set: skipping a Postgres-backed test (run `make test`)");
        return None;
    };
    let admin = PgPool::connect(&url)
        .await
        .expect("connect to the test Postgres");
    let schema = format!("ms_test_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .expect("create schema");
    let options = PgConnectOptions::from_str(&url)
        .expect("url")
        .options([("search_path", schema.as_str())]);
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .expect("connect");
    let scoped = format!(
        "{url}{}options=-csearch_path%3D{schema}",
        if url.contains('?') { "&" } else { "?" }
    );
    Some((pool, scoped))
}

#[tokio::test]
async fn reference_schema_has_every_column_and_the_check_names_what_is_missing() {
    let Some((pool, url)) = isolated_postgres().await else {
        return;
    };
    let before = missing_columns(&pool).await.expect("check empty schema");
    assert_eq!(
        before.len(),
        32,
        "every required column is missing from an empty schema"
    );

    sqlx::raw_sql(REFERENCE_SCHEMA)
        .execute(&pool)
        .await
        .expect("apply reference schema");
    assert_eq!(
        missing_columns(&pool).await.expect("check"),
        Vec::<String>::new()
    );
    connect_checked(&url)
        .await
        .expect("a complete remote passes the start-up check");

    sqlx::query("ALTER TABLE ai_model DROP COLUMN model_list")
        .execute(&pool)
        .await
        .expect("drop column");
    sqlx::query("ALTER TABLE ai_prompt RENAME COLUMN tools_json TO tools")
        .execute(&pool)
        .await
        .expect("rename");
    assert_eq!(
        missing_columns(&pool).await.expect("check"),
        ["ai_model.model_list", "ai_prompt.tools_json"]
    );
    match connect_checked(&url).await {
        Err(SupabaseError::MissingColumns(cols)) => {
            assert_eq!(cols, ["ai_model.model_list", "ai_prompt.tools_json"])
        }
        other => panic!("expected the missing columns to be named, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unreachable_supabase_is_a_clear_error() {
    let err = connect_checked("postgres://nobody:nothing@127.0.0.1:9/none")
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("SUPABASE_DB_URL: cannot connect"),
        "{err}"
    );
}
