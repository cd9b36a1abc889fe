//! The catalog's JSON routes under `/api/v1/llm/models` (and the older
//! `/api/v1/llm/endpoints` paths). Same service as the page: one write path.

use axum::extract::{FromRequest, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Extension, Json, Router};
use serde::Deserialize;

use super::types::{EndpointDraft, ListQuery};
use crate::auth::jwt::Claims;
use crate::error::{ApiError, AppError};
use crate::server::AppState;

/// `Json<T>` whose rejections use the one error shape (422 naming the problem).
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Body<T>(pub T);

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(r: axum::extract::rejection::JsonRejection) -> ApiError {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            r.body_text(),
        )
    }
}

#[derive(Deserialize)]
pub struct ActiveBody {
    pub is_active: bool,
}

#[derive(Deserialize)]
pub struct ModelsBody {
    pub models: Vec<String>,
}

type ApiResult = Result<Response, AppError>;

pub fn routes() -> Router<AppState> {
    let mut router = Router::new()
        .route("/api/v1/llm/sync", post(sync))
        .route("/api/v1/llm/models/check", post(check_all));
    for base in ["/api/v1/llm/models", "/api/v1/llm/endpoints"] {
        router = router
            .route(base, get(list).post(create))
            .route(
                &format!("{base}/{{id}}"),
                get(read).put(update).delete(remove),
            )
            .route(&format!("{base}/{{id}}/default"), post(set_default))
            .route(
                &format!("{base}/{{id}}/default-preview"),
                get(default_preview),
            )
            .route(&format!("{base}/{{id}}/active"), put(set_active))
            .route(&format!("{base}/{{id}}/model-list"), put(set_models))
            .route(&format!("{base}/{{id}}/fetch-models"), post(fetch_models))
            .route(&format!("{base}/{{id}}/check"), post(check))
            .route(
                &format!("{base}/{{id}}/model-checks"),
                get(model_checks).post(check_models),
            );
    }
    router
}

async fn list(State(s): State<AppState>, Query(q): Query<ListQuery>) -> ApiResult {
    Ok(Json(s.catalog.list(&q).await?).into_response())
}

async fn read(State(s): State<AppState>, Path(id): Path<i64>) -> ApiResult {
    Ok(Json(s.catalog.get(id).await?).into_response())
}

async fn create(
    State(s): State<AppState>,
    Extension(c): Extension<Claims>,
    Body(d): Body<EndpointDraft>,
) -> ApiResult {
    Ok((
        StatusCode::CREATED,
        Json(s.catalog.create(&c.sub, d).await?),
    )
        .into_response())
}

async fn update(
    State(s): State<AppState>,
    Extension(c): Extension<Claims>,
    Path(id): Path<i64>,
    Body(d): Body<EndpointDraft>,
) -> ApiResult {
    Ok(Json(s.catalog.update(&c.sub, id, d).await?).into_response())
}

async fn remove(
    State(s): State<AppState>,
    Extension(c): Extension<Claims>,
    Path(id): Path<i64>,
) -> ApiResult {
    s.catalog.delete(&c.sub, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn set_default(
    State(s): State<AppState>,
    Extension(c): Extension<Claims>,
    Path(id): Path<i64>,
) -> ApiResult {
    Ok(Json(s.catalog.set_default(&c.sub, id).await?).into_response())
}

async fn default_preview(State(s): State<AppState>, Path(id): Path<i64>) -> ApiResult {
    Ok(Json(s.catalog.default_switch_preview(id).await?).into_response())
}

async fn set_active(
    State(s): State<AppState>,
    Extension(c): Extension<Claims>,
    Path(id): Path<i64>,
    Body(b): Body<ActiveBody>,
) -> ApiResult {
    Ok(Json(s.catalog.set_active(&c.sub, id, b.is_active).await?).into_response())
}

async fn set_models(
    State(s): State<AppState>,
    Extension(c): Extension<Claims>,
    Path(id): Path<i64>,
    Body(b): Body<ModelsBody>,
) -> ApiResult {
    Ok(Json(s.catalog.set_models(&c.sub, id, b.models).await?).into_response())
}

async fn fetch_models(State(s): State<AppState>, Path(id): Path<i64>) -> ApiResult {
    Ok(Json(s.catalog.fetch_upstream_models(id).await?).into_response())
}

async fn check(State(s): State<AppState>, Path(id): Path<i64>) -> ApiResult {
    Ok(Json(s.monitor.check_one(id).await?).into_response())
}

async fn check_all(State(s): State<AppState>) -> ApiResult {
    Ok(Json(s.monitor.check_all().await?).into_response())
}

async fn sync(State(s): State<AppState>, Extension(c): Extension<Claims>) -> ApiResult {
    Ok(Json(s.sync(&c.sub).await?).into_response())
}

async fn check_models(
    State(s): State<AppState>,
    Extension(c): Extension<Claims>,
    Path(id): Path<i64>,
) -> ApiResult {
    Ok(Json(s.catalog.check_models(&c.sub, id).await?).into_response())
}

async fn model_checks(State(s): State<AppState>, Path(id): Path<i64>) -> ApiResult {
    Ok(Json(s.catalog.model_checks(id).await?).into_response())
}
