//! The Mapping page: domains with their models, default and coverage; the
//! add / edit drawer; and the resolve box.

use leptos::prelude::*;

use super::context::MappingCtx;
use super::editor::MappingDrawer;
use super::pending_panel::PendingChanges;
use super::resolve_box::ResolveBox;
use super::server_fns::{delete_mapping, mapping_by_id, mappings_html};
use super::text::MappingText;
use super::types::MappingQuery;
use crate::catalog::live::follow_catalog_changes;
use crate::i18n::{t, Key};
use crate::ui::fragment::{clicked, ServerHtml};
use crate::ui::load::load;
use crate::ui::table::{follow_drawn, settling, Sort};
use crate::ui::{show_toast, use_lang, AdminLayout, Modal, Toast};
use leptos_router::hooks::use_query_map;

#[component]
pub fn MappingPage() -> impl IntoView {
    let lang = use_lang();
    let ctx = MappingCtx::new(lang);
    provide_context(ctx);
    // `/mappings?scope=…` (the dashboard's gap links) opens it filtered.
    let initial = use_query_map()
        .get_untracked()
        .get("scope")
        .unwrap_or_default();
    let (filter, settled) = settling(initial);
    let sort: Sort = RwSignal::new((String::new(), false));
    let page = RwSignal::new(1u32);
    Effect::new(move |_| {
        settled.track();
        page.set(1);
    });
    let mappings = load(
        move || (settled.get(), sort.get(), page.get(), ctx.version.get()),
        move |(q, (key, ascending), page, _)| {
            let query = MappingQuery {
                q: Some(q),
                sort: Some(key).filter(|k| !k.is_empty()),
                ascending,
                page: Some(page),
                per_page: Some(PER_PAGE),
            };
            mappings_html(query, lang)
        },
    );
    // A row's edit opens the drawer with the mapping as it is now.
    let edit = Action::new(|id: &i64| mapping_by_id(*id));
    Effect::new(move |_| match edit.value().get() {
        Some(Ok(m)) => ctx.editing.set(Some(Some(m))),
        Some(Err(e)) => show_toast(ctx.toast, false, e.text(lang)),
        None => {}
    });
    let on_event = Callback::new(move |ev: leptos::ev::Event| {
        if follow_drawn(&ev, Some(sort), page) {
            return;
        }
        let id = |attr| clicked(&ev, attr).and_then(|v| v.parse::<i64>().ok());
        if ev.type_() == "change" {
            if let Some(id) = id("data-toggle-mapping") {
                let on = clicked(&ev, "data-on").as_deref() == Some("true");
                ctx.toggle.dispatch((id, on));
            }
        } else if let Some(id) = id("data-edit-mapping") {
            edit.dispatch(id);
        } else if let Some(id) = id("data-delete-mapping") {
            let scope = clicked(&ev, "data-scope").unwrap_or_default();
            ctx.deleting.set(Some((id, scope)));
        }
    });
    // Mappings changed elsewhere (another console, Supabase) show up live.
    follow_catalog_changes(move || ctx.version.update(|v| *v += 1));

    view! {
        <AdminLayout title=Key::MappingTitle>
            <div class="toolbar">
                <input class="search" type="search" name="scope_filter" placeholder=t(lang, MappingText::FilterScopes)
                    aria-label=t(lang, MappingText::FilterScopes) prop:value=filter
                    on:input=move |ev| filter.set(event_target_value(&ev))/>
                <button class="btn btn-primary" data-testid="add-mapping" on:click=move |_| ctx.editing.set(Some(None))>
                    {t(lang, MappingText::Add)}
                </button>
            </div>
            <ServerHtml html=Signal::derive(move || mappings.get()) on_event skeleton=5/>
            <PendingChanges/>
            <ResolveBox/>
            {move || ctx.editing.get().map(|initial| view! { <MappingDrawer initial/> })}
            {move || ctx.deleting.get().map(|target| view! { <DeleteMapping target/> })}
            <Toast toast=ctx.toast/>
        </AdminLayout>
    }
}

/// Mappings a page of the table shows.
const PER_PAGE: u32 = 50;

#[component]
fn DeleteMapping(target: (i64, String)) -> impl IntoView {
    let lang = use_lang();
    let ctx = expect_context::<MappingCtx>();
    let (id, scope) = target;
    let remove = Action::new(move |_: &()| delete_mapping(id));
    Effect::new(move |_| {
        if let Some(r) = remove.value().get() {
            ctx.report(&r, |_| t(lang, MappingText::Deleted).to_owned());
            ctx.deleting.set(None);
        }
    });
    let close = Callback::new(move |_| ctx.deleting.set(None));
    view! {
        <Modal title=t(lang, MappingText::ConfirmDelete).to_owned() on_close=close>
            <p class="mono">{scope}</p>
            <div class="modal-actions">
                <button class="btn" on:click=move |_| close.run(())>{t(lang, MappingText::Cancel)}</button>
                <button class="btn btn-danger" data-testid="confirm-delete" on:click=move |_| { remove.dispatch(()); }>{t(lang, MappingText::Delete)}</button>
            </div>
        </Modal>
    }
}
