//! A run's life around the engine's loop: checkpoints while it goes, the
//! drain at shutdown, and recovering the runs a dead process left.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::engine::{Engine, RunHandle};
use super::types::RunStatus;

impl Engine {
    /// Saves a going run's figures every second, so a crash leaves a
    /// summary no older than that (the rows in SQLite are exact).
    pub(super) fn spawn_checkpoints(&self, id: String) {
        let engine = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(run) = engine.handle(&id) else { break };
                let snap = engine.snapshot_of(&run);
                if snap.status != RunStatus::Running {
                    break;
                }
                engine.store.save_checkpoint(&snap);
            }
        });
    }

    /// Stops every run for a server shutdown: no new request is sent,
    /// in-flight ones get `grace` to finish (then are cancelled), every
    /// record is flushed and each run is saved `interrupted` with its
    /// figures. Runs started after this are refused.
    pub async fn drain(&self, grace: Duration) {
        self.shutting_down.cancel();
        let live: Vec<Arc<RunHandle>> = self
            .runs
            .lock()
            .map(|r| r.values().cloned().collect())
            .unwrap_or_default();
        if live.is_empty() {
            self.writer.flush().await;
            return;
        }
        tracing::info!(
            runs = live.len(),
            grace_s = grace.as_secs_f64(),
            "draining load tests"
        );
        for run in &live {
            run.stop_new.cancel();
        }
        let deadline = Instant::now() + grace;
        while self.live_count() > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        for run in &live {
            run.cancel.cancel();
        }
        let hard = Instant::now() + Duration::from_secs(5);
        while self.live_count() > 0 && Instant::now() < hard {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.writer.flush().await;
    }

    /// Recomputes the runs a dead process left behind from their rows.
    pub async fn recover_interrupted(&self) -> usize {
        super::recovery::recover_interrupted(&self.store, &self.db, &self.writer.fallback_dir).await
    }

    /// Runs going now (finished ones have left).
    pub fn live_count(&self) -> usize {
        self.runs.lock().map(|r| r.len()).unwrap_or(0)
    }
}
