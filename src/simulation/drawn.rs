//! The simulation page's read-only panels, drawn by the server in the
//! admin's language (see [`crate::ui::fragment`]): the followed run, its
//! timeline, a sweep, the runs with their comparison, a page of results and
//! one result opened. One server function draws them all, so the page
//! carries one client for them.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::run_list::RunQuery;
use super::types::ResultQuery;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::ui::fragment::Html;
use crate::ui::load::Loaded;

#[cfg(feature = "ssr")]
use super::service::Simulation;
#[cfg(feature = "ssr")]
use crate::auth::as_admin;
#[cfg(feature = "ssr")]
use crate::ui::fragment::render;

/// A panel to draw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Panel {
    /// The run `id`, or without one the newest run still going (after a
    /// reload, the page follows it again).
    Live(Option<String>),
    /// The run over time, from its rows.
    Timeline(String),
    /// A sweep: its verdict, a row per step and the chart; nothing before
    /// one is started.
    Sweep(Option<String>),
    /// A page of runs, `selected` marked, and the finished ones compared
    /// (`chosen`, else the two newest).
    Runs {
        query: RunQuery,
        selected: Option<String>,
        chosen: Option<Vec<String>>,
    },
    /// A page of result rows.
    Results(ResultQuery),
    /// One result: what was asked, what came back, who served it, its
    /// timings.
    Result(i64),
}

/// A panel drawn, with what the page follows in it: the run or sweep it
/// shows, whether that still goes on and how many requests are done.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Drawn {
    pub html: String,
    pub id: Option<String>,
    pub going: bool,
    pub done: u64,
}

/// A drawn panel's HTML, as [`crate::ui::fragment::ServerHtml`] shows it.
pub fn html_of(drawn: Loaded<Result<Drawn, AppError>>) -> Signal<Option<Html>> {
    Signal::derive(move || drawn.get().map(|r| r.map(|d| d.html)))
}

#[server(prefix = "/api/simulation", endpoint = "draw", input = leptos::server_fn::codec::Json)]
pub async fn draw(panel: Panel, lang: Lang) -> Result<Drawn, AppError> {
    as_admin(async |_, sim: Simulation| drawn(&sim, panel, lang).await).await
}

#[cfg(feature = "ssr")]
async fn drawn(sim: &Simulation, panel: Panel, lang: Lang) -> Result<Drawn, AppError> {
    use super::{live_view, result_view, results_view, sweep_view};
    let html = |html: String| Drawn {
        html,
        ..Default::default()
    };
    Ok(match panel {
        Panel::Live(id) => {
            use super::types::RunStatus;
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
            Drawn {
                id: run.as_ref().map(|r| r.id.clone()),
                going: run.as_ref().is_some_and(|r| r.status == RunStatus::Running),
                done: run.as_ref().map_or(0, |r| r.done),
                html: render(lang, || live_view::live(lang, run.as_ref())),
            }
        }
        Panel::Timeline(id) => {
            let run = sim.engine.snapshot(&id).await?;
            let (db, kept) = (&sim.engine.db, &sim.engine.timelines);
            let seconds = super::timeline::of_run(db, kept, &run.id, &run.started_at).await?;
            html(render(lang, || live_view::timeline(lang, &seconds)))
        }
        Panel::Sweep(None) => Drawn::default(),
        Panel::Sweep(Some(id)) => {
            let sweep = sim.sweeps.get(&id)?;
            Drawn {
                going: sweep.status == super::sweep_types::SweepStatus::Running,
                html: render(lang, || sweep_view::drawn(lang, &sweep)),
                id: Some(id),
                done: 0,
            }
        }
        Panel::Runs {
            query,
            selected,
            chosen,
        } => {
            let page = query
                .apply(sim.engine.list())
                .ok_or_else(|| query.unknown_sort())?;
            html(render(lang, || {
                results_view::runs(lang, &page, &query, selected.as_deref(), chosen)
            }))
        }
        Panel::Results(query) => {
            let page = super::results::page(&sim.engine.db, &sim.engine.orders, &query).await?;
            html(render(lang, || results_view::results(lang, page, &query)))
        }
        Panel::Result(id) => {
            let detail = super::results::detail(&sim.engine.db, id).await?;
            html(render(lang, || result_view::drawn(lang, detail)))
        }
    })
}

/// What stops a run or a sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Stoppable {
    Run(String),
    Sweep(String),
}

/// Cancels a run or a sweep.
#[server(prefix = "/api/simulation", endpoint = "stop", input = leptos::server_fn::codec::Json)]
pub async fn stop(what: Stoppable) -> Result<(), AppError> {
    as_admin(async |who, sim: Simulation| match &what {
        Stoppable::Run(id) => sim.cancel_run(&who, id).map(|_| ()),
        Stoppable::Sweep(id) => sim.cancel_sweep(&who, id).map(|_| ()),
    })
    .await
}
