//! The mapping JSON routes under `/api/v1/llm/mappings`, and the resolver
//! at `/api/v1/llm/resolve`.

use axum::extract::{FromRef, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Extension, Json, Router};
use serde_json::json;

use super::chat::ChatGateway;
use super::msg::Reason;
use super::service::MappingService;
use super::types::{MappingDraft, ResolveRequest};
use crate::auth::jwt::Claims;
use crate::catalog::api::{ActiveBody, Body};
use crate::error::AppError;

type ApiResult = Result<Response, AppError>;

/// The mapping routes and the chat API, for any app state that holds
/// their services.
pub fn routes<S>() -> Router<S>
where
    MappingService: FromRef<S>,
    ChatGateway: FromRef<S>,
    S: Clone + Send + Sync + 'static,
{
    Router::new()
        .route("/api/v1/llm/mappings", get(list).post(create))
        .route(
            "/api/v1/llm/mappings/{id}",
            get(read).put(update).delete(remove),
        )
        .route("/api/v1/llm/mappings/{id}/active", put(set_active))
        .route("/api/v1/llm/resolve", post(resolve))
        .route(
            super::chat::CHAT_COMPLETIONS_PATH,
            post(super::chat::chat_completions),
        )
}

async fn list(State(mappings): State<MappingService>) -> ApiResult {
    Ok(Json(mappings.list().await?).into_response())
}

async fn read(State(mappings): State<MappingService>, Path(id): Path<i64>) -> ApiResult {
    Ok(Json(mappings.get(id).await?).into_response())
}

async fn create(
    State(mappings): State<MappingService>,
    Extension(c): Extension<Claims>,
    Body(d): Body<MappingDraft>,
) -> ApiResult {
    Ok((StatusCode::CREATED, Json(mappings.create(&c.sub, d).await?)).into_response())
}

async fn update(
    State(mappings): State<MappingService>,
    Extension(c): Extension<Claims>,
    Path(id): Path<i64>,
    Body(d): Body<MappingDraft>,
) -> ApiResult {
    Ok(Json(mappings.update(&c.sub, id, d).await?).into_response())
}

async fn set_active(
    State(mappings): State<MappingService>,
    Extension(c): Extension<Claims>,
    Path(id): Path<i64>,
    Body(b): Body<ActiveBody>,
) -> ApiResult {
    Ok(Json(mappings.set_active(&c.sub, id, b.is_active).await?).into_response())
}

async fn remove(
    State(mappings): State<MappingService>,
    Extension(c): Extension<Claims>,
    Path(id): Path<i64>,
) -> ApiResult {
    mappings.delete(&c.sub, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The resolver's answer with its reasons in English words.
async fn resolve(
    State(mappings): State<MappingService>,
    Body(r): Body<ResolveRequest>,
) -> ApiResult {
    let outcome = mappings.explain(&r).await?;
    let words = |reasons: &[Reason]| reasons.iter().map(Reason::to_string).collect::<Vec<_>>();
    let resolution = outcome.resolution.map(|r| {
        json!({
            "model": r.model,
            "endpoint_id": r.endpoint_id,
            "endpoint_name": r.endpoint_name,
            "scope": r.scope,
            "reasons": words(&r.reasons),
        })
    });
    Ok(Json(json!({
        "resolution": resolution,
        "error": outcome.error.map(|e| e.to_string()),
        "reasons": words(&outcome.reasons),
    }))
    .into_response())
}
