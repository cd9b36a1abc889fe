//! The Catalog page: the endpoint table with search, status, the active
//! toggle and per-row actions; the add / edit drawer; the default switch.

use leptos::prelude::*;

use super::context::CatalogCtx;
use super::dialogs::{DeleteDialog, SwitchDefaultDialog};
use super::drawer::EndpointDrawer;
use super::live::follow_catalog_changes;
use super::server_fns::{check_all_endpoints, list_endpoints, supabase_configured, sync_catalog};
use super::text::{status_label, CatalogText};
use super::types::{Endpoint, ListQuery, SyncCounts, SyncReport};
use crate::error::reason_text;
use crate::i18n::{t, Key, Lang};
use crate::ui::load::load;
use crate::ui::table::{settling, Pager, Sort, SortHeader};
use crate::ui::{use_lang, AdminLayout, EmptyState, TableSkeleton, Toast};
use leptos_router::hooks::use_query_map;

/// Endpoints a page of the table shows.
const PER_PAGE: u32 = 50;

#[component]
pub fn CatalogPage() -> impl IntoView {
    let lang = use_lang();
    let ctx = CatalogCtx::new(lang);
    provide_context(ctx);
    follow_catalog_changes(move || ctx.refresh());
    // `/models?q=…` (the dashboard's links) opens the table filtered.
    let initial = use_query_map().get_untracked().get("q").unwrap_or_default();
    let (search, settled) = settling(initial);
    let sort: Sort = RwSignal::new((String::new(), false));
    let page = RwSignal::new(1u32);
    Effect::new(move |_| {
        settled.track();
        page.set(1);
    });
    let endpoints = load(
        move || (settled.get(), sort.get(), page.get(), ctx.version.get()),
        |(q, (key, ascending), page, _)| {
            list_endpoints(ListQuery {
                q: Some(q),
                sort: Some(key).filter(|k| !k.is_empty()),
                ascending,
                page: Some(page),
                per_page: Some(PER_PAGE),
                ..Default::default()
            })
        },
    );
    let authority = load(|| (), |_| supabase_configured());
    let last_sync = RwSignal::new(None::<SyncReport>);

    let sync = Action::new(|_: &()| sync_catalog());
    Effect::new(move |_| {
        if let Some(r) = sync.value().get() {
            if let Ok(report) = &r {
                last_sync.set(Some(report.clone()));
            }
            ctx.report(&r, |_| t(lang, CatalogText::SyncDone).to_owned());
        }
    });
    let check_all = Action::new(|_: &()| check_all_endpoints());
    Effect::new(move |_| {
        if let Some(r) = check_all.value().get() {
            ctx.report(&r, |n| format!("{} ({n})", t(lang, CatalogText::Checked)));
        }
    });

    view! {
        <AdminLayout title=Key::CatalogTitle>
            <div class="toolbar">
                <input
                    class="search"
                    type="search"
                    placeholder=t(lang, CatalogText::Search)
                    aria-label=t(lang, CatalogText::Search)
                    prop:value=search
                    on:input=move |ev| search.set(event_target_value(&ev))
                />
                <button class="btn btn-primary" data-testid="add-endpoint" on:click=move |_| ctx.editing.set(Some(None))>
                    {t(lang, CatalogText::Add)}
                </button>
                <button class="btn" on:click=move |_| { check_all.dispatch(()); } disabled=check_all.pending()>
                    {t(lang, CatalogText::CheckAll)}
                </button>
                <Transition fallback=|| ()>
                    {move || match authority.get() {
                        Some(Ok(true)) => view! {
                            <button class="btn" data-testid="sync" on:click=move |_| { sync.dispatch(()); } disabled=sync.pending()>
                                {t(lang, CatalogText::SyncNow)}
                            </button>
                        }.into_any(),
                        Some(Ok(false)) => view! { <span class="muted">{t(lang, CatalogText::SupabaseOff)}</span> }.into_any(),
                        _ => ().into_any(),
                    }}
                </Transition>
            </div>
            {move || last_sync.get().map(|r| sync_summary(lang, &r))}
            <Transition fallback=|| view! { <TableSkeleton/> }>
                {move || endpoints.get().map(|result| match result {
                    Ok(list) if list.total == 0 && settled.get_untracked().is_empty() => {
                        view! { <EmptyState message=Key::CatalogEmpty/> }.into_any()
                    }
                    Ok(list) if list.items.is_empty() && list.total == 0 => view! { <p class="muted">{t(lang, CatalogText::NoMatches)}</p> }.into_any(),
                    Ok(list) => view! {
                        {list.authority_away_since.clone().map(|since| view! {
                            <p class="form-warning" data-testid="authority-away">
                                {t(lang, CatalogText::AuthorityAway)} " " {since}
                            </p>
                        })}
                        <div class="table-scroll">
                            <EndpointTable items=list.items supabase=list.supabase sort page/>
                        </div>
                        <Pager lang page total=list.total per_page=list.per_page/>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error">{e.text(lang)}</p> }.into_any(),
                })}
            </Transition>
            {move || ctx.editing.get().map(|e| Suspend::new(overlay(Overlay::Edit(e))))}
            {move || ctx.switching.get().map(|e| Suspend::new(overlay(Overlay::Switch(e))))}
            {move || ctx.deleting.get().map(|e| Suspend::new(overlay(Overlay::Delete(e))))}
            <Toast toast=ctx.toast/>
        </AdminLayout>
    }
}

/// What opens over the table: the add / edit drawer or one of the dialogs.
enum Overlay {
    Edit(Option<Endpoint>),
    Switch(Endpoint),
    Delete(Endpoint),
}

/// The drawer and the dialogs are one wasm module of their own: the browser
/// fetches it the first time one of them opens, not with the page.
#[leptos::lazy]
fn overlay(which: Overlay) -> AnyView {
    match which {
        Overlay::Edit(initial) => view! { <EndpointDrawer initial/> }.into_any(),
        Overlay::Switch(target) => view! { <SwitchDefaultDialog target/> }.into_any(),
        Overlay::Delete(target) => view! { <DeleteDialog target/> }.into_any(),
    }
}

fn sync_summary(lang: Lang, r: &SyncReport) -> impl IntoView {
    let parts = |c: &SyncCounts| {
        [
            (c.added, CatalogText::Added),
            (c.updated, CatalogText::Updated),
            (c.removed, CatalogText::Removed),
            (c.unchanged, CatalogText::Unchanged),
            (c.pushed, CatalogText::Pushed),
            (c.kept, CatalogText::Kept),
        ]
        .iter()
        .map(|(n, k)| format!("{n} {}", t(lang, *k)))
        .collect::<Vec<_>>()
        .join(" · ")
    };
    view! {
        <p class="sync-summary" data-testid="sync-summary">
            {t(lang, CatalogText::SyncDone)} " — " {r.finished_at.clone()} " (" {r.duration_ms} " ms)"
            <br/>{t(lang, CatalogText::SyncEndpoints)} ": " {parts(&r.endpoints)}
            <br/>{t(lang, CatalogText::SyncMappings)} ": " {parts(&r.mappings)}
            <br/>{t(lang, CatalogText::SyncResults)} ": " {r.results_pushed}
            {r.results_waiting.clone().map(|w| view! { " — " {t(lang, CatalogText::SyncResultsWait)} ": " {reason_text(lang, &w)} })}
        </p>
    }
}

/// `2026-11-28T08:22:36.548Z` → `2026-11-28 08:22:36 UTC`.
#[component]
fn EndpointTable(
    items: Vec<Endpoint>,
    supabase: bool,
    sort: Sort,
    page: RwSignal<u32>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <table class="data-table" data-testid="endpoint-table">
            <thead>
                <tr>
                    <SortHeader label="#" key="id" sort page class="num"/>
                    <SortHeader label=t(lang, CatalogText::ColName) key="name" sort page/>
                    <th>{t(lang, CatalogText::ColBaseUrl)}</th>
                    <SortHeader label=t(lang, CatalogText::ColStatus) key="status" sort page/>
                    <SortHeader label=t(lang, CatalogText::ColLatency) key="latency_ms" sort page class="num"/>
                    <th class="num">{t(lang, CatalogText::ColModels)}</th>
                    <th>{t(lang, CatalogText::ColActive)}</th>
                    <th>{t(lang, CatalogText::ColSync)}</th>
                    <th>{t(lang, CatalogText::ColActions)}</th>
                </tr>
            </thead>
            <tbody>
                {items.into_iter().map(|e| view! { <EndpointTableRow e supabase/> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn EndpointTableRow(e: Endpoint, supabase: bool) -> impl IntoView {
    let lang = use_lang();
    let ctx = expect_context::<CatalogCtx>();
    let id = e.id;
    let latency = e
        .latency_ms
        .map(|l| format!("{l:.0} ms"))
        .unwrap_or_default();
    let checked = e
        .last_checked_at
        .clone()
        .unwrap_or_else(|| t(lang, CatalogText::NeverChecked).to_owned());
    let sync_key = match e.sync_status.as_str() {
        _ if !supabase => CatalogText::LocalOnly,
        "synced" => CatalogText::Synced,
        "orphaned" => CatalogText::Orphaned,
        _ => CatalogText::Unsynced,
    };
    let (edit_e, switch_e, delete_e) = (e.clone(), e.clone(), e.clone());
    let active = e.is_active;
    let is_default = e.is_default;
    view! {
        <tr data-testid="endpoint-row" data-name=e.name.clone() data-id=id>
            <td class="num mono muted">{format!("#{id}")}</td>
            <td>
                <strong>{e.name.clone()}</strong>
                {is_default.then(|| view! { <span class="tag tag-primary" data-testid="default-badge">{t(lang, CatalogText::Default)}</span> })}
                <div class="muted small">{e.model.clone().unwrap_or_default()}</div>
            </td>
            <td class="mono small">{e.base_url.clone()}</td>
            <td>
                <span class=format!("tag status-{}", e.status) data-testid="status">{status_label(lang, &e.status)}</span>
                <div class="muted small" title=e.last_error.as_deref().map(|r| reason_text(lang, r)).unwrap_or_default()>{checked}</div>
            </td>
            <td class="num">{latency}</td>
            <td class="num" data-testid="model-count">{e.model_list.len()}</td>
            <td>
                <label class="switch">
                    <input
                        type="checkbox"
                        data-testid="active-toggle"
                        aria-label=format!("{} · {}", t(lang, CatalogText::ColActive), e.name)
                        checked=active
                        prop:checked=active
                        on:change=move |_| { ctx.toggle.dispatch((id, !active)); }
                    />
                    <span></span>
                </label>
            </td>
            <td><span class="tag">{t(lang, sync_key)}</span></td>
            <td class="actions">
                <button class="btn btn-small" on:click=move |_| ctx.editing.set(Some(Some(edit_e.clone())))>{t(lang, CatalogText::Edit)}</button>
                <button class="btn btn-small" data-testid="check-now" on:click=move |_| ctx.check_row(id) disabled=move || ctx.checking.with(|c| c.contains(&id))>
                    {t(lang, CatalogText::CheckNow)}
                </button>
                {(!is_default).then(|| view! {
                    <button class="btn btn-small" data-testid="make-default" on:click=move |_| ctx.switching.set(Some(switch_e.clone()))>
                        {t(lang, CatalogText::MakeDefault)}
                    </button>
                })}
                <button class="btn btn-small btn-danger" on:click=move |_| ctx.deleting.set(Some(delete_e.clone()))>{t(lang, CatalogText::Delete)}</button>
            </td>
        </tr>
    }
}
