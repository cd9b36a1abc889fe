//! The add / edit drawer: every field with its inline error, and the
//! candidate-model editor (type to add, × to remove, or fetch the
//! upstream's list and accept the diff).

use leptos::prelude::*;

use super::checks_panel::ModelChecks;
use super::context::CatalogCtx;
use super::msg::CatalogMsg;
use super::server_fns::{create_endpoint, fetch_endpoint_models, load_endpoint, update_endpoint};
use super::text::CatalogText;
use super::types::{Endpoint, EndpointDraft, ModelDiff};
use crate::error::{AppError, Common};
use crate::i18n::t;
use crate::ui::{field_error, use_lang, Drawer, ModelChips};

#[component]
pub fn EndpointDrawer(initial: Option<Endpoint>) -> impl IntoView {
    let lang = use_lang();
    let ctx = expect_context::<CatalogCtx>();
    let id = initial.as_ref().map(|e| e.id);
    let start = initial
        .clone()
        .map(|e| e.to_draft())
        .unwrap_or_else(|| EndpointDraft {
            timeout: 60,
            is_active: true,
            ..Default::default()
        });
    let name = RwSignal::new(start.name.clone());
    let base_url = RwSignal::new(start.base_url.clone());
    let api_key = RwSignal::new(String::new());
    let timeout = RwSignal::new(start.timeout.to_string());
    let description = RwSignal::new(start.description.clone().unwrap_or_default());
    let model = RwSignal::new(start.model.clone().unwrap_or_default());
    let models = RwSignal::new(start.model_list.clone());
    let is_active = RwSignal::new(start.is_active);
    let version = RwSignal::new(start.updated_at.clone());
    let current = Action::new(|id: &i64| load_endpoint(*id));
    let now_shown = RwSignal::new(None::<Endpoint>);
    Effect::new(move |_| {
        if let Some(Ok(now)) = current.value().get() {
            if now.updated_at != version.get_untracked() {
                version.set(now.updated_at.clone());
                now_shown.set(Some(now));
            }
        }
    });
    let error = RwSignal::new(None::<AppError>);
    let key_mask = initial.as_ref().and_then(|e| e.api_key_mask.clone());

    let save = Action::new(move |draft: &EndpointDraft| {
        let draft = draft.clone();
        async move {
            match id {
                Some(id) => update_endpoint(id, draft).await,
                None => create_endpoint(draft).await,
            }
        }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(saved)) => {
            ctx.report(&Ok::<_, AppError>(saved), |e| {
                format!("{} · {}", t(lang, CatalogText::Saved), e.name)
            });
            ctx.editing.set(None);
        }
        Some(Err(e)) if e.field_name().is_some() => error.set(Some(e)),
        // Changed elsewhere since it was opened: the drawer keeps the
        // admin's entries, shows the current values and takes their
        // version, so saving again re-applies the change on top of them.
        Some(Err(e @ AppError::Conflict(_))) if id.is_some() => {
            error.set(Some(e));
            if let Some(id) = id {
                current.dispatch(id);
            }
        }
        Some(Err(e)) => ctx.report(&Err::<(), _>(e), |_| String::new()),
        None => {}
    });
    let submit = move || {
        let Ok(timeout) = timeout.get_untracked().trim().parse::<i64>() else {
            error.set(Some(AppError::field("timeout", Common::NotANumber)));
            return;
        };
        error.set(None);
        save.dispatch(EndpointDraft {
            name: name.get_untracked(),
            base_url: base_url.get_untracked(),
            api_key: Some(api_key.get_untracked()).filter(|k| !k.trim().is_empty()),
            description: Some(description.get_untracked()),
            model: Some(model.get_untracked()).filter(|m| !m.is_empty()),
            model_list: models.get_untracked(),
            timeout,
            is_active: is_active.get_untracked(),
            updated_at: version.get_untracked(),
        });
    };
    let title = t(
        lang,
        if id.is_some() {
            CatalogText::EditTitle
        } else {
            CatalogText::AddTitle
        },
    )
    .to_owned();
    let close = Callback::new(move |_| ctx.editing.set(None));
    let err: Signal<Option<AppError>> = error.into();

    view! {
        <Drawer title on_close=close>
            <form class="form" on:submit=move |ev| { ev.prevent_default(); submit(); }>
                <label class="field">
                    <span>{t(lang, CatalogText::FieldName)}</span>
                    <input name="name" bind:value=name required/>
                    {field_error(err, "name")}
                </label>
                <label class="field">
                    <span>{t(lang, CatalogText::FieldBaseUrl)}</span>
                    <input name="base_url" bind:value=base_url placeholder="https://api.openai.com/v1" required/>
                    {field_error(err, "base_url")}
                </label>
                <label class="field">
                    <span>{t(lang, CatalogText::FieldApiKey)}</span>
                    <input name="api_key" type="password" autocomplete="off" bind:value=api_key placeholder=key_mask.clone().unwrap_or_default()/>
                    {key_mask.is_some().then(|| {
                        let original = start.base_url.clone();
                        let moved = move || {
                            base_url.get().trim() != original.trim() && api_key.get().trim().is_empty()
                        };
                        view! {
                            <Show
                                when=moved
                                fallback=move || view! { <small class="muted">{t(lang, CatalogText::ApiKeyKeep)}</small> }
                            >
                                <small class="form-warning" data-testid="key-will-clear">{t(lang, CatalogText::ApiKeyWillClear)}</small>
                            </Show>
                        }
                    })}
                    {field_error(err, "api_key")}
                </label>
                <label class="field">
                    <span>{t(lang, CatalogText::FieldTimeout)}</span>
                    <input name="timeout" type="number" min="1" max="600" bind:value=timeout/>
                    {field_error(err, "timeout")}
                </label>
                <label class="field">
                    <span>{t(lang, CatalogText::FieldDescription)}</span>
                    <textarea name="description" rows="2" bind:value=description></textarea>
                    {field_error(err, "description")}
                </label>
                <ModelListEditor id models model error/>
                <label class="field">
                    <span>{t(lang, CatalogText::FieldModel)}</span>
                    <select name="model" on:change=move |ev| model.set(event_target_value(&ev)) prop:value=model>
                        <option value="">{t(lang, CatalogText::ChooseModel)}</option>
                        {move || models.get().into_iter().map(|m| {
                            let selected = model.get_untracked() == m;
                            view! { <option value=m.clone() selected=selected>{m.clone()}</option> }
                        }).collect_view()}
                    </select>
                    {field_error(err, "model")}
                </label>
                <label class="field inline">
                    <input type="checkbox" bind:checked=is_active/>
                    <span>{t(lang, CatalogText::FieldActive)}</span>
                </label>
                {id.map(|id| view! { <ModelChecks id/> })}
                {move || error.get().filter(|e| e.field_name().is_none()).map(|e| view! { <p class="form-error">{e.text(lang)}</p> })}
                {move || now_shown.get().map(|now| view! {
                    <div class="diff" data-testid="current-values">
                        <p><strong>{t(lang, CatalogText::CurrentValues)}</strong></p>
                        <p>{now.name.clone()} " · " {now.base_url.clone()} " · " {now.model.clone().unwrap_or_default()}
                            " · " {now.timeout} "s · " {t(lang, CatalogText::FieldActive)} ": "
                            {if now.is_active { "✓" } else { "✗" }}</p>
                        <p>{now.model_list.join(", ")}</p>
                    </div>
                })}
                <div class="drawer-actions">
                    <button type="button" class="btn" on:click=move |_| close.run(())>{t(lang, CatalogText::Cancel)}</button>
                    <button type="submit" class="btn btn-primary" data-testid="save-endpoint" disabled=save.pending()>
                        {t(lang, CatalogText::Save)}
                    </button>
                </div>
            </form>
        </Drawer>
    }
}

#[component]
fn ModelListEditor(
    id: Option<i64>,
    models: RwSignal<Vec<String>>,
    model: RwSignal<String>,
    error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let lang = use_lang();
    let typed = RwSignal::new(String::new());
    let diff = RwSignal::new(None::<ModelDiff>);
    let add = move || {
        let m = typed.get_untracked().trim().to_owned();
        if m.is_empty() {
            return;
        }
        if models.get_untracked().contains(&m) {
            error.set(Some(AppError::field(
                "model_list",
                CatalogMsg::ListedTwice { model: m },
            )));
            return;
        }
        models.update(|list| list.push(m));
        typed.set(String::new());
    };
    let fetch = Action::new(move |_: &()| async move {
        match id {
            Some(id) => fetch_endpoint_models(id).await,
            None => Err(AppError::Conflict(CatalogMsg::SaveFirst.into())),
        }
    });
    Effect::new(move |_| match fetch.value().get() {
        Some(Ok(d)) => diff.set(Some(d)),
        Some(Err(e)) => error.set(Some(AppError::field("model_list", e.msg().clone()))),
        None => {}
    });
    let accept = move |_| {
        if let Some(d) = diff.get_untracked() {
            if !d.upstream.contains(&model.get_untracked()) {
                model.set(String::new());
            }
            models.set(d.upstream);
            diff.set(None);
        }
    };

    view! {
        <div class="field">
            <span>{t(lang, CatalogText::FieldModelList)}</span>
            <ModelChips models testid="model-chips"/>
            <div class="row">
                <input name="new_model" placeholder=t(lang, CatalogText::ModelPlaceholder) bind:value=typed
                    on:keydown=move |ev| if ev.key() == "Enter" { ev.prevent_default(); add(); }/>
                <button type="button" class="btn" on:click=move |_| add()>{t(lang, CatalogText::AddModel)}</button>
                <button type="button" class="btn" data-testid="fetch-models" disabled=move || id.is_none() || fetch.pending().get()
                    on:click=move |_| { fetch.dispatch(()); }>{t(lang, CatalogText::FetchModels)}</button>
            </div>
            {id.is_none().then(|| view! { <small class="muted">{t(lang, CatalogText::SaveFirst)}</small> })}
            {field_error(error.into(), "model_list")}
            {move || diff.get().map(|d| view! {
                <div class="diff" data-testid="model-diff">
                    {if d.new.is_empty() && d.gone.is_empty() {
                        view! { <p class="muted">{t(lang, CatalogText::NoDiff)}</p> }.into_any()
                    } else {
                        view! {
                            <p>{t(lang, CatalogText::DiffNew)} ": "
                                {d.new.iter().map(|m| view! { <span class="chip chip-new">"+ " {m.clone()}</span> }).collect_view()}</p>
                            <p>{t(lang, CatalogText::DiffGone)} ": "
                                {d.gone.iter().map(|m| view! { <span class="chip chip-gone">"− " {m.clone()}</span> }).collect_view()}</p>
                        }.into_any()
                    }}
                    <button type="button" class="btn btn-primary btn-small" data-testid="accept-diff" on:click=accept>
                        {t(lang, CatalogText::AcceptDiff)}
                    </button>
                </div>
            })}
        </div>
    }
}
