//! The prompt picker: a `<datalist>` of the prompts a `prompt:<id>` scope
//! can name (ids of the authority), for any input that takes a prompt id.

use crate::ui::load::load;
use leptos::prelude::*;

use super::server_fns::known_prompts;

/// A datalist with id `list_id`; inputs opt in with `list=list_id`.
#[component]
pub fn PromptOptions(list_id: &'static str) -> impl IntoView {
    let prompts = load(|| (), |_| known_prompts());
    view! {
        <datalist id=list_id data-testid=list_id>
            <Transition fallback=|| ()>
                {move || prompts.get().and_then(Result::ok).map(|all| {
                    all.into_iter().map(|p| {
                        let label = match p.category.as_deref().filter(|c| !c.is_empty()) {
                            Some(c) => format!("{} · {c}", p.name),
                            None => p.name.clone(),
                        };
                        view! { <option value=p.id.to_string() label=label></option> }
                    }).collect_view()
                })}
            </Transition>
        </datalist>
    }
}
