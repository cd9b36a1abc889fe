//! The Mapping page's read-only panels as the server draws them, in the
//! admin's language (see [`crate::ui::fragment`]): the resolve box's answer
//! and the pending changes.

use leptos::prelude::*;

use super::text::MappingText;
use super::types::{
    LastUsed, MappingPage, MappingQuery, MappingView, ModelCoverage, PendingChange, ResolveAnswer,
    RouteCandidate,
};
use crate::catalog::text::{short_time, status_label};
use crate::i18n::{t, Key, Lang};
use crate::ui::table::{drawn_pager, drawn_sort_header};
use crate::ui::EmptyState;

/// A page of mappings; an empty catalogue says how to start, a filter
/// that finds nothing says so. What a row's controls do is named on them:
/// `data-edit-mapping`, `data-delete-mapping` (with `data-scope`) and the
/// enabled switch's `data-toggle-mapping` (with the state it asks for).
pub fn mappings(lang: Lang, p: MappingPage, query: &MappingQuery) -> AnyView {
    let filtered = query.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    if p.total == 0 && !filtered {
        return view! { <EmptyState message=Key::MappingEmpty/> }.into_any();
    }
    if p.items.is_empty() {
        return view! { <p class="muted">{t(lang, MappingText::NoMatches)}</p> }.into_any();
    }
    let sort = (query.sort.as_deref().unwrap_or(""), query.ascending);
    let header = |label: String, key, class| drawn_sort_header(label, key, sort, class);
    view! {
        <div class="table-scroll">
            <table class="data-table" data-testid="mapping-table">
                <thead>
                    <tr>
                        {header("#".to_owned(), "id", "num")}
                        {header(t(lang, MappingText::ColScope).to_owned(), "scope", "")}
                        <th>{t(lang, MappingText::ColModels)}</th>
                        <th>{t(lang, MappingText::ColDefault)}</th>
                        <th>{t(lang, MappingText::ColNote)}</th>
                        {header(t(lang, MappingText::ColEnabled).to_owned(), "is_active", "")}
                        <th>{t(lang, MappingText::ColActions)}</th>
                    </tr>
                </thead>
                <tbody>{p.items.into_iter().map(|v| row(lang, v)).collect_view()}</tbody>
            </table>
        </div>
        {drawn_pager(lang, p.page, p.total, p.per_page)}
    }
    .into_any()
}

fn row(lang: Lang, v: MappingView) -> impl IntoView {
    let m = v.mapping;
    let dangling = !v.coverage.iter().all(ModelCoverage::served);
    view! {
        <tr data-testid="mapping-row" data-scope=m.scope.clone()>
            <td class="num mono">{m.id}</td>
            <td>
                <strong class="mono">{m.scope.clone()}</strong>
                {dangling.then(|| view! { <span class="tag status-degraded">{t(lang, MappingText::Dangling)}</span> })}
                {m.removed_in_supabase.then(|| view! {
                    <span class="tag status-offline" data-testid="removed-in-supabase">{t(lang, MappingText::RemovedInSupabase)}</span>
                })}
            </td>
            <td><div class="chips">{v.coverage.iter().map(|c| coverage_chip(lang, c)).collect_view()}</div></td>
            <td class="mono">{m.default.clone().unwrap_or_default()}</td>
            <td class="muted small">{m.note.clone()}</td>
            <td>
                <label class="switch">
                    <input type="checkbox" aria-label=format!("{} · {}", t(lang, MappingText::ColEnabled), m.scope) checked=m.is_active
                        data-toggle-mapping=m.id data-on=(!m.is_active).to_string()/>
                    <span></span>
                </label>
            </td>
            <td class="actions">
                <button type="button" class="btn btn-small" data-edit-mapping=m.id>{t(lang, MappingText::Edit)}</button>
                <button type="button" class="btn btn-small btn-danger" data-delete-mapping=m.id data-scope=m.scope.clone()>{t(lang, MappingText::Delete)}</button>
            </td>
        </tr>
    }
}

/// ● healthy, ◐ served but nothing online, ✕ nobody serves it.
pub fn coverage_chip(lang: crate::i18n::Lang, c: &ModelCoverage) -> impl IntoView {
    let (class, mark, key) = if c.healthy() {
        ("chip cov-ok", "●", MappingText::Healthy)
    } else if c.served() {
        ("chip cov-warn", "◐", MappingText::Unhealthy)
    } else {
        ("chip cov-none", "✕", MappingText::Unserved)
    };
    let names = c
        .endpoints
        .iter()
        .map(|e| format!("{} ({})", e.name, status_label(lang, &e.status)))
        .chain((c.more > 0).then(|| format!("+{}", c.more)))
        .collect::<Vec<_>>()
        .join(", ");
    let title = if names.is_empty() {
        t(lang, key).to_owned()
    } else {
        format!("{} — {names}", t(lang, key))
    };
    view! {
        <span class=class title=title data-testid="coverage" data-model=c.model.clone()>
            {mark} " " {c.model.clone()}
        </span>
    }
}

/// The route a chat would take (model, endpoint, the mapping that chose
/// it), the endpoints it would try, where real traffic went last, and why.
pub fn answer(lang: Lang, outcome: ResolveAnswer) -> impl IntoView {
    view! {
        <div class="resolve-result" data-testid="resolve-result">
            {match (&outcome.resolution, &outcome.error) {
                (Some(res), _) => view! {
                    <dl class="facts">
                        <dt>{t(lang, MappingText::ResultModel)}</dt><dd data-testid="resolved-model">{res.model.clone()}</dd>
                        <dt>{t(lang, MappingText::ResultEndpoint)}</dt><dd data-testid="resolved-endpoint">{res.endpoint_name.clone()} " (#" {res.endpoint_id} ")"</dd>
                        <dt>{t(lang, MappingText::ResultScope)}</dt><dd>{res.scope.clone().unwrap_or_else(|| t(lang, MappingText::NoMapping).to_owned())}</dd>
                    </dl>
                    {candidates(lang, res.candidates.clone())}
                    {last_used(lang, outcome.last_used.clone())}
                }.into_any(),
                (None, err) => view! {
                    <p class="form-error">{t(lang, MappingText::NoRoute)} ": " {err.clone().unwrap_or_default()}</p>
                }.into_any(),
            }}
            <p class="muted">{t(lang, MappingText::Why)}</p>
            <ol class="reasons" data-testid="reasons">
                {outcome.reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
            </ol>
        </div>
    }
}

/// The endpoints a chat tries, in order, each with why it is there.
fn candidates(lang: Lang, list: Vec<RouteCandidate>) -> impl IntoView {
    view! {
        <p class="muted">{t(lang, MappingText::Candidates)}</p>
        <table class="data-table compact" data-testid="candidates">
            <thead><tr>
                <th>"#"</th><th>{t(lang, MappingText::ResultEndpoint)}</th><th>{t(lang, MappingText::ColStatus)}</th>
                <th>{t(lang, MappingText::ColLatency)}</th><th>{t(lang, MappingText::ColWhy)}</th>
            </tr></thead>
            <tbody>{list.into_iter().enumerate().map(|(i, c)| view! {
                <tr data-testid="candidate" data-id=c.endpoint_id>
                    <td class="num">{i + 1}</td>
                    <td>{c.endpoint_name.clone()} " (#" {c.endpoint_id} ")"
                        {c.is_default.then(|| view! { " " <span class="tag">{t(lang, MappingText::GlobalDefault)}</span> })}
                    </td>
                    <td><span class=format!("tag status-{}", c.status)>{status_label(lang, &c.status)}</span></td>
                    <td class="num">{c.latency_ms.map(|l| format!("{l:.0} ms")).unwrap_or_else(|| "—".into())}</td>
                    <td data-testid="why">{c.why}</td>
                </tr>
            }).collect_view()}</tbody>
        </table>
    }
}

/// Where real traffic routed this way went last.
fn last_used(lang: Lang, used: Option<LastUsed>) -> impl IntoView {
    view! {
        <p data-testid="last-used">
            <strong>{t(lang, MappingText::LastUsedTitle)} ": "</strong>
            {match used {
                Some(u) => format!(
                    "{} (#{}) · {} · {} {} · {}",
                    u.endpoint_name,
                    u.endpoint_id,
                    t(lang, if u.answered { MappingText::Answered } else { MappingText::AllFailed }),
                    u.attempts,
                    t(lang, MappingText::Attempts),
                    short_time(&u.at),
                ),
                None => t(lang, MappingText::NoTrafficYet).to_owned(),
            }}
        </p>
    }
}

/// What a kept edit is about, in a few words.
fn summary(p: &PendingChange) -> String {
    let field = |k: &str| p.body.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    let name = field("name").or_else(|| field("scope")).unwrap_or_default();
    match p.target {
        Some(id) => format!("#{id} {name}"),
        None => name,
    }
}

/// The kept edits, each with *Re-apply* (`data-apply-pending`) and
/// *Discard* (`data-discard-pending`); nothing when there are none.
pub fn pending(lang: Lang, items: Vec<PendingChange>) -> AnyView {
    if items.is_empty() {
        return ().into_any();
    }
    view! {
        <section class="card" data-testid="pending-changes">
            <h2>{t(lang, MappingText::PendingTitle)}</h2>
            <p class="muted">{t(lang, MappingText::PendingHint)}</p>
            <table class="data-table">
                <thead><tr>
                    <th>{t(lang, MappingText::PendingKind)}</th>
                    <th>{t(lang, MappingText::PendingWhat)}</th>
                    <th>{t(lang, MappingText::PendingWhen)}</th>
                    <th>{t(lang, MappingText::PendingWhy)}</th>
                    <th></th>
                </tr></thead>
                <tbody>
                    {items.into_iter().map(|p| view! {
                        <tr data-testid="pending-change">
                            <td class="mono">{p.kind.clone()}</td>
                            <td>{summary(&p)}</td>
                            <td>{short_time(&p.refused_at)}</td>
                            <td class="muted">{p.reason.clone()}</td>
                            <td class="row">
                                <button type="button" class="btn btn-small btn-primary" data-apply-pending=p.id.clone()>{t(lang, MappingText::Reapply)}</button>
                                <button type="button" class="btn btn-small" data-discard-pending=p.id.clone()>{t(lang, MappingText::Discard)}</button>
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_edit_is_drawn_escaped_with_buttons_naming_what_they_do() {
        let kept = PendingChange {
            id: "p-1".into(),
            kind: "mapping.update".into(),
            target: Some(4),
            body: serde_json::json!({"scope": "tenant:<b>acme</b>"}),
            has_api_key: false,
            refused_at: "2026-12-07T10:00:00Z".into(),
            reason: "Supabase unreachable".into(),
            actor: "admin".into(),
        };
        let html = crate::ui::fragment::render(Lang::En, || pending(Lang::En, vec![kept]));
        assert!(html.contains("#4 tenant:&lt;b&gt;acme&lt;/b&gt;"), "{html}");
        assert!(html.contains(r#"data-apply-pending="p-1""#), "{html}");
        assert!(html.contains(r#"data-discard-pending="p-1""#), "{html}");
        let none = crate::ui::fragment::render(Lang::En, || pending(Lang::En, Vec::new()));
        assert!(!none.contains("pending-changes"), "{none}");
    }
}
