//! The add / edit drawer for one mapping.

use leptos::prelude::*;

use super::context::MappingCtx;
use super::prompt_picker::PromptOptions;
use super::server_fns::{known_models, mapping_by_id, save_mapping};
use super::text::MappingText;
use super::types::{Mapping, MappingDraft};
use crate::error::AppError;
use crate::i18n::t;
use crate::ui::load::load;
use crate::ui::{field_error, use_lang, Drawer, ModelChips};

#[component]
pub fn MappingDrawer(initial: Option<Mapping>) -> impl IntoView {
    let lang = use_lang();
    let ctx = expect_context::<MappingCtx>();
    let id = initial.as_ref().map(|m| m.id);
    let scope = initial
        .as_ref()
        .map(|m| m.scope.clone())
        .unwrap_or_else(|| "tenant:".into());
    let (kind0, key0) = match scope.split_once(':') {
        Some((k, v)) => (k.to_owned(), v.to_owned()),
        None => (scope.clone(), String::new()),
    };
    let kind = RwSignal::new(kind0);
    let key = RwSignal::new(key0);
    let models = RwSignal::new(
        initial
            .as_ref()
            .map(|m| m.models.clone())
            .unwrap_or_default(),
    );
    let default = RwSignal::new(
        initial
            .as_ref()
            .and_then(|m| m.default.clone())
            .unwrap_or_default(),
    );
    let note = RwSignal::new(initial.as_ref().map(|m| m.note.clone()).unwrap_or_default());
    let dangling = RwSignal::new(initial.as_ref().is_some_and(|m| m.accept_dangling));
    let enabled = RwSignal::new(initial.as_ref().is_none_or(|m| m.is_active));
    let typed = RwSignal::new(String::new());
    let version = RwSignal::new(initial.as_ref().and_then(|m| m.updated_at.clone()));
    let error = RwSignal::new(None::<AppError>);
    let known = load(|| (), |_| known_models());
    let current = Action::new(move |_: &()| mapping_by_id(id.unwrap_or_default()));
    let now_shown = RwSignal::new(None::<Mapping>);
    Effect::new(move |_| {
        if let Some(Ok(now)) = current.value().get() {
            if now.updated_at != version.get_untracked() {
                version.set(now.updated_at.clone());
                now_shown.set(Some(now));
            }
        }
    });

    let save = Action::new(move |draft: &MappingDraft| save_mapping(id, draft.clone()));
    Effect::new(move |_| match save.value().get() {
        Some(Ok(saved)) => {
            ctx.report(&Ok::<_, AppError>(saved), |m| {
                format!("{} · {}", t(lang, MappingText::Saved), m.scope)
            });
            ctx.editing.set(None);
        }
        Some(Err(e)) if e.field_name().is_some() => error.set(Some(e)),
        // Changed elsewhere since it was opened: keep the admin's entries,
        // show the current values and take their version, so saving again
        // re-applies the change on top of them.
        Some(Err(e @ AppError::Conflict(_))) if id.is_some() => {
            error.set(Some(e));
            current.dispatch(());
        }
        Some(Err(e)) => ctx.report(&Err::<(), _>(e), |_| String::new()),
        None => {}
    });
    let add = move || {
        let m = typed.get_untracked().trim().to_owned();
        if !m.is_empty() && !models.get_untracked().contains(&m) {
            models.update(|l| l.push(m));
        }
        typed.set(String::new());
    };
    let submit = move || {
        error.set(None);
        let scope = match kind.get_untracked().as_str() {
            "global" => "global".to_owned(),
            k => format!("{k}:{}", key.get_untracked().trim()),
        };
        save.dispatch(MappingDraft {
            scope,
            models: models.get_untracked(),
            default: Some(default.get_untracked()).filter(|d| !d.is_empty()),
            note: note.get_untracked(),
            is_active: enabled.get_untracked(),
            accept_dangling: dangling.get_untracked(),
            updated_at: version.get_untracked(),
        });
    };
    let title = t(
        lang,
        if id.is_some() {
            MappingText::EditTitle
        } else {
            MappingText::AddTitle
        },
    )
    .to_owned();
    let close = Callback::new(move |_| ctx.editing.set(None));
    let err: Signal<Option<AppError>> = error.into();
    let kinds = [
        ("global", MappingText::Global),
        ("prompt", MappingText::Prompt),
        ("tenant", MappingText::Tenant),
        ("module", MappingText::Module),
    ];

    view! {
        <Drawer title on_close=close>
            <form class="form" on:submit=move |ev| { ev.prevent_default(); submit(); }>
                <div class="row">
                    <label class="field">
                        <span>{t(lang, MappingText::FieldScopeKind)}</span>
                        <select name="kind" on:change=move |ev| kind.set(event_target_value(&ev)) prop:value=kind>
                            {kinds.into_iter().map(|(k, label)| view! {
                                <option value=k selected=kind.get_untracked() == k>{t(lang, label)}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="field" style:display=move || if kind.get() == "global" { "none" } else { "flex" }>
                        <span>{t(lang, MappingText::FieldScopeKey)}</span>
                        <input name="key" bind:value=key
                            list=move || (kind.get() == "prompt").then_some("known-prompts")
                            placeholder=move || match kind.get().as_str() { "prompt" => "12", "module" => "coach", _ => "acme" }/>
                        <PromptOptions list_id="known-prompts"/>
                    </label>
                </div>
                {field_error(err, "scope")}
                <div class="field">
                    <span>{t(lang, MappingText::FieldModels)}</span>
                    <ModelChips models testid="mapping-models"/>
                    <div class="row">
                        <input name="new_model" list="known-models" placeholder=t(lang, MappingText::ModelPlaceholder) bind:value=typed
                            on:keydown=move |ev| if ev.key() == "Enter" { ev.prevent_default(); add(); }/>
                        <button type="button" class="btn" on:click=move |_| add()>{t(lang, MappingText::AddModel)}</button>
                    </div>
                    <datalist id="known-models">
                        <Transition fallback=|| ()>
                            {move || known.get().and_then(Result::ok).map(|all| {
                                all.into_iter().map(|m| view! { <option value=m.clone()></option> }).collect_view()
                            })}
                        </Transition>
                    </datalist>
                    {field_error(err, "models")}
                </div>
                <label class="field">
                    <span>{t(lang, MappingText::FieldDefault)}</span>
                    <select name="default" on:change=move |ev| default.set(event_target_value(&ev)) prop:value=default>
                        <option value="">{t(lang, MappingText::ChooseDefault)}</option>
                        {move || models.get().into_iter().map(|m| {
                            let selected = default.get_untracked() == m;
                            view! { <option value=m.clone() selected=selected>{m.clone()}</option> }
                        }).collect_view()}
                    </select>
                    {field_error(err, "default")}
                </label>
                <label class="field">
                    <span>{t(lang, MappingText::FieldNote)}</span>
                    <textarea name="note" rows="2" bind:value=note></textarea>
                    {field_error(err, "note")}
                </label>
                <label class="field inline">
                    <input type="checkbox" bind:checked=dangling/>
                    <span>{t(lang, MappingText::FieldDangling)}</span>
                </label>
                <label class="field inline">
                    <input type="checkbox" bind:checked=enabled/>
                    <span>{t(lang, MappingText::FieldEnabled)}</span>
                </label>
                {move || error.get().filter(|e| e.field_name().is_none()).map(|e| view! { <p class="form-error">{e.text(lang)}</p> })}
                {move || now_shown.get().map(|now| view! {
                    <div class="diff" data-testid="current-values">
                        <p><strong>{t(lang, MappingText::CurrentValues)}</strong></p>
                        <p>{now.scope.clone()} " · " {now.models.join(", ")} " · "
                            {now.default.clone().unwrap_or_default()} " · " {if now.is_active { "✓" } else { "✗" }}</p>
                        <p class="muted">{now.note.clone()}</p>
                    </div>
                })}
                <div class="drawer-actions">
                    <button type="button" class="btn" on:click=move |_| close.run(())>{t(lang, MappingText::Cancel)}</button>
                    <button type="submit" class="btn btn-primary" data-testid="save-mapping" disabled=save.pending()>{t(lang, MappingText::Save)}</button>
                </div>
            </form>
        </Drawer>
    }
}
