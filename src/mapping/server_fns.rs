//! Server functions behind the Mapping page.

use leptos::prelude::*;

use super::prompts::PromptChoice;
use super::types::{Mapping, MappingDraft, MappingQuery, ResolveRequest};
use crate::error::AppError;
use crate::i18n::Lang;

#[cfg(feature = "ssr")]
use super::service::MappingService;
#[cfg(feature = "ssr")]
use crate::auth::as_admin;
#[cfg(feature = "ssr")]
use crate::ui::fragment::render;
use crate::ui::fragment::Html;

/// A page of mappings as the table shows it.
#[server(prefix = "/api/mapping", endpoint = "table", input = leptos::server_fn::codec::Json)]
pub async fn mappings_html(query: MappingQuery, lang: Lang) -> Html {
    as_admin(async |_, mappings: MappingService| {
        let page = mappings.page(&query).await?;
        Ok(render(lang, || {
            super::panels_view::mappings(lang, page, &query)
        }))
    })
    .await
}

#[server(prefix = "/api/mapping", endpoint = "get", input = leptos::server_fn::codec::Json)]
pub async fn mapping_by_id(id: i64) -> Result<Mapping, AppError> {
    as_admin(async |_, mappings: MappingService| mappings.get(id).await).await
}

#[server(prefix = "/api/mapping", endpoint = "save", input = leptos::server_fn::codec::Json)]
pub async fn save_mapping(id: Option<i64>, draft: MappingDraft) -> Result<Mapping, AppError> {
    as_admin(async |who, mappings: MappingService| match id {
        Some(id) => mappings.update(&who, id, draft).await,
        None => mappings.create(&who, draft).await,
    })
    .await
}

#[server(prefix = "/api/mapping", endpoint = "set_active", input = leptos::server_fn::codec::Json)]
pub async fn set_mapping_active(id: i64, active: bool) -> Result<Mapping, AppError> {
    as_admin(async |who, mappings: MappingService| mappings.set_active(&who, id, active).await)
        .await
}

#[server(prefix = "/api/mapping", endpoint = "delete", input = leptos::server_fn::codec::Json)]
pub async fn delete_mapping(id: i64) -> Result<(), AppError> {
    as_admin(async |who, mappings: MappingService| mappings.delete(&who, id).await).await
}

#[server(prefix = "/api/mapping", endpoint = "resolve", input = leptos::server_fn::codec::Json)]
pub async fn resolve_route(request: ResolveRequest, lang: Lang) -> Html {
    as_admin(async |_, mappings: MappingService| {
        let answer = mappings.explain(&request).await?.in_words(lang);
        Ok(render(lang, || super::panels_view::answer(lang, answer)))
    })
    .await
}

/// Every model any endpoint serves, for the model picker.
#[server(prefix = "/api/mapping", endpoint = "known_models", input = leptos::server_fn::codec::Json)]
pub async fn known_models() -> Result<Vec<String>, AppError> {
    as_admin(async |_, mappings: MappingService| {
        Ok(crate::catalog::lookups::known_models(&mappings.catalog().db).await?)
    })
    .await
}

/// The prompts a `prompt:<id>` scope can name, for the prompt picker.
#[server(prefix = "/api/mapping", endpoint = "known_prompts", input = leptos::server_fn::codec::Json)]
pub async fn known_prompts() -> Result<Vec<PromptChoice>, AppError> {
    as_admin(async |_, mappings: MappingService| mappings.prompts().await).await
}

/// Catalog and mapping edits Supabase refused, kept for the admin.
#[server(prefix = "/api/mapping", endpoint = "pending", input = leptos::server_fn::codec::Json)]
pub async fn pending_html(lang: Lang) -> Html {
    as_admin(async |_, mappings: MappingService| {
        let items = mappings.pending_changes()?;
        Ok(render(lang, || super::panels_view::pending(lang, items)))
    })
    .await
}

/// Re-applies a kept edit (with the version it carried).
#[server(prefix = "/api/mapping", endpoint = "pending_apply", input = leptos::server_fn::codec::Json)]
pub async fn apply_pending_change(id: String) -> Result<(), AppError> {
    as_admin(async |who, mappings: MappingService| {
        mappings.apply_pending(&who, &id).await.map(|_| ())
    })
    .await
}

/// Drops a kept edit without applying it.
#[server(prefix = "/api/mapping", endpoint = "pending_discard", input = leptos::server_fn::codec::Json)]
pub async fn discard_pending_change(id: String) -> Result<(), AppError> {
    as_admin(async |who, mappings: MappingService| mappings.discard_pending(&who, &id)).await
}
