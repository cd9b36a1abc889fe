//! Removing an endpoint: what refers to it first (the stored results, how
//! many of them were never routed, Supabase's rows), then the delete —
//! with its results when the admin chose that (after exporting them), in
//! Supabase first like every write. The default is never deleted.

use serde_json::json;

use super::msg::{CatalogMsg, Guarded};
use super::remote;
use super::repo;
use super::service::{default_guard, Catalog};
use super::types::EndpointUsage;
use crate::error::AppError;

impl Catalog {
    /// The results that refer to endpoint `id`, here and in Supabase.
    pub async fn usage(&self, id: i64) -> Result<EndpointUsage, AppError> {
        let row = self.row(id).await?;
        let mut conn = self.db.acquire().await?;
        let results = repo::result_count(&mut conn, id).await?;
        let not_routed = repo::not_routed_count(&mut conn, id).await?;
        drop(conn);
        let supabase_results = match (&self.supabase, row.supabase_id) {
            (Some(pg), Some(sid)) => match remote::result_count(pg, sid).await {
                Ok(n) => Some(n),
                Err(e) => {
                    tracing::warn!(error = %e, endpoint = id, "cannot count the endpoint's results in Supabase");
                    None
                }
            },
            _ => None,
        };
        Ok(EndpointUsage {
            results,
            not_routed,
            supabase_results,
        })
    }

    /// Deletes endpoint `id`. Results that refer to it refuse the delete
    /// (409 with their number) unless `with_results`: then they go with it,
    /// in Supabase and here.
    pub async fn write_delete(
        &self,
        actor: &str,
        id: i64,
        with_results: bool,
    ) -> Result<(), AppError> {
        let _guard = self.lock_writes().await;
        let before = self.row(id).await?;
        if before.default() {
            return Err(default_guard(&before, Guarded::Delete));
        }
        let mut conn = self.db.acquire().await?;
        let results = repo::result_count(&mut conn, id).await?;
        drop(conn);
        if results > 0 && !with_results {
            return Err(AppError::Conflict(
                CatalogMsg::HasResults {
                    name: before.name,
                    results,
                }
                .into(),
            ));
        }
        if let (Some(pg), Some(sid)) = (&self.supabase, before.supabase_id) {
            remote::delete(pg, sid, with_results).await?;
        }
        let mut tx = self.db.begin().await?;
        repo::delete(&mut tx, id, with_results).await?;
        tx.commit().await?;
        self.audit.record(
            actor,
            "endpoint.delete",
            json!({ "id": id, "before": before.view(), "after": null, "results_deleted": if with_results { results } else { 0 } }),
        );
        Ok(())
    }
}
