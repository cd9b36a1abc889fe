use leptos::prelude::*;

use crate::i18n::Key;
use crate::ui::{AdminLayout, EmptyState};

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <AdminLayout title=Key::DashboardTitle>
            <EmptyState message=Key::DashboardEmpty/>
        </AdminLayout>
    }
}
