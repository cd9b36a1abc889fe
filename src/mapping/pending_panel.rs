//! The pending changes: catalog and mapping edits Supabase refused while
//! it was unreachable, each with *Re-apply* (same version check) and
//! *Discard*. Shown only when there are some; drawn by the server (see
//! [`super::panels_view::pending`]).

use leptos::prelude::*;

use super::server_fns::{apply_pending_change, discard_pending_change, pending_html};
use super::text::MappingText;
use crate::i18n::t;
use crate::ui::fragment::{clicked, ServerHtml};
use crate::ui::load::load;
use crate::ui::use_lang;

#[component]
pub fn PendingChanges() -> impl IntoView {
    let lang = use_lang();
    let version = RwSignal::new(0u32);
    let list = load(move || version.get(), move |_| pending_html(lang));
    let outcome = RwSignal::new(None::<(bool, String)>);
    // Re-apply (true) or discard (false) the kept edit with this id.
    let act = Action::new(|(id, apply): &(String, bool)| {
        let (id, apply) = (id.clone(), *apply);
        async move {
            let done = if apply {
                apply_pending_change(id).await
            } else {
                discard_pending_change(id).await
            };
            (apply, done)
        }
    });
    Effect::new(move |_| {
        if let Some((applied, r)) = act.value().get() {
            let ok = if applied {
                MappingText::PendingApplied
            } else {
                MappingText::PendingDiscarded
            };
            outcome.set(Some(match r {
                Ok(()) => (true, t(lang, ok).to_owned()),
                Err(e) => (false, e.text(lang)),
            }));
            version.update(|v| *v += 1);
        }
    });
    let on_event = Callback::new(move |ev: leptos::ev::Event| {
        if ev.type_() != "click" || act.pending().get_untracked() {
            return;
        }
        if let Some(id) = clicked(&ev, "data-apply-pending") {
            act.dispatch((id, true));
        } else if let Some(id) = clicked(&ev, "data-discard-pending") {
            act.dispatch((id, false));
        }
    });
    view! {
        <ServerHtml html=Signal::derive(move || list.get()) on_event/>
        {move || outcome.get().map(|(ok, text)| view! {
            <p class=if ok { "muted" } else { "form-error" } data-testid="pending-outcome">{text}</p>
        })}
    }
}
