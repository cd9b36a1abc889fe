//! The JWT simulation page: mint → single chat → load test (live) →
//! runs, results and comparison.

use leptos::prelude::*;

use super::panels::{DialogPanel, MintPanel};
use super::results_panel::ResultsPanel;
use super::run_panel::RunPanel;
use crate::i18n::Key;
use crate::ui::AdminLayout;

/// What the panels share: the last minted token and the run being watched.
#[derive(Clone, Copy)]
pub struct SimCtx {
    pub token: RwSignal<String>,
    pub current_run: RwSignal<Option<String>>,
    /// Bumped when a run finishes, so lists reload.
    pub finished: RwSignal<u32>,
}

#[component]
pub fn SimulationPage() -> impl IntoView {
    let ctx = SimCtx {
        token: RwSignal::new(String::new()),
        current_run: RwSignal::new(None),
        finished: RwSignal::new(0),
    };
    provide_context(ctx);
    view! {
        <AdminLayout title=Key::SimulationTitle>
            <div class="grid-2">
                <MintPanel/>
                <DialogPanel/>
            </div>
            <RunPanel/>
            <ResultsPanel/>
        </AdminLayout>
    }
}
