//! Server functions behind the JWT simulation page.

use leptos::prelude::*;

use super::sweep_types::SweepConfig;
#[cfg(feature = "ssr")]
use super::types::DialogResult;
use super::types::{DialogRequest, Limits, MintRequest, RunConfig};
use crate::error::AppError;
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::service::Simulation;
#[cfg(feature = "ssr")]
use crate::auth::as_admin;
#[cfg(feature = "ssr")]
use crate::ui::fragment::render;

/// A minted token, and the panel showing it drawn in `lang`.
#[server(prefix = "/api/simulation", endpoint = "mint", input = leptos::server_fn::codec::Json)]
pub async fn mint_token(request: MintRequest, lang: Lang) -> Result<Minted, AppError> {
    as_admin(async |who, sim: Simulation| {
        let minted = sim.mint(&who, &request).await?;
        let html = render(lang, || super::chat_view::minted(lang, &minted));
        Ok(Minted {
            token: minted.token,
            html,
        })
    })
    .await
}

/// A token minted, with its panel as the server draws it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Minted {
    pub token: String,
    pub html: String,
}

/// One chat, its outcome drawn in the request's language.
#[server(prefix = "/api/simulation", endpoint = "dialog", input = leptos::server_fn::codec::Json)]
pub async fn single_dialog(request: DialogRequest) -> Result<String, AppError> {
    as_admin(async |_, sim: Simulation| {
        let result = super::service::dialog(&sim.engine, &request).await?;
        Ok(dialog_html(&request, &result))
    })
    .await
}

/// A chat's outcome as the panel shows it.
#[cfg(feature = "ssr")]
fn dialog_html(request: &DialogRequest, result: &DialogResult) -> String {
    let lang = request.lang.unwrap_or_default();
    render(lang, || super::chat_view::dialog(lang, result))
}

/// The single chat, streamed: one ASCII JSON line per event —
/// `{"d": "<delta>"}` as tokens arrive, then `{"r": DialogResult, "h":
/// "<the outcome drawn>"}` or `{"e": AppError}`.
#[server(prefix = "/api/simulation", endpoint = "dialog_stream", input = leptos::server_fn::codec::Json, output = leptos::server_fn::codec::StreamingText)]
pub async fn stream_dialog(
    request: DialogRequest,
) -> Result<leptos::server_fn::codec::TextStream<AppError>, AppError> {
    as_admin(async |_, sim: Simulation| {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        let engine = sim.engine.clone();
        tokio::spawn(async move {
            let (live, mut deltas) = tokio::sync::mpsc::unbounded_channel::<String>();
            let forward = tx.clone();
            let pump = tokio::spawn(async move {
                while let Some(d) = deltas.recv().await {
                    let _ =
                        forward.send(super::service::ascii_line(&serde_json::json!({ "d": d })));
                }
            });
            let result = super::service::dialog_live(&engine, &request, Some(&live)).await;
            drop(live);
            let _ = pump.await;
            let last = match result {
                Ok(r) => serde_json::json!({ "r": r, "h": dialog_html(&request, &r) }),
                Err(e) => serde_json::json!({ "e": e }),
            };
            let _ = tx.send(super::service::ascii_line(&last));
        });
        let lines =
            futures::stream::unfold(
                rx,
                |mut rx| async move { rx.recv().await.map(|l| (Ok(l), rx)) },
            );
        Ok(leptos::server_fn::codec::TextStream::new(lines))
    })
    .await
}

/// Starts a run; answers its id.
#[server(prefix = "/api/simulation", endpoint = "start", input = leptos::server_fn::codec::Json)]
pub async fn start_run(config: RunConfig) -> Result<String, AppError> {
    as_admin(async |who, sim: Simulation| Ok(sim.start_run(&who, config).await?.id)).await
}

/// Starts a sweep; answers its id.
#[server(prefix = "/api/simulation", endpoint = "sweep_start", input = leptos::server_fn::codec::Json)]
pub async fn start_sweep(config: SweepConfig) -> Result<String, AppError> {
    as_admin(async |who, sim: Simulation| Ok(sim.start_sweep(&who, config).await?.id)).await
}

/// The limits the run form shows: (max requests, max concurrency, in-flight cap, max mint minutes).
#[server(prefix = "/api/simulation", endpoint = "limits", input = leptos::server_fn::codec::Json)]
pub async fn load_test_limits() -> Result<Limits, AppError> {
    as_admin(async |_, sim: Simulation| Ok(sim.limits)).await
}
