//! The run form (with its limits) and the live panel: counters, rates,
//! percentiles, token figures, errors, a latency chart, and cancel. Polls once a second.

use leptos::prelude::*;

use super::bench_panel::bench_figures;
use super::context::SimCtx;
use super::jsonl_file::JsonlFile;
use super::load::Load;
use super::message_set::MessageSet;
use super::panels::opt;
use super::run_list::RunQuery;
use super::server_fns::{
    cancel_run, list_runs, load_test_limits, run_status, run_timeline, start_run,
};
use super::text::{kind_text, status_text, SimText};
use super::types::{ChatScope, RunConfig, RunSnapshot, RunStatus, StopPolicy};
use crate::error::AppError;
use crate::i18n::{t, Lang};
use crate::ui::load::load;
use crate::ui::{field_error, use_lang};

#[component]
pub fn RunPanel() -> impl IntoView {
    let lang = use_lang();
    let ctx = expect_context::<SimCtx>();
    let field = |v: &str| RwSignal::new(v.to_owned());
    let (total, concurrency, ramp, users) = (field("200"), field("20"), field("0"), field("5"));
    let (policy, window, percent, min_done) =
        (field("never"), field("50"), field("20"), field("20"));
    let error_count = field("10");
    let (load_kind, rps, seed) = (field("concurrency"), field("20"), field(""));
    let (typed, jsonl, pick_seed) = (field(""), field(""), field(""));
    let (max_tokens, temperature) = (field(""), field(""));
    let random = RwSignal::new(false);
    // A second run while one is going needs a second click.
    let confirming = RwSignal::new(false);
    let runs = load(
        move || ctx.finished.get(),
        |_| {
            list_runs(RunQuery {
                status: Some(RunStatus::Running),
                per_page: Some(1),
                ..Default::default()
            })
        },
    );
    // After a reload, the run still going is the one the panel follows.
    Effect::new(move |_| {
        if let Some(Ok(list)) = runs.get() {
            if ctx.current_run.get_untracked().is_none() {
                if let Some(active) = list.items.first() {
                    ctx.current_run.set(Some(active.id.clone()));
                }
            }
        }
    });
    let (tenant, module, model) = (field(""), field(""), field(""));
    let stream = RwSignal::new(true);
    let from_token = RwSignal::new(false);
    let limits = load(|| (), |_| load_test_limits());
    let start = Action::new(|c: &RunConfig| start_run(c.clone()));
    let error: Signal<Option<AppError>> =
        Signal::derive(move || start.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(run)) = start.value().get() {
            ctx.current_run.set(Some(run.id));
        }
    });
    let num = |s: RwSignal<String>| s.get_untracked().trim().parse::<u32>().unwrap_or(0);
    let submit = move || {
        let active = ctx.running.get_untracked();
        if active && !confirming.get_untracked() {
            confirming.set(true);
            return;
        }
        confirming.set(false);
        let stop = match policy.get_untracked().as_str() {
            "first_error" => StopPolicy::FirstError,
            "error_rate" => StopPolicy::ErrorRate {
                window: num(window),
                percent: percent.get_untracked().trim().parse().unwrap_or(-1.0),
                min_done: num(min_done),
            },
            "after_errors" => StopPolicy::AfterErrors {
                count: num(error_count),
            },
            "overall_error_rate" => StopPolicy::OverallErrorRate {
                percent: percent.get_untracked().trim().parse().unwrap_or(-1.0),
                min_done: num(min_done),
            },
            _ => StopPolicy::Never,
        };
        let rate = rps.get_untracked().trim().parse::<f64>().unwrap_or(-1.0);
        let load = match load_kind.get_untracked().as_str() {
            "constant" => Load::Constant { rps: rate },
            "poisson" => Load::Poisson {
                rps: rate,
                seed: seed.get_untracked().trim().parse().ok(),
            },
            _ => Load::default(),
        };
        start.dispatch(RunConfig {
            total: num(total),
            load,
            concurrency: num(concurrency),
            ramp_up_secs: num(ramp),
            users: num(users),
            stream: stream.get_untracked(),
            stop,
            scope: ChatScope {
                prompt_id: None,
                tenant: opt(tenant),
                module: opt(module),
            },
            model: opt(model),
            message: "Hello! Please reply briefly.".into(),
            message_set: message_set(typed, jsonl, random, pick_seed),
            max_tokens: opt(max_tokens).map(|v| v.parse().unwrap_or(0)),
            temperature: opt(temperature).map(|v| v.parse().unwrap_or(-1.0)),
            token: from_token
                .get_untracked()
                .then(|| ctx.token.get_untracked())
                .filter(|t| !t.is_empty()),
        });
    };

    view! {
        <section class="card run" data-testid="run-panel">
            <h2>{t(lang, SimText::RunTitle)}</h2>
            <p class="muted small">
                <Transition fallback=|| ()>
                    {move || limits.get().and_then(Result::ok).map(|l| format!(
                        "{}: {} 1–{} · {} 1–{} · {} {}",
                        t(lang, SimText::Limits), t(lang, SimText::Total), l.max_requests,
                        t(lang, SimText::Concurrency), l.max_concurrency, t(lang, SimText::InflightCap), l.max_inflight
                    ))}
                </Transition>
            </p>
            <form class="run-form" on:submit=move |ev| { ev.prevent_default(); submit(); }>
                <label class="field"><span>{t(lang, SimText::Total)}</span><input name="total" type="number" bind:value=total/>{field_error(error, "total")}</label>
                <label class="field"><span>{t(lang, SimText::LoadKind)}</span>
                    <select name="load" on:change=move |ev| load_kind.set(event_target_value(&ev)) prop:value=load_kind>
                        <option value="concurrency">{t(lang, SimText::LoadWorkers)}</option>
                        <option value="constant">{t(lang, SimText::LoadConstant)}</option>
                        <option value="poisson">{t(lang, SimText::LoadPoisson)}</option>
                    </select>
                </label>
                <Show when=move || load_kind.get() != "concurrency">
                    <label class="field"><span>{t(lang, SimText::RateAsked)}</span><input name="rps" type="number" step="any" bind:value=rps/>{field_error(error, "load.rps")}</label>
                </Show>
                <Show when=move || load_kind.get() == "poisson">
                    <label class="field"><span>"seed"</span><input name="seed" type="number" bind:value=seed/></label>
                </Show>
                <label class="field"><span>{t(lang, SimText::Concurrency)}</span><input name="concurrency" type="number" bind:value=concurrency/>{field_error(error, "concurrency")}</label>
                <label class="field"><span>{t(lang, SimText::RampUp)}</span><input name="ramp" type="number" bind:value=ramp/>{field_error(error, "ramp_up_secs")}</label>
                <label class="field"><span>{t(lang, SimText::Users)}</span><input name="users" type="number" bind:value=users/>{field_error(error, "users")}</label>
                <label class="field"><span>{t(lang, SimText::Tenant)}</span><input name="tenant" bind:value=tenant/>{field_error(error, "scope.tenant")}</label>
                <label class="field"><span>{t(lang, SimText::Module)}</span><input name="module" bind:value=module/>{field_error(error, "scope.module")}</label>
                <Show when=move || !ctx.token.get().is_empty()>
                    <label class="field inline"><input name="from_token" type="checkbox" bind:checked=from_token/><span>{t(lang, SimText::ScopeFromToken)}</span>{field_error(error, "token")}</label>
                </Show>
                <label class="field"><span>{t(lang, SimText::Model)}</span><input name="model" bind:value=model/></label>
                <label class="field"><span>{t(lang, SimText::StopPolicy)}</span>
                    <select name="policy" on:change=move |ev| policy.set(event_target_value(&ev)) prop:value=policy>
                        <option value="never">{t(lang, SimText::StopNever)}</option>
                        <option value="first_error">{t(lang, SimText::StopFirst)}</option>
                        <option value="error_rate">{t(lang, SimText::StopRate)}</option>
                        <option value="overall_error_rate">{t(lang, SimText::StopOverallRate)}</option>
                        <option value="after_errors">{t(lang, SimText::StopAfterErrors)}</option>
                    </select>
                </label>
                <Show when=move || policy.get() == "error_rate">
                    <label class="field"><span>{t(lang, SimText::Window)}</span><input name="window" type="number" bind:value=window/>{field_error(error, "stop.window")}</label>
                </Show>
                <Show when=move || matches!(policy.get().as_str(), "error_rate" | "overall_error_rate")>
                    <label class="field"><span>{t(lang, SimText::Percent)}</span><input name="percent" type="number" bind:value=percent/>{field_error(error, "stop.percent")}</label>
                    <label class="field"><span>{t(lang, SimText::MinDone)}</span><input name="min_done" type="number" bind:value=min_done/>{field_error(error, "stop.min_done")}</label>
                </Show>
                <Show when=move || policy.get() == "after_errors">
                    <label class="field"><span>{t(lang, SimText::ErrorCount)}</span><input name="error_count" type="number" bind:value=error_count/>{field_error(error, "stop.count")}</label>
                </Show>
                <label class="field inline"><input type="checkbox" bind:checked=stream/><span>{t(lang, SimText::Stream)}</span></label>
                <label class="field"><span>{t(lang, SimText::MaxTokens)}</span><input name="max_tokens" type="number" bind:value=max_tokens/>{field_error(error, "max_tokens")}</label>
                <label class="field"><span>{t(lang, SimText::Temperature)}</span><input name="temperature" type="number" step="any" bind:value=temperature/>{field_error(error, "temperature")}</label>
                <label class="field wide"><span>{t(lang, SimText::TypedMessages)}</span><textarea name="typed" rows="2" bind:value=typed></textarea>{field_error(error, "message_set.typed")}</label>
                <label class="field wide"><span>{t(lang, SimText::Jsonl)}</span><textarea name="jsonl" rows="2" class="mono" placeholder=r#"{"messages":[{"role":"user","content":"Hi"}],"max_tokens":64}"# bind:value=jsonl></textarea>{field_error(error, "message_set.jsonl")}{field_error(error, "message_set")}</label>
                <JsonlFile into=jsonl/>
                <label class="field inline"><input type="checkbox" bind:checked=random/><span>{t(lang, SimText::RandomOrder)}</span></label>
                <Show when=move || random.get()>
                    <label class="field"><span>"seed"</span><input name="pick_seed" type="number" bind:value=pick_seed/></label>
                </Show>
                <button type="submit" class="btn btn-primary" data-testid="start-run" disabled=start.pending()>
                    {move || t(lang, if confirming.get() { SimText::StartAnother } else { SimText::Start })}
                </button>
            </form>
            <Show when=move || confirming.get()>
                <p class="form-warning" data-testid="another-run">{t(lang, SimText::AnotherRunActive)}</p>
            </Show>
            {move || error.get().filter(|e| e.field_name().is_none()).map(|e| view! { <p class="form-error">{e.text(lang)}</p> })}
            <LivePanel/>
        </section>
    }
}

/// The typed messages (one a line) and the JSONL, as the run's message
/// set; none when both are empty.
fn message_set(
    typed: RwSignal<String>,
    jsonl: RwSignal<String>,
    random: RwSignal<bool>,
    seed: RwSignal<String>,
) -> Option<MessageSet> {
    let typed: Vec<String> = typed
        .get_untracked()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let jsonl = opt(jsonl);
    (!typed.is_empty() || jsonl.is_some()).then(|| MessageSet {
        typed,
        jsonl,
        random: random.get_untracked(),
        seed: seed.get_untracked().trim().parse().ok(),
    })
}

#[component]
fn LivePanel() -> impl IntoView {
    let lang = use_lang();
    let ctx = expect_context::<SimCtx>();
    let tick = RwSignal::new(0u32);
    let running = ctx.running;
    // Polls while a run is going; the timer stops with the page.
    Effect::new(move |_| {
        let poll = move || {
            if running.try_get_untracked().unwrap_or(false) {
                tick.try_update(|t| *t += 1);
            }
        };
        if let Ok(handle) = set_interval_with_handle(poll, std::time::Duration::from_millis(700)) {
            on_cleanup(move || handle.clear());
        }
    });
    let live = load(
        move || (ctx.current_run.get(), tick.get()),
        |(id, _)| async move {
            match id {
                Some(id) => run_status(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    Effect::new(move |_| {
        if let Some(Ok(Some(run))) = live.get() {
            let is_running = run.status == RunStatus::Running;
            if running.get_untracked() && !is_running {
                ctx.finished.update(|f| *f += 1);
            }
            running.set(is_running);
        }
    });
    Effect::new(move |_| {
        if ctx.current_run.get().is_some() {
            running.set(true);
        }
    });
    let cancel = Action::new(|id: &String| cancel_run(id.clone()));
    view! {
        <Transition fallback=|| ()>
            {move || match live.get() {
                Some(Ok(Some(run))) => {
                    let id = run.id.clone();
                    view! {
                        <div class="live" data-testid="live">
                            <div class="live-head">
                                <strong class="mono">{run.id.clone()}</strong>
                                <span class=format!("tag run-{:?}", run.status).to_lowercase() data-testid="run-status" data-status=format!("{:?}", run.status).to_lowercase()>{status_text(lang, run.status)}</span>
                                {(run.status == RunStatus::Running).then(|| view! {
                                    <button class="btn btn-danger btn-small" data-testid="cancel-run" on:click=move |_| { cancel.dispatch(id.clone()); }>{t(lang, SimText::Cancel)}</button>
                                })}
                            </div>
                            {figures(lang, &run)}
                            <RunTimeline id=run.id.clone() running=run.status == RunStatus::Running done=run.done/>
                        </div>
                    }.into_any()
                }
                Some(Err(e)) => view! { <p class="form-error">{e.text(lang)}</p> }.into_any(),
                _ => view! { <p class="muted">{t(lang, SimText::NoRun)}</p> }.into_any(),
            }}
        </Transition>
    }
}

/// The run over time, read from its rows: once it is over, and every
/// few hundred results while it goes.
#[component]
fn RunTimeline(id: String, running: bool, done: u64) -> impl IntoView {
    let lang = use_lang();
    let key = (id, running, if running { done / 500 } else { done });
    let seconds = load(move || key.clone(), |(id, _, _)| run_timeline(id));
    view! {
        <Transition fallback=|| ()>
            {move || seconds.get().and_then(Result::ok).filter(|s| !s.is_empty()).map(|s| view! {
                <p class="muted small">{t(lang, SimText::OverTime)}</p>
                {super::timeline_chart::chart(&s)}
            })}
        </Transition>
    }
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
        .map(|p| format!("TTFT {}", super::bench_panel::spread(p)));
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
                let label = if *hi < super::stats_bound() { format!("≤{hi}") } else { ">10k".to_owned() };
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
