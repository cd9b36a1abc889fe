//! The mapping JSON routes under `/api/v1/llm/mappings`, and the resolver
//! at `/api/v1/llm/resolve`. Each route carries its OpenAPI description;
//! [`MappingApi`] collects them.

use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Extension, Router};

use super::chat::ChatGateway;
use super::service::MappingService;
use super::types::{
    Mapping, MappingDraft, MappingQuery, MappingView, PendingChange, ResolveAnswer, ResolveRequest,
};
use crate::auth::jwt::Claims;
use crate::catalog::api::ActiveBody;
use crate::error::extract::{Counted, Json, Path, Query};
use crate::error::{ApiErrorResponse, AppError};
use crate::i18n::Lang;

type ApiResult<T> = Result<Json<T>, AppError>;

/// The mapping routes and the chat API in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_mappings,
    create_mapping,
    read_mapping,
    update_mapping,
    delete_mapping,
    set_mapping_active,
    resolve,
    list_prompts,
    list_pending,
    apply_pending,
    discard_pending,
    super::chat::chat_completions,
    super::openai_models::list_models,
))]
pub struct MappingApi;

/// The mapping routes and the chat API, for any app state that holds
/// their services.
pub fn routes<S>() -> Router<S>
where
    MappingService: FromRef<S>,
    ChatGateway: FromRef<S>,
    S: Clone + Send + Sync + 'static,
{
    Router::new()
        .route(
            "/api/v1/llm/mappings",
            get(list_mappings).post(create_mapping),
        )
        .route(
            "/api/v1/llm/mappings/{id}",
            get(read_mapping).put(update_mapping).delete(delete_mapping),
        )
        .route("/api/v1/llm/mappings/{id}/active", put(set_mapping_active))
        .route("/api/v1/llm/resolve", post(resolve))
        .route("/api/v1/llm/prompts", get(list_prompts))
        .route("/api/v1/llm/pending", get(list_pending))
        .route("/api/v1/llm/pending/{id}/apply", post(apply_pending))
        .route(
            "/api/v1/llm/pending/{id}",
            axum::routing::delete(discard_pending),
        )
        .route(
            super::chat::CHAT_COMPLETIONS_PATH,
            post(super::chat::chat_completions),
        )
        .route("/api/v1/models", get(super::openai_models::list_models))
}

/// Every mapping, with which endpoints cover each of its models. With any
/// of the parameters, one page of them (50 unless `per_page` says, at most
/// 200), filtered and ordered as the mapping table does; `X-Total-Count`
/// says how many match.
#[utoipa::path(get, path = "/api/v1/llm/mappings", tag = "mapping",
    params(MappingQuery),
    responses(
        (status = 200, description = "The mappings with their coverage", body = Vec<MappingView>,
            headers(("X-Total-Count" = i64, description = "How many mappings match"))),
        (status = 422, description = "A parameter is not valid (an unknown `sort`)", body = ApiErrorResponse),
    ))]
async fn list_mappings(
    State(mappings): State<MappingService>,
    Query(q): Query<MappingQuery>,
) -> Result<Counted<MappingView>, AppError> {
    if q == MappingQuery::default() {
        return Ok(Counted::all(mappings.list().await?));
    }
    let page = mappings.page(&q).await?;
    Ok(Counted(page.total, page.items))
}

/// One mapping.
#[utoipa::path(get, path = "/api/v1/llm/mappings/{id}", tag = "mapping",
    responses(
        (status = 200, description = "The mapping", body = Mapping),
        (status = 404, description = "No mapping has this id", body = ApiErrorResponse),
    ))]
async fn read_mapping(
    State(mappings): State<MappingService>,
    Path(id): Path<i64>,
) -> ApiResult<Mapping> {
    Ok(Json(mappings.get(id).await?))
}

/// Maps a business domain (`global`, `prompt:<id>`, `tenant:<key>`,
/// `module:<key>`) to the models it may use.
#[utoipa::path(post, path = "/api/v1/llm/mappings", tag = "mapping",
    responses(
        (status = 201, description = "Created", body = Mapping, links(
            ("read_mapping" = (operation_id = "read_mapping", parameters(("id" = "$response.body#/id")))),
            ("update_mapping" = (operation_id = "update_mapping", parameters(("id" = "$response.body#/id")))),
            ("delete_mapping" = (operation_id = "delete_mapping", parameters(("id" = "$response.body#/id")))),
            ("set_mapping_active" = (operation_id = "set_mapping_active", parameters(("id" = "$response.body#/id")))),
        )),
        (status = 409, description = "The scope is already mapped", body = ApiErrorResponse),
        (status = 503, description = "Supabase refused or could not be reached; nothing was saved", body = ApiErrorResponse),
    ))]
async fn create_mapping(
    State(mappings): State<MappingService>,
    Extension(c): Extension<Claims>,
    Json(d): Json<MappingDraft>,
) -> Result<(StatusCode, Json<Mapping>), AppError> {
    Ok((StatusCode::CREATED, Json(mappings.create(&c.sub, d).await?)))
}

/// Replaces a mapping.
#[utoipa::path(put, path = "/api/v1/llm/mappings/{id}", tag = "mapping",
    responses(
        (status = 200, description = "The mapping as saved", body = Mapping),
        (status = 404, description = "No mapping has this id", body = ApiErrorResponse),
        (status = 409, description = "The scope is already mapped, or the row is gone from Supabase", body = ApiErrorResponse),
        (status = 503, description = "Supabase refused or could not be reached; nothing changed", body = ApiErrorResponse),
    ))]
async fn update_mapping(
    State(mappings): State<MappingService>,
    Extension(c): Extension<Claims>,
    Path(id): Path<i64>,
    Json(d): Json<MappingDraft>,
) -> ApiResult<Mapping> {
    Ok(Json(mappings.update(&c.sub, id, d).await?))
}

/// Enables or disables a mapping.
#[utoipa::path(put, path = "/api/v1/llm/mappings/{id}/active", tag = "mapping",
    responses(
        (status = 200, description = "The mapping as saved", body = Mapping),
        (status = 404, description = "No mapping has this id", body = ApiErrorResponse),
        (status = 409, description = "The row is gone from Supabase", body = ApiErrorResponse),
        (status = 503, description = "Supabase refused or could not be reached; nothing changed", body = ApiErrorResponse),
    ))]
async fn set_mapping_active(
    State(mappings): State<MappingService>,
    Extension(c): Extension<Claims>,
    Path(id): Path<i64>,
    Json(b): Json<ActiveBody>,
) -> ApiResult<Mapping> {
    Ok(Json(mappings.set_active(&c.sub, id, b.is_active).await?))
}

/// Deletes a mapping.
#[utoipa::path(delete, path = "/api/v1/llm/mappings/{id}", tag = "mapping",
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No mapping has this id", body = ApiErrorResponse),
        (status = 503, description = "Supabase refused or could not be reached; nothing changed", body = ApiErrorResponse),
    ))]
async fn delete_mapping(
    State(mappings): State<MappingService>,
    Extension(c): Extension<Claims>,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    mappings.delete(&c.sub, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The prompts a `prompt:<id>` scope can name: with Supabase, the rows of
/// its `ai_prompt` (GymBro's prompts, by their Supabase id); else the local
/// ones. Mapping rows and built-in rows are left out.
#[utoipa::path(get, path = "/api/v1/llm/prompts", tag = "mapping",
    responses(
        (status = 200, description = "The prompts, by name", body = Vec<super::prompts::PromptChoice>),
        (status = 503, description = "Supabase could not be read", body = ApiErrorResponse),
    ))]
async fn list_prompts(
    State(mappings): State<MappingService>,
) -> ApiResult<Vec<super::prompts::PromptChoice>> {
    Ok(Json(mappings.prompts().await?))
}

/// Catalog and mapping edits Supabase refused because it could not be
/// reached, kept for the admin (oldest first; api keys never shown).
#[utoipa::path(get, path = "/api/v1/llm/pending", tag = "mapping",
    responses((status = 200, description = "The kept writes", body = Vec<PendingChange>)))]
async fn list_pending(State(mappings): State<MappingService>) -> ApiResult<Vec<PendingChange>> {
    Ok(Json(mappings.pending_changes()?))
}

/// Re-applies a kept write, with the version it carried; it is removed
/// once the write is in.
#[utoipa::path(post, path = "/api/v1/llm/pending/{id}/apply", tag = "mapping",
    responses(
        (status = 200, description = "The endpoint or mapping as saved", body = Object),
        (status = 404, description = "No kept write has this id", body = ApiErrorResponse),
        (status = 409, description = "Changed in Supabase since, or the rules refuse it now; the write stays kept", body = ApiErrorResponse),
        (status = 422, description = "The write breaks a rule now; it stays kept", body = ApiErrorResponse),
        (status = 503, description = "Supabase still refuses or cannot be reached; the write stays kept", body = ApiErrorResponse),
    ))]
async fn apply_pending(
    State(mappings): State<MappingService>,
    Extension(c): Extension<Claims>,
    Path(id): Path<String>,
) -> ApiResult<serde_json::Value> {
    Ok(Json(mappings.apply_pending(&c.sub, &id).await?))
}

/// Discards a kept write without applying it.
#[utoipa::path(delete, path = "/api/v1/llm/pending/{id}", tag = "mapping",
    responses(
        (status = 204, description = "Discarded"),
        (status = 404, description = "No kept write has this id", body = ApiErrorResponse),
    ))]
async fn discard_pending(
    State(mappings): State<MappingService>,
    Extension(c): Extension<Claims>,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    mappings.discard_pending(&c.sub, &id)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The resolver's answer for a scope and model, with its reasons.
#[utoipa::path(post, path = "/api/v1/llm/resolve", tag = "mapping",
    responses((status = 200, description = "The route or the refusal, with reasons", body = ResolveAnswer)))]
async fn resolve(
    State(mappings): State<MappingService>,
    Json(r): Json<ResolveRequest>,
) -> ApiResult<ResolveAnswer> {
    Ok(Json(mappings.explain(&r).await?.in_words(Lang::En)))
}
