use leptos::prelude::*;

use crate::i18n::Key;
use crate::ui::{AdminLayout, EmptyState};

#[component]
pub fn SimulationPage() -> impl IntoView {
    view! {
        <AdminLayout title=Key::SimulationTitle>
            <EmptyState message=Key::SimulationEmpty/>
        </AdminLayout>
    }
}
