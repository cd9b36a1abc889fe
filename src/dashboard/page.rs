//! The dashboard: health grid, default model, coverage, recent runs and
//! shortcuts; refreshes itself every few seconds.

use leptos::prelude::*;

use super::server_fns::{load_dashboard, CoverageState, DashboardData};
use super::text::DashboardText;
use crate::catalog::live::follow_catalog_changes;
use crate::catalog::text::{short_time, status_label};
use crate::i18n::{t, Key, Lang};
use crate::mapping::pending_panel::PendingChanges;
use crate::ui::load::load;
use crate::ui::{use_lang, AdminLayout, EmptyState, TableSkeleton};

#[component]
pub fn DashboardPage() -> impl IntoView {
    let lang = use_lang();
    let tick = RwSignal::new(0u32);
    Effect::new(move |_| {
        let bump = move || {
            tick.try_update(|t| *t += 1);
        };
        if let Ok(handle) = set_interval_with_handle(bump, std::time::Duration::from_secs(5)) {
            on_cleanup(move || handle.clear());
        }
    });
    follow_catalog_changes(move || {
        tick.try_update(|t| *t += 1);
    });
    let data = load(move || tick.get(), |_| load_dashboard());
    view! {
        <AdminLayout title=Key::DashboardTitle>
            <PendingChanges/>
            <Transition fallback=|| view! { <TableSkeleton/> }>
                {move || data.get().map(|r| match r {
                    Ok(d) if d.endpoints.is_empty() => view! { <EmptyState message=Key::DashboardEmpty/> {shortcuts(lang)} }.into_any(),
                    Ok(d) => body(lang, d).into_any(),
                    Err(e) => view! { <p class="form-error">{e.text(lang)}</p> }.into_any(),
                })}
            </Transition>
        </AdminLayout>
    }
}

fn body(lang: Lang, d: DashboardData) -> impl IntoView {
    let traffic = d.traffic.clone();
    let query = |key: &str, value: &str| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair(key, value);
        q.finish()
    };
    view! {
        <p class="muted small" data-testid="read-at">{t(lang, DashboardText::UpdatedAt)} " " {d.read_at.clone()}</p>
        <div class="grid-2">
            <section class="card" data-testid="default-card">
                <h2>{t(lang, DashboardText::DefaultModel)}</h2>
                {match &d.default {
                    Some(e) => view! {
                        <p class="big mono" data-testid="default-model">{e.model.clone().unwrap_or_default()}</p>
                        <p class="muted" translate="no">{e.name.clone()} " · " {e.base_url.clone()}</p>
                    }.into_any(),
                    None => view! { <p class="muted">{t(lang, DashboardText::NoDefault)}</p> }.into_any(),
                }}
            </section>
            <section class="card">
                <h2>{t(lang, DashboardText::Shortcuts)}</h2>
                {shortcuts(lang)}
            </section>
        </div>
        <section class="card" data-testid="health-grid">
            <h2>{t(lang, DashboardText::Health)}</h2>
            <p class="chips" data-testid="health-states">
                {d.states.iter().map(|(state, n)| view! {
                    <span class=format!("tag status-{state}") data-state=state.clone()>{status_label(lang, state)} " " {*n}</span>
                }).collect_view()}
            </p>
            {(d.total_endpoints > d.endpoints.len() as i64).then(|| view! {
                <p class="muted small" data-testid="health-shown">
                    {t(lang, DashboardText::WorstFirst)} " " {d.endpoints.len()} " / " {d.total_endpoints} " · "
                    <a href="/models">{t(lang, DashboardText::AllInCatalog)}</a>
                </p>
            })}
            <div class="health-grid">
                {d.endpoints.into_iter().map(|e| {
                    let (req, err) = traffic.iter().find(|c| c.endpoint_id == e.id).map(|c| (c.requests, c.errors)).unwrap_or((0, 0));
                    // A disabled endpoint takes no traffic, whatever its last check said.
                    let status = if e.is_active { e.status.clone() } else { "disabled".to_owned() };
                    view! {
                        <div class=format!("health-tile tile-{status}") data-testid="health-tile" data-name=e.name.clone() data-status=status.clone()>
                            <a href=format!("/models?{}", query("q", &e.name))><strong>{e.name.clone()}</strong></a>
                            <span class=format!("tag status-{status}")>{status_label(lang, &status)}</span>
                            <span class="small">{e.latency_ms.map(|l| format!("{l:.0} ms")).unwrap_or_default()}</span>
                            <span class="muted small">{t(lang, DashboardText::LastCheck)} ": " {e.last_checked_at.as_deref().map(short_time).unwrap_or_else(|| "—".into())}</span>
                            {e.last_error.as_deref().map(|err| view! { <span class="small form-error">{crate::error::reason_text(lang, err)}</span> })}
                            <span class="muted small" data-testid="traffic">{t(lang, DashboardText::Requests)} ": " {req} " · " {t(lang, DashboardText::Errors)} ": " {err}</span>
                        </div>
                    }
                }).collect_view()}
            </div>
        </section>
        <section class="card" data-testid="coverage">
            <h2>{t(lang, DashboardText::Coverage)}</h2>
            {if d.coverage.is_empty() {
                view! { <p class="muted">{t(lang, DashboardText::NoMappings)}</p> }.into_any()
            } else {
                view! {
                    <ul class="coverage-list">
                        {d.coverage.into_iter().map(|c| {
                            let (class, key) = match c.state {
                                CoverageState::Full => ("cov-ok", DashboardText::Full),
                                CoverageState::Partial => ("cov-warn", DashboardText::Partial),
                                CoverageState::None => ("cov-none", DashboardText::NoneServed),
                            };
                            view! {
                                <li data-testid="coverage-item" data-scope=c.scope.clone() data-state=format!("{:?}", c.state).to_lowercase()>
                                    <span class=format!("chip {class}")>{c.scope.clone()}</span>
                                    " " {t(lang, key)}
                                    {(!c.gaps.is_empty()).then(|| view! {
                                        " — " <a data-testid="gaps" href=format!("/mappings?{}", query("scope", &c.scope))>{t(lang, DashboardText::Gaps)} ": " {c.gaps.join(", ")}</a>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="card" data-testid="recent-runs">
            <h2>{t(lang, DashboardText::RecentRuns)}</h2>
            {if d.runs.is_empty() {
                view! { <p class="muted">{t(lang, DashboardText::NoRuns)}</p> }.into_any()
            } else {
                view! {
                    <table class="data-table compact">
                        <tbody>{d.runs.into_iter().map(|r| view! {
                            <tr data-testid="recent-run" data-run=r.id.clone()>
                                <td class="mono">{r.id.clone()}</td>
                                <td><span class="tag">{crate::simulation::text::status_text(lang, r.status)}</span></td>
                                <td class="num">{r.done}</td>
                                <td class="num">{format!("{:.1} % {}", r.success_rate, t(lang, DashboardText::SuccessRate))}</td>
                                <td class="num">{format!("p95 {:.1} ms", r.p95_ms)}</td>
                                <td class="num" data-testid="not-routed">{(r.not_routed > 0).then(|| format!("{} {}", r.not_routed, t(lang, DashboardText::NotRouted)))}</td>
                                <td><a data-testid="open-run" href=format!("/simulation?{}", query("run", &r.id))>{t(lang, DashboardText::Open)}</a></td>
                            </tr>
                        }).collect_view()}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

fn shortcuts(lang: Lang) -> impl IntoView {
    view! {
        <ul class="shortcuts">
            <li><a href="/models">{t(lang, DashboardText::GoCatalog)}</a></li>
            <li><a href="/mappings">{t(lang, DashboardText::GoMapping)}</a></li>
            <li><a href="/simulation">{t(lang, DashboardText::GoSimulation)}</a></li>
        </ul>
    }
}
