//! A run over time as one SVG chart.

use leptos::prelude::*;

use super::timeline::Second;

/// An SVG polyline's points: one value per column of width `col`, at its
/// middle, `top` at the top of a chart `h` high.
pub fn polyline(values: impl Iterator<Item = f64>, col: f64, h: f64, top: f64) -> String {
    values
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", i as f64 * col + col / 2.0, h - v / top * h))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Requests per second as bars (failures in red), p50 and p95 as lines.
pub fn chart(seconds: &[Second]) -> impl IntoView {
    let (w, h) = (480.0, 120.0);
    let col = w / seconds.len().max(1) as f64;
    let top_done = seconds.iter().map(|s| s.done).max().unwrap_or(0).max(1) as f64;
    let top_ms = seconds.iter().map(|s| s.latency_p95_ms).fold(1.0, f64::max);
    let line = |f: fn(&Second) -> f64| polyline(seconds.iter().map(f), col, h, top_ms);
    let (p50, p95) = (line(|s| s.latency_p50_ms), line(|s| s.latency_p95_ms));
    view! {
        <svg class="chart" viewBox=format!("0 0 {w} {}", h + 18.0) role="img" data-testid="timeline-chart">
            {seconds.iter().enumerate().map(|(i, s)| {
                let (x, bh, fh) = (i as f64 * col, s.done as f64 / top_done * h, s.failed as f64 / top_done * h);
                view! {
                    <g>
                        <rect x=x + 1.0 y=h - bh width=(col - 2.0).max(1.0) height=bh class="bar">
                            <title>{format!("{} s: {} done, {} failed, p50 {:.1} ms, p95 {:.1} ms", s.at, s.done, s.failed, s.latency_p50_ms, s.latency_p95_ms)}</title>
                        </rect>
                        <rect x=x + 1.0 y=h - fh width=(col - 2.0).max(1.0) height=fh class="bar-failed"></rect>
                    </g>
                }
            }).collect_view()}
            <polyline points=p50 fill="none" stroke="currentColor" stroke-width="1.5"><title>"latency p50"</title></polyline>
            <polyline points=p95 fill="none" stroke="currentColor" stroke-width="1.5" stroke-dasharray="4 3"><title>"latency p95"</title></polyline>
            <text x="2" y=h + 14.0 class="axis">"0 s"</text>
            <text x=w - 2.0 y=h + 14.0 text-anchor="end" class="axis">{format!("{} s", seconds.len())}</text>
        </svg>
    }
}
