//! Runs, their result rows (paged, filtered, downloadable) and a
//! run-vs-baseline comparison.

use leptos::prelude::*;

use super::context::SimCtx;
use super::result_detail::ResultDrawer;
use super::run_list::{RunPage, RunQuery};
use super::server_fns::{list_results, list_runs};
use super::text::{kind_text, status_text, SimText};
use super::types::{ResultQuery, RunSnapshot, RunStatus};
use crate::i18n::{t, Lang};
use crate::ui::load::load;
use crate::ui::table::{settling, Pager, Sort, SortHeader};
use crate::ui::{use_lang, TableSkeleton};

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
    let runs = load(
        move || {
            let filters = (run_settled.get(), run_status.get(), run_sort.get());
            (filters, run_page.get(), ctx.finished.get())
        },
        |((q, status, (key, ascending)), page, _)| {
            list_runs(RunQuery {
                q: Some(q),
                status: serde_json::from_value(serde_json::Value::String(status)).ok(),
                sort: Some(key).filter(|k| !k.is_empty()),
                ascending,
                page: Some(page),
                per_page: Some(RUNS_PER_PAGE),
            })
        },
    );
    let selected = RwSignal::new(None::<String>);
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
        |(run_id, success, text, (kind, endpoint, model, user, sort), page, _)| {
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
            list_results(ResultQuery {
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
            })
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
            <Transition fallback=|| view! { <TableSkeleton rows=3/> }>
                {move || runs.get().and_then(Result::ok).map(|p: RunPage| if p.items.is_empty() {
                    view! { <p class="muted" data-testid="no-runs">{t(lang, SimText::NoRunMatches)}</p> }.into_any()
                } else {
                    view! {
                        <div class="table-scroll">
                            <RunsTable list=p.items.clone() selected sort=run_sort page=run_page results_page=page/>
                        </div>
                        <Pager lang page=run_page total=p.total per_page=p.per_page/>
                        <Comparison runs=p.items/>
                    }.into_any()
                })}
            </Transition>
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
            <Transition fallback=|| view! { <TableSkeleton/> }>
                {move || results.get().map(|r| match r {
                    Ok(p) if p.items.is_empty() => view! { <p class="muted">{t(lang, SimText::NoRows)}</p> }.into_any(),
                    Ok(p) => {
                        let pages = ((p.total as u32).div_ceil(p.per_page)).max(1);
                        view! {
                            <table class="data-table compact" data-testid="results-table">
                                <thead><tr>
                                    <th>"#"</th><th>{t(lang, SimText::Seq)}</th><th>{t(lang, SimText::User)}</th><th>{t(lang, SimText::Status)}</th><th>{t(lang, SimText::Endpoint)}</th>
                                    <th>{t(lang, SimText::Latency)}</th><th>{t(lang, SimText::Ttft)}</th><th>{t(lang, SimText::Kind)}</th>
                                </tr></thead>
                                <tbody>{p.items.into_iter().map(|row| view! {
                                    <tr data-testid="result-row">
                                        <td><button class="btn btn-small btn-ghost" data-testid="open-result" on:click=move |_| opened.set(Some(row.id))>{row.id}</button></td><td>{row.seq.map(|s| s.to_string()).unwrap_or_default()}</td>
                                        <td>{row.user.unwrap_or_default()}</td>
                                        <td><span class=if row.success { "tag status-online" } else { "tag status-offline" }>{row.status.map(|s| s.to_string()).unwrap_or_else(|| "—".into())}</span></td>
                                        <td data-testid="result-endpoint" data-routed=row.endpoint_id.is_some().to_string()>{match row.endpoint_id {
                                            Some(id) => format!("#{id}"),
                                            None => t(lang, SimText::NotRouted).to_owned(),
                                        }}</td>
                                        <td class="num">{row.latency_ms.map(|v| format!("{v:.1}")).unwrap_or_default()}</td>
                                        <td class="num">{row.ttft_ms.map(|v| format!("{v:.1}")).unwrap_or_default()}</td>
                                        <td data-kind=row.error_kind.clone().unwrap_or_default()>{row.error_kind.as_deref().map(|k| kind_text(lang, k)).unwrap_or_default()}</td>
                                    </tr>
                                }).collect_view()}</tbody>
                            </table>
                            <div class="pager">
                                <button class="btn btn-small" disabled=move || { page.get() <= 1 } on:click=move |_| page.update(|p| *p -= 1)>{t(lang, SimText::Prev)}</button>
                                <span data-testid="page-info">{format!("{} / {pages} · {}", p.page, p.total)}</span>
                                <button class="btn btn-small" disabled=move || { page.get() >= pages } on:click=move |_| page.update(|p| *p += 1)>{t(lang, SimText::Next)}</button>
                            </div>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="form-error">{e.text(lang)}</p> }.into_any(),
                })}
            </Transition>
            {move || opened.get().map(|id| view! { <ResultDrawer id on_close=Callback::new(move |_| opened.set(None))/> })}
        </section>
    }
}

/// Up to this many runs side by side.
const COMPARE_MAX: usize = 4;

/// The run status as the API spells it (`running`, `completed`…).
fn status_key(s: RunStatus) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[component]
fn RunsTable(
    list: Vec<RunSnapshot>,
    selected: RwSignal<Option<String>>,
    sort: Sort,
    page: RwSignal<u32>,
    /// The results table goes back to its first page for another run.
    results_page: RwSignal<u32>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <table class="data-table compact" data-testid="runs-table">
            <thead><tr>
                <SortHeader label=t(lang, SimText::RunCol) key="started_at" sort page/>
                <th>{t(lang, SimText::Status)}</th>
                <SortHeader label=t(lang, SimText::Done) key="done" sort page class="num"/>
                <SortHeader label=t(lang, SimText::Rps) key="rps" sort page class="num"/>
                <SortHeader label="p95" key="p95" sort page class="num"/>
            </tr></thead>
            <tbody>
                {list.iter().map(|r| {
                    let id = r.id.clone();
                    let id2 = r.id.clone();
                    view! {
                        <tr class:selected=move || selected.get().as_deref() == Some(id.as_str()) data-run=r.id.clone()>
                            <td><button class="btn btn-small" on:click=move |_| { selected.set(Some(id2.clone())); results_page.set(1); }>{r.id.clone()}</button></td>
                            <td><span class=format!("tag run-{}", status_key(r.status))>{status_text(lang, r.status)}</span></td>
                            <td class="num">{r.done}</td>
                            <td class="num">{format!("{:.1}", r.rps)}</td>
                            <td class="num">{format!("{:.1} ms", r.latency_ms.p95)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn Comparison(runs: Vec<RunSnapshot>) -> impl IntoView {
    let lang = use_lang();
    let finished: Vec<RunSnapshot> = runs
        .into_iter()
        // A run with no success has no latency to compare.
        .filter(|r| r.status != RunStatus::Running && r.ok > 0)
        .collect();
    if finished.len() < 2 {
        return ().into_any();
    }
    // The older of the two newest is the baseline.
    let chosen = RwSignal::new(vec![finished[1].id.clone(), finished[0].id.clone()]);
    let all = finished.clone();
    let toggle = move |id: String| {
        chosen.update(|c| match c.iter().position(|x| *x == id) {
            Some(i) => {
                c.remove(i);
            }
            None if c.len() < COMPARE_MAX => c.push(id),
            None => {}
        })
    };
    view! {
        <div class="compare" data-testid="compare">
            <h3>{t(lang, SimText::Compare)}</h3>
            <p class="muted small">{t(lang, SimText::CompareHelp)}</p>
            <div class="row wrap">
                {finished.iter().map(|r| {
                    let (id, id2) = (r.id.clone(), r.id.clone());
                    view! {
                        <label class="field inline small">
                            <input type="checkbox" data-compare=r.id.clone()
                                prop:checked=move || chosen.get().contains(&id)
                                on:change=move |_| toggle(id2.clone())/>
                            <span class="mono">{r.id.clone()}</span>
                        </label>
                    }
                }).collect_view()}
            </div>
            {move || {
                let picked: Vec<RunSnapshot> = chosen
                    .get()
                    .iter()
                    .filter_map(|id| all.iter().find(|r| &r.id == id).cloned())
                    .collect();
                (picked.len() >= 2).then(|| side_by_side(lang, &picked))
            }}
        </div>
    }
    .into_any()
}

fn side_by_side(lang: Lang, runs: &[RunSnapshot]) -> impl IntoView {
    let lines = super::compare::compare(runs);
    let cell = |v: Option<f64>| v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "—".into());
    view! {
        <table class="data-table compact" data-testid="compare-table">
            <thead><tr>
                <th></th>
                {runs.iter().enumerate().map(|(i, r)| view! {
                    <th class="mono">{if i == 0 { format!("{} · {}", t(lang, SimText::Baseline), r.id) } else { r.id.clone() }}</th>
                }).collect_view()}
            </tr></thead>
            <tbody>
                {lines.into_iter().map(|l| view! {
                    <tr data-metric=l.metric.clone()>
                        <td>{l.metric.clone()}</td>
                        {l.values.iter().enumerate().map(|(i, v)| {
                            let beyond = l.beyond_noise[i];
                            let change = l.change[i].map(|c| format!(" ({:+.1} %{})", c * 100.0, if beyond { " ●" } else { "" }));
                            view! {
                                <td class="num" class:beyond-noise=beyond data-beyond=beyond.to_string()>
                                    {cell(*v)}{change.unwrap_or_default()}
                                </td>
                            }
                        }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
