//! The pending changes: catalog and mapping edits Supabase refused while
//! it was unreachable, each with *Re-apply* (same version check) and
//! *Discard*. Shown only when there are some.

use leptos::prelude::*;

use super::server_fns::{apply_pending_change, discard_pending_change, list_pending_changes};
use super::text::MappingText;
use super::types::PendingChange;
use crate::catalog::text::short_time;
use crate::i18n::t;
use crate::ui::load::load;
use crate::ui::use_lang;

/// What a kept edit is about, in a few words.
fn summary(p: &PendingChange) -> String {
    let field = |k: &str| p.body.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    let name = field("name").or_else(|| field("scope")).unwrap_or_default();
    match p.target {
        Some(id) => format!("#{id} {name}"),
        None => name,
    }
}

#[component]
pub fn PendingChanges() -> impl IntoView {
    let lang = use_lang();
    let version = RwSignal::new(0u32);
    let list = load(move || version.get(), |_| list_pending_changes());
    let outcome = RwSignal::new(None::<(bool, String)>);
    let apply = Action::new(|id: &String| apply_pending_change(id.clone()));
    let discard = Action::new(|id: &String| discard_pending_change(id.clone()));
    Effect::new(move |_| {
        if let Some(r) = apply.value().get() {
            outcome.set(Some(match r {
                Ok(()) => (true, t(lang, MappingText::PendingApplied).to_owned()),
                Err(e) => (false, e.text(lang)),
            }));
            version.update(|v| *v += 1);
        }
    });
    Effect::new(move |_| {
        if let Some(r) = discard.value().get() {
            outcome.set(Some(match r {
                Ok(()) => (true, t(lang, MappingText::PendingDiscarded).to_owned()),
                Err(e) => (false, e.text(lang)),
            }));
            version.update(|v| *v += 1);
        }
    });

    view! {
        <Transition fallback=|| ()>
            {move || list.get().map(|r| match r {
                Ok(items) if items.is_empty() => ().into_any(),
                Ok(items) => view! {
                    <section class="card" data-testid="pending-changes">
                        <h2>{t(lang, MappingText::PendingTitle)}</h2>
                        <p class="muted">{t(lang, MappingText::PendingHint)}</p>
                        <table class="data-table">
                            <thead><tr>
                                <th>{t(lang, MappingText::PendingKind)}</th>
                                <th>{t(lang, MappingText::PendingWhat)}</th>
                                <th>{t(lang, MappingText::PendingWhen)}</th>
                                <th>{t(lang, MappingText::PendingWhy)}</th>
                                <th></th>
                            </tr></thead>
                            <tbody>
                                {items.into_iter().map(|p| {
                                    let (a, d) = (p.id.clone(), p.id.clone());
                                    view! {
                                        <tr data-testid="pending-change">
                                            <td class="mono">{p.kind.clone()}</td>
                                            <td>{summary(&p)}</td>
                                            <td>{short_time(&p.refused_at)}</td>
                                            <td class="muted">{p.reason.clone()}</td>
                                            <td class="row">
                                                <button class="btn btn-small btn-primary" disabled=apply.pending()
                                                    on:click=move |_| { apply.dispatch(a.clone()); }>{t(lang, MappingText::Reapply)}</button>
                                                <button class="btn btn-small" disabled=discard.pending()
                                                    on:click=move |_| { discard.dispatch(d.clone()); }>{t(lang, MappingText::Discard)}</button>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        {move || outcome.get().map(|(ok, text)| view! {
                            <p class=if ok { "muted" } else { "form-error" }>{text}</p>
                        })}
                    </section>
                }.into_any(),
                Err(e) => view! { <p class="form-error">{e.text(lang)}</p> }.into_any(),
            })}
        </Transition>
    }
}
