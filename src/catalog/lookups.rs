//! Reads over every endpoint that answer with little: the models listed,
//! who serves given models, how many endpoints are in each state.

use sqlx::SqlitePool;

/// The state an endpoint is in for an admin: its checked status, or
/// `disabled` when it takes no traffic.
const STATE: &str =
    "CASE WHEN COALESCE(is_active, 1) = 0 THEN 'disabled' ELSE COALESCE(status, 'unknown') END";
/// What needs a look first: offline, degraded, unchecked, disabled, online.
pub const ATTENTION: &str = "CASE CASE WHEN COALESCE(is_active, 1) = 0 THEN 'disabled' ELSE COALESCE(status, 'unknown') END \
    WHEN 'offline' THEN 0 WHEN 'degraded' THEN 1 WHEN 'unknown' THEN 2 WHEN 'disabled' THEN 3 ELSE 4 END";

/// How many endpoints are in each state (`online`, `disabled`…).
pub async fn state_counts(pool: &SqlitePool) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {STATE} AS state, COUNT(*) FROM ai_endpoints GROUP BY state ORDER BY MIN({ATTENTION})"
    )))
    .fetch_all(pool)
    .await
}

/// Every model some endpoint lists, once each, in order.
pub async fn known_models(pool: &SqlitePool) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT j.value FROM ai_endpoints e, json_each(e.model_list) j
         WHERE json_valid(e.model_list) AND j.type = 'text' ORDER BY j.value",
    )
    .fetch_all(pool)
    .await
}

/// (model, id, name, status, active) of every endpoint listing one of
/// `models`: what mapping coverage needs, without reading every endpoint.
pub async fn serving(
    pool: &SqlitePool,
    models: &[String],
) -> Result<Vec<(String, i64, String, Option<String>, Option<i64>)>, sqlx::Error> {
    if models.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_as(
        "SELECT j.value, e.id, e.name, e.status, e.is_active
         FROM ai_endpoints e, json_each(e.model_list) j
         WHERE json_valid(e.model_list) AND j.value IN (SELECT value FROM json_each(?1))
         ORDER BY e.id",
    )
    .bind(serde_json::to_string(models).unwrap_or_default())
    .fetch_all(pool)
    .await
}
