//! A JSONL file chosen in the browser, read into the run form's JSONL box
//! (where it can be checked and edited before the run starts).

use leptos::prelude::*;

use super::text::SimText;
use crate::i18n::t;
use crate::ui::use_lang;

#[component]
pub fn JsonlFile(into: NodeRef<leptos::html::Textarea>) -> impl IntoView {
    let lang = use_lang();
    let too_big = RwSignal::new(false);
    let on_change = move |ev: leptos::ev::Event| read_into(ev, into, too_big);
    view! {
        <label class="field wide"><span>{t(lang, SimText::JsonlFile)}</span>
            <input type="file" name="jsonl_file" accept=".jsonl,.ndjson,.json,.txt" on:change=on_change/>
            <small class="field-error" role="alert" hidden=move || !too_big.get()>{t(lang, SimText::FileTooBig)}</small>
        </label>
    }
}

#[cfg(feature = "hydrate")]
fn read_into(
    ev: leptos::ev::Event,
    into: NodeRef<leptos::html::Textarea>,
    too_big: RwSignal<bool>,
) {
    use wasm_bindgen::JsCast;
    let file = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|input| input.files())
        .and_then(|files| files.get(0));
    let Some(file) = file else { return };
    let over = file.size() > super::message_set::SET_BYTES_MAX as f64;
    too_big.set(over);
    if over {
        return;
    }
    leptos::task::spawn_local(async move {
        if let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
            if let (Some(text), Some(area)) = (text.as_string(), into.get_untracked()) {
                area.set_value(&text);
            }
        }
    });
}

#[cfg(not(feature = "hydrate"))]
fn read_into(_: leptos::ev::Event, _: NodeRef<leptos::html::Textarea>, _: RwSignal<bool>) {}
