//! "Which model and endpoint would the chat API use, and why?" The answer
//! is drawn by the server (see [`super::panels_view::answer`]).

use leptos::prelude::*;

use super::prompt_picker::PromptOptions;
use super::server_fns::resolve_route;
use super::text::MappingText;
use super::types::ResolveRequest;
use crate::catalog::live::follow_catalog_changes;
use crate::i18n::t;
use crate::ui::form::Submitted;
use crate::ui::use_lang;

#[component]
pub fn ResolveBox() -> impl IntoView {
    let lang = use_lang();
    let resolve = Action::new(move |req: &ResolveRequest| resolve_route(req.clone(), lang));
    let asked = StoredValue::new(None::<ResolveRequest>);
    let submit = move |form: Submitted| {
        let req = ResolveRequest {
            prompt_id: form.text("prompt").parse().ok(),
            tenant: form.given("tenant"),
            module: form.given("module"),
            model: form.given("model"),
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
            <form class="resolve-form" on:submit=move |ev| { ev.prevent_default(); submit(Submitted::of(&ev)); }>
                <label class="field"><span>{t(lang, MappingText::PromptId)}</span><input name="prompt" type="number" min="1" list="resolve-prompts"/></label>
                <PromptOptions list_id="resolve-prompts"/>
                <label class="field"><span>{t(lang, MappingText::TenantKey)}</span><input name="tenant"/></label>
                <label class="field"><span>{t(lang, MappingText::ModuleKey)}</span><input name="module"/></label>
                <label class="field"><span>{t(lang, MappingText::RequestedModel)}</span><input name="model"/></label>
                <button type="submit" class="btn btn-primary" data-testid="resolve">{t(lang, MappingText::ResolveButton)}</button>
            </form>
            {move || resolve.value().get().map(|r| match r {
                Ok(html) => view! { <div class="server-html" inner_html=html></div> }.into_any(),
                Err(e) => view! { <p class="form-error">{e.text(lang)}</p> }.into_any(),
            })}
        </section>
    }
}
