//! `ai_endpoints` in SQLite: plain queries, no policy. The service decides
//! what may be written; this module only knows how.

use sqlx::{FromRow, SqliteConnection, SqlitePool};

use super::lookups::ATTENTION;
use super::types::{mask_api_key, Endpoint, EndpointPage, ListQuery, ResolvedEndpoints};
use super::validate::ValidEndpoint;

/// A stored row, secret included. Never serialised: [`EndpointRow::view`]
/// is what leaves the server.
#[derive(Clone, Debug, FromRow)]
pub struct EndpointRow {
    pub id: i64,
    pub supabase_id: Option<i64>,
    pub name: String,
    pub base_url: String,
    pub model: Option<String>,
    pub api_key: Option<String>,
    pub description: Option<String>,
    pub timeout: Option<i64>,
    pub is_active: Option<i64>,
    pub is_default: Option<i64>,
    pub model_list: Option<String>,
    pub status: Option<String>,
    pub latency_ms: Option<f64>,
    pub last_checked_at: Option<String>,
    pub last_error: Option<String>,
    pub sync_status: Option<String>,
    pub last_synced_at: Option<String>,
    pub resolved_endpoints: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

const COLUMNS: &str = "id, supabase_id, name, base_url, model, api_key, description, timeout, is_active, \
    is_default, model_list, status, latency_ms, last_checked_at, last_error, sync_status, last_synced_at, \
    resolved_endpoints, created_at, updated_at";

impl EndpointRow {
    pub fn models(&self) -> Vec<String> {
        self.model_list
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default()
    }

    pub fn active(&self) -> bool {
        self.is_active.unwrap_or(1) != 0
    }

    pub fn default(&self) -> bool {
        self.is_default.unwrap_or(0) != 0
    }

    pub fn timeout_secs(&self) -> u64 {
        self.timeout.unwrap_or(60).clamp(1, 600) as u64
    }

    /// How to reach this endpoint's upstream.
    pub fn target(&self) -> crate::upstream::Target {
        let urls = self.resolved();
        crate::upstream::Target {
            name: self.name.clone(),
            models_url: urls.models,
            chat_url: urls.chat_completions,
            api_key: self.api_key.clone(),
            timeout: std::time::Duration::from_secs(self.timeout_secs()),
        }
    }

    pub fn resolved(&self) -> ResolvedEndpoints {
        self.resolved_endpoints
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_else(|| super::validate::resolve_endpoints(&self.base_url))
    }

    pub fn view(&self) -> Endpoint {
        let key = self.api_key.as_deref().filter(|k| !k.is_empty());
        Endpoint {
            id: self.id,
            supabase_id: self.supabase_id,
            name: self.name.clone(),
            base_url: self.base_url.clone(),
            model: self.model.clone(),
            api_key_mask: key.map(mask_api_key),
            has_api_key: key.is_some(),
            description: self.description.clone(),
            timeout: self.timeout.unwrap_or(60),
            is_active: self.active(),
            is_default: self.default(),
            model_list: self.models(),
            status: self.status.clone().unwrap_or_else(|| "unknown".into()),
            latency_ms: self.latency_ms,
            last_checked_at: self.last_checked_at.clone(),
            last_error: self.last_error.clone(),
            sync_status: self
                .sync_status
                .clone()
                .unwrap_or_else(|| "unsynced".into()),
            last_synced_at: self.last_synced_at.clone(),
            resolved_endpoints: Some(self.resolved()),
            created_at: self.created_at.clone(),
            updated_at: self.updated_at.clone(),
        }
    }
}

pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub async fn get(conn: &mut SqliteConnection, id: i64) -> Result<Option<EndpointRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM ai_endpoints WHERE id = ?1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn all(pool: &SqlitePool) -> Result<Vec<EndpointRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM ai_endpoints ORDER BY id"
    )))
    .fetch_all(pool)
    .await
}

/// The default endpoint's row, if one is the default.
pub async fn default_row(pool: &SqlitePool) -> Result<Option<EndpointRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM ai_endpoints WHERE is_default = 1 ORDER BY id LIMIT 1"
    )))
    .fetch_optional(pool)
    .await
}

/// The `ORDER BY` of a listing, or `None` for a sort key it does not know.
pub fn order_by(q: &ListQuery) -> Option<String> {
    let dir = if q.ascending { "ASC" } else { "DESC" };
    let expr = match q.sort.as_deref().map(str::trim).unwrap_or("") {
        "" => return Some("is_default DESC, name COLLATE NOCASE, id".into()),
        "id" => "id",
        "name" => "name COLLATE NOCASE",
        "status" => "status",
        "latency_ms" => "latency_ms",
        "updated_at" => "updated_at",
        // What needs a look first: down, degraded, unchecked, switched off,
        // then the healthy ones.
        "attention" => return Some(format!("{ATTENTION}, name COLLATE NOCASE, id")),
        _ => return None,
    };
    // Rows without the figure last either way; the id breaks ties.
    Some(format!("{expr} IS NULL, {expr} {dir}, id {dir}"))
}

pub async fn list(
    pool: &SqlitePool,
    q: &ListQuery,
    order: &str,
) -> Result<EndpointPage, sqlx::Error> {
    let page = q.page.unwrap_or(1).max(1);
    let per_page = q.per_page.unwrap_or(50).clamp(1, 200);
    let pattern = crate::storage::contains_pattern(q.q.as_deref());
    let active = q.active.map(i64::from);
    let filter = "WHERE (?1 IS NULL OR name LIKE ?1 ESCAPE '\\' OR base_url LIKE ?1 ESCAPE '\\' \
                  OR model LIKE ?1 ESCAPE '\\' OR model_list LIKE ?1 ESCAPE '\\') \
                  AND (?2 IS NULL OR COALESCE(is_active, 1) = ?2)";
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM ai_endpoints {filter}"
    )))
    .bind(&pattern)
    .bind(active)
    .fetch_one(pool)
    .await?;
    let rows: Vec<EndpointRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM ai_endpoints {filter} ORDER BY {order} LIMIT ?3 OFFSET ?4"
    )))
    .bind(&pattern)
    .bind(active)
    .bind(i64::from(per_page))
    .bind(i64::from(page - 1) * i64::from(per_page))
    .fetch_all(pool)
    .await?;
    Ok(EndpointPage {
        items: rows.iter().map(EndpointRow::view).collect(),
        supabase: false,
        authority_away_since: None,
        total,
        page,
        per_page,
    })
}

pub async fn insert(
    conn: &mut SqliteConnection,
    v: &ValidEndpoint,
    supabase_id: Option<i64>,
    is_default: bool,
) -> Result<i64, sqlx::Error> {
    let now = now();
    let synced = supabase_id.map(|_| now.clone());
    sqlx::query_scalar(
        "INSERT INTO ai_endpoints (supabase_id, name, base_url, model, api_key, description, timeout, is_active,
            is_default, model_list, resolved_endpoints, sync_status, last_synced_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14) RETURNING id",
    )
    .bind(supabase_id)
    .bind(&v.name)
    .bind(&v.base_url)
    .bind(&v.model)
    .bind(&v.api_key)
    .bind(&v.description)
    .bind(v.timeout)
    .bind(i64::from(v.is_active))
    .bind(i64::from(is_default))
    .bind(json(&v.model_list))
    .bind(json(&v.resolved))
    .bind(if supabase_id.is_some() { "synced" } else { "unsynced" })
    .bind(synced)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Overwrites the editable fields; the key only when `v.api_key` is `Some`
/// (or clears it with `v.clear_key`).
pub async fn update(
    conn: &mut SqliteConnection,
    id: i64,
    v: &ValidEndpoint,
    synced: bool,
) -> Result<(), sqlx::Error> {
    let now = now();
    sqlx::query(
        "UPDATE ai_endpoints SET name = ?2, base_url = ?3, model = ?4,
            api_key = CASE WHEN ?13 THEN NULL ELSE COALESCE(?5, api_key) END,
            description = ?6, timeout = ?7, is_active = ?8, model_list = ?9, resolved_endpoints = ?10,
            sync_status = CASE WHEN ?11 THEN 'synced' ELSE 'unsynced' END,
            last_synced_at = CASE WHEN ?11 THEN ?12 ELSE last_synced_at END, updated_at = ?12
         WHERE id = ?1",
    )
    .bind(id)
    .bind(&v.name)
    .bind(&v.base_url)
    .bind(&v.model)
    .bind(&v.api_key)
    .bind(&v.description)
    .bind(v.timeout)
    .bind(i64::from(v.is_active))
    .bind(json(&v.model_list))
    .bind(json(&v.resolved))
    .bind(synced)
    .bind(now)
    .bind(v.clear_key)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes the endpoint with its model checks — and, `with_results`, every
/// result row that refers to it (otherwise they refuse the delete before it
/// gets here).
pub async fn delete(
    conn: &mut SqliteConnection,
    id: i64,
    with_results: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM ai_prompt_tests WHERE endpoint_id = ?1 AND (?2 OR prompt_id IN ({CHECK_PROMPTS}))"
    )))
    .bind(id)
    .bind(with_results)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM ai_endpoints WHERE id = ?1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The prompt rows model checks are filed under.
const CHECK_PROMPTS: &str = "SELECT id FROM ai_prompts WHERE category = 'model_check'";

/// One statement flips the old default off and the new one on, so no reader
/// ever sees zero or two defaults.
pub async fn set_default(conn: &mut SqliteConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE ai_endpoints SET is_default = CASE WHEN id = ?1 THEN 1 ELSE 0 END, updated_at = ?2
         WHERE id = ?1 OR is_default = 1",
    )
    .bind(id)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(())
}

/// Stored chat and load-test results of the endpoint (model checks aside).
pub async fn result_count(conn: &mut SqliteConnection, id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM ai_prompt_tests WHERE endpoint_id = ?1 AND prompt_id NOT IN ({CHECK_PROMPTS})"
    )))
    .bind(id)
    .fetch_one(conn)
    .await
}

/// Of the endpoint's results, the requests that never reached an endpoint
/// (filed under it as the default then): their response names none.
pub async fn not_routed_count(conn: &mut SqliteConnection, id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM ai_prompt_tests WHERE endpoint_id = ?1 AND prompt_id NOT IN ({CHECK_PROMPTS})
            AND json_extract(request_message, '$.record_id') IS NOT NULL
            AND json_extract(response_message, '$.endpoint_id') IS NULL"
    )))
    .bind(id)
    .fetch_one(conn)
    .await
}

/// Another endpoint with this name (letter case aside), if any.
pub async fn same_name(
    pool: &SqlitePool,
    name: &str,
    except: Option<i64>,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name FROM ai_endpoints WHERE name = ?1 COLLATE NOCASE AND (?2 IS NULL OR id != ?2) LIMIT 1",
    )
    .bind(name.trim())
    .bind(except)
    .fetch_optional(pool)
    .await
}

pub async fn set_supabase_id(
    conn: &mut SqliteConnection,
    id: i64,
    supabase_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE ai_endpoints SET supabase_id = ?2, sync_status = 'synced', last_synced_at = ?3 WHERE id = ?1",
    )
    .bind(id)
    .bind(supabase_id)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(())
}

/// Stores the authority's version (`updated_at` in Supabase) on the row
/// mirroring `ai_model` row `supabase_id`.
pub async fn set_version(
    conn: &mut SqliteConnection,
    supabase_id: i64,
    version: Option<&str>,
) -> Result<(), sqlx::Error> {
    if let Some(version) = version {
        sqlx::query("UPDATE ai_endpoints SET updated_at = ?2 WHERE supabase_id = ?1")
            .bind(supabase_id)
            .bind(version)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Gone from Supabase but referred to by results: disabled, not the
/// default, marked `orphaned` — and never pushed back.
pub async fn mark_orphaned(conn: &mut SqliteConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE ai_endpoints SET is_active = 0, is_default = 0, sync_status = 'orphaned', updated_at = ?2 WHERE id = ?1",
    )
    .bind(id)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a probe result.
pub async fn record_probe(
    pool: &SqlitePool,
    id: i64,
    status: &str,
    latency_ms: Option<f64>,
    error: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE ai_endpoints SET status = ?2, latency_ms = ?3, last_checked_at = ?4, last_error = ?5 WHERE id = ?1",
    )
    .bind(id)
    .bind(status)
    .bind(latency_ms)
    .bind(now())
    .bind(error)
    .execute(pool)
    .await?;
    Ok(())
}

/// Records a status real traffic decided (latency stays the probe's).
pub async fn record_traffic_status(
    pool: &SqlitePool,
    id: i64,
    status: &str,
    error: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE ai_endpoints SET status = ?2, last_checked_at = ?3, last_error = ?4 WHERE id = ?1",
    )
    .bind(id)
    .bind(status)
    .bind(now())
    .bind(error)
    .execute(pool)
    .await?;
    Ok(())
}

pub fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

/// A built-in `ai_prompts` row results are filed under (found by name and
/// category), created the first time it is needed.
pub async fn builtin_prompt(
    db: &sqlx::SqlitePool,
    name: &str,
    category: &str,
    content: &str,
    description: &str,
) -> Result<i64, sqlx::Error> {
    let existing: Option<i64> =
        sqlx::query_scalar("SELECT id FROM ai_prompts WHERE name = ?1 AND category = ?2")
            .bind(name)
            .bind(category)
            .fetch_optional(db)
            .await?;
    if let Some(id) = existing {
        return Ok(id);
    }
    sqlx::query_scalar(
        "INSERT INTO ai_prompts (name, content, version, category, description, is_active, created_at, updated_at)
         VALUES (?1, ?2, '1', ?3, ?4, 0, ?5, ?5) RETURNING id",
    )
    .bind(name)
    .bind(content)
    .bind(category)
    .bind(description)
    .bind(now())
    .fetch_one(db)
    .await
}
