//! The resolver's inputs kept in memory while the catalog's epoch stands
//! (and at most [`ROUTES_TTL`]): the chat path reads its routes from here,
//! and any write — local, or mirrored from Supabase — moves the epoch.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::resolver::{RouteEndpoint, RouteMapping};
use crate::catalog::repo::EndpointRow;

/// What routing reads: the resolver's inputs, and the endpoint rows (with
/// their keys) to send the request to.
pub struct Tables {
    pub endpoints: Vec<RouteEndpoint>,
    pub mappings: Vec<RouteMapping>,
    pub rows: Vec<EndpointRow>,
}

pub type RouteTables = Arc<Tables>;

struct CachedRoutes {
    epoch: u64,
    at: Instant,
    tables: RouteTables,
}

const ROUTES_TTL: Duration = Duration::from_secs(1);

#[derive(Clone, Default)]
pub struct RouteCache(Arc<Mutex<Option<CachedRoutes>>>);

impl RouteCache {
    /// The tables kept at `epoch`, if still fresh.
    pub fn fresh(&self, epoch: u64) -> Option<RouteTables> {
        let cache = self.0.lock().ok()?;
        cache
            .as_ref()
            .filter(|c| c.epoch == epoch && c.at.elapsed() < ROUTES_TTL)
            .map(|c| c.tables.clone())
    }

    pub fn keep(&self, epoch: u64, tables: RouteTables) {
        if let Ok(mut cache) = self.0.lock() {
            *cache = Some(CachedRoutes {
                epoch,
                at: Instant::now(),
                tables,
            });
        }
    }
}

/// The endpoints as the resolver sees them.
pub fn route_endpoints(rows: &[EndpointRow]) -> Vec<RouteEndpoint> {
    rows.iter()
        .map(|e| RouteEndpoint {
            id: e.id,
            name: e.name.clone(),
            is_active: e.active(),
            is_default: e.default(),
            model: e.model.clone(),
            models: e.models(),
            status: e.status.clone().unwrap_or_else(|| "unknown".into()),
            latency_ms: e.latency_ms,
        })
        .collect()
}
