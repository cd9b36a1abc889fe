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
    pub id: i64,
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
    /// Requests that never reached an endpoint (counted under none).
    pub not_routed: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardData {
    /// The endpoints that need a look first (see [`TILES`]).
    pub endpoints: Vec<Endpoint>,
    /// How many endpoints are in each state, worst first.
    pub states: Vec<(String, i64)>,
    /// All endpoints, shown or not.
    pub total_endpoints: i64,
    pub default: Option<Endpoint>,
    pub coverage: Vec<DomainCoverage>,
    pub runs: Vec<RecentRun>,
    /// endpoint id → (chat requests, errors) since start.
    pub traffic: Vec<EndpointCalls>,
    /// When these figures were read (UTC, `HH:MM:SS`).
    pub read_at: String,
}

/// Chat API calls to one endpoint since the server started.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointCalls {
    pub endpoint_id: i64,
    pub requests: u64,
    pub errors: u64,
}

/// Health tiles the dashboard shows; the catalog pages through the rest.
pub const TILES: u32 = 100;

#[server(prefix = "/api/dashboard", endpoint = "data", input = leptos::server_fn::codec::Json)]
pub async fn load_dashboard() -> Result<DashboardData, AppError> {
    use crate::auth::{as_admin, provided};
    use crate::catalog::service::Catalog;
    use crate::catalog::types::ListQuery;
    use crate::mapping::service::MappingService;
    use crate::monitor::traffic::Traffic;
    use crate::simulation::service::Simulation;
    as_admin(async |_, catalog: Catalog| {
        let page = catalog
            .list(&ListQuery {
                sort: Some("attention".into()),
                per_page: Some(TILES),
                ..Default::default()
            })
            .await?;
        let endpoints = page.items;
        let states = crate::catalog::lookups::state_counts(&catalog.db).await?;
        let default = match endpoints.iter().find(|e| e.is_default) {
            Some(e) => Some(e.clone()),
            None => catalog.default_endpoint().await?,
        };
        let coverage = provided::<MappingService>()?
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
                    id: v.mapping.id,
                    scope: v.mapping.scope,
                    state,
                    gaps,
                }
            })
            .collect();
        let runs = provided::<Simulation>()?
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
                not_routed: r.not_routed,
            })
            .collect();
        let traffic = provided::<Traffic>()?
            .snapshot()
            .into_iter()
            .map(|(endpoint_id, t)| EndpointCalls {
                endpoint_id,
                requests: t.requests,
                errors: t.errors,
            })
            .collect();
        Ok(DashboardData {
            endpoints,
            states,
            total_endpoints: page.total,
            default,
            coverage,
            runs,
            traffic,
            read_at: chrono::Utc::now().format("%H:%M:%S UTC").to_string(),
        })
    })
    .await
}
