//! The live panel as the server draws it: the run's head (id, status,
//! cancel), its counters, rates, percentiles, token figures, errors, who
//! served it and a latency chart; and, apart, the run over time.

use leptos::prelude::*;

use super::bench_view::bench_figures;
use super::text::{kind_text, status_text, SimText};
use super::types::{RunSnapshot, RunStatus};
use crate::i18n::{t, Lang};

/// The followed run, or a line saying there is none.
pub fn live(lang: Lang, run: Option<&RunSnapshot>) -> AnyView {
    let Some(run) = run else {
        return view! { <p class="muted">{t(lang, SimText::NoRun)}</p> }.into_any();
    };
    let status = run.status.key();
    view! {
        <div class="live" data-testid="live">
            <div class="live-head">
                <strong class="mono">{run.id.clone()}</strong>
                <span class=format!("tag run-{status}") data-testid="run-status" data-status=status>{status_text(lang, run.status)}</span>
                {(run.status == RunStatus::Running).then(|| view! {
                    <button type="button" class="btn btn-danger btn-small" data-testid="cancel-run" data-cancel-run=run.id.clone()>{t(lang, SimText::Cancel)}</button>
                })}
            </div>
            {figures(lang, run)}
        </div>
    }
    .into_any()
}

/// The run over time, read from its rows; nothing before its first second.
pub fn timeline(lang: Lang, seconds: &[super::timeline::Second]) -> AnyView {
    if seconds.is_empty() {
        return ().into_any();
    }
    view! {
        <p class="muted small">{t(lang, SimText::OverTime)}</p>
        {super::timeline_view::chart(seconds)}
    }
    .into_any()
}

pub fn figures(lang: Lang, run: &RunSnapshot) -> impl IntoView {
    let counters = [
        (SimText::Done, run.done.to_string(), "done"),
        (SimText::Ok, run.ok.to_string(), "ok"),
        (SimText::Failed, run.failed.to_string(), "failed"),
        (SimText::InFlight, run.in_flight.to_string(), "in-flight"),
        (SimText::Queued, run.queued.to_string(), "queued"),
        (SimText::NotSent, run.not_sent.to_string(), "not-sent"),
        (SimText::Rps, format!("{:.1}", run.rps), "rps"),
    ];
    let l = &run.latency_ms;
    let pct = format!(
        "p50 {:.1} · p90 {:.1} · p95 {:.1} · p99 {:.1} ms",
        l.p50, l.p90, l.p95, l.p99
    );
    let ttft = run
        .ttft_ms
        .as_ref()
        .map(|p| format!("TTFT {}", super::bench_view::spread(p)));
    let errors = run
        .errors
        .iter()
        .map(|(k, n)| format!("{}: {n}", kind_text(lang, k)))
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <div class="counters">
            {counters.into_iter().map(|(k, v, id)| view! {
                <div class="counter"><span class="muted small">{t(lang, k)}</span><strong data-testid=format!("count-{id}")>{v}</strong></div>
            }).collect_view()}
        </div>
        <p class="mono small" data-testid="percentiles">{pct}</p>
        {ttft.map(|s| view! { <p class="mono small">{s}</p> })}
        {bench_figures(lang, run)}
        <p class="mono small">{t(lang, SimText::QueueTime)} ": " {format!("{:.1} ms", run.queue_ms.p95)}</p>
        <p class="small" data-testid="stored">
            <span class="muted">{t(lang, SimText::Stored)} ": "</span>
            {format!("{} · {}: {}", run.rows_written, t(lang, SimText::InFallback), run.fallback_records)}
        </p>
        {run.rate.as_ref().map(|r| view! {
            <p class=if r.kept_up { "small" } else { "small form-warning" } data-testid="rate" data-kept-up=r.kept_up.to_string()>
                {format!("{:.1} / {:.1} req/s · ", r.achieved_rps, r.planned_rps)}
                {t(lang, if r.kept_up { SimText::RateKept } else { SimText::RateNotKept })}
            </p>
        })}
        {(!errors.is_empty()).then(|| view! { <p class="small"><span class="muted">{t(lang, SimText::Errors)} ": "</span>{errors}</p> })}
        {served_by(lang, run)}
        {run.stop_reason.as_ref().map(|r| view! { <p class="form-error small">{r.render(lang)}</p> })}
        <p class="muted small">{t(lang, SimText::Chart)}</p>
        {chart(&run.histogram)}
    }
}

/// What each endpoint answered or failed, and what never reached one.
fn served_by(lang: Lang, run: &RunSnapshot) -> impl IntoView {
    let mut parts: Vec<String> = run
        .by_endpoint
        .iter()
        .map(|e| format!("#{}: {} ✓ / {} ✕", e.endpoint_id, e.ok, e.failed))
        .collect();
    if run.not_routed > 0 {
        parts.push(format!(
            "{}: {}",
            t(lang, SimText::NotRouted),
            run.not_routed
        ));
    }
    (!parts.is_empty()).then(|| {
        view! {
            <p class="small" data-testid="served-by">
                <span class="muted">{t(lang, SimText::ServedBy)} ": "</span>{parts.join(" · ")}
            </p>
        }
    })
}

/// A bar per latency bucket, drawn as SVG.
fn chart(buckets: &[(f64, u64)]) -> impl IntoView {
    let max = buckets.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1) as f64;
    let (w, h, bar) = (480.0, 120.0, 40.0);
    view! {
        <svg class="chart" viewBox=format!("0 0 {w} {}", h + 18.0) role="img" data-testid="latency-chart">
            {buckets.iter().enumerate().map(|(i, (hi, n))| {
                let bh = (*n as f64 / max) * h;
                let x = i as f64 * bar;
                let label = if *hi < super::stats::OPEN_END { format!("≤{hi}") } else { ">10k".to_owned() };
                view! {
                    <g>
                        <rect x=x + 4.0 y=h - bh width=bar - 8.0 height=bh class="bar"><title>{format!("{label} ms: {n}")}</title></rect>
                        <text x=x + bar / 2.0 y=h + 14.0 text-anchor="middle" class="axis">{label}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
}
