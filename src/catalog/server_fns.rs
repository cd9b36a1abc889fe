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

/// Gives a failed call its proper HTTP status (422, 404, 409, 503…) rather
/// than a blanket 500.
#[cfg(feature = "ssr")]
fn finish<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let (Err(e), Some(res)) = (&result, use_context::<leptos_axum::ResponseOptions>()) {
        res.set_status(crate::error::ApiError::from(e.clone()).status);
    }
    result
}

#[server(prefix = "/api/catalog", endpoint = "list", input = leptos::server_fn::codec::Json)]
pub async fn list_endpoints(query: ListQuery) -> Result<EndpointPage, AppError> {
    finish(
        async move {
            let (_, s) = ctx()?;
            s.catalog.list(&query).await
        }
        .await,
    )
}

#[server(prefix = "/api/catalog", endpoint = "create", input = leptos::server_fn::codec::Json)]
pub async fn create_endpoint(draft: EndpointDraft) -> Result<Endpoint, AppError> {
    finish(
        async move {
            let (who, s) = ctx()?;
            s.catalog.create(&who, draft).await
        }
        .await,
    )
}

#[server(prefix = "/api/catalog", endpoint = "update", input = leptos::server_fn::codec::Json)]
pub async fn update_endpoint(id: i64, draft: EndpointDraft) -> Result<Endpoint, AppError> {
    finish(
        async move {
            let (who, s) = ctx()?;
            s.catalog.update(&who, id, draft).await
        }
        .await,
    )
}

#[server(prefix = "/api/catalog", endpoint = "delete", input = leptos::server_fn::codec::Json)]
pub async fn delete_endpoint(id: i64) -> Result<(), AppError> {
    finish(
        async move {
            let (who, s) = ctx()?;
            s.catalog.delete(&who, id).await
        }
        .await,
    )
}

#[server(prefix = "/api/catalog", endpoint = "set_default", input = leptos::server_fn::codec::Json)]
pub async fn set_default_endpoint(id: i64) -> Result<Endpoint, AppError> {
    finish(
        async move {
            let (who, s) = ctx()?;
            s.catalog.set_default(&who, id).await
        }
        .await,
    )
}

#[server(prefix = "/api/catalog", endpoint = "default_preview", input = leptos::server_fn::codec::Json)]
pub async fn preview_default_switch(id: i64) -> Result<DefaultSwitchPreview, AppError> {
    finish(
        async move {
            let (_, s) = ctx()?;
            s.catalog.default_switch_preview(id).await
        }
        .await,
    )
}

#[server(prefix = "/api/catalog", endpoint = "set_active", input = leptos::server_fn::codec::Json)]
pub async fn set_endpoint_active(id: i64, active: bool) -> Result<Endpoint, AppError> {
    finish(
        async move {
            let (who, s) = ctx()?;
            s.catalog.set_active(&who, id, active).await
        }
        .await,
    )
}

#[server(prefix = "/api/catalog", endpoint = "set_models", input = leptos::server_fn::codec::Json)]
pub async fn set_endpoint_models(id: i64, models: Vec<String>) -> Result<Endpoint, AppError> {
    finish(
        async move {
            let (who, s) = ctx()?;
            s.catalog.set_models(&who, id, models).await
        }
        .await,
    )
}

#[server(prefix = "/api/catalog", endpoint = "fetch_models", input = leptos::server_fn::codec::Json)]
pub async fn fetch_endpoint_models(id: i64) -> Result<ModelDiff, AppError> {
    finish(
        async move {
            let (_, s) = ctx()?;
            s.catalog.fetch_upstream_models(id).await
        }
        .await,
    )
}

#[server(prefix = "/api/catalog", endpoint = "check", input = leptos::server_fn::codec::Json)]
pub async fn check_endpoint(id: i64) -> Result<Endpoint, AppError> {
    finish(
        async move {
            let (_, s) = ctx()?;
            s.monitor.check_one(id).await?;
            s.catalog.get(id).await
        }
        .await,
    )
}

#[server(prefix = "/api/catalog", endpoint = "check_all", input = leptos::server_fn::codec::Json)]
pub async fn check_all_endpoints() -> Result<usize, AppError> {
    finish(
        async move {
            let (_, s) = ctx()?;
            Ok(s.monitor.check_all().await?.len())
        }
        .await,
    )
}

#[server(prefix = "/api/catalog", endpoint = "sync", input = leptos::server_fn::codec::Json)]
pub async fn sync_catalog() -> Result<SyncReport, AppError> {
    finish(
        async move {
            let (who, s) = ctx()?;
            s.catalog.sync(&who).await
        }
        .await,
    )
}

/// Whether Supabase is configured, so the page can show or hide sync.
#[server(prefix = "/api/catalog", endpoint = "authority", input = leptos::server_fn::codec::Json)]
pub async fn supabase_configured() -> Result<bool, AppError> {
    finish(
        async move {
            let (_, s) = ctx()?;
            Ok(s.catalog.supabase.is_some())
        }
        .await,
    )
}
