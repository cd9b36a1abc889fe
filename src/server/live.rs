//! Supabase as the live authority: a full sync at start (whatever the
//! interval), the interval sync as a safety net, and the watch that brings
//! each remote change to `ai_model` or to the mapping rows of `ai_prompt`
//! into SQLite within a second or two — the pages and the chat routing
//! follow SQLite.

use std::sync::Arc;
use std::time::Duration;

use crate::catalog::remote::PROBE as ENDPOINTS_PROBE;
use crate::mapping::remote::PROBE as MAPPINGS_PROBE;
use crate::state::AppState;
use crate::storage::watch::{self, ProbeEvery, Watched};

/// Starts the syncs and the watch when Supabase is configured; the watch
/// keeps the catalog's view of whether Supabase answers.
pub fn start(state: &AppState) {
    let Some(pg) = state.supabase.clone() else {
        return;
    };
    let mappings = state.mappings.clone();
    match state.config.sync_interval_minutes {
        0 => {
            let mappings = mappings.clone();
            tokio::spawn(async move {
                if let Err(e) = mappings.sync("system").await {
                    tracing::warn!(error = %e, "start-up Supabase sync failed");
                }
            });
        }
        minutes => mappings
            .clone()
            .spawn_sync_interval(Duration::from_secs(u64::from(minutes) * 60)),
    }
    let catalog = state.catalog.clone();
    let endpoints = Watched {
        table: "ai_model",
        probe: ENDPOINTS_PROBE,
        reconcile: Arc::new(move || {
            let catalog = catalog.clone();
            Box::pin(async move { catalog.follow_remote().await.map_err(|e| e.message()) })
        }),
    };
    let mapping_rows = Watched {
        table: "ai_prompt",
        probe: MAPPINGS_PROBE,
        reconcile: Arc::new(move || {
            let mappings = mappings.clone();
            Box::pin(async move { mappings.follow_remote().await.map_err(|e| e.message()) })
        }),
    };
    watch::spawn(
        pg,
        vec![endpoints, mapping_rows],
        ProbeEvery::default(),
        state.catalog.authority.clone(),
    );
}
