//! What the simulation page's panels share, provided once by the page.

use leptos::prelude::*;

use super::server_fns::load_test_limits;
use super::types::Limits;
use crate::error::AppError;
use crate::ui::load::{load, Loaded};

/// What the panels share: the last minted token and the run being watched.
#[derive(Clone, Copy)]
pub struct SimCtx {
    pub token: RwSignal<String>,
    pub current_run: RwSignal<Option<String>>,
    /// Bumped when a run finishes, so lists reload.
    pub finished: RwSignal<u32>,
    /// Whether the followed run is still going.
    pub running: RwSignal<bool>,
    /// The limits the forms show, read once for all of them.
    pub limits: Loaded<Result<Limits, AppError>>,
}

impl SimCtx {
    pub fn new() -> SimCtx {
        SimCtx {
            token: RwSignal::new(String::new()),
            current_run: RwSignal::new(None),
            finished: RwSignal::new(0),
            running: RwSignal::new(false),
            limits: load(|| (), |_| load_test_limits()),
        }
    }
}

impl Default for SimCtx {
    fn default() -> SimCtx {
        SimCtx::new()
    }
}
