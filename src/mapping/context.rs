//! What the Mapping page's table, drawer and dialogs share, provided once
//! by the page.

use leptos::prelude::*;

use super::server_fns::set_mapping_active;
use super::text::MappingText;
use super::types::Mapping;
use crate::error::AppError;
use crate::i18n::{t, Lang};
use crate::ui::{show_toast, ToastSignal};

/// Page-wide handles the table, the drawer and the dialogs share.
#[derive(Clone, Copy)]
pub struct MappingCtx {
    pub version: RwSignal<u32>,
    pub toast: ToastSignal,
    pub editing: RwSignal<Option<Option<Mapping>>>,
    /// The mapping (id, scope) the delete dialog asks about.
    pub deleting: RwSignal<Option<(i64, String)>>,
    /// A row's enabled switch, kept by the page rather than the row: a
    /// refresh renders the rows anew, and an action a row owned would go
    /// with it, its outcome never shown.
    pub toggle: Action<(i64, bool), Result<Mapping, AppError>>,
    pub lang: Lang,
}

impl MappingCtx {
    pub fn new(lang: Lang) -> MappingCtx {
        let ctx = MappingCtx {
            version: RwSignal::new(0),
            toast: RwSignal::new(Vec::new()),
            editing: RwSignal::new(None),
            deleting: RwSignal::new(None),
            toggle: Action::new(|(id, on): &(i64, bool)| set_mapping_active(*id, *on)),
            lang,
        };
        Effect::new(move |_| {
            if let Some(r) = ctx.toggle.value().get() {
                ctx.report(&r, |m| {
                    format!("{} · {}", t(lang, MappingText::Saved), m.scope)
                });
            }
        });
        ctx
    }

    /// Reports an action's outcome and reloads the list either way.
    pub fn report<T>(&self, result: &Result<T, AppError>, ok: impl FnOnce(&T) -> String) {
        match result {
            Ok(v) => show_toast(self.toast, true, ok(v)),
            Err(e) => show_toast(self.toast, false, e.text(self.lang)),
        }
        self.version.update(|v| *v += 1);
    }
}
