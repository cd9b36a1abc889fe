//! A sweep as the server draws it for the capacity panel (see
//! [`crate::ui::fragment`]): its verdict, a row per step and a chart of
//! rate against latency and goodput.

use leptos::prelude::*;

use super::sweep_types::{Sweep, SweepStatus, SweepStep};
use super::text::SimText;
use super::timeline_view::polyline;
use crate::i18n::{t, Lang};

/// A sweep as the server draws it: its verdict, a row per step, a chart.
pub fn drawn(lang: Lang, s: &Sweep) -> impl IntoView {
    view! {
        <div class="live" data-testid="sweep">
            <div class="live-head">
                <strong class="mono">{s.id.clone()}</strong>
                <span class="tag" data-testid="sweep-status">{format!("{:?}", s.status).to_lowercase()}</span>
                {(s.status == SweepStatus::Running).then(|| view! {
                    <button type="button" class="btn btn-danger btn-small" data-cancel-sweep=s.id.clone()>{t(lang, SimText::Cancel)}</button>
                })}
            </div>
            <p data-testid="sweep-result"><strong>{verdict(lang, s)}</strong></p>
            {steps_table(lang, &s.steps)}
            {chart(&s.steps)}
        </div>
    }
}

fn verdict(lang: Lang, s: &Sweep) -> String {
    match (s.sustained_rps, s.status) {
        (Some(r), _) => format!("{} {r} req/s", t(lang, SimText::Sustains)),
        (None, SweepStatus::Running) => t(lang, SimText::SweepGoing).to_owned(),
        (None, _) => t(lang, SimText::NoStepMet).to_owned(),
    }
}

fn steps_table(lang: Lang, steps: &[SweepStep]) -> impl IntoView {
    let ms = |v: Option<f64>| v.map(|v| format!("{v:.1}")).unwrap_or_else(|| "—".into());
    view! {
        <table class="table small" data-testid="sweep-steps">
            <thead><tr>
                <th>{t(lang, SimText::SweepRateCol)}</th><th>{t(lang, SimText::SweepSentCol)}</th>
                <th>"latency p95"</th><th>"TTFT p95"</th><th>"TPOT p95"</th>
                <th>{t(lang, SimText::ErrorRate)}</th><th>"goodput"</th><th>"SLO"</th>
            </tr></thead>
            <tbody>
                {steps.iter().map(|s| view! {
                    <tr data-meets=s.meets_slo.to_string()>
                        <td>{s.rps}</td>
                        <td>{format!("{:.1}", s.achieved_rps)}</td>
                        <td>{format!("{:.1}", s.latency_p95_ms)}</td>
                        <td>{ms(s.ttft_p95_ms)}</td>
                        <td>{ms(s.tpot_p95_ms)}</td>
                        <td>{format!("{:.1} %", s.error_rate * 100.0)}</td>
                        <td>{format!("{:.1}", s.goodput_rps)}</td>
                        <td>{if s.meets_slo { "✓" } else { "✕" }}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Goodput as bars and latency p95 as a line, one column per step.
fn chart(steps: &[SweepStep]) -> impl IntoView {
    let (w, h, col) = (480.0, 120.0, 480.0 / steps.len().max(1) as f64);
    let top_goodput = steps
        .iter()
        .map(|s| s.goodput_rps.max(s.rps))
        .fold(1.0, f64::max);
    let top_latency = steps.iter().map(|s| s.latency_p95_ms).fold(1.0, f64::max);
    let points = polyline(steps.iter().map(|s| s.latency_p95_ms), col, h, top_latency);
    view! {
        <svg class="chart" viewBox=format!("0 0 {w} {}", h + 18.0) role="img" data-testid="sweep-chart">
            {steps.iter().enumerate().map(|(i, s)| {
                let bh = s.goodput_rps / top_goodput * h;
                let x = i as f64 * col;
                view! {
                    <g>
                        <rect x=x + 6.0 y=h - bh width=col - 12.0 height=bh class="bar"><title>{format!("{} req/s: goodput {:.1}", s.rps, s.goodput_rps)}</title></rect>
                        <text x=x + col / 2.0 y=h + 14.0 text-anchor="middle" class="axis">{format!("{} req/s", s.rps)}</text>
                    </g>
                }
            }).collect_view()}
            <polyline points=points fill="none" stroke="currentColor" stroke-width="2"><title>"latency p95"</title></polyline>
        </svg>
    }
}
