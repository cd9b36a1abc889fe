//! A minted token and a single chat's outcome, as the server draws them
//! for the mint and chat panels (see [`crate::ui::fragment`]).

use leptos::prelude::*;

use super::text::{kind_text, SimText};
use super::types::{DialogResult, MintedToken};
use crate::error::reason_text;
use crate::i18n::{t, Lang};

/// The token (to copy), when it expires and its decoded claims.
pub fn minted(lang: Lang, m: &MintedToken) -> impl IntoView {
    view! {
        <div class="minted" data-testid="minted">
            <label class="field"><span>{t(lang, SimText::Token)}</span>
                <textarea class="mono small" rows="3" readonly>{m.token.clone()}</textarea></label>
            <p><span class="muted">{t(lang, SimText::ExpiresAt)} ": "</span><strong data-testid="expires-at">{m.expires_at.clone()}</strong></p>
            <p class="muted">{t(lang, SimText::Claims)}</p>
            <pre class="mono small" data-testid="claims">{serde_json::to_string_pretty(&m.claims).unwrap_or_default()}</pre>
        </div>
    }
}

/// The chat's status, timings, model, where it was stored, any error, the
/// reply and the request sent.
pub fn dialog(lang: Lang, d: &DialogResult) -> impl IntoView {
    let ms = |v: f64| format!("{v:.1} ms");
    view! {
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
    }
}
