//! A form's fields as sent, read by name when it is submitted. The fields
//! keep their own state in the page, so a form needs no signal, and no
//! code, per field: only what shows or hides a field follows a signal.

/// The fields of a submitted form.
pub struct Submitted {
    #[cfg(feature = "hydrate")]
    data: Option<web_sys::FormData>,
}

impl Submitted {
    /// The fields of the form an event happened in: the form submitted,
    /// or the one around a field that changed.
    pub fn of(ev: &leptos::ev::Event) -> Submitted {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            let data = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|el| el.closest("form").ok().flatten())
                .and_then(|f| f.dyn_into::<web_sys::HtmlFormElement>().ok())
                .and_then(|form| web_sys::FormData::new_with_form(&form).ok());
            Submitted { data }
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = ev;
            Submitted {}
        }
    }

    /// What the field `name` holds, trimmed; empty when there is none.
    pub fn text(&self, name: &str) -> String {
        #[cfg(feature = "hydrate")]
        {
            self.data
                .as_ref()
                .and_then(|d| d.get(name).as_string())
                .map(|v| v.trim().to_owned())
                .unwrap_or_default()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = name;
            String::new()
        }
    }

    /// What the field `name` holds, unless it is empty.
    pub fn given(&self, name: &str) -> Option<String> {
        Some(self.text(name)).filter(|v| !v.is_empty())
    }

    /// Whether the checkbox `name` is ticked.
    pub fn ticked(&self, name: &str) -> bool {
        #[cfg(feature = "hydrate")]
        {
            self.data.as_ref().is_some_and(|d| d.has(name))
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = name;
            false
        }
    }
}

/// The number `text` spells, read the browser's way; -1 — outside every
/// range, so the server names the field — when it spells none.
pub fn decimal(text: &str) -> f64 {
    let text = text.trim();
    #[cfg(feature = "hydrate")]
    let n = js_number(text);
    #[cfg(not(feature = "hydrate"))]
    let n = text.parse().unwrap_or(f64::NAN);
    if n.is_nan() || text.is_empty() {
        -1.0
    } else {
        n
    }
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `Number(text)`: the number the text spells, else NaN (the browser
    /// parses it, so the page carries no float parser of its own).
    #[wasm_bindgen(js_name = Number)]
    fn js_number(text: &str) -> f64;
}
