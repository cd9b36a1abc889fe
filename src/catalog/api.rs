//! The catalog's JSON routes under `/api/v1/llm/models` (and the older
//! `/api/v1/llm/endpoints` paths). Same service as the page: one write path.

use axum::extract::{FromRef, FromRequest, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Extension, Json, Router};
use serde::Deserialize;

use super::health::EndpointMonitor;
use super::service::Catalog;
use super::sync::FullSync;
use super::types::{EndpointDraft, ListQuery};
use crate::auth::jwt::Claims;
use crate::error::{ApiError, AppError};

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

/// The catalog's routes, for any app state that holds its services.
pub fn routes<S>() -> Router<S>
where
    Catalog: FromRef<S>,
    EndpointMonitor: FromRef<S>,
    FullSync: FromRef<S>,
    S: Clone + Send + Sync + 'static,
{
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

async fn list(State(catalog): State<Catalog>, Query(q): Query<ListQuery>) -> ApiResult {
    Ok(Json(catalog.list(&q).await?).into_response())
}

async fn read(State(catalog): State<Catalog>, Path(id): Path<i64>) -> ApiResult {
    Ok(Json(catalog.get(id).await?).into_response())
}

async fn create(
    State(catalog): State<Catalog>,
    Extension(c): Extension<Claims>,
    Body(d): Body<EndpointDraft>,
) -> ApiResult {
    Ok((StatusCode::CREATED, Json(catalog.create(&c.sub, d).await?)).into_response())
}

async fn update(
    State(catalog): State<Catalog>,
    Extension(c): Extension<Claims>,
    Path(id): Path<i64>,
    Body(d): Body<EndpointDraft>,
) -> ApiResult {
    Ok(Json(catalog.update(&c.sub, id, d).await?).into_response())
}

async fn remove(
    State(catalog): State<Catalog>,
    Extension(c): Extension<Claims>,
    Path(id): Path<i64>,
) -> ApiResult {
    catalog.delete(&c.sub, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn set_default(
    State(catalog): State<Catalog>,
    Extension(c): Extension<Claims>,
    Path(id): Path<i64>,
) -> ApiResult {
    Ok(Json(catalog.set_default(&c.sub, id).await?).into_response())
}

async fn default_preview(State(catalog): State<Catalog>, Path(id): Path<i64>) -> ApiResult {
    Ok(Json(catalog.default_switch_preview(id).await?).into_response())
}

async fn set_active(
    State(catalog): State<Catalog>,
    Extension(c): Extension<Claims>,
    Path(id): Path<i64>,
    Body(b): Body<ActiveBody>,
) -> ApiResult {
    Ok(Json(catalog.set_active(&c.sub, id, b.is_active).await?).into_response())
}

async fn set_models(
    State(catalog): State<Catalog>,
    Extension(c): Extension<Claims>,
    Path(id): Path<i64>,
    Body(b): Body<ModelsBody>,
) -> ApiResult {
    Ok(Json(catalog.set_models(&c.sub, id, b.models).await?).into_response())
}

async fn fetch_models(State(catalog): State<Catalog>, Path(id): Path<i64>) -> ApiResult {
    Ok(Json(catalog.fetch_upstream_models(id).await?).into_response())
}

async fn check(State(monitor): State<EndpointMonitor>, Path(id): Path<i64>) -> ApiResult {
    Ok(Json(monitor.check_one(id).await?).into_response())
}

async fn check_all(State(monitor): State<EndpointMonitor>) -> ApiResult {
    Ok(Json(monitor.check_all().await?).into_response())
}

async fn sync(State(sync): State<FullSync>, Extension(c): Extension<Claims>) -> ApiResult {
    Ok(Json(sync.run(&c.sub).await?).into_response())
}

async fn check_models(
    State(catalog): State<Catalog>,
    Extension(c): Extension<Claims>,
    Path(id): Path<i64>,
) -> ApiResult {
    Ok(Json(catalog.check_models(&c.sub, id).await?).into_response())
}

async fn model_checks(State(catalog): State<Catalog>, Path(id): Path<i64>) -> ApiResult {
    Ok(Json(catalog.model_checks(id).await?).into_response())
}
