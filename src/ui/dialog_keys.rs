//! Keyboard manners of drawers and dialogs: the focus moves into one when
//! it opens and stays inside while it is open, Escape closes it, and the
//! focus goes back to what opened it. Browser-only; the server renders
//! the same markup without them.

use leptos::prelude::*;

/// What a drawer gives the focus to when it opens: its first field.
#[cfg(feature = "hydrate")]
const FIELDS: &str = "input:not([type=hidden]):not([disabled]), select:not([disabled]), \
     textarea:not([disabled])";

/// Everything Tab may reach inside a drawer.
#[cfg(feature = "hydrate")]
const FOCUSABLE: &str = "input:not([type=hidden]):not([disabled]), select:not([disabled]), \
     textarea:not([disabled]), button:not([disabled]), a[href]";

/// Marks the field a message is about (the input, select or textarea in
/// the same label or field box) `aria-invalid`, described by the message,
/// until the message goes; the first marked field of its form takes the
/// focus.
pub fn mark_invalid(message: NodeRef<leptos::html::Span>) {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        use leptos::wasm_bindgen::JsCast;
        let Some(span) = message.get() else { return };
        let span: &web_sys::Element = span.unchecked_ref();
        let Some(input) = span
            .parent_element()
            .and_then(|box_| box_.query_selector(FIELDS).ok().flatten())
        else {
            return;
        };
        let _ = input.set_attribute("aria-invalid", "true");
        let _ = input.set_attribute("aria-describedby", &span.id());
        let form = input.closest("form").ok().flatten();
        let first = form
            .and_then(|f| f.query_selector("[aria-invalid=true]").ok().flatten())
            .is_none_or(|f| f == input);
        if first {
            if let Ok(el) = input.clone().dyn_into::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
        let input = send_wrapper::SendWrapper::new(input);
        on_cleanup(move || {
            let _ = input.remove_attribute("aria-invalid");
            let _ = input.remove_attribute("aria-describedby");
        });
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = message;
}

/// Escape runs `on_close` while the component that asked is mounted.
pub fn close_on_escape(on_close: Callback<()>) {
    #[cfg(feature = "hydrate")]
    {
        let esc = window_event_listener(leptos::ev::keydown, move |ev| {
            if ev.key() == "Escape" {
                on_close.run(());
            }
        });
        on_cleanup(move || esc.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = on_close;
}

/// Focuses the panel's first field once it is in the page, closes it on
/// Escape, and on close gives the focus back to what had it before.
pub fn hold_focus(panel: NodeRef<leptos::html::Aside>, on_close: Callback<()>) {
    close_on_escape(on_close);
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let opener = send_wrapper::SendWrapper::new(
            document()
                .active_element()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()),
        );
        Effect::new(move |_| {
            if let Some(panel) = panel.get() {
                let first = panel
                    .query_selector(FIELDS)
                    .ok()
                    .flatten()
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
                let _ = first.map_or_else(|| panel.focus(), |f| f.focus());
            }
        });
        on_cleanup(move || {
            if let Some(el) = opener.take() {
                let _ = el.focus();
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = panel;
}

/// Tab on the panel's last control goes to its first, Shift+Tab on the
/// first to the last: the focus never falls behind the panel.
pub fn keep_tab_inside(panel: NodeRef<leptos::html::Aside>, ev: leptos::ev::KeyboardEvent) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        if ev.key() != "Tab" {
            return;
        }
        let Some(panel) = panel.get_untracked() else {
            return;
        };
        let Ok(all) = panel.query_selector_all(FOCUSABLE) else {
            return;
        };
        let at = |i: u32| {
            all.item(i)
                .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        };
        let (Some(first), Some(last)) = (at(0), at(all.length().saturating_sub(1))) else {
            return;
        };
        let active = document().active_element();
        let is = |el: &web_sys::HtmlElement| {
            active
                .as_ref()
                .is_some_and(|a| a == el.unchecked_ref::<web_sys::Element>())
        };
        let inside = active.as_ref().is_some_and(|a| panel.contains(Some(a)));
        if ev.shift_key() && (is(&first) || !inside) {
            ev.prevent_default();
            let _ = last.focus();
        } else if !ev.shift_key() && (is(&last) || !inside) {
            ev.prevent_default();
            let _ = first.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (panel, ev);
}
