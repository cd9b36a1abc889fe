//! What the Catalog page's rows, drawer and dialogs share, provided once by
//! the page.

use leptos::prelude::*;

use super::server_fns::{check_endpoint, set_endpoint_active};
use super::text::{status_label, CatalogText};
use super::types::Endpoint;
use crate::error::AppError;
use crate::i18n::{t, Lang};
use crate::ui::{show_toast, ToastSignal};

/// Page-wide handles the rows and dialogs share.
#[derive(Clone, Copy)]
pub struct CatalogCtx {
    pub version: RwSignal<u32>,
    pub toast: ToastSignal,
    pub editing: RwSignal<Option<Option<Endpoint>>>,
    pub switching: RwSignal<Option<Endpoint>>,
    pub deleting: RwSignal<Option<Endpoint>>,
    /// A row's active switch and check, kept by the page rather than the
    /// row: a refresh renders the rows anew, and an action a row owned
    /// would go with it, its outcome never shown.
    pub toggle: Action<(i64, bool), Result<Endpoint, AppError>>,
    pub check: Action<i64, Result<Endpoint, AppError>>,
    /// The rows whose check is under way.
    pub checking: RwSignal<Vec<i64>>,
    pub lang: Lang,
}

impl CatalogCtx {
    pub fn new(lang: Lang) -> CatalogCtx {
        let checking = RwSignal::new(Vec::<i64>::new());
        let ctx = CatalogCtx {
            version: RwSignal::new(0),
            toast: RwSignal::new(Vec::new()),
            editing: RwSignal::new(None),
            switching: RwSignal::new(None),
            deleting: RwSignal::new(None),
            toggle: Action::new(|(id, on): &(i64, bool)| set_endpoint_active(*id, *on)),
            check: Action::new(move |id: &i64| {
                let id = *id;
                async move {
                    let checked = check_endpoint(id).await;
                    checking.update(|c| c.retain(|x| *x != id));
                    checked
                }
            }),
            checking,
            lang,
        };
        Effect::new(move |_| {
            if let Some(r) = ctx.toggle.value().get() {
                ctx.report(&r, |e| {
                    format!("{} · {}", t(lang, CatalogText::Saved), e.name)
                });
            }
        });
        Effect::new(move |_| {
            if let Some(r) = ctx.check.value().get() {
                ctx.report(&r, |e| {
                    let status = status_label(lang, &e.status);
                    format!("{} · {}: {status}", t(lang, CatalogText::Checked), e.name)
                });
            }
        });
        ctx
    }

    /// Checks row `id` now (its button waits until the answer is in).
    pub fn check_row(&self, id: i64) {
        self.checking.update(|c| c.push(id));
        self.check.dispatch(id);
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
