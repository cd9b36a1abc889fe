//! Model Suite: the admin console for OpenAI-compatible endpoints, the
//! default model, business-domain model mappings and JWT load tests.
//!
//! The crate compiles twice: with `ssr` it is the server (axum + sqlx), with
//! `hydrate` it is the browser bundle that hydrates the server-rendered pages.
#![recursion_limit = "256"]

pub mod app;
pub mod auth;
pub mod error;
pub mod i18n;
pub mod ui;

pub mod catalog;
pub mod dashboard;
pub mod mapping;
pub mod simulation;

#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod monitor;
#[cfg(feature = "ssr")]
pub mod openapi;
#[cfg(feature = "ssr")]
pub mod ops;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod storage;
#[cfg(feature = "ssr")]
pub mod upstream;

/// Browser entry point: hydrates the server-rendered body (after the page's
/// own module has loaded: each page is a lazily loaded module, see `app`),
/// then marks it so tests (and people) can tell the page is interactive.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let Some(body) = leptos::prelude::document().body() else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        leptos::mount::hydrate_from_async(body.clone(), app::App)
            .await
            .forget();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
