//! What real traffic did last per route: the chat API notes, for the
//! mapping that applied and the model, which endpoint answered (or failed
//! last) and when; the resolve box shows it beside the resolver's answer.
//! Kept in memory: it starts empty with the process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::types::{LastUsed, Resolution};

/// Above this many routes the notes start afresh (scopes are admin-made,
/// so this is never reached in practice; it only bounds memory).
const ROUTES_KEPT: usize = 10_000;

/// A route: the mapping that applied (none: the global default) and the model.
type RouteKey = (Option<String>, String);

#[derive(Clone, Default)]
pub struct LastUsedLog {
    routes: Arc<Mutex<HashMap<RouteKey, LastUsed>>>,
}

fn key(route: &Resolution) -> RouteKey {
    (route.scope.clone(), route.model.clone())
}

impl LastUsedLog {
    /// Notes what a chat routed as `route` did.
    pub fn note(&self, route: &Resolution, used: LastUsed) {
        if let Ok(mut routes) = self.routes.lock() {
            if routes.len() >= ROUTES_KEPT {
                routes.clear();
            }
            routes.insert(key(route), used);
        }
    }

    /// What traffic routed like `route` did last.
    pub fn last(&self, route: &Resolution) -> Option<LastUsed> {
        self.routes
            .lock()
            .ok()
            .and_then(|routes| routes.get(&key(route)).cloned())
    }
}
