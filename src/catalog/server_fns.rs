//! Server functions behind the Catalog page: thin shells over [`Catalog`]
//! (and the monitor), each checking the admin first.

use leptos::prelude::*;

use super::types::{
    DefaultSwitchPreview, Endpoint, EndpointDraft, EndpointPage, ListQuery, ModelDiff, SyncReport,
};
use crate::error::AppError;

#[cfg(feature = "ssr")]
fn ctx() -> Result<(String, crate::server::AppState), AppError> {
    let admin = crate::auth::require_admin()
        .map_err(|_| AppError::Unauthorized("admin sign-in required".into()))?;
    let state = use_context::<crate::server::AppState>()
        .ok_or_else(|| AppError::Internal("application state missing".into()))?;
    Ok((admin.sub, state))
}

#[server(prefix = "/api/catalog", endpoint = "list", input = leptos::server_fn::codec::Json)]
pub async fn list_endpoints(query: ListQuery) -> Result<EndpointPage, AppError> {
    let (_, s) = ctx()?;
    s.catalog.list(&query).await
}

#[server(prefix = "/api/catalog", endpoint = "create", input = leptos::server_fn::codec::Json)]
pub async fn create_endpoint(draft: EndpointDraft) -> Result<Endpoint, AppError> {
    let (who, s) = ctx()?;
    s.catalog.create(&who, draft).await
}

#[server(prefix = "/api/catalog", endpoint = "update", input = leptos::server_fn::codec::Json)]
pub async fn update_endpoint(id: i64, draft: EndpointDraft) -> Result<Endpoint, AppError> {
    let (who, s) = ctx()?;
    s.catalog.update(&who, id, draft).await
}

#[server(prefix = "/api/catalog", endpoint = "delete", input = leptos::server_fn::codec::Json)]
pub async fn delete_endpoint(id: i64) -> Result<(), AppError> {
    let (who, s) = ctx()?;
    s.catalog.delete(&who, id).await
}

#[server(prefix = "/api/catalog", endpoint = "set_default", input = leptos::server_fn::codec::Json)]
pub async fn set_default_endpoint(id: i64) -> Result<Endpoint, AppError> {
    let (who, s) = ctx()?;
    s.catalog.set_default(&who, id).await
}

#[server(prefix = "/api/catalog", endpoint = "default_preview", input = leptos::server_fn::codec::Json)]
pub async fn preview_default_switch(id: i64) -> Result<DefaultSwitchPreview, AppError> {
    let (_, s) = ctx()?;
    s.catalog.default_switch_preview(id).await
}

#[server(prefix = "/api/catalog", endpoint = "set_active", input = leptos::server_fn::codec::Json)]
pub async fn set_endpoint_active(id: i64, active: bool) -> Result<Endpoint, AppError> {
    let (who, s) = ctx()?;
    s.catalog.set_active(&who, id, active).await
}

#[server(prefix = "/api/catalog", endpoint = "set_models", input = leptos::server_fn::codec::Json)]
pub async fn set_endpoint_models(id: i64, models: Vec<String>) -> Result<Endpoint, AppError> {
    let (who, s) = ctx()?;
    s.catalog.set_models(&who, id, models).await
}

#[server(prefix = "/api/catalog", endpoint = "fetch_models", input = leptos::server_fn::codec::Json)]
pub async fn fetch_endpoint_models(id: i64) -> Result<ModelDiff, AppError> {
    let (_, s) = ctx()?;
    s.catalog.fetch_upstream_models(id).await
}

#[server(prefix = "/api/catalog", endpoint = "check", input = leptos::server_fn::codec::Json)]
pub async fn check_endpoint(id: i64) -> Result<Endpoint, AppError> {
    let (_, s) = ctx()?;
    s.monitor.check_one(id).await?;
    s.catalog.get(id).await
}

#[server(prefix = "/api/catalog", endpoint = "check_all", input = leptos::server_fn::codec::Json)]
pub async fn check_all_endpoints() -> Result<usize, AppError> {
    let (_, s) = ctx()?;
    Ok(s.monitor.check_all().await?.len())
}

#[server(prefix = "/api/catalog", endpoint = "sync", input = leptos::server_fn::codec::Json)]
pub async fn sync_catalog() -> Result<SyncReport, AppError> {
    let (who, s) = ctx()?;
    s.catalog.sync(&who).await
}

/// Whether Supabase is configured, so the page can show or hide sync.
#[server(prefix = "/api/catalog", endpoint = "authority", input = leptos::server_fn::codec::Json)]
pub async fn supabase_configured() -> Result<bool, AppError> {
    let (_, s) = ctx()?;
    Ok(s.catalog.supabase.is_some())
}
