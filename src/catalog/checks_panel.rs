//! The endpoint drawer's model checks: the last chat check of every model
//! (kept across visits) and a button that checks them all again now.

use leptos::prelude::*;

use super::server_fns::{check_endpoint_models, endpoint_model_checks};
use super::text::short_time;
use super::text::CatalogText;
use super::types::ModelCheck;
use crate::error::{reason_text, AppError};
use crate::i18n::{t, Lang};
use crate::ui::load::load;
use crate::ui::use_lang;

#[component]
pub fn ModelChecks(id: i64) -> impl IntoView {
    let lang = use_lang();
    let run = Action::new(move |_: &()| check_endpoint_models(id));
    let stored = load(
        move || run.version().get(),
        move |_| endpoint_model_checks(id),
    );
    view! {
        <section class="field model-checks" data-testid="model-checks">
            <div class="row">
                <span>{t(lang, CatalogText::ModelChecks)}</span>
                <button type="button" class="btn btn-small" data-testid="check-models"
                    disabled=move || run.pending().get() on:click=move |_| { run.dispatch(()); }>
                    {move || t(lang, if run.pending().get() { CatalogText::Checking } else { CatalogText::CheckModels })}
                </button>
            </div>
            <small class="muted">{t(lang, CatalogText::ModelChecksHint)}</small>
            {move || run.value().get().and_then(Result::err).map(|e| view! { <p class="form-error">{e.text(lang)}</p> })}
            <Transition fallback=|| ()>
                {move || stored.get().map(|r| checks_table(lang, r))}
            </Transition>
        </section>
    }
}

fn checks_table(lang: Lang, result: Result<Vec<ModelCheck>, AppError>) -> AnyView {
    let checks = match result {
        Ok(c) => c,
        Err(e) => return view! { <p class="form-error">{e.text(lang)}</p> }.into_any(),
    };
    view! {
        <table class="data-table compact">
            <tbody>
                {checks.into_iter().map(|c| {
                    let (class, word) = match (&c.checked_at, c.ok) {
                        (None, _) => ("tag", CatalogText::NeverChecked),
                        (Some(_), true) => ("tag status-online", CatalogText::CheckOk),
                        (Some(_), false) => ("tag status-offline", CatalogText::CheckFailed),
                    };
                    view! {
                        <tr data-testid="model-check" data-model=c.model.clone() data-ok=c.ok.to_string()>
                            <td class="mono">{c.model.clone()}</td>
                            <td><span class=class>{t(lang, word)}</span></td>
                            <td class="num">{c.latency_ms.map(|l| format!("{l:.0} ms")).unwrap_or_default()}</td>
                            <td class="small">{c.checked_at.as_deref().map(short_time).unwrap_or_default()}</td>
                            <td class="small form-error">{c.error.as_deref().map(|e| reason_text(lang, e)).unwrap_or_default()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
