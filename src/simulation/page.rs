//! The JWT simulation page: mint → single chat → load test (live) →
//! runs, results and comparison.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::context::SimCtx;
use super::panels::{DialogPanel, MintPanel};
use super::results_panel::ResultsPanel;
use super::run_panel::RunPanel;
use super::sweep_panel::SweepPanel;
use crate::i18n::Key;
use crate::ui::AdminLayout;

#[component]
pub fn SimulationPage() -> impl IntoView {
    let ctx = SimCtx::new();
    provide_context(ctx);
    // `/simulation?run=…` (the dashboard's links) opens that run.
    if let Some(run) = use_query_map().get_untracked().get("run") {
        ctx.current_run.set(Some(run));
    }
    view! {
        <AdminLayout title=Key::SimulationTitle>
            <div class="grid-2">
                <MintPanel/>
                <DialogPanel/>
            </div>
            <RunPanel/>
            <SweepPanel/>
            <ResultsPanel/>
        </AdminLayout>
    }
}
