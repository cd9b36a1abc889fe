//! One result as the server draws it for the result drawer (see
//! [`crate::ui::fragment`]): what was asked (messages, params, scope), what
//! came back (reply or error), who served it and every timing.

use leptos::prelude::*;

use super::text::{kind_text, SimText};
use super::types::ResultDetail;
use crate::i18n::{t, Lang};

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// The result as the server draws it.
pub fn drawn(lang: Lang, d: ResultDetail) -> impl IntoView {
    let r = &d.row;
    let ms = |v: Option<f64>| {
        v.map(|v| format!("{v:.1} ms"))
            .unwrap_or_else(|| "—".into())
    };
    let facts = [
        (
            t(lang, SimText::Status).to_owned(),
            r.status
                .map(|s| s.to_string())
                .unwrap_or_else(|| "—".into()),
        ),
        (
            t(lang, SimText::Endpoint).to_owned(),
            match r.endpoint_id {
                Some(id) => format!("#{id}"),
                None => t(lang, SimText::NotRouted).to_owned(),
            },
        ),
        (
            t(lang, SimText::Model).to_owned(),
            r.model.clone().unwrap_or_default(),
        ),
        (
            t(lang, SimText::User).to_owned(),
            r.user.clone().unwrap_or_default(),
        ),
        (
            "run · seq".to_owned(),
            format!(
                "{} · {}",
                r.run_id.clone().unwrap_or_default(),
                r.seq.map(|s| s.to_string()).unwrap_or_default()
            ),
        ),
        (t(lang, SimText::Latency).to_owned(), ms(r.latency_ms)),
        ("TTFB".to_owned(), ms(r.ttfb_ms)),
        ("TTFT".to_owned(), ms(r.ttft_ms)),
        ("TPOT".to_owned(), ms(r.tpot_ms)),
        (t(lang, SimText::QueueTime).to_owned(), ms(r.queue_ms)),
        (
            t(lang, SimText::OutputTokens).to_owned(),
            r.output_tokens
                .map(|n| n.to_string())
                .unwrap_or_else(|| "—".into()),
        ),
        (
            "attempts".to_owned(),
            r.attempts
                .map(|n| n.to_string())
                .unwrap_or_else(|| "—".into()),
        ),
        (
            "created_at".to_owned(),
            r.created_at.clone().unwrap_or_default(),
        ),
    ];
    let failure = (!r.success).then(|| {
        format!(
            "{}{}",
            r.error_kind
                .as_deref()
                .map(|k| format!("{}: ", kind_text(lang, k)))
                .unwrap_or_default(),
            r.error.clone().unwrap_or_default()
        )
    });
    let failed_attempts = r.failed_attempts.clone();
    view! {
        <dl class="facts" data-testid="result-detail">
            {facts.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd class="mono">{v}</dd> }).collect_view()}
        </dl>
        {failure.map(|f| view! { <p class="form-error" data-testid="result-error">{f}</p> })}
        {failed_attempts.map(|f| view! { <p class="small mono">{f}</p> })}
        <h3>{t(lang, SimText::Request)}</h3>
        <pre class="mono small" data-testid="result-messages">{pretty(&d.messages)}</pre>
        <pre class="mono small">{pretty(&d.params)} {pretty(&d.scope)}</pre>
        <h3>{t(lang, SimText::Response)}</h3>
        <pre class="mono small" data-testid="result-reply">{d.reply.clone()}</pre>
        {(!d.usage.is_null()).then(|| view! { <pre class="mono small">{pretty(&d.usage)}</pre> })}
    }
}
