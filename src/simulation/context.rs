//! What the simulation page's panels share, provided once by the page.

use leptos::prelude::*;

/// What the panels share: the last minted token and the run being watched.
#[derive(Clone, Copy)]
pub struct SimCtx {
    pub token: RwSignal<String>,
    pub current_run: RwSignal<Option<String>>,
    /// Bumped when a run finishes, so lists reload.
    pub finished: RwSignal<u32>,
    /// Whether the followed run is still going.
    pub running: RwSignal<bool>,
}

impl SimCtx {
    pub fn new() -> SimCtx {
        SimCtx {
            token: RwSignal::new(String::new()),
            current_run: RwSignal::new(None),
            finished: RwSignal::new(0),
            running: RwSignal::new(false),
        }
    }
}

impl Default for SimCtx {
    fn default() -> SimCtx {
        SimCtx::new()
    }
}
