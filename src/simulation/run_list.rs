//! The runs table's query: the runs the server knows, filtered, ordered and
//! cut into pages on the server, so the browser gets only what it shows.

use serde::{Deserialize, Serialize};

use super::types::{RunSnapshot, RunStatus};
use crate::error::AppError;

/// What the runs table sorts by.
pub const SORT_KEYS: &str = "started_at, done, rps, p95";

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct RunQuery {
    /// Part of the run id, its model or its scope.
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub status: Option<RunStatus>,
    /// One of [`SORT_KEYS`]; without it the newest first.
    #[serde(default)]
    pub sort: Option<String>,
    #[serde(default)]
    pub ascending: bool,
    #[serde(default)]
    pub page: Option<u32>,
    #[serde(default)]
    pub per_page: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunPage {
    pub items: Vec<RunSnapshot>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

impl RunQuery {
    /// The error for a sort key the table does not know.
    pub fn unknown_sort(&self) -> AppError {
        AppError::field(
            "sort",
            super::msg::SimMsg::RunSortKey {
                got: self.sort.clone().unwrap_or_default(),
            },
        )
    }

    /// The page of `runs` this query asks for, or `None` for a sort key
    /// the table does not know.
    pub fn apply(&self, mut runs: Vec<RunSnapshot>) -> Option<RunPage> {
        let key = self.sort.as_deref().map(str::trim).unwrap_or("");
        let figure: fn(&RunSnapshot) -> f64 = match key {
            "" | "started_at" => |_| 0.0,
            "done" => |r| r.done as f64,
            "rps" => |r| r.rps,
            "p95" => |r| r.latency_ms.p95,
            _ => return None,
        };
        let needle = self.q.as_deref().unwrap_or("").trim().to_lowercase();
        runs.retain(|r| {
            self.status.is_none_or(|s| r.status == s)
                && (needle.is_empty() || haystack(r).contains(&needle))
        });
        runs.sort_by(|a, b| {
            figure(a)
                .total_cmp(&figure(b))
                .then_with(|| a.started_at.cmp(&b.started_at))
                .then_with(|| a.id.cmp(&b.id))
        });
        // Descending unless asked otherwise, and by default (newest first).
        if !self.ascending || key.is_empty() {
            runs.reverse();
        }
        let page = self.page.unwrap_or(1).max(1);
        let per_page = self.per_page.unwrap_or(20).clamp(1, 200);
        let total = runs.len() as i64;
        let items = runs
            .into_iter()
            .skip((page as usize - 1) * per_page as usize)
            .take(per_page as usize)
            .collect();
        Some(RunPage {
            items,
            total,
            page,
            per_page,
        })
    }
}

/// What the filter looks in: the id, the model and the scope asked.
fn haystack(r: &RunSnapshot) -> String {
    let c = &r.config;
    [
        Some(r.id.as_str()),
        c.model.as_deref(),
        c.scope.tenant.as_deref(),
        c.scope.module.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
    .to_lowercase()
}
