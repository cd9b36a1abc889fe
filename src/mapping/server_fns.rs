//! Server functions behind the Mapping page.

use leptos::prelude::*;

use super::types::{Mapping, MappingDraft, MappingView, ResolveOutcome, ResolveRequest};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::auth::with_admin as run;

#[server(prefix = "/api/mapping", endpoint = "list", input = leptos::server_fn::codec::Json)]
pub async fn list_mappings() -> Result<Vec<MappingView>, AppError> {
    run(async |_, s| s.mappings.list().await).await
}

#[server(prefix = "/api/mapping", endpoint = "save", input = leptos::server_fn::codec::Json)]
pub async fn save_mapping(id: Option<i64>, draft: MappingDraft) -> Result<Mapping, AppError> {
    run(async |who, s| match id {
        Some(id) => s.mappings.update(&who, id, draft).await,
        None => s.mappings.create(&who, draft).await,
    })
    .await
}

#[server(prefix = "/api/mapping", endpoint = "set_active", input = leptos::server_fn::codec::Json)]
pub async fn set_mapping_active(id: i64, active: bool) -> Result<Mapping, AppError> {
    run(async |who, s| s.mappings.set_active(&who, id, active).await).await
}

#[server(prefix = "/api/mapping", endpoint = "delete", input = leptos::server_fn::codec::Json)]
pub async fn delete_mapping(id: i64) -> Result<(), AppError> {
    run(async |who, s| s.mappings.delete(&who, id).await).await
}

#[server(prefix = "/api/mapping", endpoint = "resolve", input = leptos::server_fn::codec::Json)]
pub async fn resolve_route(request: ResolveRequest) -> Result<ResolveOutcome, AppError> {
    run(async |_, s| s.mappings.explain(&request).await).await
}

/// Every model any endpoint serves, for the model picker.
#[server(prefix = "/api/mapping", endpoint = "known_models", input = leptos::server_fn::codec::Json)]
pub async fn known_models() -> Result<Vec<String>, AppError> {
    run(async |_, s| {
        let mut all: Vec<String> = crate::catalog::repo::all(&s.catalog.db)
            .await?
            .iter()
            .flat_map(|e| e.models())
            .collect();
        all.sort();
        all.dedup();
        Ok(all)
    })
    .await
}
