//! Panels the server draws: their HTML travels, not their data.
//!
//! A read-only panel (a run's figures, a table of results) needs no code
//! in the browser to draw it. Its server function renders it with the
//! page's own components, in the admin's language, and the page shows the
//! HTML it gets. The browser then carries neither the panel's view code
//! nor a decoder for its data — only [`ServerHtml`], once for every panel.
//! What can be clicked inside says so with a `data-*` attribute naming
//! what it does, and the page handles the click where the panel sits
//! ([`clicked`]). Everything in it is escaped as any server-rendered page.

use leptos::prelude::*;

use crate::error::AppError;
use crate::ui::{use_lang, TableSkeleton};

/// A panel's HTML, as its server function answers.
pub type Html = Result<String, AppError>;

/// Renders `view` to HTML, as the page would, in `lang`.
#[cfg(feature = "ssr")]
pub fn render<V: IntoView + 'static>(lang: crate::i18n::Lang, view: impl FnOnce() -> V) -> String {
    let owner = Owner::new();
    owner.with(|| {
        provide_context(lang);
        view().into_view().to_html()
    })
}

/// The value of `attr` on the element an event happened on, or on the
/// nearest element around it that has one.
pub fn clicked(ev: &leptos::ev::Event, attr: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let target = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
        let holder = target.closest(&format!("[{attr}]")).ok()??;
        holder.get_attribute(attr)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (ev, attr);
        None
    }
}

/// The last HTML the server sent for a panel (kept on screen while the
/// next loads), grey rows before the first, or the error in words. Clicks
/// and changes inside go to `on_event`.
#[component]
pub fn ServerHtml(
    #[prop(into)] html: Signal<Option<Html>>,
    #[prop(optional)] on_event: Option<Callback<leptos::ev::Event>>,
    /// Grey rows shown before the first answer; none when 0.
    #[prop(optional)]
    skeleton: usize,
) -> impl IntoView {
    let lang = use_lang();
    let handle = move |ev: leptos::ev::Event| {
        if let Some(f) = on_event {
            f.run(ev)
        }
    };
    view! {
        <div class="server-html" on:click=move |ev| handle(ev.into()) on:change=handle>
            <Transition fallback=move || (skeleton > 0).then(|| view! { <TableSkeleton rows=skeleton/> })>
                {move || html.get().map(|r| match r {
                    Ok(h) => view! { <div inner_html=h></div> }.into_any(),
                    Err(e) => view! { <p class="form-error">{e.text(lang)}</p> }.into_any(),
                })}
            </Transition>
        </div>
    }
}
