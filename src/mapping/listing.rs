//! The mapping rows as stored (`ai_prompts`, `category = 'model_mapping'`)
//! and the mapping table's query: filter, order and page in SQL.

use sqlx::{FromRow, SqlitePool};

use super::types::{Mapping, MappingQuery, MappingTools};

#[derive(FromRow)]
pub(super) struct MappingRow {
    pub id: i64,
    pub supabase_id: Option<i64>,
    pub name: String,
    pub content: String,
    pub tools_json: Option<String>,
    pub is_active: Option<i64>,
    pub updated_at: Option<String>,
}

impl MappingRow {
    pub fn view(&self) -> Mapping {
        let tools: MappingTools = self
            .tools_json
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default();
        Mapping {
            id: self.id,
            supabase_id: self.supabase_id,
            scope: self.name.clone(),
            models: tools.models,
            default: tools.default,
            note: self.content.clone(),
            is_active: self.is_active.unwrap_or(0) != 0,
            accept_dangling: tools.accept_dangling,
            updated_at: self.updated_at.clone(),
            removed_in_supabase: tools.removed_in_supabase,
        }
    }
}

pub(super) const SELECT: &str = "SELECT id, supabase_id, name, content, tools_json, is_active, updated_at FROM ai_prompts WHERE category = 'model_mapping'";

/// The `ORDER BY` of a page, or `None` for a sort key it does not know.
pub(super) fn order_by(q: &MappingQuery) -> Option<String> {
    let dir = if q.ascending { "ASC" } else { "DESC" };
    let expr = match q.sort.as_deref().map(str::trim).unwrap_or("") {
        "" => return Some("name, id".into()),
        "id" => "id",
        "scope" => "name",
        "updated_at" => "updated_at",
        "is_active" => "COALESCE(is_active, 0)",
        _ => return None,
    };
    Some(format!("{expr} IS NULL, {expr} {dir}, id {dir}"))
}

/// One page of rows matching the filter, and how many match in all.
pub(super) async fn page(
    pool: &SqlitePool,
    q: &MappingQuery,
    order: &str,
) -> Result<(Vec<MappingRow>, i64, u32, u32), sqlx::Error> {
    let page = q.page.unwrap_or(1).max(1);
    let per_page = q.per_page.unwrap_or(50).clamp(1, 200);
    let pattern = crate::storage::contains_pattern(q.q.as_deref());
    // The scope or a model name (the models live in tools_json).
    let filter = "AND (?1 IS NULL OR name LIKE ?1 ESCAPE '\\' OR tools_json LIKE ?1 ESCAPE '\\')";
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM ai_prompts WHERE category = 'model_mapping' {filter}"
    )))
    .bind(&pattern)
    .fetch_one(pool)
    .await?;
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} {filter} ORDER BY {order} LIMIT ?2 OFFSET ?3"
    )))
    .bind(&pattern)
    .bind(i64::from(per_page))
    .bind(i64::from(page - 1) * i64::from(per_page))
    .fetch_all(pool)
    .await?;
    Ok((rows, total, page, per_page))
}
