//! Endpoint edits Supabase refused because it could not be reached are
//! kept (a JSON file under `storage/ai_runtime`, see
//! [`crate::storage::pending`]) for the admin to re-apply or discard;
//! nothing is applied meanwhile.

use serde_json::{json, Value};

use super::service::Catalog;
use super::types::{Endpoint, EndpointDraft};
use crate::error::AppError;

impl Catalog {
    /// Creates an endpoint; a write Supabase refused is kept.
    pub async fn create(&self, actor: &str, draft: EndpointDraft) -> Result<Endpoint, AppError> {
        let body = json!(draft);
        let done = self.write_create(actor, draft).await;
        self.keep_refused(&done, "endpoint.create", None, body, actor);
        done
    }

    /// Updates an endpoint; a write Supabase refused is kept.
    pub async fn update(
        &self,
        actor: &str,
        id: i64,
        draft: EndpointDraft,
    ) -> Result<Endpoint, AppError> {
        let body = json!(draft);
        let done = self.write_update(actor, id, draft).await;
        self.keep_refused(&done, "endpoint.update", Some(id), body, actor);
        done
    }

    /// Makes endpoint `id` the global default; a switch Supabase refused is kept.
    pub async fn set_default(&self, actor: &str, id: i64) -> Result<Endpoint, AppError> {
        let done = self.write_set_default(actor, id).await;
        self.keep_refused(&done, "endpoint.default", Some(id), json!({}), actor);
        done
    }

    /// Deletes endpoint `id` (and its results when asked); a delete
    /// Supabase refused is kept.
    pub async fn delete(&self, actor: &str, id: i64, with_results: bool) -> Result<(), AppError> {
        let done = self.write_delete(actor, id, with_results).await;
        let body = json!({ "with_results": with_results });
        self.keep_refused(&done, "endpoint.delete", Some(id), body, actor);
        done
    }

    /// Keeps `body` when `done` is Supabase's refusal (503). The key the
    /// body may hold stays in the private file: never in a log line.
    pub fn keep_refused<T>(
        &self,
        done: &Result<T, AppError>,
        kind: &str,
        target: Option<i64>,
        body: Value,
        actor: &str,
    ) {
        let (Err(e @ AppError::Unavailable(_)), Some(pending)) = (done, &self.pending) else {
            return;
        };
        if self.supabase.is_none() {
            return;
        }
        match pending.keep(kind, target, body, &e.message(), actor) {
            Ok(kept) => {
                tracing::warn!(id = %kept.id, kind, "a write Supabase refused is kept for the admin");
                self.audit.record(
                    actor,
                    "pending.keep",
                    json!({ "id": kept.id, "kind": kind, "target": target }),
                );
            }
            Err(io) => tracing::error!(error = %io, kind, "could not keep a refused write"),
        }
    }
}
