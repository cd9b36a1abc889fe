use leptos::prelude::*;

use crate::i18n::Key;
use crate::ui::{AdminLayout, EmptyState};

#[component]
pub fn MappingPage() -> impl IntoView {
    view! {
        <AdminLayout title=Key::MappingTitle>
            <EmptyState message=Key::MappingEmpty/>
        </AdminLayout>
    }
}
