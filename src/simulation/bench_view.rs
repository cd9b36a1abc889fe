//! A run's figures as an LLM benchmark reports them: output tokens and
//! their rate, error rate, TPOT and ITL percentiles, and whether the
//! percentiles are the live estimates or the exact ones from the rows.

use leptos::prelude::*;

use super::text::SimText;
use super::types::{Percentiles, RunSnapshot};
use crate::i18n::{t, Lang};

/// `p50 … · max … ms`, every figure the summary has.
pub fn spread(p: &Percentiles) -> String {
    format!(
        "p50 {:.1} · p90 {:.1} · p95 {:.1} · p99 {:.1} · mean {:.1} · max {:.1} ms",
        p.p50, p.p90, p.p95, p.p99, p.mean, p.max
    )
}

pub fn bench_figures(lang: Lang, run: &RunSnapshot) -> impl IntoView {
    let b = &run.bench;
    let counters = [
        (
            SimText::OutputTokens,
            b.output_tokens.to_string(),
            "output-tokens",
        ),
        (
            SimText::TokensPerSec,
            format!("{:.1}", b.tokens_per_sec),
            "tokens-per-sec",
        ),
        (
            SimText::ErrorRate,
            format!("{:.1} %", b.error_rate * 100.0),
            "error-rate",
        ),
    ];
    let lines = [
        (SimText::Tpot, b.tpot_ms.as_ref(), "tpot"),
        (SimText::Itl, b.itl_ms.as_ref(), "itl"),
    ];
    let estimated = b.output_tokens_estimated;
    view! {
        <div class="counters" data-testid="bench-figures">
            {counters.into_iter().map(|(k, v, id)| view! {
                <div class="counter"><span class="muted small">{t(lang, k)}</span><strong data-testid=format!("count-{id}")>{v}</strong></div>
            }).collect_view()}
        </div>
        {lines.into_iter().filter_map(|(k, p, id)| p.map(|p| view! {
            <p class="mono small" data-testid=id><span class="muted">{t(lang, k)} ": "</span>{spread(p)}</p>
        })).collect_view()}
        {(estimated > 0).then(|| view! {
            <p class="small muted" data-testid="tokens-estimated">{format!("{estimated} ")}{t(lang, SimText::Estimated)}</p>
        })}
        <p class="small muted" data-testid="figures-source" data-exact=b.exact.to_string()>
            {t(lang, if b.exact { SimText::FiguresExact } else { SimText::FiguresLive })}
        </p>
    }
}
