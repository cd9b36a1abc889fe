//! The runs table (with its comparison) and a page of results, as the
//! server draws them for the results panel (see [`crate::ui::fragment`]):
//! what can be clicked names what it does — `data-select-run`,
//! `data-compare`, `data-open-result`, `data-sort`, `data-page`.

use leptos::prelude::*;

use super::run_list::{RunPage, RunQuery};
use super::text::{kind_text, status_text, SimText};
use super::types::{ResultPage, ResultQuery, RunSnapshot, RunStatus, COMPARE_MAX};
use crate::i18n::{t, Lang};
use crate::ui::table::{drawn_pager, drawn_sort_header};

/// A page of runs, the one whose results show marked; below, the finished
/// runs side by side (`chosen`, else the two newest, the older first).
pub fn runs(
    lang: Lang,
    page: &RunPage,
    query: &RunQuery,
    selected: Option<&str>,
    chosen: Option<Vec<String>>,
) -> AnyView {
    if page.items.is_empty() {
        return view! { <p class="muted" data-testid="no-runs">{t(lang, SimText::NoRunMatches)}</p> }
            .into_any();
    }
    let sort = (query.sort.as_deref().unwrap_or(""), query.ascending);
    let header = |label: String, key, class| drawn_sort_header(label, key, sort, class);
    view! {
        <div class="table-scroll">
            <table class="data-table compact" data-testid="runs-table">
                <thead><tr>
                    {header(t(lang, SimText::RunCol).to_owned(), "started_at", "")}
                    <th>{t(lang, SimText::Status)}</th>
                    {header(t(lang, SimText::Done).to_owned(), "done", "num")}
                    {header(t(lang, SimText::Rps).to_owned(), "rps", "num")}
                    {header("p95".to_owned(), "p95", "num")}
                </tr></thead>
                <tbody>
                    {page.items.iter().map(|r| view! {
                        <tr class:selected=selected == Some(r.id.as_str()) data-run=r.id.clone()>
                            <td><button type="button" class="btn btn-small" data-select-run=r.id.clone()>{r.id.clone()}</button></td>
                            <td><span class=format!("tag run-{}", r.status.key())>{status_text(lang, r.status)}</span></td>
                            <td class="num">{r.done}</td>
                            <td class="num">{format!("{:.1}", r.rps)}</td>
                            <td class="num">{format!("{:.1} ms", r.latency_ms.p95)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {drawn_pager(lang, page.page, page.total, page.per_page)}
        {comparison(lang, &page.items, chosen)}
    }
    .into_any()
}

fn comparison(lang: Lang, runs: &[RunSnapshot], chosen: Option<Vec<String>>) -> AnyView {
    let finished: Vec<&RunSnapshot> = runs
        .iter()
        // A run with no success has no latency to compare.
        .filter(|r| r.status != RunStatus::Running && r.ok > 0)
        .collect();
    if finished.len() < 2 {
        return ().into_any();
    }
    let chosen: Vec<String> = chosen
        .unwrap_or_else(|| vec![finished[1].id.clone(), finished[0].id.clone()])
        .into_iter()
        .filter(|id| finished.iter().any(|r| &r.id == id))
        .take(COMPARE_MAX)
        .collect();
    let picked: Vec<RunSnapshot> = chosen
        .iter()
        .filter_map(|id| finished.iter().find(|r| &r.id == id).map(|r| (*r).clone()))
        .collect();
    view! {
        <div class="compare" data-testid="compare" data-chosen=chosen.join(",")>
            <h3>{t(lang, SimText::Compare)}</h3>
            <p class="muted small">{t(lang, SimText::CompareHelp)}</p>
            <div class="row wrap">
                {finished.iter().map(|r| view! {
                    <label class="field inline small">
                        <input type="checkbox" data-compare=r.id.clone() checked=chosen.contains(&r.id)/>
                        <span class="mono">{r.id.clone()}</span>
                    </label>
                }).collect_view()}
            </div>
            {(picked.len() >= 2).then(|| side_by_side(lang, &picked))}
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

/// A page of result rows (each opens with its `#` button), below links
/// that download every row the query finds.
pub fn results(lang: Lang, p: ResultPage, query: &ResultQuery) -> AnyView {
    if p.items.is_empty() {
        return view! { <p class="muted">{t(lang, SimText::NoRows)}</p> }.into_any();
    }
    let (page, total, per_page) = (p.page, p.total, p.per_page);
    view! {
        <div class="toolbar">
            {["csv", "json", "jsonl"].map(|format| view! {
                <a class="btn" data-testid=format!("download-{format}") href=export_href(query, format) download>
                    {t(lang, SimText::Download)} " " {format.to_uppercase()}
                </a>
            })}
        </div>
        <table class="data-table compact" data-testid="results-table">
            <thead><tr>
                <th>"#"</th><th>{t(lang, SimText::Seq)}</th><th>{t(lang, SimText::User)}</th><th>{t(lang, SimText::Status)}</th><th>{t(lang, SimText::Endpoint)}</th>
                <th>{t(lang, SimText::Latency)}</th><th>{t(lang, SimText::Ttft)}</th><th>{t(lang, SimText::Kind)}</th>
            </tr></thead>
            <tbody>{p.items.into_iter().map(|row| view! {
                <tr data-testid="result-row">
                    <td><button type="button" class="btn btn-small btn-ghost" data-testid="open-result" data-open-result=row.id>{row.id}</button></td><td>{row.seq.map(|s| s.to_string()).unwrap_or_default()}</td>
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
        {drawn_pager(lang, page, total, per_page)}
    }
    .into_any()
}

/// Where the rows `query` finds download as `format`, every page of
/// them, across runs when it names none.
fn export_href(query: &ResultQuery, format: &str) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    if let Some(id) = &query.run_id {
        q.append_pair("run_id", id);
    }
    if let Some(ok) = query.success {
        q.append_pair("success", if ok { "true" } else { "false" });
    }
    for (key, value) in [
        ("text", &query.text),
        ("error_kind", &query.error_kind),
        ("model", &query.model),
        ("user", &query.user),
    ] {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            q.append_pair(key, v);
        }
    }
    if let Some(id) = query.endpoint_id {
        q.append_pair("endpoint_id", &id.to_string());
    }
    q.append_pair("format", format);
    format!("/api/v1/llm/tests/results/export?{}", q.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulation::types::ResultRow;

    #[test]
    fn a_drawn_page_escapes_what_was_typed_and_names_what_its_buttons_do() {
        let row: ResultRow = serde_json::from_value(serde_json::json!({
            "id": 7, "run_id": "run-1", "seq": 1, "success": false,
            "user": "<img src=x onerror=alert(1)>", "error_kind": "timeout",
            "latency_ms": 1.5,
        }))
        .expect("a row");
        let page = ResultPage {
            items: vec![row],
            total: 41,
            page: 2,
            per_page: 20,
        };
        let query = ResultQuery {
            run_id: Some("run 1".into()),
            success: Some(false),
            user: Some("a&b".into()),
            ..Default::default()
        };
        let html = crate::ui::fragment::render(Lang::En, || results(Lang::En, page, &query));
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{html}"
        );
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains(r#"data-open-result="7""#), "{html}");
        assert!(
            html.contains(r#"data-page="1""#) && html.contains(r#"data-page="3""#),
            "{html}"
        );
        assert!(html.contains("2 / 3 · 41"), "{html}");
        let csv = "/api/v1/llm/tests/results/export?run_id=run+1&amp;success=false&amp;user=a%26b&amp;format=csv";
        assert!(html.contains(csv), "{html}");
    }
}
