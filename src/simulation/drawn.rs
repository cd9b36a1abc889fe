//! The simulation page's read-only panels, drawn by the server in the
//! admin's language (see [`crate::ui::fragment`]): the followed run, its
//! timeline, a sweep, the runs with their comparison, a page of results and
//! one result opened.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::Lang;
use crate::ui::fragment::Html;

#[cfg(feature = "ssr")]
use super::service::Simulation;
#[cfg(feature = "ssr")]
use crate::auth::as_admin;
#[cfg(feature = "ssr")]
use crate::ui::fragment::render;

/// The followed run drawn, with what the page needs to follow it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FollowedRun {
    /// The run shown: the one asked for, else the newest still running.
    pub id: Option<String>,
    pub running: bool,
    pub done: u64,
    pub html: String,
}

/// The run `id`, or without one the newest run still going (after a
/// reload, the page follows it again).
#[server(prefix = "/api/simulation", endpoint = "live_html", input = leptos::server_fn::codec::Json)]
pub async fn live_html(id: Option<String>, lang: Lang) -> Result<FollowedRun, AppError> {
    use super::run_list::RunQuery;
    use super::types::RunStatus;
    as_admin(async |_, sim: Simulation| {
        let run = match &id {
            Some(id) => Some(sim.engine.snapshot(id).await?),
            None => RunQuery {
                status: Some(RunStatus::Running),
                per_page: Some(1),
                ..Default::default()
            }
            .apply(sim.engine.list())
            .and_then(|page| page.items.into_iter().next()),
        };
        Ok(FollowedRun {
            id: run.as_ref().map(|r| r.id.clone()),
            running: run.as_ref().is_some_and(|r| r.status == RunStatus::Running),
            done: run.as_ref().map_or(0, |r| r.done),
            html: render(lang, || super::live_view::live(lang, run.as_ref())),
        })
    })
    .await
}

/// The run over time, from its rows.
#[server(prefix = "/api/simulation", endpoint = "timeline_html", input = leptos::server_fn::codec::Json)]
pub async fn timeline_html(id: String, lang: Lang) -> Html {
    as_admin(async |_, sim: Simulation| {
        let run = sim.engine.snapshot(&id).await?;
        let seconds = super::timeline::of_run(
            &sim.engine.db,
            &sim.engine.timelines,
            &run.id,
            &run.started_at,
        )
        .await?;
        Ok(render(lang, || super::live_view::timeline(lang, &seconds)))
    })
    .await
}

/// A sweep: its verdict, a row per step and the chart; nothing before
/// one is started.
#[server(prefix = "/api/simulation", endpoint = "sweep_html", input = leptos::server_fn::codec::Json)]
pub async fn sweep_html(id: Option<String>, lang: Lang) -> Result<(bool, String), AppError> {
    as_admin(async |_, sim: Simulation| {
        let Some(id) = id else {
            return Ok((false, String::new()));
        };
        let sweep = sim.sweeps.get(&id)?;
        let going = sweep.status == super::sweep_types::SweepStatus::Running;
        Ok((
            going,
            render(lang, || super::sweep_panel::drawn(lang, &sweep)),
        ))
    })
    .await
}

/// A page of runs, `selected` marked, and the finished ones compared
/// (`chosen`, else the two newest).
#[server(prefix = "/api/simulation", endpoint = "runs_html", input = leptos::server_fn::codec::Json)]
pub async fn runs_html(
    query: super::run_list::RunQuery,
    selected: Option<String>,
    chosen: Option<Vec<String>>,
    lang: Lang,
) -> Html {
    as_admin(async |_, sim: Simulation| {
        let page = query
            .apply(sim.engine.list())
            .ok_or_else(|| query.unknown_sort())?;
        Ok(render(lang, || {
            super::results_view::runs(lang, &page, &query, selected.as_deref(), chosen)
        }))
    })
    .await
}

/// A page of result rows.
#[server(prefix = "/api/simulation", endpoint = "results_html", input = leptos::server_fn::codec::Json)]
pub async fn results_html(query: super::types::ResultQuery, lang: Lang) -> Html {
    as_admin(async |_, sim: Simulation| {
        let page = super::results::page(&sim.engine.db, &sim.engine.orders, &query).await?;
        Ok(render(lang, || super::results_view::results(lang, page)))
    })
    .await
}

/// One result: what was asked, what came back, who served it, its timings.
#[server(prefix = "/api/simulation", endpoint = "result_html", input = leptos::server_fn::codec::Json)]
pub async fn result_html(id: i64, lang: Lang) -> Html {
    as_admin(async |_, sim: Simulation| {
        let detail = super::results::detail(&sim.engine.db, id).await?;
        Ok(render(lang, || super::result_detail::drawn(lang, detail)))
    })
    .await
}
