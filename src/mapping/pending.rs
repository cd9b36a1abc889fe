//! Catalog and mapping edits Supabase refused, as the admin sees them:
//! listed (keys never shown), re-applied through the same version check as
//! any edit — the file goes only once the write is in — or discarded.

use serde_json::{json, Value};

use super::msg::MappingMsg;
use super::service::MappingService;
use super::types::{MappingDraft, PendingChange};
use crate::catalog::types::EndpointDraft;
use crate::error::AppError;
use crate::storage::pending::{PendingWrite, PendingWrites};

fn view(w: PendingWrite) -> PendingChange {
    let mut body = w.body;
    let has_api_key = body
        .get("api_key")
        .and_then(Value::as_str)
        .is_some_and(|k| !k.is_empty());
    if let Some(map) = body.as_object_mut() {
        map.remove("api_key");
    }
    PendingChange {
        id: w.id,
        kind: w.kind,
        target: w.target,
        body,
        has_api_key,
        refused_at: w.refused_at,
        reason: w.reason,
        actor: w.actor,
    }
}

fn parse<T: serde::de::DeserializeOwned>(w: &PendingWrite) -> Result<T, AppError> {
    serde_json::from_value(w.body.clone())
        .map_err(|e| AppError::internal(format!("pending write {}: {e}", w.id)))
}

impl MappingService {
    /// Creates a mapping; a write Supabase refused is kept.
    pub async fn create(
        &self,
        actor: &str,
        draft: MappingDraft,
    ) -> Result<super::types::Mapping, AppError> {
        let body = json!(draft);
        let done = self.write_create(actor, draft).await;
        self.catalog()
            .keep_refused(&done, "mapping.create", None, body, actor);
        done
    }

    /// Updates a mapping; a write Supabase refused is kept.
    pub async fn update(
        &self,
        actor: &str,
        id: i64,
        draft: MappingDraft,
    ) -> Result<super::types::Mapping, AppError> {
        let body = json!(draft);
        let done = self.write_update(actor, id, draft).await;
        self.catalog()
            .keep_refused(&done, "mapping.update", Some(id), body, actor);
        done
    }

    /// Deletes a mapping; a delete Supabase refused is kept.
    pub async fn delete(&self, actor: &str, id: i64) -> Result<(), AppError> {
        let done = self.write_delete(actor, id).await;
        self.catalog()
            .keep_refused(&done, "mapping.delete", Some(id), json!({}), actor);
        done
    }

    fn pending(&self) -> Result<&PendingWrites, AppError> {
        self.catalog()
            .pending
            .as_ref()
            .ok_or_else(|| AppError::NotFound(MappingMsg::PendingMissing { id: "-".into() }.into()))
    }

    /// The kept writes, oldest first.
    pub fn pending_changes(&self) -> Result<Vec<PendingChange>, AppError> {
        let Some(pending) = &self.catalog().pending else {
            return Ok(Vec::new());
        };
        Ok(pending
            .list()
            .map_err(AppError::internal)?
            .into_iter()
            .map(view)
            .collect())
    }

    fn kept(&self, id: &str) -> Result<PendingWrite, AppError> {
        self.pending()?
            .get(id)
            .map_err(AppError::internal)?
            .ok_or_else(|| AppError::NotFound(MappingMsg::PendingMissing { id: id.into() }.into()))
    }

    /// Re-applies a kept write as the admin `actor`, with the version it
    /// carried; the file is removed only once the write is in. Answers
    /// what was saved.
    pub async fn apply_pending(&self, actor: &str, id: &str) -> Result<Value, AppError> {
        let w = self.kept(id)?;
        let target = || {
            w.target
                .ok_or_else(|| AppError::internal(format!("pending write {id}: no target")))
        };
        let catalog = self.catalog();
        let saved = match w.kind.as_str() {
            "endpoint.create" => json!(
                catalog
                    .write_create(actor, parse::<EndpointDraft>(&w)?)
                    .await?
            ),
            "endpoint.update" => {
                json!(
                    catalog
                        .write_update(actor, target()?, parse::<EndpointDraft>(&w)?)
                        .await?
                )
            }
            "mapping.create" => json!(self.write_create(actor, parse::<MappingDraft>(&w)?).await?),
            "mapping.update" => {
                json!(
                    self.write_update(actor, target()?, parse::<MappingDraft>(&w)?)
                        .await?
                )
            }
            "endpoint.default" => json!(catalog.write_set_default(actor, target()?).await?),
            "endpoint.delete" => {
                let with_results = w.body["with_results"].as_bool().unwrap_or(false);
                catalog.write_delete(actor, target()?, with_results).await?;
                json!({ "deleted": target()? })
            }
            "mapping.delete" => {
                self.write_delete(actor, target()?).await?;
                json!({ "deleted": target()? })
            }
            other => {
                return Err(AppError::internal(format!(
                    "pending write {id}: unknown kind {other}"
                )))
            }
        };
        self.pending()?.remove(id).map_err(AppError::internal)?;
        catalog.audit.record(
            actor,
            "pending.apply",
            json!({ "id": id, "kind": w.kind, "target": w.target }),
        );
        Ok(saved)
    }

    /// Drops a kept write without applying it.
    pub fn discard_pending(&self, actor: &str, id: &str) -> Result<(), AppError> {
        let w = self.kept(id)?;
        self.pending()?.remove(id).map_err(AppError::internal)?;
        self.catalog().audit.record(
            actor,
            "pending.discard",
            json!({ "id": id, "kind": w.kind, "target": w.target }),
        );
        Ok(())
    }
}
