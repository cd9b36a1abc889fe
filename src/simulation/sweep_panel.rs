//! The capacity panel: rates to try, the SLO, and per step the rate kept,
//! the p95s, the error rate and goodput, a chart of rate against latency
//! and goodput, and one line of result. Follows the sweep once a second.

use leptos::prelude::*;

use super::drawn::{draw, html_of, stop, Panel, Stoppable};
use super::server_fns::start_sweep;
use super::sweep_types::{Slo, SweepConfig};
use super::text::SimText;
use super::types::{ChatScope, RunConfig, StopPolicy};
use crate::error::AppError;
use crate::i18n::t;
use crate::ui::form::{decimal, Submitted};
use crate::ui::fragment::{clicked, ServerHtml};
use crate::ui::load::load;
use crate::ui::{field_error, use_lang};

#[component]
pub fn SweepPanel() -> impl IntoView {
    let lang = use_lang();
    let current = RwSignal::new(None::<String>);
    let start = Action::new(|c: &SweepConfig| start_sweep(c.clone()));
    let error: Signal<Option<AppError>> =
        Signal::derive(move || start.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(id)) = start.value().get() {
            current.set(Some(id));
        }
    });
    let submit = move |form: Submitted| start.dispatch(sweep_config(&form));
    let input = move |label: SimText,
                      name: &'static str,
                      value: &'static str,
                      err: &'static str| {
        view! {
            <label class="field"><span>{t(lang, label)}</span><input name=name value=value/>{field_error(error, err)}</label>
        }
    };
    view! {
        <section class="card" data-testid="sweep-panel">
            <h2>{t(lang, SimText::SweepTitle)}</h2>
            <p class="muted small">{t(lang, SimText::SweepHelp)}</p>
            <form class="run-form" on:submit=move |ev| { ev.prevent_default(); submit(Submitted::of(&ev)); }>
                {input(SimText::SweepRates, "rates", "5, 10, 20, 40", "rates")}
                {input(SimText::SweepPerStep, "requests_per_step", "50", "requests_per_step")}
                {input(SimText::SweepCap, "cap", "", "run.concurrency")}
                {input(SimText::SloTtft, "slo_ttft", "1000", "slo.ttft_p95_ms")}
                {input(SimText::SloTpot, "slo_tpot", "50", "slo.tpot_p95_ms")}
                {input(SimText::SloLatency, "slo_latency", "", "slo.latency_p95_ms")}
                {input(SimText::SloErrors, "slo_errors", "1", "slo.max_error_percent")}
                {input(SimText::Tenant, "sweep_tenant", "", "run.scope.tenant")}
                {input(SimText::Model, "sweep_model", "", "run.model")}
                <label class="field inline"><input name="sweep_stream" type="checkbox" checked/><span>{t(lang, SimText::Stream)}</span></label>
                <button type="submit" class="btn btn-primary" data-testid="start-sweep" disabled=start.pending()>{t(lang, SimText::SweepStart)}</button>
            </form>
            {move || error.get().filter(|e| e.field_name().is_none()).map(|e| view! { <p class="form-error">{e.text(lang)}</p> })}
            <SweepView current/>
        </section>
    }
}

/// The sweep the form asks for. Numbers that do not read as numbers go
/// as out-of-range values, so the server names the field.
fn sweep_config(form: &Submitted) -> SweepConfig {
    let number = |name: &str| form.given(name).map(|v| decimal(&v));
    let stream = form.ticked("sweep_stream");
    let rates: Vec<f64> = form
        .text("rates")
        .split([',', ' '])
        .filter(|r| !r.trim().is_empty())
        .map(decimal)
        .collect();
    SweepConfig {
        rates,
        requests_per_step: form.text("requests_per_step").parse().unwrap_or(0),
        slo: Slo {
            ttft_p95_ms: number("slo_ttft").filter(|_| stream),
            tpot_p95_ms: number("slo_tpot").filter(|_| stream),
            latency_p95_ms: number("slo_latency"),
            max_error_percent: number("slo_errors").unwrap_or(1.0),
        },
        stop_at_first_miss: true,
        run: RunConfig {
            total: 1,
            load: Default::default(),
            concurrency: form.text("cap").parse().unwrap_or(0),
            ramp_up_secs: 0,
            users: 1,
            stream,
            stop: StopPolicy::Never,
            scope: ChatScope {
                prompt_id: None,
                tenant: form.given("sweep_tenant"),
                module: None,
            },
            model: form.given("sweep_model"),
            message: "Hello! Please reply briefly.".into(),
            message_set: None,
            max_tokens: None,
            temperature: None,
            token: None,
        },
    }
}

/// The sweep started last, drawn by the server; polls while it goes.
#[component]
fn SweepView(current: RwSignal<Option<String>>) -> impl IntoView {
    let lang = use_lang();
    let tick = RwSignal::new(0u32);
    let going = RwSignal::new(false);
    Effect::new(move |_| {
        let poll = move || {
            if going.try_get_untracked().unwrap_or(false) {
                tick.try_update(|t| *t += 1);
            }
        };
        if let Ok(handle) = set_interval_with_handle(poll, std::time::Duration::from_millis(1000)) {
            on_cleanup(move || handle.clear());
        }
    });
    let sweep = load(
        move || (current.get(), tick.get()),
        move |(id, _)| draw(Panel::Sweep(id), lang),
    );
    Effect::new(move |_| {
        if let Some(Ok(drawn)) = sweep.get() {
            going.set(drawn.going);
        }
    });
    let cancel = Action::new(|id: &String| stop(Stoppable::Sweep(id.clone())));
    let on_event = Callback::new(move |ev: leptos::ev::Event| {
        if let Some(id) = clicked(&ev, "data-cancel-sweep").filter(|_| ev.type_() == "click") {
            cancel.dispatch(id);
        }
    });
    view! { <ServerHtml html=html_of(sweep) on_event/> }
}
