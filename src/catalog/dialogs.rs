//! Confirmations: switching the global default (naming the current one and
//! the domains that follow it) and deleting an endpoint (saying how many
//! results refer to it: export them and delete both, or keep it disabled).

use leptos::prelude::*;

use super::context::CatalogCtx;
use super::server_fns::{
    delete_endpoint, load_endpoint_usage, preview_default_switch, set_default_endpoint,
    set_endpoint_active,
};
use super::text::CatalogText;
use super::types::Endpoint;
use crate::i18n::t;
use crate::ui::load::load;
use crate::ui::{use_lang, Modal};

#[component]
pub fn SwitchDefaultDialog(target: Endpoint) -> impl IntoView {
    let lang = use_lang();
    let ctx = expect_context::<CatalogCtx>();
    let id = target.id;
    let preview = load(move || id, preview_default_switch);
    let confirm = Action::new(move |_: &()| set_default_endpoint(id));
    Effect::new(move |_| {
        if let Some(r) = confirm.value().get() {
            ctx.report(&r, |e| {
                format!("{} → {}", t(lang, CatalogText::Switched), e.name)
            });
            ctx.switching.set(None);
        }
    });
    let close = Callback::new(move |_| ctx.switching.set(None));
    let describe = |e: &Endpoint| format!("{} ({})", e.name, e.model.clone().unwrap_or_default());
    let new_default = describe(&target);

    view! {
        <Modal title=t(lang, CatalogText::SwitchTitle).to_owned() on_close=close>
            <Transition fallback=|| view! { <p class="muted">"…"</p> }>
                {move || preview.get().map(|r| match r {
                    Ok(p) => view! {
                        <dl class="facts">
                            <dt>{t(lang, CatalogText::CurrentDefault)}</dt>
                            <dd data-testid="current-default">
                                {p.current.as_ref().map(describe).unwrap_or_else(|| t(lang, CatalogText::NoDefaultYet).to_owned())}
                            </dd>
                            <dt>{t(lang, CatalogText::NewDefault)}</dt>
                            <dd>{new_default.clone()}</dd>
                        </dl>
                        <p>{t(lang, CatalogText::Inheriting)}</p>
                        <ul class="chips" data-testid="inheriting">
                            {p.inheriting_domains.into_iter().map(|d| view! { <li class="chip">{d}</li> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error">{e.text(lang)}</p> }.into_any(),
                })}
            </Transition>
            <div class="modal-actions">
                <button class="btn" on:click=move |_| close.run(())>{t(lang, CatalogText::Cancel)}</button>
                <button class="btn btn-primary" data-testid="confirm-default" on:click=move |_| { confirm.dispatch(()); } disabled=confirm.pending()>
                    {t(lang, CatalogText::Confirm)}
                </button>
            </div>
        </Modal>
    }
}

#[component]
pub fn DeleteDialog(target: Endpoint) -> impl IntoView {
    let lang = use_lang();
    let ctx = expect_context::<CatalogCtx>();
    let id = target.id;
    let usage = load(move || id, load_endpoint_usage);
    let exported = RwSignal::new(false);
    let remove = Action::new(move |with_results: &bool| delete_endpoint(id, *with_results));
    Effect::new(move |_| {
        if let Some(r) = remove.value().get() {
            ctx.report(&r, |_| t(lang, CatalogText::Deleted).to_owned());
            ctx.deleting.set(None);
        }
    });
    let keep = Action::new(move |_: &()| set_endpoint_active(id, false));
    Effect::new(move |_| {
        if let Some(r) = keep.value().get() {
            ctx.report(&r, |_| t(lang, CatalogText::KeptDisabled).to_owned());
            ctx.deleting.set(None);
        }
    });
    let close = Callback::new(move |_| ctx.deleting.set(None));
    let export = move |format: &str| {
        format!("/api/v1/llm/tests/results/export?referring_to={id}&format={format}")
    };
    view! {
        <Modal title=t(lang, CatalogText::ConfirmDelete).to_owned() on_close=close>
            <p><strong>{target.name.clone()}</strong> " — " <span class="mono small">{target.base_url.clone()}</span></p>
            <Transition fallback=|| view! { <p class="muted">"…"</p> }>
                {move || usage.get().map(|r| match r {
                    Ok(u) if u.results == 0 && u.supabase_results.unwrap_or(0) == 0 => view! {
                        <p class="muted" data-testid="delete-usage" data-results="0">{t(lang, CatalogText::NoResults)}</p>
                        <div class="modal-actions">
                            <button class="btn" on:click=move |_| close.run(())>{t(lang, CatalogText::Cancel)}</button>
                            <button class="btn btn-danger" data-testid="confirm-delete" on:click=move |_| { remove.dispatch(false); } disabled=remove.pending()>
                                {t(lang, CatalogText::Delete)}
                            </button>
                        </div>
                    }.into_any(),
                    Ok(u) => view! {
                        <p data-testid="delete-usage" data-results=u.results>
                            <strong>{u.results}</strong> " " {t(lang, CatalogText::ResultsReferTo)}
                            {(u.not_routed > 0).then(|| format!(" ({}{})", t(lang, CatalogText::NotRoutedOfThem), u.not_routed))}
                            {u.supabase_results.map(|n| format!("; {}{n}", t(lang, CatalogText::InSupabase)))}
                        </p>
                        <p class="form-warning">{t(lang, CatalogText::ExportFirst)}</p>
                        <div class="modal-actions">
                            <a class="btn" data-testid="export-results" href=export("csv") download on:click=move |_| exported.set(true)>{t(lang, CatalogText::ExportResults)} " CSV"</a>
                            <a class="btn" href=export("json") download on:click=move |_| exported.set(true)>"JSON"</a>
                            <button class="btn" data-testid="keep-disabled" on:click=move |_| { keep.dispatch(()); } disabled=keep.pending()>
                                {t(lang, CatalogText::KeepDisabled)}
                            </button>
                            <button class="btn btn-danger" data-testid="confirm-delete" on:click=move |_| { remove.dispatch(true); } disabled=move || remove.pending().get() || !exported.get()>
                                {t(lang, CatalogText::DeleteWithResults)}
                            </button>
                        </div>
                    }.into_any(),
                    Err(e) => view! {
                        <p class="form-error">{e.text(lang)}</p>
                        <div class="modal-actions"><button class="btn" on:click=move |_| close.run(())>{t(lang, CatalogText::Cancel)}</button></div>
                    }.into_any(),
                })}
            </Transition>
        </Modal>
    }
}
