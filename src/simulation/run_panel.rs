//! The run form (with its limits) and the live panel: counters, rates,
//! percentiles, token figures, errors, a latency chart, and cancel. Polls once a second.

use leptos::prelude::*;

use super::context::SimCtx;
use super::drawn::{live_html, timeline_html};
use super::jsonl_file::JsonlFile;
use super::load::Load;
use super::message_set::MessageSet;
use super::panels::opt;
use super::server_fns::{cancel_run, load_test_limits, start_run};
use super::text::SimText;
use super::types::{ChatScope, RunConfig, StopPolicy};
use crate::error::AppError;
use crate::i18n::t;
use crate::ui::fragment::{clicked, ServerHtml};
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
    let (tenant, module, model) = (field(""), field(""), field(""));
    let stream = RwSignal::new(true);
    let from_token = RwSignal::new(false);
    let limits = load(|| (), |_| load_test_limits());
    let start = Action::new(|c: &RunConfig| start_run(c.clone()));
    let error: Signal<Option<AppError>> =
        Signal::derive(move || start.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(id)) = start.value().get() {
            ctx.current_run.set(Some(id));
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

/// The followed run, drawn by the server; polls while it runs.
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
        move |(id, _)| live_html(id, lang),
    );
    Effect::new(move |_| {
        if let Some(Ok(shown)) = live.get() {
            if ctx.current_run.get_untracked().is_none() && shown.id.is_some() {
                ctx.current_run.set(shown.id.clone());
            }
            if running.get_untracked() && !shown.running {
                ctx.finished.update(|f| *f += 1);
            }
            running.set(shown.running);
        }
    });
    Effect::new(move |_| {
        if ctx.current_run.get().is_some() {
            running.set(true);
        }
    });
    // Read from the rows: once the run is over, and every few hundred
    // results while it goes.
    let followed = Memo::new(move |_| {
        live.get().and_then(Result::ok).and_then(|l| {
            let step = if l.running { l.done / 500 } else { l.done };
            l.id.map(|id| (id, l.running, step))
        })
    });
    let timeline = load(
        move || followed.get(),
        move |followed| async move {
            match followed {
                Some((id, _, _)) => timeline_html(id, lang).await,
                None => Ok(String::new()),
            }
        },
    );
    let cancel = Action::new(|id: &String| cancel_run(id.clone()));
    let on_event = Callback::new(move |ev: leptos::ev::Event| {
        if let Some(id) = clicked(&ev, "data-cancel-run").filter(|_| ev.type_() == "click") {
            cancel.dispatch(id);
        }
    });
    view! {
        <ServerHtml html=Signal::derive(move || live.get().map(|r| r.map(|l| l.html))) on_event/>
        <ServerHtml html=Signal::derive(move || timeline.get())/>
    }
}
