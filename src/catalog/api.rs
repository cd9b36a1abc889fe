//! The catalog's JSON routes under `/api/v1/llm/models` (and the older
//! `/api/v1/llm/endpoints` paths). Same service as the page: one write path.
//! Each route carries its OpenAPI description; [`CatalogApi`] collects them.

use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Extension, Router};
use serde::Deserialize;

use super::health::EndpointMonitor;
use super::service::Catalog;
use super::sync::FullSync;
use super::types::{
    DefaultSwitchPreview, Endpoint, EndpointDraft, EndpointPage, EndpointUsage, ListQuery,
    ModelCheck, ModelDiff, SyncReport,
};
use crate::auth::jwt::Claims;
use crate::error::extract::{Json, Path, Query};
use crate::error::{ApiErrorResponse, AppError};
use crate::monitor::health::ProbeRecord;

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"is_active": false}))]
pub struct ActiveBody {
    pub is_active: bool,
}

/// How to delete an endpoint that results refer to.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteQuery {
    /// Delete the results that refer to it too (here and in Supabase);
    /// without it such an endpoint is refused with 409. Export them first:
    /// `GET /api/v1/llm/tests/results/export?referring_to=…`.
    #[serde(default)]
    pub with_results: bool,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"models": ["sim-small", "sim-large"]}))]
pub struct ModelsBody {
    pub models: Vec<String>,
}

type ApiResult<T> = Result<Json<T>, AppError>;

/// The catalog's routes in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_endpoints,
    create_endpoint,
    read_endpoint,
    update_endpoint,
    delete_endpoint,
    endpoint_usage,
    set_default,
    default_preview,
    set_endpoint_active,
    set_models,
    fetch_models,
    check_endpoint,
    check_all_endpoints,
    sync,
    check_models,
    model_checks,
))]
pub struct CatalogApi;

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
        .route("/api/v1/llm/models/check", post(check_all_endpoints));
    // `/endpoints` is the older name of the same routes; only `/models` is
    // in the OpenAPI document.
    for base in ["/api/v1/llm/models", "/api/v1/llm/endpoints"] {
        router = router
            .route(base, get(list_endpoints).post(create_endpoint))
            .route(
                &format!("{base}/{{id}}"),
                get(read_endpoint)
                    .put(update_endpoint)
                    .delete(delete_endpoint),
            )
            .route(&format!("{base}/{{id}}/default"), post(set_default))
            .route(&format!("{base}/{{id}}/usage"), get(endpoint_usage))
            .route(
                &format!("{base}/{{id}}/default-preview"),
                get(default_preview),
            )
            .route(&format!("{base}/{{id}}/active"), put(set_endpoint_active))
            .route(&format!("{base}/{{id}}/model-list"), put(set_models))
            .route(&format!("{base}/{{id}}/fetch-models"), post(fetch_models))
            .route(&format!("{base}/{{id}}/check"), post(check_endpoint))
            .route(
                &format!("{base}/{{id}}/model-checks"),
                get(model_checks).post(check_models),
            );
    }
    router
}

/// One page of endpoints, filtered by name/URL text and active state.
#[utoipa::path(get, path = "/api/v1/llm/models", tag = "catalog",
    params(ListQuery),
    responses((status = 200, description = "One page of endpoints", body = EndpointPage)))]
async fn list_endpoints(
    State(catalog): State<Catalog>,
    Query(q): Query<ListQuery>,
) -> ApiResult<EndpointPage> {
    Ok(Json(catalog.list(&q).await?))
}

/// One endpoint (its API key only masked).
#[utoipa::path(get, path = "/api/v1/llm/models/{id}", tag = "catalog",
    responses(
        (status = 200, description = "The endpoint", body = Endpoint),
        (status = 404, description = "No endpoint has this id", body = ApiErrorResponse),
    ))]
async fn read_endpoint(State(catalog): State<Catalog>, Path(id): Path<i64>) -> ApiResult<Endpoint> {
    Ok(Json(catalog.get(id).await?))
}

/// Adds an endpoint; the first active one with a model becomes the default.
#[utoipa::path(post, path = "/api/v1/llm/models", tag = "catalog",
    responses(
        (status = 201, description = "Created", body = Endpoint, links(
            ("read_endpoint" = (operation_id = "read_endpoint", parameters(("id" = "$response.body#/id")))),
            ("update_endpoint" = (operation_id = "update_endpoint", parameters(("id" = "$response.body#/id")))),
            ("delete_endpoint" = (operation_id = "delete_endpoint", parameters(("id" = "$response.body#/id")))),
            ("set_default" = (operation_id = "set_default", parameters(("id" = "$response.body#/id")))),
            ("default_preview" = (operation_id = "default_preview", parameters(("id" = "$response.body#/id")))),
            ("set_endpoint_active" = (operation_id = "set_endpoint_active", parameters(("id" = "$response.body#/id")))),
            ("set_models" = (operation_id = "set_models", parameters(("id" = "$response.body#/id")))),
            ("fetch_models" = (operation_id = "fetch_models", parameters(("id" = "$response.body#/id")))),
            ("check_endpoint" = (operation_id = "check_endpoint", parameters(("id" = "$response.body#/id")))),
            ("check_models" = (operation_id = "check_models", parameters(("id" = "$response.body#/id")))),
            ("model_checks" = (operation_id = "model_checks", parameters(("id" = "$response.body#/id")))),
            ("endpoint_usage" = (operation_id = "endpoint_usage", parameters(("id" = "$response.body#/id")))),
        )),
        (status = 409, description = "Another endpoint has this name (the message names it)", body = ApiErrorResponse),
        (status = 503, description = "Supabase refused or could not be reached; nothing was saved", body = ApiErrorResponse),
    ))]
async fn create_endpoint(
    State(catalog): State<Catalog>,
    Extension(c): Extension<Claims>,
    Json(d): Json<EndpointDraft>,
) -> Result<(StatusCode, Json<Endpoint>), AppError> {
    Ok((StatusCode::CREATED, Json(catalog.create(&c.sub, d).await?)))
}

/// Replaces an endpoint's settings; an empty `api_key` keeps the stored key.
#[utoipa::path(put, path = "/api/v1/llm/models/{id}", tag = "catalog",
    responses(
        (status = 200, description = "The endpoint as saved", body = Endpoint),
        (status = 404, description = "No endpoint has this id", body = ApiErrorResponse),
        (status = 409, description = "Another endpoint has this name (the message names it), the default endpoint cannot be disabled or lose its model, or the row is gone from Supabase", body = ApiErrorResponse),
        (status = 503, description = "Supabase refused or could not be reached; nothing changed", body = ApiErrorResponse),
    ))]
async fn update_endpoint(
    State(catalog): State<Catalog>,
    Extension(c): Extension<Claims>,
    Path(id): Path<i64>,
    Json(d): Json<EndpointDraft>,
) -> ApiResult<Endpoint> {
    Ok(Json(catalog.update(&c.sub, id, d).await?))
}

/// Deletes an endpoint that is not the default — with the results that
/// refer to it when `with_results` is set (here and in Supabase).
#[utoipa::path(delete, path = "/api/v1/llm/models/{id}", tag = "catalog",
    params(DeleteQuery),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No endpoint has this id", body = ApiErrorResponse),
        (status = 409, description = "The endpoint is the default, or results refer to it and `with_results` was not set (the message says how many)", body = ApiErrorResponse),
        (status = 503, description = "Supabase refused or could not be reached; nothing changed", body = ApiErrorResponse),
    ))]
async fn delete_endpoint(
    State(catalog): State<Catalog>,
    Extension(c): Extension<Claims>,
    Path(id): Path<i64>,
    Query(q): Query<DeleteQuery>,
) -> Result<StatusCode, AppError> {
    catalog.delete(&c.sub, id, q.with_results).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What refers to an endpoint, to ask before deleting it: its stored
/// results (how many of them never reached an endpoint) and Supabase's.
#[utoipa::path(get, path = "/api/v1/llm/models/{id}/usage", tag = "catalog",
    responses(
        (status = 200, description = "The results that refer to it", body = EndpointUsage),
        (status = 404, description = "No endpoint has this id", body = ApiErrorResponse),
    ))]
async fn endpoint_usage(
    State(catalog): State<Catalog>,
    Path(id): Path<i64>,
) -> ApiResult<EndpointUsage> {
    Ok(Json(catalog.usage(id).await?))
}

/// Makes this endpoint (and its model) the one default.
#[utoipa::path(post, path = "/api/v1/llm/models/{id}/default", tag = "catalog",
    responses(
        (status = 200, description = "The new default", body = Endpoint),
        (status = 404, description = "No endpoint has this id", body = ApiErrorResponse),
        (status = 409, description = "The endpoint is inactive, has no model, or is not in Supabase yet", body = ApiErrorResponse),
        (status = 503, description = "Supabase refused or could not be reached; nothing changed", body = ApiErrorResponse),
    ))]
async fn set_default(
    State(catalog): State<Catalog>,
    Extension(c): Extension<Claims>,
    Path(id): Path<i64>,
) -> ApiResult<Endpoint> {
    Ok(Json(catalog.set_default(&c.sub, id).await?))
}

/// Who would be affected if this endpoint became the default.
#[utoipa::path(get, path = "/api/v1/llm/models/{id}/default-preview", tag = "catalog",
    responses(
        (status = 200, description = "The current default and the domains that inherit it", body = DefaultSwitchPreview),
        (status = 404, description = "No endpoint has this id", body = ApiErrorResponse),
    ))]
async fn default_preview(
    State(catalog): State<Catalog>,
    Path(id): Path<i64>,
) -> ApiResult<DefaultSwitchPreview> {
    Ok(Json(catalog.default_switch_preview(id).await?))
}

/// Enables or disables an endpoint (the default cannot be disabled).
#[utoipa::path(put, path = "/api/v1/llm/models/{id}/active", tag = "catalog",
    responses(
        (status = 200, description = "The endpoint as saved", body = Endpoint),
        (status = 404, description = "No endpoint has this id", body = ApiErrorResponse),
        (status = 409, description = "The default endpoint cannot be disabled, or the row is gone from Supabase", body = ApiErrorResponse),
        (status = 503, description = "Supabase refused or could not be reached; nothing changed", body = ApiErrorResponse),
    ))]
async fn set_endpoint_active(
    State(catalog): State<Catalog>,
    Extension(c): Extension<Claims>,
    Path(id): Path<i64>,
    Json(b): Json<ActiveBody>,
) -> ApiResult<Endpoint> {
    Ok(Json(catalog.set_active(&c.sub, id, b.is_active).await?))
}

/// Replaces the endpoint's model list (its model must stay in it).
#[utoipa::path(put, path = "/api/v1/llm/models/{id}/model-list", tag = "catalog",
    responses(
        (status = 200, description = "The endpoint as saved", body = Endpoint),
        (status = 404, description = "No endpoint has this id", body = ApiErrorResponse),
        (status = 409, description = "The row is gone from Supabase", body = ApiErrorResponse),
        (status = 503, description = "Supabase refused or could not be reached; nothing changed", body = ApiErrorResponse),
    ))]
async fn set_models(
    State(catalog): State<Catalog>,
    Extension(c): Extension<Claims>,
    Path(id): Path<i64>,
    Json(b): Json<ModelsBody>,
) -> ApiResult<Endpoint> {
    Ok(Json(catalog.set_models(&c.sub, id, b.models).await?))
}

/// Asks the upstream which models it serves, against the stored list.
#[utoipa::path(post, path = "/api/v1/llm/models/{id}/fetch-models", tag = "catalog",
    responses(
        (status = 200, description = "The upstream's models against the stored list", body = ModelDiff),
        (status = 404, description = "No endpoint has this id", body = ApiErrorResponse),
        (status = 502, description = "The upstream did not answer with a model list", body = ApiErrorResponse),
    ))]
async fn fetch_models(State(catalog): State<Catalog>, Path(id): Path<i64>) -> ApiResult<ModelDiff> {
    Ok(Json(catalog.fetch_upstream_models(id).await?))
}

/// Probes one endpoint now; the verdict is stored as its health.
#[utoipa::path(post, path = "/api/v1/llm/models/{id}/check", tag = "catalog",
    responses(
        (status = 200, description = "The probe's verdict", body = ProbeRecord),
        (status = 404, description = "No endpoint has this id", body = ApiErrorResponse),
    ))]
async fn check_endpoint(
    State(monitor): State<EndpointMonitor>,
    Path(id): Path<i64>,
) -> ApiResult<ProbeRecord> {
    Ok(Json(monitor.check_one(id).await?))
}

/// Probes every active endpoint now.
#[utoipa::path(post, path = "/api/v1/llm/models/check", tag = "catalog",
    responses((status = 200, description = "One verdict per active endpoint", body = Vec<ProbeRecord>)))]
async fn check_all_endpoints(
    State(monitor): State<EndpointMonitor>,
) -> ApiResult<Vec<ProbeRecord>> {
    Ok(Json(monitor.check_all().await?))
}

/// Supabase → SQLite: endpoints, then mappings, then the results not yet
/// copied up.
#[utoipa::path(post, path = "/api/v1/llm/sync", tag = "catalog",
    responses(
        (status = 200, description = "What the sync did", body = SyncReport),
        (status = 409, description = "Supabase is not configured", body = ApiErrorResponse),
        (status = 503, description = "Supabase refused or could not be reached", body = ApiErrorResponse),
    ))]
async fn sync(
    State(sync): State<FullSync>,
    Extension(c): Extension<Claims>,
) -> ApiResult<SyncReport> {
    Ok(Json(sync.run(&c.sub).await?))
}

/// Sends one tiny chat to each of the endpoint's models; results are stored.
#[utoipa::path(post, path = "/api/v1/llm/models/{id}/model-checks", tag = "catalog",
    responses(
        (status = 200, description = "One result per model, in list order", body = Vec<ModelCheck>),
        (status = 404, description = "No endpoint has this id", body = ApiErrorResponse),
        (status = 409, description = "The endpoint lists no models", body = ApiErrorResponse),
    ))]
async fn check_models(
    State(catalog): State<Catalog>,
    Extension(c): Extension<Claims>,
    Path(id): Path<i64>,
) -> ApiResult<Vec<ModelCheck>> {
    Ok(Json(catalog.check_models(&c.sub, id).await?))
}

/// The last check of each of the endpoint's models.
#[utoipa::path(get, path = "/api/v1/llm/models/{id}/model-checks", tag = "catalog",
    responses(
        (status = 200, description = "The last check of each model", body = Vec<ModelCheck>),
        (status = 404, description = "No endpoint has this id", body = ApiErrorResponse),
    ))]
async fn model_checks(
    State(catalog): State<Catalog>,
    Path(id): Path<i64>,
) -> ApiResult<Vec<ModelCheck>> {
    Ok(Json(catalog.model_checks(id).await?))
}
