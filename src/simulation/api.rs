//! REST under `/api/v1/llm/tests/`: mint, dialog, runs, results, export.
//! Each route carries its OpenAPI description; [`SimulationApi`] collects
//! them.

use axum::extract::{FromRef, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::Deserialize;

use super::msg::SimMsg;
use super::results::{self, ExportFormat, ExportOf};
use super::run_list::RunQuery;
use super::service::{self, Simulation};
use super::sweep_types::{Sweep, SweepConfig};
use super::types::{
    DialogRequest, DialogResult, MintRequest, MintedToken, ResultDetail, ResultPage, ResultQuery,
    ResultRow, RunConfig, RunSnapshot,
};
use crate::auth::jwt::Claims;
use crate::catalog::service::Catalog;
use crate::error::extract::{Counted, Json, Path, Query};
use crate::error::{ApiErrorResponse, AppError};

type ApiResult<T> = Result<Json<T>, AppError>;

/// The simulation's routes (and `/metrics`, served beside them) in the
/// OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    mint_token,
    dialog,
    list_runs,
    start_run,
    get_run,
    cancel_run,
    export_run,
    run_timeline,
    export_results,
    list_results,
    result_detail,
    start_sweep,
    list_sweeps,
    get_sweep,
    cancel_sweep,
    crate::monitor::metrics::metrics_route,
))]
pub struct SimulationApi;

/// The simulation's routes (and `/metrics`), for any app state that holds
/// its service.
pub fn routes<S>() -> Router<S>
where
    Simulation: FromRef<S>,
    Catalog: FromRef<S>,
    S: Clone + Send + Sync + 'static,
{
    Router::new()
        .route("/api/v1/llm/tests/mint", post(mint_token))
        .route("/api/v1/llm/tests/dialog", post(dialog))
        .route("/api/v1/llm/tests/runs", get(list_runs).post(start_run))
        .route("/api/v1/llm/tests/runs/{id}", get(get_run))
        .route("/api/v1/llm/tests/runs/{id}/cancel", post(cancel_run))
        .route("/api/v1/llm/tests/runs/{id}/export", get(export_run))
        .route("/api/v1/llm/tests/runs/{id}/timeline", get(run_timeline))
        .route("/api/v1/llm/tests/results", get(list_results))
        .route("/api/v1/llm/tests/results/{id}", get(result_detail))
        .route(
            "/api/v1/llm/tests/sweeps",
            get(list_sweeps).post(start_sweep),
        )
        .route("/api/v1/llm/tests/sweeps/{id}", get(get_sweep))
        .route("/api/v1/llm/tests/sweeps/{id}/cancel", post(cancel_sweep))
        .route("/api/v1/llm/tests/results/export", get(export_results))
        .route("/metrics", get(crate::monitor::metrics::metrics_route))
}

/// Signs a test-user JWT for the chat API (lifetime capped by
/// `MINT_MAX_MINUTES`).
#[utoipa::path(post, path = "/api/v1/llm/tests/mint", tag = "simulation",
    responses((status = 200, description = "The token and its claims", body = MintedToken)))]
async fn mint_token(
    State(sim): State<Simulation>,
    Extension(c): Extension<Claims>,
    Json(r): Json<MintRequest>,
) -> ApiResult<MintedToken> {
    Ok(Json(sim.mint(&c.sub, &r).await?))
}

/// Sends one chat through the chat API with a minted token and stores it as
/// a result row. A refused or failed chat is still a 200: the answer carries
/// its status and error.
#[utoipa::path(post, path = "/api/v1/llm/tests/dialog", tag = "simulation",
    responses(
        (status = 200, description = "What the chat API answered", body = DialogResult),
        (status = 409, description = "There is no endpoint to record results against yet", body = ApiErrorResponse),
    ))]
async fn dialog(
    State(sim): State<Simulation>,
    Json(r): Json<DialogRequest>,
) -> ApiResult<DialogResult> {
    Ok(Json(service::dialog(&sim.engine, &r).await?))
}

/// Starts a load test (limits: `LOADTEST_MAX_REQUESTS`,
/// `LOADTEST_MAX_CONCURRENCY`).
#[utoipa::path(post, path = "/api/v1/llm/tests/runs", tag = "simulation",
    responses(
        (status = 201, description = "Started", body = RunSnapshot, links(
            ("get_run" = (operation_id = "get_run", parameters(("id" = "$response.body#/id")))),
            ("cancel_run" = (operation_id = "cancel_run", parameters(("id" = "$response.body#/id")))),
            ("export_run" = (operation_id = "export_run", parameters(("id" = "$response.body#/id")))),
        )),
        (status = 409, description = "There is no endpoint to record results against yet", body = ApiErrorResponse),
    ))]
async fn start_run(
    State(sim): State<Simulation>,
    Extension(c): Extension<Claims>,
    Json(r): Json<RunConfig>,
) -> Result<(StatusCode, Json<RunSnapshot>), AppError> {
    let snap = sim.start_run(&c.sub, r).await?;
    Ok((StatusCode::CREATED, Json(snap)))
}

/// Starts a capacity sweep: one constant-rate run per rate, each judged
/// against the SLO; the answer grows a step at a time.
#[utoipa::path(post, path = "/api/v1/llm/tests/sweeps", tag = "simulation",
    responses(
        (status = 201, description = "Started", body = Sweep, links(
            ("get_sweep" = (operation_id = "get_sweep", parameters(("id" = "$response.body#/id")))),
            ("cancel_sweep" = (operation_id = "cancel_sweep", parameters(("id" = "$response.body#/id")))),
        )),
        (status = 422, description = "A rate, the SLO or the step's run is out of range", body = ApiErrorResponse),
    ))]
async fn start_sweep(
    State(sim): State<Simulation>,
    Extension(c): Extension<Claims>,
    Json(r): Json<SweepConfig>,
) -> Result<(StatusCode, Json<Sweep>), AppError> {
    Ok((StatusCode::CREATED, Json(sim.start_sweep(&c.sub, r).await?)))
}

/// Every capacity sweep, newest first.
#[utoipa::path(get, path = "/api/v1/llm/tests/sweeps", tag = "simulation",
    responses((status = 200, description = "Every sweep", body = Vec<Sweep>)))]
async fn list_sweeps(State(sim): State<Simulation>) -> Json<Vec<Sweep>> {
    Json(sim.sweeps.list())
}

/// One capacity sweep, live while it runs.
#[utoipa::path(get, path = "/api/v1/llm/tests/sweeps/{id}", tag = "simulation",
    responses(
        (status = 200, description = "The sweep", body = Sweep),
        (status = 404, description = "No sweep has this id", body = ApiErrorResponse),
    ))]
async fn get_sweep(State(sim): State<Simulation>, Path(id): Path<String>) -> ApiResult<Sweep> {
    Ok(Json(sim.sweeps.get(&id)?))
}

/// Cancels a running sweep (and its step's run).
#[utoipa::path(post, path = "/api/v1/llm/tests/sweeps/{id}/cancel", tag = "simulation",
    responses(
        (status = 200, description = "The sweep, cancelling", body = Sweep),
        (status = 404, description = "No sweep with this id is running", body = ApiErrorResponse),
    ))]
async fn cancel_sweep(
    State(sim): State<Simulation>,
    Extension(c): Extension<Claims>,
    Path(id): Path<String>,
) -> ApiResult<Sweep> {
    Ok(Json(sim.cancel_sweep(&c.sub, &id)?))
}

/// Every run this server knows, running or finished, newest first. With any
/// of the parameters, one page of them (20 unless `per_page` says, at most
/// 200), filtered and ordered as the runs table does (`ascending` applies
/// to a `sort` key; without one, newest first); `X-Total-Count` says how
/// many match.
#[utoipa::path(get, path = "/api/v1/llm/tests/runs", tag = "simulation",
    params(RunQuery),
    responses(
        (status = 200, description = "The runs", body = Vec<RunSnapshot>,
            headers(("X-Total-Count" = i64, description = "How many runs match"))),
        (status = 422, description = "A parameter is not valid (an unknown `sort`)", body = ApiErrorResponse),
    ))]
async fn list_runs(
    State(sim): State<Simulation>,
    Query(q): Query<RunQuery>,
) -> Result<Counted<RunSnapshot>, AppError> {
    let all = sim.engine.list();
    if q == RunQuery::default() {
        return Ok(Counted::all(all));
    }
    let page = q.apply(all).ok_or_else(|| q.unknown_sort())?;
    Ok(Counted(page.total, page.items))
}

/// One run, live while it runs.
#[utoipa::path(get, path = "/api/v1/llm/tests/runs/{id}", tag = "simulation",
    responses(
        (status = 200, description = "The run", body = RunSnapshot),
        (status = 404, description = "No run has this id", body = ApiErrorResponse),
    ))]
async fn get_run(State(sim): State<Simulation>, Path(id): Path<String>) -> ApiResult<RunSnapshot> {
    Ok(Json(sim.engine.snapshot(&id).await?))
}

/// A run over time from its stored rows: per second since its start, the
/// requests that ended, the failed ones, latency p50 and p95.
#[utoipa::path(get, path = "/api/v1/llm/tests/runs/{id}/timeline", tag = "simulation",
    responses(
        (status = 200, description = "One entry per second", body = Vec<super::timeline::Second>),
        (status = 404, description = "No run has this id", body = ApiErrorResponse),
    ))]
async fn run_timeline(
    State(sim): State<Simulation>,
    Path(id): Path<String>,
) -> ApiResult<Vec<super::timeline::Second>> {
    let run = sim.engine.snapshot(&id).await?;
    Ok(Json(
        super::timeline::of_run(
            &sim.engine.db,
            &sim.engine.timelines,
            &run.id,
            &run.started_at,
        )
        .await?,
    ))
}

/// Cancels a running load test.
#[utoipa::path(post, path = "/api/v1/llm/tests/runs/{id}/cancel", tag = "simulation",
    responses(
        (status = 200, description = "The run, cancelled", body = RunSnapshot),
        (status = 404, description = "No run with this id is running", body = ApiErrorResponse),
    ))]
async fn cancel_run(
    State(sim): State<Simulation>,
    Extension(c): Extension<Claims>,
    Path(id): Path<String>,
) -> ApiResult<RunSnapshot> {
    Ok(Json(sim.cancel_run(&c.sub, &id)?))
}

/// One stored result: the row, the request's messages, params and scope,
/// and the reply.
#[utoipa::path(get, path = "/api/v1/llm/tests/results/{id}", tag = "simulation",
    responses(
        (status = 200, description = "The result", body = ResultDetail),
        (status = 404, description = "No result has this id", body = ApiErrorResponse),
    ))]
async fn result_detail(
    State(sim): State<Simulation>,
    Path(id): Path<i64>,
) -> ApiResult<ResultDetail> {
    Ok(Json(results::detail(&sim.engine.db, id).await?))
}

/// One page of stored result rows.
#[utoipa::path(get, path = "/api/v1/llm/tests/results", tag = "simulation",
    params(ResultQuery),
    responses(
        (status = 200, description = "One page of result rows", body = ResultPage),
        (status = 422, description = "`sort` names no timing", body = ApiErrorResponse),
    ))]
async fn list_results(
    State(sim): State<Simulation>,
    Query(q): Query<ResultQuery>,
) -> ApiResult<ResultPage> {
    Ok(Json(
        results::page(&sim.engine.db, &sim.engine.orders, &q).await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ExportQuery {
    /// `csv` (the default) or `json`.
    #[serde(default)]
    format: Option<String>,
}

/// A run's result rows as a CSV or JSON download.
#[utoipa::path(get, path = "/api/v1/llm/tests/runs/{id}/export", tag = "simulation",
    params(ExportQuery),
    responses(
        (status = 200, description = "The rows, as an attachment",
            content((String = "text/csv"), (Vec<ResultRow> = "application/json"), (String = "application/x-ndjson"))),
        (status = 404, description = "No run has this id", body = ApiErrorResponse),
        (status = 422, description = "`format` is not `csv`, `json` or `jsonl`", body = ApiErrorResponse),
    ))]
async fn export_run(
    State(sim): State<Simulation>,
    Path(id): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    if let Err(missing) = sim.engine.snapshot(&id).await {
        // Rows of a run whose first record was kept elsewhere still export.
        if !super::results::run_has_rows(&sim.engine.db, &id).await? {
            return Err(missing);
        }
    }
    download(&sim, ExportOf::Run(id.clone()), &id, q.format.as_deref())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ResultsExportQuery {
    /// Every chat and load-test row that refers to this endpoint (model
    /// checks aside): what deleting it with its results would delete. The
    /// filters below are then not used.
    #[serde(default)]
    referring_to: Option<i64>,
    #[serde(default)]
    run_id: Option<String>,
    #[serde(default)]
    success: Option<bool>,
    #[serde(default)]
    text: Option<String>,
    /// `timeout`, `connect`, `http_status` or `decode`.
    #[serde(default)]
    error_kind: Option<String>,
    /// The endpoint that served the request.
    #[serde(default)]
    endpoint_id: Option<i64>,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    user: Option<String>,
    /// `csv` (the default), `json` or `jsonl`.
    #[serde(default)]
    format: Option<String>,
}

/// Result rows as a CSV, JSON or JSONL download, across runs: the rows the
/// results table shows for the same filters, or with `referring_to` every
/// row that refers to an endpoint.
#[utoipa::path(get, path = "/api/v1/llm/tests/results/export", tag = "simulation",
    params(ResultsExportQuery),
    responses(
        (status = 200, description = "The rows, as an attachment",
            content((String = "text/csv"), (Vec<ResultRow> = "application/json"), (String = "application/x-ndjson"))),
        (status = 404, description = "No endpoint has the `referring_to` id", body = ApiErrorResponse),
        (status = 422, description = "`format` is not `csv`, `json` or `jsonl`", body = ApiErrorResponse),
    ))]
async fn export_results(
    State(sim): State<Simulation>,
    State(catalog): State<Catalog>,
    Query(q): Query<ResultsExportQuery>,
) -> Result<Response, AppError> {
    let (of, name) = match q.referring_to {
        Some(id) => {
            let endpoint = catalog.get(id).await?;
            (
                ExportOf::Endpoint(endpoint.id),
                format!("endpoint-{}-results", endpoint.id),
            )
        }
        None => {
            let filters = ResultQuery {
                run_id: q.run_id,
                success: q.success,
                text: q.text,
                error_kind: q.error_kind,
                endpoint_id: q.endpoint_id,
                model: q.model,
                user: q.user,
                ..ResultQuery::default()
            };
            (
                ExportOf::Filter(results::Filter::of(&filters)),
                "results".to_owned(),
            )
        }
    };
    download(&sim, of, &name, q.format.as_deref())
}

/// Rows as an attachment named `name`, in `format` (`csv` unless said).
fn download(
    sim: &Simulation,
    of: ExportOf,
    name: &str,
    format: Option<&str>,
) -> Result<Response, AppError> {
    let (format, ct, ext) = match format.unwrap_or("csv") {
        "csv" => (ExportFormat::Csv, "text/csv; charset=utf-8", "csv"),
        "json" => (ExportFormat::Json, "application/json", "json"),
        "jsonl" => (ExportFormat::Jsonl, "application/x-ndjson", "jsonl"),
        other => {
            return Err(AppError::field(
                "format",
                SimMsg::ExportFormat {
                    got: other.to_owned(),
                },
            ))
        }
    };
    let disposition = format!("attachment; filename=\"{name}.{ext}\"");
    Ok((
        [
            (header::CONTENT_TYPE, ct.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        results::export(sim.engine.db.clone(), of, format),
    )
        .into_response())
}
