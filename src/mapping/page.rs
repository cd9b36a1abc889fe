//! The Mapping page: domains with their models, default and coverage; the
//! add / edit drawer; and the resolve box.

use leptos::prelude::*;

use super::context::MappingCtx;
use super::editor::MappingDrawer;
use super::pending_panel::PendingChanges;
use super::resolve_box::ResolveBox;
use super::server_fns::{delete_mapping, list_mappings};
use super::text::MappingText;
use super::types::{Mapping, MappingQuery, MappingView, ModelCoverage};
use crate::catalog::live::follow_catalog_changes;
use crate::catalog::text::status_label;
use crate::i18n::{t, Key};
use crate::ui::load::load;
use crate::ui::table::{settling, Pager, Sort, SortHeader};
use crate::ui::{use_lang, AdminLayout, EmptyState, Modal, TableSkeleton, Toast};
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
        |(q, (key, ascending), page, _)| {
            list_mappings(MappingQuery {
                q: Some(q),
                sort: Some(key).filter(|k| !k.is_empty()),
                ascending,
                page: Some(page),
                per_page: Some(PER_PAGE),
            })
        },
    );
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
            <Transition fallback=|| view! { <TableSkeleton/> }>
                {move || mappings.get().map(|r| match r {
                    Ok(p) if p.total == 0 && settled.get_untracked().trim().is_empty() => {
                        view! { <EmptyState message=Key::MappingEmpty/> }.into_any()
                    }
                    Ok(p) if p.items.is_empty() => view! { <p class="muted">{t(lang, MappingText::NoMatches)}</p> }.into_any(),
                    Ok(p) => view! {
                        <div class="table-scroll"><MappingTable list=p.items sort page/></div>
                        <Pager lang page total=p.total per_page=p.per_page/>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error">{e.text(lang)}</p> }.into_any(),
                })}
            </Transition>
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
fn MappingTable(list: Vec<MappingView>, sort: Sort, page: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <table class="data-table" data-testid="mapping-table">
            <thead>
                <tr>
                    <SortHeader label="#" key="id" sort page class="num"/>
                    <SortHeader label=t(lang, MappingText::ColScope) key="scope" sort page/>
                    <th>{t(lang, MappingText::ColModels)}</th>
                    <th>{t(lang, MappingText::ColDefault)}</th>
                    <th>{t(lang, MappingText::ColNote)}</th>
                    <SortHeader label=t(lang, MappingText::ColEnabled) key="is_active" sort page/>
                    <th>{t(lang, MappingText::ColActions)}</th>
                </tr>
            </thead>
            <tbody>{list.into_iter().map(|v| view! { <MappingRow v/> }).collect_view()}</tbody>
        </table>
    }
}

/// ● healthy, ◐ served but nothing online, ✕ nobody serves it.
pub fn coverage_chip(lang: crate::i18n::Lang, c: &ModelCoverage) -> impl IntoView {
    let (class, mark, key) = if c.healthy() {
        ("chip cov-ok", "●", MappingText::Healthy)
    } else if c.served() {
        ("chip cov-warn", "◐", MappingText::Unhealthy)
    } else {
        ("chip cov-none", "✕", MappingText::Unserved)
    };
    let names = c
        .endpoints
        .iter()
        .map(|e| format!("{} ({})", e.name, status_label(lang, &e.status)))
        .chain((c.more > 0).then(|| format!("+{}", c.more)))
        .collect::<Vec<_>>()
        .join(", ");
    let title = if names.is_empty() {
        t(lang, key).to_owned()
    } else {
        format!("{} — {names}", t(lang, key))
    };
    view! {
        <span class=class title=title data-testid="coverage" data-model=c.model.clone()>
            {mark} " " {c.model.clone()}
        </span>
    }
}

#[component]
fn MappingRow(v: MappingView) -> impl IntoView {
    let lang = use_lang();
    let ctx = expect_context::<MappingCtx>();
    let m = v.mapping.clone();
    let id = m.id;
    let active = m.is_active;
    let dangling = !v.coverage.iter().all(ModelCoverage::served);
    let (edit_m, delete_m) = (m.clone(), m.clone());
    view! {
        <tr data-testid="mapping-row" data-scope=m.scope.clone()>
            <td class="num mono">{id}</td>
            <td>
                <strong class="mono">{m.scope.clone()}</strong>
                {dangling.then(|| view! { <span class="tag status-degraded">{t(lang, MappingText::Dangling)}</span> })}
                {m.removed_in_supabase.then(|| view! {
                    <span class="tag status-offline" data-testid="removed-in-supabase">{t(lang, MappingText::RemovedInSupabase)}</span>
                })}
            </td>
            <td><div class="chips">{v.coverage.iter().map(|c| coverage_chip(lang, c)).collect_view()}</div></td>
            <td class="mono">{m.default.clone().unwrap_or_default()}</td>
            <td class="muted small">{m.note.clone()}</td>
            <td>
                <label class="switch">
                    <input type="checkbox" aria-label=format!("{} · {}", t(lang, MappingText::ColEnabled), m.scope) checked=active prop:checked=active on:change=move |_| { ctx.toggle.dispatch((id, !active)); }/>
                    <span></span>
                </label>
            </td>
            <td class="actions">
                <button class="btn btn-small" on:click=move |_| ctx.editing.set(Some(Some(edit_m.clone())))>{t(lang, MappingText::Edit)}</button>
                <button class="btn btn-small btn-danger" on:click=move |_| ctx.deleting.set(Some(delete_m.clone()))>{t(lang, MappingText::Delete)}</button>
            </td>
        </tr>
    }
}

#[component]
fn DeleteMapping(target: Mapping) -> impl IntoView {
    let lang = use_lang();
    let ctx = expect_context::<MappingCtx>();
    let id = target.id;
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
            <p class="mono">{target.scope.clone()}</p>
            <div class="modal-actions">
                <button class="btn" on:click=move |_| close.run(())>{t(lang, MappingText::Cancel)}</button>
                <button class="btn btn-danger" data-testid="confirm-delete" on:click=move |_| { remove.dispatch(()); }>{t(lang, MappingText::Delete)}</button>
            </div>
        </Modal>
    }
}
