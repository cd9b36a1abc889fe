//! Mint and single-chat panels. What they answer is drawn by the server
//! (see [`crate::ui::fragment`]).

use leptos::prelude::*;
use serde::Deserialize;

use super::context::SimCtx;
use super::msg::SimMsg;
use super::server_fns::{mint_token, single_dialog, stream_dialog, Minted};
use super::text::SimText;
use super::types::{ChatScope, DialogRequest, MintRequest};
use crate::error::AppError;
use crate::i18n::t;
use crate::ui::form::Submitted;
use crate::ui::{field_error, use_lang};

#[component]
pub fn MintPanel() -> impl IntoView {
    let lang = use_lang();
    let ctx = expect_context::<SimCtx>();
    let mint = Action::new(move |r: &MintRequest| mint_token(r.clone(), lang));
    let error = Signal::derive(move || mint.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(Minted { token, .. })) = mint.value().get() {
            ctx.token.set(token);
        }
    });
    let submit = move |form: Submitted| {
        mint.dispatch(MintRequest {
            sub: form.text("sub"),
            role: form.given("role"),
            tenant: form.given("tenant"),
            module: form.given("module"),
            expires_in_minutes: form.text("minutes").parse().unwrap_or(0),
        });
    };
    let limits = ctx.limits;
    view! {
        <section class="card" data-testid="mint-panel">
            <h2>{t(lang, SimText::MintTitle)}</h2>
            <form class="form" on:submit=move |ev| { ev.prevent_default(); submit(Submitted::of(&ev)); }>
                <div class="row">
                    <label class="field"><span>{t(lang, SimText::Sub)}</span><input name="sub" value="test-user-1"/>{field_error(error, "sub")}</label>
                    <label class="field"><span>{t(lang, SimText::Role)}</span><input name="role" value="user"/>{field_error(error, "role")}</label>
                </div>
                <div class="row">
                    <label class="field"><span>{t(lang, SimText::Tenant)}</span><input name="tenant"/>{field_error(error, "tenant")}</label>
                    <label class="field"><span>{t(lang, SimText::Module)}</span><input name="module"/>{field_error(error, "module")}</label>
                </div>
                <div class="row">
                    <label class="field">
                        <span>{t(lang, SimText::Expiry)}
                            <Transition fallback=|| ()>{move || limits.get().and_then(Result::ok).map(|l| format!(" (1–{})", l.mint_max_minutes))}</Transition>
                        </span>
                        <input name="minutes" type="number" min="1" value="60"/>
                        {field_error(error, "expires_in_minutes")}
                    </label>
                </div>
                <button type="submit" class="btn btn-primary" data-testid="mint">{t(lang, SimText::Mint)}</button>
            </form>
            {move || mint.value().get().and_then(Result::ok).map(|m| view! { <div class="server-html" inner_html=m.html></div> })}
        </section>
    }
}

#[component]
pub fn DialogPanel() -> impl IntoView {
    let lang = use_lang();
    let ctx = expect_context::<SimCtx>();
    let send = Action::new(|r: &DialogRequest| single_dialog(r.clone()));
    // Streaming chats go through the streamed server function instead, so
    // the reply grows on screen as tokens arrive.
    let live_text = RwSignal::new(String::new());
    let streamed = RwSignal::new(None::<Result<String, AppError>>);
    let streaming = RwSignal::new(false);
    let outcome = Signal::derive(move || {
        if streaming.get() || streamed.get().is_some() {
            streamed.get()
        } else {
            send.value().get()
        }
    });
    let error: Signal<Option<AppError>> =
        Signal::derive(move || outcome.get().and_then(Result::err));
    let submit = move |form: Submitted| {
        let request = DialogRequest {
            token: ctx.token.get_untracked(),
            scope: ChatScope {
                prompt_id: None,
                tenant: form.given("tenant"),
                module: form.given("module"),
            },
            model: form.given("model"),
            message: form.text("message"),
            stream: form.ticked("stream"),
            lang: Some(lang),
        };
        streamed.set(None);
        if request.stream {
            live_text.set(String::new());
            streaming.set(true);
            leptos::task::spawn_local(async move {
                let result = read_stream(request, live_text).await;
                streamed.try_set(Some(result));
                streaming.try_set(false);
            });
        } else {
            send.dispatch(request);
        }
    };
    view! {
        <section class="card" data-testid="dialog-panel">
            <h2>{t(lang, SimText::DialogTitle)}</h2>
            <form class="form" on:submit=move |ev| { ev.prevent_default(); submit(Submitted::of(&ev)); }>
                <label class="field"><span>{t(lang, SimText::Message)}</span><textarea name="message" rows="2">"Hello, coach!"</textarea>{field_error(error, "message")}</label>
                <div class="row">
                    <label class="field"><span>{t(lang, SimText::Tenant)}</span><input name="tenant"/></label>
                    <label class="field"><span>{t(lang, SimText::Module)}</span><input name="module"/></label>
                    <label class="field"><span>{t(lang, SimText::Model)}</span><input name="model"/></label>
                </div>
                <label class="field inline"><input name="stream" type="checkbox" checked/><span>{t(lang, SimText::Stream)}</span></label>
                {field_error(error, "token")}
                <button type="submit" class="btn btn-primary" data-testid="send-dialog" disabled=move || { ctx.token.with(String::is_empty) || send.pending().get() || streaming.get() }>
                    {t(lang, SimText::Send)}
                </button>
            </form>
            {move || streaming.get().then(|| view! { <pre class="reply" data-testid="dialog-live">{move || live_text.get()}</pre> })}
            {move || outcome.get().map(|r| match r {
                Ok(html) => view! { <div class="server-html" inner_html=html></div> }.into_any(),
                Err(e) if e.field_name().is_some() => ().into_any(),
                Err(e) => view! { <p class="form-error">{e.text(lang)}</p> }.into_any(),
            })}
        </section>
    }
}

/// A line of the streamed chat: a delta, the outcome drawn, or an error.
#[derive(Deserialize)]
struct StreamLine {
    d: Option<String>,
    h: Option<String>,
    e: Option<AppError>,
}

/// Reads the streamed dialog's lines: deltas into `live`, then the outcome.
async fn read_stream(request: DialogRequest, live: RwSignal<String>) -> Result<String, AppError> {
    use futures::StreamExt;
    let mut stream = stream_dialog(request).await?.into_inner();
    let mut buf = String::new();
    while let Some(chunk) = stream.next().await {
        buf.push_str(&chunk?);
        while let Some(end) = buf.find('\n') {
            let line: String = buf.drain(..=end).collect();
            let line: StreamLine = serde_json::from_slice(line.trim().as_bytes()).map_err(|e| {
                AppError::Transport(
                    SimMsg::UnreadableStream {
                        detail: e.to_string(),
                    }
                    .into(),
                )
            })?;
            match line {
                StreamLine { e: Some(e), .. } => return Err(e),
                StreamLine { h: Some(html), .. } => return Ok(html),
                StreamLine { d: Some(d), .. } => live.try_update(|t| t.push_str(&d)).unwrap_or(()),
                _ => {}
            }
        }
    }
    Err(AppError::Transport(SimMsg::StreamEnded.into()))
}
