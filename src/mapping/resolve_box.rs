//! "Which model and endpoint would the chat API use, and why?"

use leptos::prelude::*;

use super::prompt_picker::PromptOptions;
use super::server_fns::resolve_route;
use super::text::MappingText;
use super::types::{LastUsed, ResolveRequest, RouteCandidate};
use crate::catalog::live::follow_catalog_changes;
use crate::catalog::text::{short_time, status_label};
use crate::i18n::{t, Lang};
use crate::ui::use_lang;

#[component]
pub fn ResolveBox() -> impl IntoView {
    let lang = use_lang();
    let prompt = RwSignal::new(String::new());
    let tenant = RwSignal::new(String::new());
    let module = RwSignal::new(String::new());
    let model = RwSignal::new(String::new());
    let resolve = Action::new(move |req: &ResolveRequest| resolve_route(req.clone(), lang));
    let opt =
        |s: RwSignal<String>| Some(s.get_untracked().trim().to_owned()).filter(|v| !v.is_empty());
    let asked = StoredValue::new(None::<ResolveRequest>);
    let submit = move || {
        let req = ResolveRequest {
            prompt_id: opt(prompt).and_then(|p| p.parse().ok()),
            tenant: opt(tenant),
            module: opt(module),
            model: opt(model),
        };
        asked.set_value(Some(req.clone()));
        resolve.dispatch(req);
    };
    // The answer follows health as it changes (a probe, failing traffic).
    follow_catalog_changes(move || {
        if let Some(req) = asked.get_value() {
            resolve.dispatch(req);
        }
    });

    view! {
        <section class="card resolve" data-testid="resolve-box">
            <h2>{t(lang, MappingText::ResolveTitle)}</h2>
            <p class="muted">{t(lang, MappingText::ResolveHint)}</p>
            <form class="resolve-form" on:submit=move |ev| { ev.prevent_default(); submit(); }>
                <label class="field"><span>{t(lang, MappingText::PromptId)}</span><input name="prompt" type="number" min="1" list="resolve-prompts" bind:value=prompt/></label>
                <PromptOptions list_id="resolve-prompts"/>
                <label class="field"><span>{t(lang, MappingText::TenantKey)}</span><input name="tenant" bind:value=tenant/></label>
                <label class="field"><span>{t(lang, MappingText::ModuleKey)}</span><input name="module" bind:value=module/></label>
                <label class="field"><span>{t(lang, MappingText::RequestedModel)}</span><input name="model" bind:value=model/></label>
                <button type="submit" class="btn btn-primary" data-testid="resolve">{t(lang, MappingText::ResolveButton)}</button>
            </form>
            {move || resolve.value().get().map(|r| match r {
                Ok(outcome) => view! {
                    <div class="resolve-result" data-testid="resolve-result">
                        {match (&outcome.resolution, &outcome.error) {
                            (Some(res), _) => view! {
                                <dl class="facts">
                                    <dt>{t(lang, MappingText::ResultModel)}</dt><dd data-testid="resolved-model">{res.model.clone()}</dd>
                                    <dt>{t(lang, MappingText::ResultEndpoint)}</dt><dd data-testid="resolved-endpoint">{res.endpoint_name.clone()} " (#" {res.endpoint_id} ")"</dd>
                                    <dt>{t(lang, MappingText::ResultScope)}</dt><dd>{res.scope.clone().unwrap_or_else(|| t(lang, MappingText::NoMapping).to_owned())}</dd>
                                </dl>
                                {candidates(lang, res.candidates.clone())}
                                {last_used(lang, outcome.last_used.clone())}
                            }.into_any(),
                            (None, err) => view! {
                                <p class="form-error">{t(lang, MappingText::NoRoute)} ": " {err.clone().unwrap_or_default()}</p>
                            }.into_any(),
                        }}
                        <p class="muted">{t(lang, MappingText::Why)}</p>
                        <ol class="reasons" data-testid="reasons">
                            {outcome.reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
                        </ol>
                    </div>
                }.into_any(),
                Err(e) => view! { <p class="form-error">{e.text(lang)}</p> }.into_any(),
            })}
        </section>
    }
}

/// The endpoints a chat tries, in order, each with why it is there.
fn candidates(lang: Lang, list: Vec<RouteCandidate>) -> impl IntoView {
    view! {
        <p class="muted">{t(lang, MappingText::Candidates)}</p>
        <table class="data-table compact" data-testid="candidates">
            <thead><tr>
                <th>"#"</th><th>{t(lang, MappingText::ResultEndpoint)}</th><th>{t(lang, MappingText::ColStatus)}</th>
                <th>{t(lang, MappingText::ColLatency)}</th><th>{t(lang, MappingText::ColWhy)}</th>
            </tr></thead>
            <tbody>{list.into_iter().enumerate().map(|(i, c)| view! {
                <tr data-testid="candidate" data-id=c.endpoint_id>
                    <td class="num">{i + 1}</td>
                    <td>{c.endpoint_name.clone()} " (#" {c.endpoint_id} ")"
                        {c.is_default.then(|| view! { " " <span class="tag">{t(lang, MappingText::GlobalDefault)}</span> })}
                    </td>
                    <td><span class=format!("tag status-{}", c.status)>{status_label(lang, &c.status)}</span></td>
                    <td class="num">{c.latency_ms.map(|l| format!("{l:.0} ms")).unwrap_or_else(|| "—".into())}</td>
                    <td data-testid="why">{c.why}</td>
                </tr>
            }).collect_view()}</tbody>
        </table>
    }
}

/// Where real traffic routed this way went last.
fn last_used(lang: Lang, used: Option<LastUsed>) -> impl IntoView {
    view! {
        <p data-testid="last-used">
            <strong>{t(lang, MappingText::LastUsedTitle)} ": "</strong>
            {match used {
                Some(u) => format!(
                    "{} (#{}) · {} · {} {} · {}",
                    u.endpoint_name,
                    u.endpoint_id,
                    t(lang, if u.answered { MappingText::Answered } else { MappingText::AllFailed }),
                    u.attempts,
                    t(lang, MappingText::Attempts),
                    short_time(&u.at),
                ),
                None => t(lang, MappingText::NoTrafficYet).to_owned(),
            }}
        </p>
    }
}
