//! `jwt_test_service`'s load-test engine: every request goes over HTTP
//! through the chat API with a simulated user's JWT. tokio tasks, a per-run
//! semaphore (the run's concurrency) and one global semaphore
//! (`LOADTEST_MAX_INFLIGHT`) across runs; queue time is what waiting for the
//! global permit cost. Cancel stops new sends and aborts in-flight ones.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use super::client::{Attempt, ErrorKind};
use super::msg::{SimMsg, StopReason};
use super::records::{self, RowTargets};
use super::shot::{Picker, Shot};
use super::stats::LiveStats;
use super::store::RunStore;
use super::types::{ChatScope, Limits, RunConfig, RunSnapshot, RunStatus, StopPolicy};
use super::writer::ResultsWriter;
use crate::auth::jwt::{Claims, JwtKeys};
use crate::error::{AppError, Thing};

pub struct RunHandle {
    pub id: String,
    pub config: RunConfig,
    pub started_at: String,
    start: Instant,
    /// Set once a record carrying the run's configuration was sent.
    config_sent: AtomicBool,
    pub(super) cancel: CancellationToken,
    pub(super) stop_new: CancellationToken,
    state: Mutex<RunState>,
}

struct RunState {
    status: RunStatus,
    stop_reason: Option<StopReason>,
    finished_at: Option<String>,
    stats: LiveStats,
}

#[derive(Clone)]
pub struct Engine {
    pub http: reqwest::Client,
    pub writer: ResultsWriter,
    pub jwt: JwtKeys,
    pub db: sqlx::SqlitePool,
    /// The authority, when configured: a run's prompt id is its `ai_prompt` id.
    pub supabase: Option<sqlx::PgPool>,
    pub self_url: Arc<OnceLock<String>>,
    pub store: RunStore,
    global: Arc<Semaphore>,
    /// Runs going now; a finished run leaves (its summary is on disk).
    pub(super) runs: Arc<Mutex<HashMap<String, Arc<RunHandle>>>>,
    /// Set when the server stops: runs still going end `interrupted`.
    pub(super) shutting_down: CancellationToken,
    pub request_timeout: Duration,
    pub limits: Limits,
    /// Result orders by a figure with no index, kept between pages.
    pub orders: super::results::Orders,
    /// Runs' timelines, kept between refreshes.
    pub timelines: super::timeline::Timelines,
}

/// Where an engine keeps its runs and what it allows.
pub struct EngineSettings {
    /// Run summaries (`storage/runs`).
    pub runs_dir: PathBuf,
    /// Where `loadtest.log` is written.
    pub log_dir: PathBuf,
    pub limits: Limits,
    pub supabase: Option<sqlx::PgPool>,
}

impl Engine {
    pub fn new(
        http: reqwest::Client,
        writer: ResultsWriter,
        jwt: JwtKeys,
        db: sqlx::SqlitePool,
        self_url: Arc<OnceLock<String>>,
        settings: EngineSettings,
    ) -> Engine {
        Engine {
            http,
            writer,
            jwt,
            db,
            supabase: settings.supabase,
            self_url,
            store: RunStore::open(settings.runs_dir, Some(settings.log_dir)),
            global: Arc::new(Semaphore::new(settings.limits.max_inflight as usize)),
            runs: Arc::new(Mutex::new(HashMap::new())),
            shutting_down: CancellationToken::new(),
            request_timeout: Duration::from_secs(120),
            limits: settings.limits,
            orders: Default::default(),
            timelines: Default::default(),
        }
    }

    pub fn base_url(&self) -> Result<String, AppError> {
        self.self_url
            .get()
            .cloned()
            .ok_or_else(|| AppError::internal("the server's own address is not known yet"))
    }

    /// A user token for the simulated traffic of `run` (never logged).
    pub fn user_token(
        &self,
        run: &str,
        sub: &str,
        scope: &ChatScope,
        minutes: i64,
    ) -> Result<String, AppError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: sub.to_owned(),
            role: "user".into(),
            iat: now,
            exp: now + minutes * 60,
            aud: Some("authenticated".into()),
            tenant: scope.tenant.clone(),
            module: scope.module.clone(),
            run: Some(run.to_owned()),
            ..Claims::default()
        };
        self.jwt
            .sign(&claims)
            .map_err(|e| AppError::internal(format!("cannot sign a token: {e}")))
    }

    pub async fn start(&self, config: RunConfig) -> Result<RunSnapshot, AppError> {
        let config = config
            .scoped_by_token(&self.jwt)?
            .normalized(self.limits.max_concurrency);
        config.validate(self.limits.max_requests, self.limits.max_concurrency)?;
        if self.shutting_down.is_cancelled() {
            return Err(AppError::Conflict(SimMsg::ShuttingDown.into()));
        }
        let base = self.base_url()?;
        let targets =
            records::row_targets(&self.db, self.supabase.as_ref(), config.scope.prompt_id).await?;
        let id = format!(
            "run-{}-{}",
            chrono::Utc::now().format("%Y%m%d-%H%M%S"),
            &uuid::Uuid::new_v4().simple().to_string()[..6]
        );
        let tokens: Vec<String> = (0..config.users)
            .map(|i| self.user_token(&id, &format!("loadtest-user-{i}"), &config.scope, 24 * 60))
            .collect::<Result<_, _>>()?;
        let handle = Arc::new(RunHandle {
            id: id.clone(),
            config,
            started_at: crate::catalog::repo::now(),
            start: Instant::now(),
            config_sent: AtomicBool::new(false),
            cancel: CancellationToken::new(),
            stop_new: CancellationToken::new(),
            state: Mutex::new(RunState {
                status: RunStatus::Running,
                stop_reason: None,
                finished_at: None,
                stats: LiveStats::default(),
            }),
        });
        if let Ok(mut runs) = self.runs.lock() {
            runs.insert(id.clone(), handle.clone());
        }
        let snapshot = self.snapshot_of(&handle);
        self.store.save(&snapshot);
        tracing::info!(run = %id, total = handle.config.total, concurrency = handle.config.concurrency, "load test started");
        let engine = self.clone();
        tokio::spawn(async move { engine.drive(handle, base, tokens, targets).await });
        self.spawn_checkpoints(id);
        Ok(snapshot)
    }

    async fn drive(
        &self,
        run: Arc<RunHandle>,
        base: String,
        tokens: Vec<String>,
        targets: RowTargets,
    ) {
        let shot = match Shot::new(&run.config, &base, &tokens, targets, self.request_timeout) {
            Ok(shot) => Some(Arc::new(shot)),
            Err(e) => {
                // Never expected (the address and tokens are ours): the
                // run is cancelled before it sends anything.
                tracing::error!(run = %run.id, error = %e, "cannot prepare the run's requests");
                run.stop_new.cancel();
                run.cancel.cancel();
                None
            }
        };
        let mut picker = Picker::new(&run.config, shot.as_ref().map_or(1, |s| s.requests.len()));
        // One engine for every task of the run: a clone per request would
        // cost a counter per service.
        let engine = Arc::new(self.clone());
        let c = &run.config;
        let per_run = Arc::new(Semaphore::new(c.concurrency as usize));
        let mut tasks = tokio::task::JoinSet::new();
        // A rate run sends each request when it is due (and counts waiting
        // for its concurrency cap as queue time); workers send when free.
        let mut schedule = super::load::Schedule::of(&c.load, c.ramp_up_secs);
        // The schedule starts when sending does (not when the run was
        // created): setting up is no reason to send the first requests in
        // a burst.
        let origin = Instant::now();
        for seq in 0..u64::from(c.total) {
            while tasks.try_join_next().is_some() {}
            let due = schedule.as_mut().map(|s| origin + s.next_due());
            if let Some(due) = due {
                tokio::select! {
                    _ = tokio::time::sleep_until(due.into()) => {}
                    _ = run.stop_new.cancelled() => break,
                }
            }
            let permit = tokio::select! {
                p = per_run.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
                _ = run.stop_new.cancelled() => break,
            };
            if due.is_none() && c.ramp_up_secs > 0 && seq < u64::from(c.concurrency) {
                let due = origin
                    + Duration::from_secs_f64(
                        f64::from(c.ramp_up_secs) * seq as f64 / f64::from(c.concurrency),
                    );
                tokio::select! {
                    _ = tokio::time::sleep_until(due.into()) => {}
                    _ = run.stop_new.cancelled() => break,
                }
            }
            let t_sched = due.unwrap_or_else(Instant::now);
            self.update(&run, |s| s.queued += 1);
            let Some(shot) = shot.clone() else { break };
            let pick = picker.pick(seq);
            let (engine, run2) = (engine.clone(), run.clone());
            tasks.spawn(async move {
                let _permit = permit;
                engine.one(run2, seq, &shot, pick, t_sched).await;
            });
        }
        while tasks.join_next().await.is_some() {}
        self.writer.flush().await;
        let exact = super::exact::settle(&self.db, &self.writer.fallback_dir, &run.id).await;
        let snapshot = {
            let mut st = match run.state.lock() {
                Ok(s) => s,
                Err(p) => p.into_inner(),
            };
            st.finished_at = Some(crate::catalog::repo::now());
            st.stats.exact = exact;
            // Requests the loop never handed out count as not sent.
            let handed_out = st.stats.done() + st.stats.cancelled + st.stats.not_sent;
            st.stats.not_sent += u64::from(run.config.total).saturating_sub(handed_out);
            st.status = if self.shutting_down.is_cancelled() {
                RunStatus::Interrupted
            } else if run.cancel.is_cancelled() {
                RunStatus::Cancelled
            } else if st.stop_reason.is_some() {
                RunStatus::Stopped
            } else if st.stats.done() > 0 && st.stats.ok == 0 {
                RunStatus::Failed
            } else {
                RunStatus::Completed
            };
            drop(st);
            self.snapshot_of(&run)
        };
        self.store.save(&snapshot);
        self.store.log_summary(&snapshot);
        // Finished: the summary on disk answers from now on, and the run's
        // histograms and counts are freed.
        if let Ok(mut runs) = self.runs.lock() {
            runs.remove(&run.id);
        }
        self.writer.forget(&run.id);
    }

    async fn one(&self, run: Arc<RunHandle>, seq: u64, shot: &Shot, pick: usize, t_sched: Instant) {
        // Once a stop fires (or a cancel), a request still waiting for its
        // turn is never sent: counted as not sent instead.
        let global = tokio::select! {
            g = self.global.clone().acquire_owned() => g.ok(),
            _ = run.stop_new.cancelled() => None,
        }
        .filter(|_| !run.stop_new.is_cancelled());
        self.update(&run, |s| {
            s.queued -= 1;
            if global.is_some() {
                s.in_flight += 1;
                s.sending(t_sched);
            } else {
                s.not_sent += 1;
            }
        });
        let Some(_global) = global else { return };
        let queue_ms = t_sched.elapsed().as_secs_f64() * 1000.0;
        let c = &run.config;
        let auth = &shot.auths[(seq % shot.auths.len().max(1) as u64) as usize];
        let (body, messages, max_tokens) = &shot.requests[pick];
        let attempt = tokio::select! {
            a = shot.chat.send(&self.http, auth, body.clone()) => a,
            _ = run.cancel.cancelled() => Attempt { error_kind: Some(ErrorKind::Cancelled), error: Some("cancelled".into()), ..Default::default() },
        };
        let cancelled = attempt.error_kind == Some(ErrorKind::Cancelled);
        let window = match &c.stop {
            StopPolicy::ErrorRate { window, .. } => *window as usize,
            _ => 1,
        };
        let mut stop = None;
        self.update(&run, |s| {
            s.in_flight -= 1;
            stop = s.add(&attempt, queue_ms, &c.stop, window);
        });
        crate::monitor::metrics::loadtest_request(attempt.ok(), cancelled, attempt.latency_ms);
        if let Some(reason) = stop {
            if let Ok(mut st) = run.state.lock() {
                st.stop_reason.get_or_insert(reason);
            }
            run.stop_new.cancel();
        }
        if cancelled {
            return;
        }
        let user = format!("loadtest-user-{}", seq % u64::from(c.users));
        let mut record = records::record_of(
            Some(&run.id),
            seq,
            &user,
            c,
            messages.clone(),
            shot.targets,
            &attempt,
            queue_ms,
        );
        if let Some(n) = max_tokens {
            record.params["max_tokens"] = json!(n);
        }
        if !run.config_sent.swap(true, Ordering::Relaxed) {
            record.run = Some(json!({ "config": c, "started_at": run.started_at }));
        }
        self.writer.send(record).await;
    }

    fn update(&self, run: &RunHandle, f: impl FnOnce(&mut LiveStats)) {
        if let Ok(mut st) = run.state.lock() {
            f(&mut st.stats);
        }
    }

    pub fn cancel(&self, id: &str) -> Result<RunSnapshot, AppError> {
        let run = self
            .handle(id)
            .ok_or_else(|| AppError::NotFound(SimMsg::NotRunning { id: id.to_owned() }.into()))?;
        run.stop_new.cancel();
        run.cancel.cancel();
        Ok(self.snapshot_of(&run))
    }

    pub(super) fn handle(&self, id: &str) -> Option<Arc<RunHandle>> {
        self.runs.lock().ok().and_then(|r| r.get(id).cloned())
    }

    /// A live run's figures, else its stored summary, else the run as its
    /// rows tell it (and that summary is stored again: the file is a cache).
    pub async fn snapshot(&self, id: &str) -> Result<RunSnapshot, AppError> {
        if let Some(run) = self.handle(id) {
            return Ok(self.snapshot_of(&run));
        }
        if let Some(stored) = self.store.load(id) {
            return Ok(stored);
        }
        let missing = || AppError::missing(Thing::Run, id);
        if !super::store::valid_id(id) {
            return Err(missing());
        }
        let rebuilt = super::recovery::from_rows(&self.db, &self.writer.fallback_dir, id).await?;
        let run = rebuilt.ok_or_else(missing)?;
        tracing::info!(run = %id, done = run.done, "run read back from its rows");
        self.store.save(&run);
        Ok(run)
    }

    /// Every run, newest first: live ones as they are, the rest from disk.
    pub fn list(&self) -> Vec<RunSnapshot> {
        let mut all = self.store.load_all();
        let live: Vec<Arc<RunHandle>> = self
            .runs
            .lock()
            .map(|r| r.values().cloned().collect())
            .unwrap_or_default();
        for run in live {
            let snap = self.snapshot_of(&run);
            all.retain(|s| s.id != snap.id);
            all.push(snap);
        }
        all.sort_by(|a, b| b.started_at.cmp(&a.started_at));
        all
    }

    pub(super) fn snapshot_of(&self, run: &RunHandle) -> RunSnapshot {
        let written = self.writer.written(&run.id);
        let st = match run.state.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        let s = &st.stats;
        RunSnapshot {
            id: run.id.clone(),
            config: run.config.clone(),
            status: st.status,
            stop_reason: st.stop_reason.clone(),
            started_at: run.started_at.clone(),
            finished_at: st.finished_at.clone(),
            done: s.done(),
            ok: s.ok,
            failed: s.failed,
            cancelled: s.cancelled,
            not_sent: s.not_sent,
            in_flight: s.in_flight,
            queued: s.queued,
            rps: s.rps(),
            elapsed_secs: run.start.elapsed().as_secs_f64(),
            latency_ms: s.latency(),
            ttft_ms: s.ttft(),
            queue_ms: s.queue(),
            errors: s.errors.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            bench: s.bench(),
            histogram: s.chart(),
            rows_written: written.rows,
            fallback_records: written.fallback,
            not_routed: s.not_routed,
            by_endpoint: s.shares(),
            rate: s.rate(&run.config.load),
        }
    }
}
