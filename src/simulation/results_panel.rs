//! Runs, their result rows (paged, filtered, downloadable) and a
//! run-vs-baseline comparison.

use leptos::prelude::*;

use super::context::SimCtx;
use super::drawn::{draw, Panel};
use super::result_detail::ResultDrawer;
use super::run_list::RunQuery;
use super::text::{kind_text, status_text, SimText};
use super::types::{ResultQuery, RunStatus};
use crate::i18n::t;
use crate::ui::fragment::{clicked, ServerHtml};
use crate::ui::load::load;
use crate::ui::table::{follow_drawn, settling, Sort};
use crate::ui::use_lang;

/// Runs a page of the runs table shows.
const RUNS_PER_PAGE: u32 = 10;

#[component]
pub fn ResultsPanel() -> impl IntoView {
    let lang = use_lang();
    let ctx = expect_context::<SimCtx>();
    let (run_filter, run_settled) = settling(String::new());
    let run_status = RwSignal::new(String::new());
    let run_sort: Sort = RwSignal::new((String::new(), false));
    let run_page = RwSignal::new(1u32);
    Effect::new(move |_| {
        run_settled.track();
        run_status.track();
        run_page.set(1);
    });
    let selected = RwSignal::new(None::<String>);
    // The runs compared; none until the admin picks (the two newest).
    let chosen = RwSignal::new(None::<Vec<String>>);
    let runs = load(
        move || {
            let filters = (run_settled.get(), run_status.get(), run_sort.get());
            (
                filters,
                run_page.get(),
                ctx.finished.get(),
                selected.get(),
                chosen.get(),
            )
        },
        move |((q, status, (key, ascending)), page, _, selected, chosen)| {
            let query = RunQuery {
                q: Some(q),
                status: serde_json::from_value(serde_json::Value::String(status)).ok(),
                sort: Some(key).filter(|k| !k.is_empty()),
                ascending,
                page: Some(page),
                per_page: Some(RUNS_PER_PAGE),
            };
            let panel = Panel::Runs {
                query,
                selected,
                chosen,
            };
            draw(panel, lang)
        },
    );
    Effect::new(move |_| {
        if let Some(id) = ctx.current_run.get() {
            selected.set(Some(id));
        }
    });
    let success = RwSignal::new(String::from("all"));
    let text = RwSignal::new(String::new());
    let (kind, endpoint, model, user) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let sort = RwSignal::new(String::from("id"));
    let page = RwSignal::new(1u32);
    let opened = RwSignal::new(None::<i64>);
    let results = load(
        move || {
            let filters = (
                kind.get(),
                endpoint.get(),
                model.get(),
                user.get(),
                sort.get(),
            );
            (
                selected.get(),
                success.get(),
                text.get(),
                filters,
                page.get(),
                ctx.finished.get(),
            )
        },
        move |(run_id, success, text, (kind, endpoint, model, user, sort), page, _)| {
            let success = match success.as_str() {
                "ok" => Some(true),
                "failed" => Some(false),
                _ => None,
            };
            let some = |v: String| Some(v).filter(|v| !v.trim().is_empty());
            let (sort, ascending) = match sort.strip_suffix("_asc") {
                Some(key) => (key.to_owned(), true),
                None => (sort, false),
            };
            let query = ResultQuery {
                run_id,
                success,
                text: Some(text),
                error_kind: some(kind),
                endpoint_id: endpoint.trim().trim_start_matches('#').parse().ok(),
                model: some(model),
                user: some(user),
                sort: Some(sort),
                ascending,
                page: Some(page),
                per_page: Some(20),
            };
            draw(Panel::Results(query), lang)
        },
    );
    let reset = move || page.set(1);
    // The rows the table shows, every page of them, across runs when none
    // is picked.
    let export_href = move |format: &str| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if let Some(id) = selected.get() {
            q.append_pair("run_id", &id);
        }
        match success.get().as_str() {
            "ok" => q.append_pair("success", "true"),
            "failed" => q.append_pair("success", "false"),
            _ => &mut q,
        };
        for (key, value) in [
            ("text", text.get()),
            ("error_kind", kind.get()),
            ("model", model.get()),
            ("user", user.get()),
        ] {
            if !value.trim().is_empty() {
                q.append_pair(key, value.trim());
            }
        }
        if let Ok(id) = endpoint.get().trim().trim_start_matches('#').parse::<i64>() {
            q.append_pair("endpoint_id", &id.to_string());
        }
        q.append_pair("format", format);
        format!("/api/v1/llm/tests/results/export?{}", q.finish())
    };

    let on_runs = Callback::new(move |ev: leptos::ev::Event| {
        if follow_drawn(&ev, Some(run_sort), run_page) {
            return;
        }
        if let Some(id) = clicked(&ev, "data-select-run").filter(|_| ev.type_() == "click") {
            selected.set(Some(id));
            page.set(1);
        } else if let Some(id) = clicked(&ev, "data-compare").filter(|_| ev.type_() == "change") {
            let now = clicked(&ev, "data-chosen").unwrap_or_default();
            chosen.set(Some(toggled(&now, id)));
        }
    });
    let on_results = Callback::new(move |ev: leptos::ev::Event| {
        if follow_drawn(&ev, None, page) {
            return;
        }
        if let Some(id) = clicked(&ev, "data-open-result").filter(|_| ev.type_() == "click") {
            opened.set(id.parse().ok());
        }
    });
    view! {
        <section class="card" data-testid="runs-panel">
            <h2>{t(lang, SimText::RunsTitle)}</h2>
            <div class="toolbar">
                <input class="search" type="search" name="run_filter" placeholder=t(lang, SimText::FilterRuns)
                    aria-label=t(lang, SimText::FilterRuns) prop:value=run_filter
                    on:input=move |ev| run_filter.set(event_target_value(&ev))/>
                <select name="run_status" aria-label=t(lang, SimText::Status) prop:value=run_status
                    on:change=move |ev| run_status.set(event_target_value(&ev))>
                    <option value="">{t(lang, SimText::AnyStatus)}</option>
                    {[RunStatus::Running, RunStatus::Completed, RunStatus::Cancelled, RunStatus::Stopped, RunStatus::Interrupted, RunStatus::Failed]
                        .into_iter()
                        .map(|s| view! { <option value=status_key(s)>{status_text(lang, s)}</option> })
                        .collect_view()}
                </select>
            </div>
            <ServerHtml html=Signal::derive(move || runs.get().map(|r| r.map(|d| d.html))) on_event=on_runs skeleton=3/>
        </section>
        <section class="card" data-testid="results-panel">
            <h2>{t(lang, SimText::Results)}</h2>
            <div class="toolbar">
                <select name="success" aria-label=t(lang, SimText::Status) on:change=move |ev| { success.set(event_target_value(&ev)); page.set(1); } prop:value=success>
                    <option value="all">{t(lang, SimText::All)}</option>
                    <option value="ok">{t(lang, SimText::OnlySuccess)}</option>
                    <option value="failed">{t(lang, SimText::OnlyFailed)}</option>
                </select>
                <input class="search" type="search" placeholder=t(lang, SimText::Filter) on:change=move |ev| { text.set(event_target_value(&ev)); page.set(1); }/>
                <select name="kind" aria-label=t(lang, SimText::Kind) on:change=move |ev| { kind.set(event_target_value(&ev)); reset(); }>
                    <option value="">{t(lang, SimText::Kind)}</option>
                    {["timeout", "connect", "http_status", "decode"].into_iter().map(|k| view! { <option value=k>{kind_text(lang, k)}</option> }).collect_view()}
                </select>
                <input name="endpoint" size="6" placeholder=t(lang, SimText::Endpoint) aria-label=t(lang, SimText::Endpoint) on:change=move |ev| { endpoint.set(event_target_value(&ev)); reset(); }/>
                <input name="model" size="10" placeholder=t(lang, SimText::Model) aria-label=t(lang, SimText::Model) on:change=move |ev| { model.set(event_target_value(&ev)); reset(); }/>
                <input name="user" size="12" placeholder=t(lang, SimText::User) aria-label=t(lang, SimText::User) on:change=move |ev| { user.set(event_target_value(&ev)); reset(); }/>
                <select name="sort" aria-label=t(lang, SimText::SortBy) on:change=move |ev| { sort.set(event_target_value(&ev)); reset(); }>
                    <option value="id">{t(lang, SimText::Newest)}</option>
                    {[
                        ("latency_ms", SimText::SortLatency),
                        ("ttft_ms", SimText::SortTtft),
                        ("ttfb_ms", SimText::SortTtfb),
                        ("queue_ms", SimText::SortQueue),
                        ("tpot_ms", SimText::SortTpot),
                    ].into_iter().map(|(k, label)| view! {
                        <option value=k>{format!("{} ↓", t(lang, label))}</option>
                        <option value=format!("{k}_asc")>{format!("{} ↑", t(lang, label))}</option>
                    }).collect_view()}
                </select>
                <a class="btn" data-testid="download-csv" href=move || export_href("csv") download>{t(lang, SimText::Download)} " CSV"</a>
                <a class="btn" data-testid="download-json" href=move || export_href("json") download>{t(lang, SimText::Download)} " JSON"</a>
                <a class="btn" data-testid="download-jsonl" href=move || export_href("jsonl") download>{t(lang, SimText::Download)} " JSONL"</a>
            </div>
            <ServerHtml html=Signal::derive(move || results.get().map(|r| r.map(|d| d.html))) on_event=on_results skeleton=5/>
            {move || opened.get().map(|id| view! { <ResultDrawer id on_close=Callback::new(move |_| opened.set(None))/> })}
        </section>
    }
}

/// Up to this many runs side by side.
pub const COMPARE_MAX: usize = 4;

/// The run status as the API spells it (`running`, `completed`…).
pub fn status_key(s: RunStatus) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The compared runs with `id` taken out, or put in (at most
/// [`COMPARE_MAX`]), from those the panel shows as compared now.
fn toggled(now: &str, id: String) -> Vec<String> {
    let mut chosen: Vec<String> = now
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    match chosen.iter().position(|x| *x == id) {
        Some(i) => {
            chosen.remove(i);
        }
        None if chosen.len() < COMPARE_MAX => chosen.push(id),
        None => {}
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compared_run_is_taken_out_or_put_last_up_to_the_limit() {
        assert_eq!(toggled("a,b", "a".into()), ["b"]);
        assert_eq!(toggled("a,b", "c".into()), ["a", "b", "c"]);
        assert_eq!(toggled("", "c".into()), ["c"]);
        assert_eq!(toggled("a,b,c,d", "e".into()), ["a", "b", "c", "d"]);
    }
}
