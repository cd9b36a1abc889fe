//! Model checks: one tiny chat to every model of an endpoint, straight to
//! the upstream (a cheap `/models` probe cannot tell that a listed model
//! answers). Each answer is kept as an `ai_prompt_tests` row under a
//! built-in prompt, so the last result per model — and the history — stay.
//! The rows go through the results' one batched writer ([`CheckRows`](super::check_rows::CheckRows)), so
//! a busy SQLite sends them to the same JSON fallback as every other row.

use futures::StreamExt;
use serde_json::json;

use super::check_rows::CheckRow;
use super::msg::CatalogMsg;
use super::repo::{builtin_prompt, now};
use super::service::Catalog;
use super::types::ModelCheck;
use crate::error::AppError;
use crate::upstream::{chat_probe, CHECK_MESSAGE};

/// The built-in prompt model checks are filed under.
pub const CHECK_PROMPT: &str = "Model Suite · model check";
/// Checks in flight at once for one endpoint.
const PARALLEL: usize = 4;

#[derive(sqlx::FromRow)]
struct LastCheck {
    id: i64,
    model: String,
    success: i64,
    latency_ms: Option<f64>,
    error: Option<String>,
    created_at: Option<String>,
}

impl Catalog {
    /// Checks every model of endpoint `id` now; results in `model_list` order.
    pub async fn check_models(&self, actor: &str, id: i64) -> Result<Vec<ModelCheck>, AppError> {
        let row = self.row(id).await?;
        let models = row.models();
        if models.is_empty() {
            return Err(AppError::Conflict(CatalogMsg::NoModelsToCheck.into()));
        }
        let prompt = builtin_prompt(
            &self.db,
            CHECK_PROMPT,
            "model_check",
            CHECK_MESSAGE,
            "Rows of per-model chat checks from the catalog",
        )
        .await?;
        let target = row.target();
        let probes = futures::stream::iter(models.iter().cloned())
            .map(|m| {
                let (http, target) = (&self.http, &target);
                async move {
                    let p = chat_probe(http, target, &m).await;
                    (m, p)
                }
            })
            .buffered(PARALLEL)
            .collect::<Vec<_>>()
            .await;
        let at = now();
        let rows: Vec<CheckRow> = probes
            .into_iter()
            .map(|(model, p)| CheckRow {
                prompt_id: prompt,
                endpoint_id: id,
                model,
                status: p.status,
                reply: p.reply,
                latency_ms: p.latency_ms,
                error: p.error,
                created_at: at.clone(),
            })
            .collect();
        let ids = self.check_rows.store(rows.clone()).await;
        let checks: Vec<ModelCheck> = rows
            .into_iter()
            .zip(ids)
            .map(|(r, row_id)| ModelCheck {
                ok: r.error.is_none(),
                latency_ms: Some(r.latency_ms),
                error: r.error,
                checked_at: Some(r.created_at),
                row_id,
                model: r.model,
            })
            .collect();
        let failed: Vec<&str> = checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| c.model.as_str())
            .collect();
        self.audit.record(
            actor,
            "catalog.check_models",
            json!({ "id": id, "checked": checks.len(), "failed": failed }),
        );
        Ok(checks)
    }

    /// The last check of each of the endpoint's models (unchecked ones too).
    pub async fn model_checks(&self, id: i64) -> Result<Vec<ModelCheck>, AppError> {
        let row = self.row(id).await?;
        let last: Vec<LastCheck> = sqlx::query_as(
            "SELECT id, model, success, latency_ms, error, created_at FROM ai_prompt_tests
             WHERE id IN (SELECT MAX(t.id) FROM ai_prompt_tests t JOIN ai_prompts p ON p.id = t.prompt_id
                          WHERE t.endpoint_id = ?1 AND p.category = 'model_check' GROUP BY t.model)",
        )
        .bind(id)
        .fetch_all(&self.db)
        .await?;
        Ok(row
            .models()
            .into_iter()
            .map(|model| match last.iter().find(|l| l.model == model) {
                Some(l) => ModelCheck {
                    model,
                    ok: l.success != 0,
                    latency_ms: l.latency_ms,
                    error: l.error.clone(),
                    checked_at: l.created_at.clone(),
                    row_id: Some(l.id),
                },
                None => ModelCheck {
                    model,
                    ok: false,
                    latency_ms: None,
                    error: None,
                    checked_at: None,
                    row_id: None,
                },
            })
            .collect())
    }
}
