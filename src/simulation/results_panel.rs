//! Runs, their result rows (paged, filtered, downloadable) and a
//! run-vs-baseline comparison.

use leptos::prelude::*;

use super::context::SimCtx;
use super::drawn::{draw, html_of, Panel};
use super::result_detail::ResultDrawer;
use super::run_list::RunQuery;
use super::text::{kind_text, status_text, SimText};
use super::types::{ResultQuery, RunStatus, COMPARE_MAX};
use crate::i18n::t;
use crate::ui::form::Submitted;
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
                status: RunStatus::from_key(&status),
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
    // The filters and order of the results table, read from its toolbar.
    let filters = RwSignal::new(ResultQuery::default());
    let page = RwSignal::new(1u32);
    let opened = RwSignal::new(None::<i64>);
    let results = load(
        move || {
            (
                selected.get(),
                filters.get(),
                page.get(),
                ctx.finished.get(),
            )
        },
        move |(run_id, filters, page, _)| {
            let query = ResultQuery {
                run_id,
                page: Some(page),
                per_page: Some(20),
                ..filters
            };
            draw(Panel::Results(query), lang)
        },
    );
    let on_filters = move |ev: leptos::ev::Event| {
        filters.set(result_filters(&Submitted::of(&ev)));
        page.set(1);
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
                    {RunStatus::ALL
                        .into_iter()
                        .map(|s| view! { <option value=s.key()>{status_text(lang, s)}</option> })
                        .collect_view()}
                </select>
            </div>
            <ServerHtml html=html_of(runs) on_event=on_runs skeleton=3/>
        </section>
        <section class="card" data-testid="results-panel">
            <h2>{t(lang, SimText::Results)}</h2>
            <form class="toolbar" on:change=on_filters on:submit=move |ev| { ev.prevent_default(); on_filters(ev.into()); }>
                <select name="success" aria-label=t(lang, SimText::Status)>
                    <option value="all">{t(lang, SimText::All)}</option>
                    <option value="ok">{t(lang, SimText::OnlySuccess)}</option>
                    <option value="failed">{t(lang, SimText::OnlyFailed)}</option>
                </select>
                <input class="search" type="search" name="text" placeholder=t(lang, SimText::Filter) aria-label=t(lang, SimText::Filter)/>
                <select name="kind" aria-label=t(lang, SimText::Kind)>
                    <option value="">{t(lang, SimText::Kind)}</option>
                    {["timeout", "connect", "http_status", "decode"].into_iter().map(|k| view! { <option value=k>{kind_text(lang, k)}</option> }).collect_view()}
                </select>
                <input name="endpoint" size="6" placeholder=t(lang, SimText::Endpoint) aria-label=t(lang, SimText::Endpoint)/>
                <input name="model" size="10" placeholder=t(lang, SimText::Model) aria-label=t(lang, SimText::Model)/>
                <input name="user" size="12" placeholder=t(lang, SimText::User) aria-label=t(lang, SimText::User)/>
                <select name="sort" aria-label=t(lang, SimText::SortBy)>
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
            </form>
            <ServerHtml html=html_of(results) on_event=on_results skeleton=5/>
            {move || opened.get().map(|id| view! { <ResultDrawer id on_close=Callback::new(move |_| opened.set(None))/> })}
        </section>
    }
}

/// The results table's filters and order as its toolbar sets them.
fn result_filters(form: &Submitted) -> ResultQuery {
    let sort = form.text("sort");
    let (sort, ascending) = match sort.strip_suffix("_asc") {
        Some(key) => (key.to_owned(), true),
        None => (sort, false),
    };
    ResultQuery {
        success: match form.text("success").as_str() {
            "ok" => Some(true),
            "failed" => Some(false),
            _ => None,
        },
        text: form.given("text"),
        error_kind: form.given("kind"),
        endpoint_id: form.text("endpoint").trim_start_matches('#').parse().ok(),
        model: form.given("model"),
        user: form.given("user"),
        sort: Some(sort).filter(|s| !s.is_empty()),
        ascending,
        ..Default::default()
    }
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
