//! Runs capacity sweeps: each step is an ordinary constant-rate run (same
//! caps, same rows, listed with the other runs), judged against the SLO
//! from its exact figures and, per request, from its stored rows (goodput).
//! Sweeps are kept as JSON under `storage/sweeps`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::engine::Engine;
use super::msg::SimMsg;
use super::sweep_types::{Slo, Sweep, SweepConfig, SweepStatus, SweepStep};
use super::types::{RunSnapshot, RunStatus};
use crate::config::files::write_private_atomic;
use crate::error::AppError;

#[derive(Clone)]
pub struct Sweeps {
    engine: Engine,
    dir: PathBuf,
    live: Arc<Mutex<HashMap<String, (Sweep, CancellationToken)>>>,
}

impl Sweeps {
    pub fn new(engine: Engine, dir: PathBuf) -> Sweeps {
        Sweeps {
            engine,
            dir,
            live: Arc::default(),
        }
    }

    pub async fn start(&self, config: SweepConfig) -> Result<Sweep, AppError> {
        config.validate()?;
        let limits = self.engine.limits;
        // Every step's run must be one the engine takes.
        config
            .step_run(config.rates[0])
            .normalized(limits.max_concurrency)
            .validate(limits.max_requests, limits.max_concurrency)
            .map_err(|e| match e {
                // Named as the sweep's request names them.
                AppError::Validation { field, message } => AppError::Validation {
                    field: match field.as_str() {
                        "total" => "requests_per_step".into(),
                        f => format!("run.{f}"),
                    },
                    message,
                },
                other => other,
            })?;
        let sweep = Sweep {
            id: format!(
                "sweep-{}-{}",
                chrono::Utc::now().format("%Y%m%d-%H%M%S"),
                &uuid::Uuid::new_v4().simple().to_string()[..6]
            ),
            config,
            status: SweepStatus::Running,
            started_at: crate::catalog::repo::now(),
            finished_at: None,
            steps: Vec::new(),
            current_run: None,
            sustained_rps: None,
            error: None,
        };
        let cancel = CancellationToken::new();
        if let Ok(mut live) = self.live.lock() {
            live.insert(sweep.id.clone(), (sweep.clone(), cancel.clone()));
        }
        self.save(&sweep);
        tracing::info!(sweep = %sweep.id, steps = sweep.config.rates.len(), "capacity sweep started");
        let me = self.clone();
        let id = sweep.id.clone();
        tokio::spawn(async move { me.drive(id, cancel).await });
        Ok(sweep)
    }

    async fn drive(&self, id: String, cancel: CancellationToken) {
        let Some(config) = self.get_live(&id).map(|s| s.config) else {
            return;
        };
        let mut end = SweepStatus::Completed;
        for &rps in &config.rates {
            if cancel.is_cancelled() {
                end = SweepStatus::Cancelled;
                break;
            }
            let run = match self.engine.start(config.step_run(rps)).await {
                Ok(run) => run,
                Err(e) => {
                    self.update(&id, |s| s.error = Some(e.message()));
                    end = SweepStatus::Failed;
                    break;
                }
            };
            self.update(&id, |s| s.current_run = Some(run.id.clone()));
            let done = self.wait(&run.id, &cancel).await;
            let step = self.judge(rps, &config.slo, &done).await;
            let missed = !step.meets_slo;
            self.update(&id, |s| {
                s.steps.push(step);
                s.current_run = None;
                s.sustained_rps = Sweep::sustained(&s.steps);
            });
            match done.status {
                RunStatus::Cancelled => end = SweepStatus::Cancelled,
                RunStatus::Interrupted => end = SweepStatus::Interrupted,
                _ => {}
            }
            if end != SweepStatus::Completed || (missed && config.stop_at_first_miss) {
                break;
            }
        }
        self.update(&id, |s| {
            s.status = end;
            s.finished_at = Some(crate::catalog::repo::now());
        });
        if let Ok(mut live) = self.live.lock() {
            live.remove(&id);
        }
        tracing::info!(sweep = %id, ?end, "capacity sweep ended");
    }

    /// Waits for a step's run to end; a cancelled sweep cancels it.
    async fn wait(&self, run_id: &str, cancel: &CancellationToken) -> RunSnapshot {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(100)) => {}
                _ = cancel.cancelled() => { let _ = self.engine.cancel(run_id); }
            }
            if let Ok(run) = self.engine.snapshot(run_id).await {
                if run.status != RunStatus::Running {
                    return run;
                }
            }
        }
    }

    /// A step's verdict from its run's exact figures and its rows.
    async fn judge(&self, rps: f64, slo: &Slo, run: &RunSnapshot) -> SweepStep {
        let rate = run.rate.as_ref();
        let (kept_up, achieved_rps) = rate.map_or((false, 0.0), |r| (r.kept_up, r.achieved_rps));
        let met = goodput_count(&self.engine.db, &run.id, slo).await;
        // Successes per second spans first send to last completion: so does goodput.
        let span = if run.rps > 0.0 {
            run.ok as f64 / run.rps
        } else {
            0.0
        };
        let within = |limit: Option<f64>, got: Option<f64>| match (limit, got) {
            (Some(l), Some(g)) => g <= l,
            (Some(_), None) => false,
            (None, _) => true,
        };
        let ttft = run.ttft_ms.as_ref().map(|p| p.p95);
        let tpot = run.bench.tpot_ms.as_ref().map(|p| p.p95);
        let meets_slo = run.status == RunStatus::Completed
            && kept_up
            && within(slo.ttft_p95_ms, ttft)
            && within(slo.tpot_p95_ms, tpot)
            && within(slo.latency_p95_ms, Some(run.latency_ms.p95))
            && run.bench.error_rate * 100.0 <= slo.max_error_percent;
        SweepStep {
            rps,
            run_id: run.id.clone(),
            status: run.status,
            achieved_rps,
            kept_up,
            latency_p95_ms: run.latency_ms.p95,
            ttft_p95_ms: ttft,
            tpot_p95_ms: tpot,
            error_rate: run.bench.error_rate,
            goodput_rps: if span > 0.0 { met as f64 / span } else { 0.0 },
            meets_slo,
        }
    }

    fn get_live(&self, id: &str) -> Option<Sweep> {
        self.live
            .lock()
            .ok()
            .and_then(|l| l.get(id).map(|(s, _)| s.clone()))
    }

    fn update(&self, id: &str, f: impl FnOnce(&mut Sweep)) {
        let saved = self.live.lock().ok().and_then(|mut l| {
            l.get_mut(id).map(|(s, _)| {
                f(s);
                s.clone()
            })
        });
        if let Some(s) = saved {
            self.save(&s);
        }
    }

    fn path(&self, id: &str) -> Option<PathBuf> {
        super::store::valid_id(id).then(|| self.dir.join(format!("{id}.json")))
    }

    fn save(&self, sweep: &Sweep) {
        let Some(path) = self.path(&sweep.id) else {
            return;
        };
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(&self.dir)?;
            let bytes = serde_json::to_vec_pretty(sweep).map_err(std::io::Error::other)?;
            write_private_atomic(&path, &bytes)
        };
        if let Err(e) = write() {
            tracing::warn!(error = %e, sweep = %sweep.id, "cannot save a capacity sweep");
        }
    }

    /// A sweep going now, else as saved (one left `running` by a process
    /// that stopped reads `interrupted`).
    pub fn get(&self, id: &str) -> Result<Sweep, AppError> {
        if let Some(s) = self.get_live(id) {
            return Ok(s);
        }
        let stored = self
            .path(id)
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|b| serde_json::from_slice::<Sweep>(&b).ok());
        let mut sweep = stored
            .ok_or_else(|| AppError::NotFound(SimMsg::NoSweep { id: id.to_owned() }.into()))?;
        if sweep.status == SweepStatus::Running {
            sweep.status = SweepStatus::Interrupted;
        }
        Ok(sweep)
    }

    /// Every sweep, newest first.
    pub fn list(&self) -> Vec<Sweep> {
        let Ok(rd) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut all: Vec<Sweep> = rd
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().to_string();
                self.get(name.strip_suffix(".json")?).ok()
            })
            .collect();
        all.sort_by(|a, b| b.started_at.cmp(&a.started_at));
        all
    }

    pub fn cancel(&self, id: &str) -> Result<Sweep, AppError> {
        let live = self
            .live
            .lock()
            .ok()
            .and_then(|l| l.get(id).map(|(s, c)| (s.clone(), c.clone())));
        let (sweep, cancel) = live
            .ok_or_else(|| AppError::NotFound(SimMsg::NotRunning { id: id.to_owned() }.into()))?;
        cancel.cancel();
        Ok(sweep)
    }
}

/// How many of a run's requests met every objective of `slo`.
async fn goodput_count(db: &sqlx::SqlitePool, run_id: &str, slo: &Slo) -> u64 {
    let rows: Vec<(bool, Option<f64>, Option<String>)> = sqlx::query_as(
        "SELECT success, latency_ms, response_message FROM ai_prompt_tests
         WHERE json_extract(request_message, '$.run_id') = ?1",
    )
    .bind(run_id)
    .fetch_all(db)
    .await
    .unwrap_or_else(|e| {
        // The step is then judged with no goodput, and the log says why.
        tracing::warn!(error = %e, run = %run_id, "cannot read a sweep step's rows for its goodput");
        Vec::new()
    });
    let within =
        |limit: Option<f64>, got: Option<f64>| limit.is_none_or(|l| got.is_some_and(|g| g <= l));
    rows.iter()
        .filter(|(success, latency, response)| {
            let r: Value = response
                .as_deref()
                .and_then(|m| serde_json::from_str(m).ok())
                .unwrap_or(Value::Null);
            *success
                && within(slo.latency_p95_ms, *latency)
                && within(slo.ttft_p95_ms, r["ttft_ms"].as_f64())
                && within(slo.tpot_p95_ms, r["tpot_ms"].as_f64())
        })
        .count() as u64
}
