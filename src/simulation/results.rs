//! Reading results back: paged and filtered rows, and streamed CSV / JSON
//! export of a run (fetched in keyset pages, so memory stays flat).

use axum::body::Body;
use futures::StreamExt;
use serde_json::Value;
use sqlx::SqlitePool;

use super::types::{ResultDetail, ResultPage, ResultQuery, ResultRow};
use crate::error::AppError;

mod csv_export;
mod orders;

pub use csv_export::neutralize;
use csv_export::{csv_fields, csv_line, CSV_HEADER};
pub use orders::Orders;

#[derive(sqlx::FromRow)]
struct Raw {
    id: i64,
    prompt_id: i64,
    endpoint_id: i64,
    model: Option<String>,
    request_message: String,
    response_message: Option<String>,
    success: Option<i64>,
    latency_ms: Option<f64>,
    error: Option<String>,
    created_at: Option<String>,
}

impl Raw {
    /// Every stored field, the two JSON columns read as JSON: one line of
    /// a JSONL export.
    fn record(&self) -> Value {
        let json = |s: Option<&str>| {
            s.and_then(|s| serde_json::from_str::<Value>(s).ok())
                .unwrap_or(Value::Null)
        };
        serde_json::json!({
            "id": self.id,
            "prompt_id": self.prompt_id,
            "endpoint_id": self.endpoint_id,
            "model": self.model,
            "request_message": json(Some(&self.request_message)),
            "response_message": json(self.response_message.as_deref()),
            "success": self.success.unwrap_or(0) != 0,
            "latency_ms": self.latency_ms,
            "error": self.error,
            "created_at": self.created_at,
        })
    }

    fn row(&self) -> ResultRow {
        let req: Value = serde_json::from_str(&self.request_message).unwrap_or_default();
        let res: Value = self
            .response_message
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok())
            .unwrap_or_default();
        // A simulated request's row names the endpoint that served it in its
        // response (the column holds a stand-in when none did); other rows
        // (model checks) went straight to the column's endpoint.
        let endpoint_id = if req.get("record_id").is_some() {
            res["endpoint_id"].as_i64()
        } else {
            Some(self.endpoint_id)
        };
        ResultRow {
            id: self.id,
            run_id: req["run_id"].as_str().map(str::to_owned),
            seq: req["seq"].as_u64(),
            user: req["user"].as_str().map(str::to_owned),
            model: self.model.clone(),
            endpoint_id,
            success: self.success.unwrap_or(0) != 0,
            status: res["status"].as_u64().map(|s| s as u16),
            latency_ms: self.latency_ms,
            ttft_ms: res["ttft_ms"].as_f64(),
            queue_ms: res["queue_ms"].as_f64(),
            error_kind: res["error_kind"].as_str().map(str::to_owned),
            error: self.error.clone(),
            created_at: self.created_at.clone(),
            attempts: res["attempts"].as_u64().map(|n| n as u32),
            failed_attempts: res["failed_attempts"].as_str().map(str::to_owned),
            ttfb_ms: res["ttfb_ms"].as_f64(),
            output_tokens: res["output_tokens"].as_u64(),
            output_tokens_estimated: res["output_tokens_estimated"].as_bool(),
            tpot_ms: res["tpot_ms"].as_f64(),
            itl_ms: res["itl_ms"]
                .as_array()
                .map(|gaps| gaps.iter().filter_map(Value::as_f64).collect()),
        }
    }
}

const COLUMNS: &str = "id, prompt_id, endpoint_id, model, request_message, response_message, success, latency_ms, error, created_at";
/// Each filter's test on its parameter `?1`–`?7` (see [`Filter::condition`]).
const TESTS: [&str; 7] = [
    "json_extract(request_message, '$.run_id') = ?1",
    "COALESCE(success, 0) = ?2",
    "(request_message LIKE ?3 ESCAPE '\\' OR response_message LIKE ?3 ESCAPE '\\')",
    "json_extract(response_message, '$.error_kind') = ?4",
    "(json_extract(response_message, '$.endpoint_id') = ?5 \
     OR (json_extract(request_message, '$.record_id') IS NULL AND endpoint_id = ?5))",
    "model = ?6",
    "json_extract(request_message, '$.user') = ?7",
];

/// The values of [`TESTS`]' `?1`–`?7`, read from a query's filters
/// (blank text is no filter; `text` becomes an escaped `LIKE` pattern).
#[derive(Clone, Debug, Default)]
pub struct Filter {
    run_id: Option<String>,
    success: Option<i64>,
    text: Option<String>,
    error_kind: Option<String>,
    endpoint_id: Option<i64>,
    model: Option<String>,
    user: Option<String>,
}

impl Filter {
    pub fn of(q: &ResultQuery) -> Filter {
        let owned = |v: &Option<String>| some_text(v).map(str::to_owned);
        Filter {
            run_id: q.run_id.clone(),
            success: q.success.map(i64::from),
            text: crate::storage::contains_pattern(q.text.as_deref()),
            error_kind: owned(&q.error_kind),
            endpoint_id: q.endpoint_id,
            model: owned(&q.model),
            user: owned(&q.user),
        }
    }

    /// The `WHERE` condition: the test of each filter that is set, and
    /// `?N IS NULL` (constant, true) for the others, so the numbering holds
    /// and SQLite can use an index for the tests that are there.
    pub fn condition(&self) -> String {
        let set = [
            self.run_id.is_some(),
            self.success.is_some(),
            self.text.is_some(),
            self.error_kind.is_some(),
            self.endpoint_id.is_some(),
            self.model.is_some(),
            self.user.is_some(),
        ];
        TESTS
            .iter()
            .zip(set)
            .enumerate()
            .map(|(i, (test, on))| match on {
                true => (*test).to_owned(),
                false => format!("?{} IS NULL", i + 1),
            })
            .collect::<Vec<_>>()
            .join(" AND ")
    }
}

/// Binds a [`Filter`] to `?1`–`?7` of a query built on its [`Filter::condition`].
macro_rules! bind_filter {
    ($query:expr, $f:expr) => {
        $query
            .bind($f.run_id.clone())
            .bind($f.success)
            .bind($f.text.clone())
            .bind($f.error_kind.clone())
            .bind($f.endpoint_id)
            .bind($f.model.clone())
            .bind($f.user.clone())
    };
}
use bind_filter;

/// Timings kept inside each row's JSON, and the expression that reads one.
/// Only a number is a figure: anything else (text, `true`) counts as none,
/// in the kept orders and in SQLite's sort alike.
macro_rules! number_at {
    ($key:literal) => {
        concat!(
            "IIF(json_type(response_message, '$.",
            $key,
            "') IN ('integer', 'real'), ",
            "json_extract(response_message, '$.",
            $key,
            "'), NULL)"
        )
    };
}
const FIGURES: [(&str, &str); 4] = [
    ("ttft_ms", number_at!("ttft_ms")),
    ("ttfb_ms", number_at!("ttfb_ms")),
    ("queue_ms", number_at!("queue_ms")),
    ("tpot_ms", number_at!("tpot_ms")),
];

/// The expression of the JSON timing `q` sorts by, if it sorts by one
/// (no index: its order is kept in [`Orders`]).
fn json_figure(q: &ResultQuery) -> Option<&'static str> {
    let key = q.sort.as_deref()?;
    FIGURES.iter().find(|(k, _)| *k == key).map(|(_, e)| *e)
}

/// What a page may be sorted by, and the expression that sorts it.
fn sort_by(q: &ResultQuery) -> Result<String, AppError> {
    let key = q.sort.as_deref().unwrap_or("id");
    let expr = match (key, json_figure(q)) {
        ("id", _) => "id",
        ("latency_ms", _) => "latency_ms",
        (_, Some(figure)) => figure,
        (other, None) => {
            return Err(AppError::field(
                "sort",
                super::msg::SimMsg::SortKey {
                    got: other.to_owned(),
                },
            ))
        }
    };
    let order = if q.ascending { "ASC" } else { "DESC" };
    if expr == "id" {
        // Plain, so SQLite walks an index instead of sorting every row.
        return Ok(format!("id {order}"));
    }
    // Rows without the figure go last either way (SQLite puts NULL first
    // going up, last going down). Written this way, a run's latency order
    // is read straight from its index.
    Ok(if q.ascending {
        format!("{expr} ASC NULLS LAST, id ASC")
    } else {
        format!("{expr} DESC, id DESC")
    })
}

/// `(order, limit, offset)` of a page's ids. A page in the far half of an
/// id-ordered list is read from the other end (the last page of a million
/// rows skips none, instead of all before it); the outer query puts the
/// rows back in order.
fn window(order: &str, total: i64, page: u32, per_page: u32) -> (String, i64, i64) {
    let (per_page, offset) = (
        i64::from(per_page),
        i64::from(page - 1) * i64::from(per_page),
    );
    let flipped = match order {
        "id ASC" => "id DESC",
        "id DESC" => "id ASC",
        _ => return (order.to_owned(), per_page, offset),
    };
    if offset <= total / 2 || offset >= total {
        return (order.to_owned(), per_page, offset);
    }
    let rows = per_page.min(total - offset);
    (flipped.to_owned(), rows, total - offset - rows)
}

/// The ids of one page (`?8` rows after `?9`), in `order`.
fn page_ids(condition: &str, order: &str) -> String {
    format!("SELECT id FROM ai_prompt_tests WHERE {condition} ORDER BY {order} LIMIT ?8 OFFSET ?9")
}

fn some_text(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

pub async fn page(
    db: &SqlitePool,
    orders: &Orders,
    q: &ResultQuery,
) -> Result<ResultPage, AppError> {
    let page = q.page.unwrap_or(1).max(1);
    let per_page = q.per_page.unwrap_or(50).clamp(1, 500);
    let order = sort_by(q)?;
    let filter = Filter::of(q);
    let condition = filter.condition();
    // Sorted by a JSON figure, the highest id too: with the count (read in
    // one statement, so they agree) it says whether a kept order still
    // holds. Each its own subquery: SQLite answers `MAX(id)` alone from the
    // end of an index, and `COUNT(*)` alone from its smallest index.
    let figure = json_figure(q);
    let (total, last): (i64, Option<i64>) = bind_filter!(
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT (SELECT COUNT(*) FROM ai_prompt_tests WHERE {condition}), {}",
            if figure.is_some() {
                format!("(SELECT MAX(id) FROM ai_prompt_tests WHERE {condition})")
            } else {
                "NULL".to_owned()
            }
        ))),
        filter
    )
    .fetch_one(db)
    .await?;
    let (inner, limit, skip) = window(&order, total, page, per_page);
    let rows: Vec<Raw> = if let Some(figure) = figure.filter(|_| orders::keeps(total)) {
        let ids = orders::slice(
            orders,
            db,
            (&filter, (total, last)),
            (figure, q.ascending),
            (skip, limit),
        )
        .await?;
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM ai_prompt_tests \
             WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY {order}"
        )))
        .bind(serde_json::to_string(&ids).unwrap_or_default())
        .fetch_all(db)
        .await?
    } else {
        bind_filter!(
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM ai_prompt_tests WHERE id IN ({}) ORDER BY {order}",
                page_ids(&condition, &inner)
            ))),
            filter
        )
        .bind(limit)
        .bind(skip)
        .fetch_all(db)
        .await?
    };
    Ok(ResultPage {
        // Up to ITL_STORED_MAX gaps a row: exports carry them, a page does not.
        items: rows
            .iter()
            .map(|r| ResultRow {
                itl_ms: None,
                ..r.row()
            })
            .collect(),
        total,
        page,
        per_page,
    })
}

/// One result with what was asked and answered.
pub async fn detail(db: &SqlitePool, id: i64) -> Result<ResultDetail, AppError> {
    let raw: Raw = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM ai_prompt_tests WHERE id = ?1"
    )))
    .bind(id)
    .fetch_optional(db)
    .await?
    .ok_or_else(|| AppError::NotFound(super::msg::SimMsg::NoResult { id }.into()))?;
    let req: Value = serde_json::from_str(&raw.request_message).unwrap_or_default();
    let res: Value = raw
        .response_message
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or_default();
    Ok(ResultDetail {
        row: raw.row(),
        messages: req["messages"].clone(),
        params: req["params"].clone(),
        scope: req["scope"].clone(),
        reply: res["content"].as_str().unwrap_or_default().to_owned(),
        usage: res["usage"].clone(),
    })
}

/// Which rows an export holds.
#[derive(Clone, Debug)]
pub enum ExportOf {
    /// A run's rows.
    Run(String),
    /// The chat and load-test rows that refer to an endpoint (model checks
    /// aside): what deleting it with its results would delete.
    Endpoint(i64),
    /// The rows the results table shows for these filters, across runs.
    Filter(Filter),
}

impl ExportOf {
    /// Up to 1000 rows after id `after`, by id.
    async fn rows_after(&self, db: &SqlitePool, after: i64) -> Result<Vec<Raw>, sqlx::Error> {
        const PAGE: &str = "ORDER BY id LIMIT 1000";
        let (condition, param) = match self {
            ExportOf::Filter(filter) => {
                let condition = filter.condition();
                return bind_filter!(
                    sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "SELECT {COLUMNS} FROM ai_prompt_tests WHERE {condition} AND id > ?8 {PAGE}"
                    ))),
                    filter
                )
                .bind(after)
                .fetch_all(db)
                .await
            }
            ExportOf::Run(run) => ("json_extract(request_message, '$.run_id') = ?2", run.clone()),
            ExportOf::Endpoint(id) => (
                "endpoint_id = CAST(?2 AS INTEGER) AND prompt_id NOT IN (SELECT id FROM ai_prompts WHERE category = 'model_check')",
                id.to_string(),
            ),
        };
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM ai_prompt_tests WHERE id > ?1 AND {condition} {PAGE}"
        )))
        .bind(after)
        .bind(param)
        .fetch_all(db)
        .await
    }
}

/// Whether any result row belongs to run `run`: the rows are the run, its
/// summary file only a cache of them.
pub async fn run_has_rows(db: &SqlitePool, run: &str) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM ai_prompt_tests WHERE json_extract(request_message, '$.run_id') = ?1)",
    )
    .bind(run)
    .fetch_one(db)
    .await?)
}

/// How an export is written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    /// One JSON array of the rows as the page shows them.
    Json,
    /// One raw record a line: every stored field, reply included.
    Jsonl,
}

/// The rows, 1000 at a time by id, as a stream of encoded chunks.
pub fn export(db: SqlitePool, of: ExportOf, format: ExportFormat) -> Body {
    let csv = format == ExportFormat::Csv;
    let head = match format {
        ExportFormat::Csv => csv_line(&CSV_HEADER.map(str::to_owned)),
        ExportFormat::Json => b"[".to_vec(),
        ExportFormat::Jsonl => Vec::new(),
    };
    let pages = futures::stream::unfold((0i64, true), move |(after, first)| {
        let (db, of) = (db.clone(), of.clone());
        async move {
            let rows: Vec<Raw> = match of.rows_after(&db, after).await {
                Ok(r) => r,
                Err(e) => return Some((Err(std::io::Error::other(e)), (i64::MAX, first))),
            };
            let last = rows.last()?.id;
            let mut out = Vec::new();
            for (i, raw) in rows.iter().enumerate() {
                if format == ExportFormat::Jsonl {
                    out.extend(serde_json::to_vec(&raw.record()).unwrap_or_default());
                    out.push(b'\n');
                    continue;
                }
                let r = raw.row();
                if csv {
                    out.extend(csv_line(&csv_fields(&r)));
                } else {
                    if !(first && i == 0) {
                        out.push(b',');
                    }
                    out.extend(serde_json::to_vec(&r).unwrap_or_default());
                }
            }
            Some((Ok(out), (last, false)))
        }
    });
    let tail = if format == ExportFormat::Json {
        b"]".to_vec()
    } else {
        Vec::new()
    };
    let stream = futures::stream::once(async move { Ok::<_, std::io::Error>(head) })
        .chain(pages)
        .chain(futures::stream::once(async move { Ok(tail) }));
    Body::from_stream(stream)
}

#[cfg(test)]
mod tests;
