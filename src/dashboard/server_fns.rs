//! The dashboard's one read: everything it shows, in one call.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::catalog::types::Endpoint;
use crate::error::AppError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CoverageState {
    /// Every model has an online endpoint.
    Full,
    /// Some do.
    Partial,
    /// None do.
    None,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainCoverage {
    pub scope: String,
    pub state: CoverageState,
    /// Models without a healthy endpoint.
    pub gaps: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecentRun {
    pub id: String,
    pub status: crate::simulation::types::RunStatus,
    pub done: u64,
    pub success_rate: f64,
    pub p95_ms: f64,
    pub rps: f64,
    pub started_at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardData {
    pub endpoints: Vec<Endpoint>,
    pub default: Option<Endpoint>,
    pub coverage: Vec<DomainCoverage>,
    pub runs: Vec<RecentRun>,
    /// endpoint id → (chat requests, errors) since start.
    pub traffic: Vec<(i64, u64, u64)>,
}

#[server(prefix = "/api/dashboard", endpoint = "data", input = leptos::server_fn::codec::Json)]
pub async fn load_dashboard() -> Result<DashboardData, AppError> {
    use crate::catalog::types::ListQuery;
    crate::auth::require_admin()
        .map_err(|_| AppError::Unauthorized(crate::error::Common::SignInRequired.into()))?;
    let s = use_context::<crate::server::AppState>()
        .ok_or_else(|| AppError::internal("application state missing"))?;
    let endpoints = s
        .catalog
        .list(&ListQuery {
            per_page: Some(200),
            ..Default::default()
        })
        .await?
        .items;
    let default = endpoints.iter().find(|e| e.is_default).cloned();
    let coverage = s
        .mappings
        .list()
        .await?
        .into_iter()
        .filter(|v| v.mapping.is_active)
        .map(|v| {
            let gaps: Vec<String> = v
                .coverage
                .iter()
                .filter(|c| !c.healthy())
                .map(|c| c.model.clone())
                .collect();
            let state = if gaps.is_empty() {
                CoverageState::Full
            } else if gaps.len() < v.coverage.len() {
                CoverageState::Partial
            } else {
                CoverageState::None
            };
            DomainCoverage {
                scope: v.mapping.scope,
                state,
                gaps,
            }
        })
        .collect();
    let runs = s
        .engine
        .list()
        .into_iter()
        .take(8)
        .map(|r| RecentRun {
            success_rate: if r.done > 0 {
                100.0 * r.ok as f64 / r.done as f64
            } else {
                0.0
            },
            id: r.id,
            status: r.status,
            done: r.done,
            p95_ms: r.latency_ms.p95,
            rps: r.rps,
            started_at: r.started_at,
        })
        .collect();
    let traffic = s
        .traffic
        .snapshot()
        .into_iter()
        .map(|(id, t)| (id, t.requests, t.errors))
        .collect();
    Ok(DashboardData {
        endpoints,
        default,
        coverage,
        runs,
        traffic,
    })
}
