//! The run form (with its limits) and the live panel: counters, rates,
//! percentiles, token figures, errors, a latency chart, and cancel. Polls once a second.

use leptos::prelude::*;

use super::context::SimCtx;
use super::drawn::{draw, html_of, stop, Panel, Stoppable};
use super::jsonl_file::JsonlFile;
use super::load::Load;
use super::message_set::MessageSet;
use super::server_fns::start_run;
use super::text::SimText;
use super::types::{ChatScope, RunConfig, StopPolicy};
use crate::error::AppError;
use crate::i18n::t;
use crate::ui::form::{decimal, Submitted};
use crate::ui::fragment::{clicked, ServerHtml};
use crate::ui::load::load;
use crate::ui::{field_error, use_lang};

#[component]
pub fn RunPanel() -> impl IntoView {
    let lang = use_lang();
    let ctx = expect_context::<SimCtx>();
    // What shows or hides fields; the fields keep their own values.
    let load_kind = RwSignal::new(String::from("concurrency"));
    let policy = RwSignal::new(String::from("never"));
    let random = RwSignal::new(false);
    let jsonl = NodeRef::<leptos::html::Textarea>::new();
    // A second run while one is going needs a second click.
    let confirming = RwSignal::new(false);
    let limits = ctx.limits;
    let start = Action::new(|c: &RunConfig| start_run(c.clone()));
    let error: Signal<Option<AppError>> =
        Signal::derive(move || start.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(id)) = start.value().get() {
            ctx.current_run.set(Some(id));
        }
    });
    let submit = move |form: Submitted| {
        let active = ctx.running.get_untracked();
        if active && !confirming.get_untracked() {
            confirming.set(true);
            return;
        }
        confirming.set(false);
        start.dispatch(run_config(&form, ctx.token.get_untracked()));
    };
    let hidden_unless =
        move |shown: fn(&str) -> bool, by: RwSignal<String>| move || !by.with(|v| shown(v));
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
            <form class="run-form" on:submit=move |ev| { ev.prevent_default(); submit(Submitted::of(&ev)); }>
                <label class="field"><span>{t(lang, SimText::Total)}</span><input name="total" type="number" value="200"/>{field_error(error, "total")}</label>
                <label class="field"><span>{t(lang, SimText::LoadKind)}</span>
                    <select name="load" on:change=move |ev| load_kind.set(event_target_value(&ev))>
                        <option value="concurrency">{t(lang, SimText::LoadWorkers)}</option>
                        <option value="constant">{t(lang, SimText::LoadConstant)}</option>
                        <option value="poisson">{t(lang, SimText::LoadPoisson)}</option>
                    </select>
                </label>
                <label class="field" hidden=hidden_unless(|k| k != "concurrency", load_kind)><span>{t(lang, SimText::RateAsked)}</span><input name="rps" type="number" step="any" value="20"/>{field_error(error, "load.rps")}</label>
                <label class="field" hidden=hidden_unless(|k| k == "poisson", load_kind)><span>{t(lang, SimText::Seed)}</span><input name="seed" type="number"/></label>
                <label class="field"><span>{t(lang, SimText::Concurrency)}</span><input name="concurrency" type="number" value="20"/>{field_error(error, "concurrency")}</label>
                <label class="field"><span>{t(lang, SimText::RampUp)}</span><input name="ramp" type="number" value="0"/>{field_error(error, "ramp_up_secs")}</label>
                <label class="field"><span>{t(lang, SimText::Users)}</span><input name="users" type="number" value="5"/>{field_error(error, "users")}</label>
                <label class="field"><span>{t(lang, SimText::Tenant)}</span><input name="tenant"/>{field_error(error, "scope.tenant")}</label>
                <label class="field"><span>{t(lang, SimText::Module)}</span><input name="module"/>{field_error(error, "scope.module")}</label>
                <label class="field inline" hidden=move || ctx.token.with(String::is_empty)><input name="from_token" type="checkbox"/><span>{t(lang, SimText::ScopeFromToken)}</span>{field_error(error, "token")}</label>
                <label class="field"><span>{t(lang, SimText::Model)}</span><input name="model"/></label>
                <label class="field"><span>{t(lang, SimText::StopPolicy)}</span>
                    <select name="policy" on:change=move |ev| policy.set(event_target_value(&ev))>
                        <option value="never">{t(lang, SimText::StopNever)}</option>
                        <option value="first_error">{t(lang, SimText::StopFirst)}</option>
                        <option value="error_rate">{t(lang, SimText::StopRate)}</option>
                        <option value="overall_error_rate">{t(lang, SimText::StopOverallRate)}</option>
                        <option value="after_errors">{t(lang, SimText::StopAfterErrors)}</option>
                    </select>
                </label>
                <label class="field" hidden=hidden_unless(|p| p == "error_rate", policy)><span>{t(lang, SimText::Window)}</span><input name="window" type="number" value="50"/>{field_error(error, "stop.window")}</label>
                <label class="field" hidden=hidden_unless(|p| p.ends_with("error_rate"), policy)><span>{t(lang, SimText::Percent)}</span><input name="percent" type="number" value="20"/>{field_error(error, "stop.percent")}</label>
                <label class="field" hidden=hidden_unless(|p| p.ends_with("error_rate"), policy)><span>{t(lang, SimText::MinDone)}</span><input name="min_done" type="number" value="20"/>{field_error(error, "stop.min_done")}</label>
                <label class="field" hidden=hidden_unless(|p| p == "after_errors", policy)><span>{t(lang, SimText::ErrorCount)}</span><input name="error_count" type="number" value="10"/>{field_error(error, "stop.count")}</label>
                <label class="field inline"><input name="stream" type="checkbox" checked/><span>{t(lang, SimText::Stream)}</span></label>
                <label class="field"><span>{t(lang, SimText::MaxTokens)}</span><input name="max_tokens" type="number"/>{field_error(error, "max_tokens")}</label>
                <label class="field"><span>{t(lang, SimText::Temperature)}</span><input name="temperature" type="number" step="any"/>{field_error(error, "temperature")}</label>
                <label class="field wide"><span>{t(lang, SimText::TypedMessages)}</span><textarea name="typed" rows="2"></textarea>{field_error(error, "message_set.typed")}</label>
                <label class="field wide"><span>{t(lang, SimText::Jsonl)}</span><textarea name="jsonl" rows="2" class="mono" placeholder=r#"{"messages":[{"role":"user","content":"Hi"}],"max_tokens":64}"# node_ref=jsonl></textarea>{field_error(error, "message_set.jsonl")}{field_error(error, "message_set")}</label>
                <JsonlFile into=jsonl/>
                <label class="field inline"><input name="random" type="checkbox" on:change=move |ev| random.set(event_target_checked(&ev))/><span>{t(lang, SimText::RandomOrder)}</span></label>
                <label class="field" hidden=move || !random.get()><span>{t(lang, SimText::Seed)}</span><input name="pick_seed" type="number"/></label>
                <button type="submit" class="btn btn-primary" data-testid="start-run" disabled=start.pending()>
                    {move || t(lang, if confirming.get() { SimText::StartAnother } else { SimText::Start })}
                </button>
            </form>
            <p class="form-warning" data-testid="another-run" hidden=move || !confirming.get()>{t(lang, SimText::AnotherRunActive)}</p>
            {move || error.get().filter(|e| e.field_name().is_none()).map(|e| view! { <p class="form-error">{e.text(lang)}</p> })}
            <LivePanel/>
        </section>
    }
}

/// The run the form asks for. Numbers that do not read as numbers go as
/// out-of-range values, so the server names the field.
fn run_config(form: &Submitted, token: String) -> RunConfig {
    let num = |name: &str| form.text(name).parse::<u32>().unwrap_or(0);
    let percent = || decimal(&form.text("percent"));
    let stop = match form.text("policy").as_str() {
        "first_error" => StopPolicy::FirstError,
        "error_rate" => StopPolicy::ErrorRate {
            window: num("window"),
            percent: percent(),
            min_done: num("min_done"),
        },
        "after_errors" => StopPolicy::AfterErrors {
            count: num("error_count"),
        },
        "overall_error_rate" => StopPolicy::OverallErrorRate {
            percent: percent(),
            min_done: num("min_done"),
        },
        _ => StopPolicy::Never,
    };
    let rate = decimal(&form.text("rps"));
    let load = match form.text("load").as_str() {
        "constant" => Load::Constant { rps: rate },
        "poisson" => Load::Poisson {
            rps: rate,
            seed: form.text("seed").parse().ok(),
        },
        _ => Load::default(),
    };
    RunConfig {
        total: num("total"),
        load,
        concurrency: num("concurrency"),
        ramp_up_secs: num("ramp"),
        users: num("users"),
        stream: form.ticked("stream"),
        stop,
        scope: ChatScope {
            prompt_id: None,
            tenant: form.given("tenant"),
            module: form.given("module"),
        },
        model: form.given("model"),
        message: "Hello! Please reply briefly.".into(),
        message_set: message_set(form),
        max_tokens: form.given("max_tokens").map(|v| v.parse().unwrap_or(0)),
        temperature: form.given("temperature").map(|v| decimal(&v)),
        token: Some(token).filter(|t| form.ticked("from_token") && !t.is_empty()),
    }
}

/// The typed messages (one a line) and the JSONL, as the run's message
/// set; none when both are empty.
fn message_set(form: &Submitted) -> Option<MessageSet> {
    let typed: Vec<String> = form
        .text("typed")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let jsonl = form.given("jsonl");
    (!typed.is_empty() || jsonl.is_some()).then(|| MessageSet {
        typed,
        jsonl,
        random: form.ticked("random"),
        seed: form.text("pick_seed").parse().ok(),
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
        move |(id, _)| draw(Panel::Live(id), lang),
    );
    Effect::new(move |_| {
        if let Some(Ok(shown)) = live.get() {
            if ctx.current_run.get_untracked().is_none() && shown.id.is_some() {
                ctx.current_run.set(shown.id.clone());
            }
            if running.get_untracked() && !shown.going {
                ctx.finished.update(|f| *f += 1);
            }
            running.set(shown.going);
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
            let step = if l.going { l.done / 500 } else { l.done };
            l.id.map(|id| (id, l.going, step))
        })
    });
    let timeline = load(
        move || followed.get(),
        move |followed| async move {
            match followed {
                Some((id, _, _)) => draw(Panel::Timeline(id), lang).await,
                None => Ok(Default::default()),
            }
        },
    );
    let cancel = Action::new(|id: &String| stop(Stoppable::Run(id.clone())));
    let on_event = Callback::new(move |ev: leptos::ev::Event| {
        if let Some(id) = clicked(&ev, "data-cancel-run").filter(|_| ev.type_() == "click") {
            cancel.dispatch(id);
        }
    });
    view! {
        <ServerHtml html=html_of(live) on_event/>
        <ServerHtml html=html_of(timeline)/>
    }
}
