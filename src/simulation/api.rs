//! REST under `/api/v1/llm/tests/`: mint, dialog, runs, results, export.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;

use super::text::SimMsg;
use super::types::{DialogRequest, MintRequest, ResultQuery, RunConfig};
use super::{results, service};
use crate::auth::jwt::Claims;
use crate::catalog::api::Body;
use crate::error::AppError;
use crate::server::AppState;

type ApiResult = Result<Response, AppError>;

pub fn routes() -> Router<AppState> {
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
    State(s): State<AppState>,
    Extension(c): Extension<Claims>,
    Body(r): Body<MintRequest>,
) -> ApiResult {
    Ok(
        Json(service::mint(&s.engine, &c.sub, &r, s.config.mint_max_minutes, &s.audit).await?)
            .into_response(),
    )
}

async fn dialog(State(s): State<AppState>, Body(r): Body<DialogRequest>) -> ApiResult {
    Ok(Json(service::dialog(&s.engine, &r).await?).into_response())
}

async fn start_run(
    State(s): State<AppState>,
    Extension(c): Extension<Claims>,
    Body(r): Body<RunConfig>,
) -> ApiResult {
    let snap = s.engine.start(r).await?;
    s.audit.record(
        &c.sub,
        "simulation.run.start",
        serde_json::json!({ "run_id": snap.id, "config": snap.config }),
    );
    Ok((StatusCode::CREATED, Json(snap)).into_response())
}

async fn list_runs(State(s): State<AppState>) -> ApiResult {
    Ok(Json(s.engine.list()).into_response())
}

async fn get_run(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult {
    Ok(Json(s.engine.snapshot(&id)?).into_response())
}

async fn cancel_run(
    State(s): State<AppState>,
    Extension(c): Extension<Claims>,
    Path(id): Path<String>,
) -> ApiResult {
    let snap = s.engine.cancel(&id)?;
    s.audit.record(
        &c.sub,
        "simulation.run.cancel",
        serde_json::json!({ "run_id": id }),
    );
    Ok(Json(snap).into_response())
}

async fn list_results(State(s): State<AppState>, Query(q): Query<ResultQuery>) -> ApiResult {
    Ok(Json(results::page(&s.db, &q).await?).into_response())
}

#[derive(Deserialize)]
struct ExportQuery {
    #[serde(default)]
    format: Option<String>,
}

async fn export(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<ExportQuery>,
) -> ApiResult {
    s.engine.snapshot(&id)?;
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
        results::export(s.db.clone(), id, csv),
    )
        .into_response())
}
