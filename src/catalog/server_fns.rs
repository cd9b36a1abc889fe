//! Server functions behind the Catalog page: thin shells over [`Catalog`]
//! (and the monitor), each checking the admin first.

use leptos::prelude::*;

use super::types::{
    DefaultSwitchPreview, Endpoint, EndpointDraft, EndpointPage, EndpointUsage, ListQuery,
    ModelCheck, ModelDiff, SyncReport,
};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use super::health::EndpointMonitor;
#[cfg(feature = "ssr")]
use super::service::Catalog;
#[cfg(feature = "ssr")]
use super::sync::FullSync;
#[cfg(feature = "ssr")]
use crate::auth::{as_admin, provided};

#[server(prefix = "/api/catalog", endpoint = "list", input = leptos::server_fn::codec::Json)]
pub async fn list_endpoints(query: ListQuery) -> Result<EndpointPage, AppError> {
    as_admin(async |_, catalog: Catalog| catalog.list(&query).await).await
}

#[server(prefix = "/api/catalog", endpoint = "create", input = leptos::server_fn::codec::Json)]
pub async fn create_endpoint(draft: EndpointDraft) -> Result<Endpoint, AppError> {
    as_admin(async |who, catalog: Catalog| catalog.create(&who, draft).await).await
}

#[server(prefix = "/api/catalog", endpoint = "update", input = leptos::server_fn::codec::Json)]
pub async fn update_endpoint(id: i64, draft: EndpointDraft) -> Result<Endpoint, AppError> {
    as_admin(async |who, catalog: Catalog| catalog.update(&who, id, draft).await).await
}

/// One endpoint as this console holds it now (after a refused edit, the
/// authority's current values).
#[server(prefix = "/api/catalog", endpoint = "get", input = leptos::server_fn::codec::Json)]
pub async fn load_endpoint(id: i64) -> Result<Endpoint, AppError> {
    as_admin(async |_, catalog: Catalog| catalog.get(id).await).await
}

/// Deletes the endpoint; `with_results` deletes the results that refer to
/// it too (otherwise they refuse the delete).
#[server(prefix = "/api/catalog", endpoint = "delete", input = leptos::server_fn::codec::Json)]
pub async fn delete_endpoint(id: i64, with_results: bool) -> Result<(), AppError> {
    as_admin(async |who, catalog: Catalog| catalog.delete(&who, id, with_results).await).await
}

/// What refers to the endpoint, asked before deleting it.
#[server(prefix = "/api/catalog", endpoint = "usage", input = leptos::server_fn::codec::Json)]
pub async fn load_endpoint_usage(id: i64) -> Result<EndpointUsage, AppError> {
    as_admin(async |_, catalog: Catalog| catalog.usage(id).await).await
}

#[server(prefix = "/api/catalog", endpoint = "set_default", input = leptos::server_fn::codec::Json)]
pub async fn set_default_endpoint(id: i64) -> Result<Endpoint, AppError> {
    as_admin(async |who, catalog: Catalog| catalog.set_default(&who, id).await).await
}

#[server(prefix = "/api/catalog", endpoint = "default_preview", input = leptos::server_fn::codec::Json)]
pub async fn preview_default_switch(id: i64) -> Result<DefaultSwitchPreview, AppError> {
    as_admin(async |_, catalog: Catalog| catalog.default_switch_preview(id).await).await
}

#[server(prefix = "/api/catalog", endpoint = "set_active", input = leptos::server_fn::codec::Json)]
pub async fn set_endpoint_active(id: i64, active: bool) -> Result<Endpoint, AppError> {
    as_admin(async |who, catalog: Catalog| catalog.set_active(&who, id, active).await).await
}

#[server(prefix = "/api/catalog", endpoint = "set_models", input = leptos::server_fn::codec::Json)]
pub async fn set_endpoint_models(id: i64, models: Vec<String>) -> Result<Endpoint, AppError> {
    as_admin(async |who, catalog: Catalog| catalog.set_models(&who, id, models).await).await
}

#[server(prefix = "/api/catalog", endpoint = "fetch_models", input = leptos::server_fn::codec::Json)]
pub async fn fetch_endpoint_models(id: i64) -> Result<ModelDiff, AppError> {
    as_admin(async |_, catalog: Catalog| catalog.fetch_upstream_models(id).await).await
}

#[server(prefix = "/api/catalog", endpoint = "check", input = leptos::server_fn::codec::Json)]
pub async fn check_endpoint(id: i64) -> Result<Endpoint, AppError> {
    as_admin(async |_, monitor: EndpointMonitor| {
        monitor.check_one(id).await?;
        provided::<Catalog>()?.get(id).await
    })
    .await
}

/// One tiny chat to every model of the endpoint; each answer is stored.
#[server(prefix = "/api/catalog", endpoint = "check_models", input = leptos::server_fn::codec::Json)]
pub async fn check_endpoint_models(id: i64) -> Result<Vec<ModelCheck>, AppError> {
    as_admin(async |who, catalog: Catalog| catalog.check_models(&who, id).await).await
}

/// The last stored check of each of the endpoint's models.
#[server(prefix = "/api/catalog", endpoint = "model_checks", input = leptos::server_fn::codec::Json)]
pub async fn endpoint_model_checks(id: i64) -> Result<Vec<ModelCheck>, AppError> {
    as_admin(async |_, catalog: Catalog| catalog.model_checks(id).await).await
}

#[server(prefix = "/api/catalog", endpoint = "check_all", input = leptos::server_fn::codec::Json)]
pub async fn check_all_endpoints() -> Result<usize, AppError> {
    as_admin(async |_, monitor: EndpointMonitor| Ok(monitor.check_all().await?.len())).await
}

#[server(prefix = "/api/catalog", endpoint = "sync", input = leptos::server_fn::codec::Json)]
pub async fn sync_catalog() -> Result<SyncReport, AppError> {
    as_admin(async |who, sync: FullSync| sync.run(&who).await).await
}

/// Whether Supabase is configured, so the page can show or hide sync.
#[server(prefix = "/api/catalog", endpoint = "authority", input = leptos::server_fn::codec::Json)]
pub async fn supabase_configured() -> Result<bool, AppError> {
    as_admin(async |_, catalog: Catalog| Ok(catalog.supabase.is_some())).await
}

/// A number that changes whenever what the catalog shows may have changed
/// (a write, a probe, traffic changing a status): pages poll it to follow
/// endpoint health live.
#[server(prefix = "/api/catalog", endpoint = "stamp", input = leptos::server_fn::codec::Json)]
pub async fn catalog_stamp() -> Result<u64, AppError> {
    as_admin(async |_, catalog: Catalog| Ok(catalog.epoch())).await
}
