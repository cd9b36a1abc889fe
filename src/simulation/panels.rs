//! Mint and single-chat panels.

use leptos::prelude::*;

use super::context::SimCtx;
use super::msg::SimMsg;
use super::server_fns::{load_test_limits, mint_token, single_dialog, stream_dialog};
use super::text::{kind_text, SimText};
use super::types::{ChatScope, DialogRequest, DialogResult, MintRequest};
use crate::error::reason_text;
use crate::error::AppError;
use crate::i18n::t;
use crate::ui::load::load;
use crate::ui::{field_error, use_lang};

pub fn opt(s: RwSignal<String>) -> Option<String> {
    Some(s.get_untracked().trim().to_owned()).filter(|v| !v.is_empty())
}

#[component]
pub fn MintPanel() -> impl IntoView {
    let lang = use_lang();
    let ctx = expect_context::<SimCtx>();
    let sub = RwSignal::new("test-user-1".to_owned());
    let role = RwSignal::new("user".to_owned());
    let tenant = RwSignal::new(String::new());
    let module = RwSignal::new(String::new());
    let minutes = RwSignal::new("60".to_owned());
    let limits = load(|| (), |_| load_test_limits());
    let mint = Action::new(|r: &MintRequest| mint_token(r.clone()));
    let error = Signal::derive(move || mint.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(m)) = mint.value().get() {
            ctx.token.set(m.token);
        }
    });
    let submit = move || {
        mint.dispatch(MintRequest {
            sub: sub.get_untracked(),
            role: opt(role),
            tenant: opt(tenant),
            module: opt(module),
            expires_in_minutes: minutes.get_untracked().trim().parse().unwrap_or(0),
        });
    };
    view! {
        <section class="card" data-testid="mint-panel">
            <h2>{t(lang, SimText::MintTitle)}</h2>
            <form class="form" on:submit=move |ev| { ev.prevent_default(); submit(); }>
                <div class="row">
                    <label class="field"><span>{t(lang, SimText::Sub)}</span><input name="sub" bind:value=sub/>{field_error(error, "sub")}</label>
                    <label class="field"><span>{t(lang, SimText::Role)}</span><input name="role" bind:value=role/>{field_error(error, "role")}</label>
                </div>
                <div class="row">
                    <label class="field"><span>{t(lang, SimText::Tenant)}</span><input name="tenant" bind:value=tenant/>{field_error(error, "tenant")}</label>
                    <label class="field"><span>{t(lang, SimText::Module)}</span><input name="module" bind:value=module/>{field_error(error, "module")}</label>
                </div>
                <div class="row">
                    <label class="field">
                        <span>{t(lang, SimText::Expiry)}
                            <Transition fallback=|| ()>{move || limits.get().and_then(Result::ok).map(|l| format!(" (1–{})", l.mint_max_minutes))}</Transition>
                        </span>
                        <input name="minutes" type="number" min="1" bind:value=minutes/>
                        {field_error(error, "expires_in_minutes")}
                    </label>
                </div>
                <button type="submit" class="btn btn-primary" data-testid="mint">{t(lang, SimText::Mint)}</button>
            </form>
            {move || mint.value().get().and_then(Result::ok).map(|m| view! {
                <div class="minted" data-testid="minted">
                    <label class="field"><span>{t(lang, SimText::Token)}</span>
                        <textarea class="mono small" rows="3" readonly prop:value=m.token.clone()></textarea></label>
                    <p><span class="muted">{t(lang, SimText::ExpiresAt)} ": "</span><strong data-testid="expires-at">{m.expires_at.clone()}</strong></p>
                    <p class="muted">{t(lang, SimText::Claims)}</p>
                    <pre class="mono small" data-testid="claims">{serde_json::to_string_pretty(&m.claims).unwrap_or_default()}</pre>
                </div>
            })}
        </section>
    }
}

#[component]
pub fn DialogPanel() -> impl IntoView {
    let lang = use_lang();
    let ctx = expect_context::<SimCtx>();
    let message = RwSignal::new("Hello, coach!".to_owned());
    let model = RwSignal::new(String::new());
    let tenant = RwSignal::new(String::new());
    let module = RwSignal::new(String::new());
    let stream = RwSignal::new(true);
    let send = Action::new(|r: &DialogRequest| single_dialog(r.clone()));
    // Streaming chats go through the streamed server function instead, so
    // the reply grows on screen as tokens arrive.
    let live_text = RwSignal::new(String::new());
    let streamed = RwSignal::new(None::<Result<DialogResult, AppError>>);
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
    let submit = move || {
        let request = DialogRequest {
            token: ctx.token.get_untracked(),
            scope: ChatScope {
                prompt_id: None,
                tenant: opt(tenant),
                module: opt(module),
            },
            model: opt(model),
            message: message.get_untracked(),
            stream: stream.get_untracked(),
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
    let ms = |v: f64| format!("{v:.1} ms");
    view! {
        <section class="card" data-testid="dialog-panel">
            <h2>{t(lang, SimText::DialogTitle)}</h2>
            <form class="form" on:submit=move |ev| { ev.prevent_default(); submit(); }>
                <label class="field"><span>{t(lang, SimText::Message)}</span><textarea name="message" rows="2" bind:value=message></textarea>{field_error(error, "message")}</label>
                <div class="row">
                    <label class="field"><span>{t(lang, SimText::Tenant)}</span><input name="tenant" bind:value=tenant/></label>
                    <label class="field"><span>{t(lang, SimText::Module)}</span><input name="module" bind:value=module/></label>
                    <label class="field"><span>{t(lang, SimText::Model)}</span><input name="model" bind:value=model/></label>
                </div>
                <label class="field inline"><input type="checkbox" bind:checked=stream/><span>{t(lang, SimText::Stream)}</span></label>
                {field_error(error, "token")}
                <button type="submit" class="btn btn-primary" data-testid="send-dialog" disabled=move || { ctx.token.get().is_empty() || send.pending().get() || streaming.get() }>
                    {t(lang, SimText::Send)}
                </button>
            </form>
            {move || streaming.get().then(|| view! { <pre class="reply" data-testid="dialog-live">{move || live_text.get()}</pre> })}
            {move || outcome.get().map(|r| match r {
                Ok(d) => view! {
                    <div class="dialog-result" data-testid="dialog-result">
                        <dl class="facts">
                            <dt>{t(lang, SimText::Status)}</dt><dd data-testid="dialog-status">{d.status.map(|s| s.to_string()).unwrap_or_else(|| "—".into())}</dd>
                            <dt>{t(lang, SimText::Latency)}</dt><dd>{ms(d.latency_ms)}</dd>
                            <dt>{t(lang, SimText::Ttft)}</dt><dd data-testid="dialog-ttft">{d.ttft_ms.map(ms).unwrap_or_else(|| "—".into())}</dd>
                            <dt>{t(lang, SimText::Model)}</dt><dd>{d.model.clone().unwrap_or_default()}</dd>
                            <dt>{t(lang, SimText::Stored)}</dt><dd>{d.row_id.map(|i| format!("#{i}")).unwrap_or_else(|| t(lang, SimText::InFallback).to_owned())}</dd>
                        </dl>
                        {d.error.clone().map(|e| view! { <p class="form-error">{d.error_kind.as_deref().map(|k| format!("{}: ", kind_text(lang, k))).unwrap_or_default()}{reason_text(lang, &e)}</p> })}
                        <p class="muted">{t(lang, SimText::Response)}</p>
                        <pre class="reply" data-testid="dialog-reply">{d.content.clone()}</pre>
                        <p class="muted">{t(lang, SimText::Request)}</p>
                        <pre class="mono small">{serde_json::to_string_pretty(&d.request).unwrap_or_default()}</pre>
                    </div>
                }.into_any(),
                Err(e) if e.field_name().is_some() => ().into_any(),
                Err(e) => view! { <p class="form-error">{e.text(lang)}</p> }.into_any(),
            })}
        </section>
    }
}

/// Reads the streamed dialog's lines: deltas into `live`, then the result.
async fn read_stream(
    request: DialogRequest,
    live: RwSignal<String>,
) -> Result<DialogResult, AppError> {
    use futures::StreamExt;
    let bad = |e: serde_json::Error| {
        AppError::Transport(
            SimMsg::UnreadableStream {
                detail: e.to_string(),
            }
            .into(),
        )
    };
    let mut stream = stream_dialog(request).await?.into_inner();
    let mut buf = String::new();
    while let Some(chunk) = stream.next().await {
        buf.push_str(&chunk?);
        while let Some(end) = buf.find('\n') {
            let line: String = buf.drain(..=end).collect();
            let v: serde_json::Value = serde_json::from_str(line.trim()).map_err(bad)?;
            if let Some(d) = v.get("d").and_then(|d| d.as_str()) {
                live.try_update(|t| t.push_str(d));
            } else if let Some(r) = v.get("r") {
                return serde_json::from_value(r.clone()).map_err(bad);
            } else if let Some(e) = v.get("e") {
                return Err(serde_json::from_value(e.clone()).map_err(bad)?);
            }
        }
    }
    Err(AppError::Transport(SimMsg::StreamEnded.into()))
}
