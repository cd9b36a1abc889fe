use leptos::prelude::*;

use crate::i18n::Key;
use crate::ui::{AdminLayout, EmptyState};

#[component]
pub fn CatalogPage() -> impl IntoView {
    view! {
        <AdminLayout title=Key::CatalogTitle>
            <EmptyState message=Key::CatalogEmpty/>
        </AdminLayout>
    }
}
