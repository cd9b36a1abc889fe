//! What the Catalog page's rows, drawer and dialogs share, provided once by
//! the page.

use leptos::prelude::*;

use super::types::Endpoint;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::ui::{show_toast, ToastSignal};

/// Page-wide handles the rows and dialogs share.
#[derive(Clone, Copy)]
pub struct CatalogCtx {
    pub version: RwSignal<u32>,
    pub toast: ToastSignal,
    pub editing: RwSignal<Option<Option<Endpoint>>>,
    pub switching: RwSignal<Option<Endpoint>>,
    pub deleting: RwSignal<Option<Endpoint>>,
    pub lang: Lang,
}

impl CatalogCtx {
    pub fn new(lang: Lang) -> CatalogCtx {
        CatalogCtx {
            version: RwSignal::new(0),
            toast: RwSignal::new(None),
            editing: RwSignal::new(None),
            switching: RwSignal::new(None),
            deleting: RwSignal::new(None),
            lang,
        }
    }

    pub fn refresh(&self) {
        self.version.update(|v| *v += 1);
    }

    /// Reports an action's outcome and reloads the table either way (a
    /// refused toggle snaps back to the stored state).
    pub fn report<T>(&self, result: &Result<T, AppError>, ok: impl FnOnce(&T) -> String) {
        match result {
            Ok(v) => show_toast(self.toast, true, ok(v)),
            Err(e) => show_toast(self.toast, false, e.text(self.lang)),
        }
        self.refresh();
    }
}
