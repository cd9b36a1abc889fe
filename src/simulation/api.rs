//! REST under `/api/v1/llm/tests/`: mint, dialog, runs, results, export.

use axum::extract::{FromRef, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;

use super::msg::SimMsg;
use super::results;
use super::service::{self, Simulation};
use super::types::{DialogRequest, MintRequest, ResultQuery, RunConfig};
use crate::auth::jwt::Claims;
use crate::catalog::api::Body;
use crate::error::AppError;

type ApiResult = Result<Response, AppError>;

/// The simulation's routes (and `/metrics`), for any app state that holds
/// its service.
pub fn routes<S>() -> Router<S>
where
    Simulation: FromRef<S>,
    S: Clone + Send + Sync + 'static,
{
    Router::new()
        .route("/api/v1/llm/tests/mint", post(mint))
        .route("/api/v1/llm/tests/dialog", post(dialog))
        .route("/api/v1/llm/tests/runs", get(list_runs).post(start_run))
        .route("/api/v1/llm/tests/runs/{id}", get(get_run))
        .route("/api/v1/llm/tests/runs/{id}/cancel", post(cancel_run))
        .route("/api/v1/llm/tests/runs/{id}/export", get(export))
        .route("/api/v1/llm/tests/results", get(list_results))
        .route("/metrics", get(crate::monitor::metrics::metrics_route))
}

async fn mint(
    State(sim): State<Simulation>,
    Extension(c): Extension<Claims>,
    Body(r): Body<MintRequest>,
) -> ApiResult {
    Ok(Json(sim.mint(&c.sub, &r).await?).into_response())
}

async fn dialog(State(sim): State<Simulation>, Body(r): Body<DialogRequest>) -> ApiResult {
    Ok(Json(service::dialog(&sim.engine, &r).await?).into_response())
}

async fn start_run(
    State(sim): State<Simulation>,
    Extension(c): Extension<Claims>,
    Body(r): Body<RunConfig>,
) -> ApiResult {
    let snap = sim.start_run(&c.sub, r).await?;
    Ok((StatusCode::CREATED, Json(snap)).into_response())
}

async fn list_runs(State(sim): State<Simulation>) -> ApiResult {
    Ok(Json(sim.engine.list()).into_response())
}

async fn get_run(State(sim): State<Simulation>, Path(id): Path<String>) -> ApiResult {
    Ok(Json(sim.engine.snapshot(&id)?).into_response())
}

async fn cancel_run(
    State(sim): State<Simulation>,
    Extension(c): Extension<Claims>,
    Path(id): Path<String>,
) -> ApiResult {
    Ok(Json(sim.cancel_run(&c.sub, &id)?).into_response())
}

async fn list_results(State(sim): State<Simulation>, Query(q): Query<ResultQuery>) -> ApiResult {
    Ok(Json(results::page(&sim.engine.db, &q).await?).into_response())
}

#[derive(Deserialize)]
struct ExportQuery {
    #[serde(default)]
    format: Option<String>,
}

async fn export(
    State(sim): State<Simulation>,
    Path(id): Path<String>,
    Query(q): Query<ExportQuery>,
) -> ApiResult {
    sim.engine.snapshot(&id)?;
    let csv = match q.format.as_deref().unwrap_or("csv") {
        "csv" => true,
        "json" => false,
        other => {
            return Err(AppError::field(
                "format",
                SimMsg::ExportFormat {
                    got: other.to_owned(),
                },
            ))
        }
    };
    let (ct, ext) = if csv {
        ("text/csv; charset=utf-8", "csv")
    } else {
        ("application/json", "json")
    };
    let disposition = format!("attachment; filename=\"{id}.{ext}\"");
    Ok((
        [
            (header::CONTENT_TYPE, ct.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        results::export(sim.engine.db.clone(), id, csv),
    )
        .into_response())
}
