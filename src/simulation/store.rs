//! Where run summaries live: JSON files under `storage/runs/` (they survive
//! restarts; a run that was going when the server stopped reads
//! `interrupted`), with an in-memory index kept by every save.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde_json::json;

use super::types::{RunSnapshot, RunStatus};
use crate::config::files::{open_private_append, write_private_atomic};

struct Index {
    /// The folder's modification time when it was read.
    stamp: Option<std::time::SystemTime>,
    runs: BTreeMap<String, RunSnapshot>,
}

#[derive(Clone)]
pub struct RunStore {
    dir: PathBuf,
    /// Where finished runs are summarised (`loadtest.log`).
    log_dir: Option<PathBuf>,
    /// Every summary, read from the folder again only when the folder
    /// changed (a save here, or a `model-suite loadtest` beside the server);
    /// the dashboard asks for the list every few seconds.
    index: Arc<Mutex<Option<Index>>>,
    /// Runs found `running` at open (the process that ran them died).
    interrupted: Arc<Vec<String>>,
}

/// Run ids are letters, digits and `-` (they name files).
pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

impl RunStore {
    /// Opens the folder and marks runs that were going as interrupted.
    pub fn open(dir: PathBuf, log_dir: Option<PathBuf>) -> RunStore {
        let mut store = RunStore {
            dir,
            log_dir,
            index: Arc::default(),
            interrupted: Arc::default(),
        };
        let mut interrupted = Vec::new();
        for mut run in store.load_all() {
            if run.status == RunStatus::Running {
                run.status = RunStatus::Interrupted;
                run.in_flight = 0;
                run.queued = 0;
                store.save(&run);
                interrupted.push(run.id);
            }
        }
        store.interrupted = Arc::new(interrupted);
        store
    }

    /// The runs this store marked interrupted when it opened; their figures
    /// are recomputed from their rows (see `recovery`).
    pub fn interrupted_at_open(&self) -> Vec<String> {
        self.interrupted.to_vec()
    }

    fn path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    pub fn save(&self, run: &RunSnapshot) {
        self.with_index(|runs| {
            self.write(run);
            runs.insert(run.id.clone(), run.clone());
        });
    }

    /// Saves a going run's figures unless its final summary is already
    /// saved: a checkpoint taken just before the run ended must not
    /// overwrite the end with `running`.
    pub fn save_checkpoint(&self, run: &RunSnapshot) {
        self.with_index(|runs| {
            if runs
                .get(&run.id)
                .is_some_and(|saved| saved.status != RunStatus::Running)
            {
                return;
            }
            self.write(run);
            runs.insert(run.id.clone(), run.clone());
        });
    }

    fn write(&self, run: &RunSnapshot) {
        let write = || -> std::io::Result<()> {
            write_private_atomic(
                &self.path(&run.id),
                &serde_json::to_vec_pretty(run).map_err(std::io::Error::other)?,
            )
        };
        if let Err(e) = write() {
            tracing::error!(error = %e, run = %run.id, "cannot save the run summary");
        }
    }

    /// Runs `f` on the index, reading the folder when it changed.
    fn with_index<R>(&self, f: impl FnOnce(&mut BTreeMap<String, RunSnapshot>) -> R) -> R {
        let mut guard = match self.index.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let stamp = std::fs::metadata(&self.dir).and_then(|m| m.modified()).ok();
        if guard
            .as_ref()
            .is_none_or(|i| stamp.is_none() || i.stamp != stamp)
        {
            *guard = Some(Index {
                stamp,
                runs: self
                    .read_folder()
                    .into_iter()
                    .map(|r| (r.id.clone(), r))
                    .collect(),
            });
        }
        match guard.as_mut() {
            Some(index) => f(&mut index.runs),
            None => f(&mut BTreeMap::new()),
        }
    }

    pub fn load(&self, id: &str) -> Option<RunSnapshot> {
        if !valid_id(id) {
            return None;
        }
        self.with_index(|runs| runs.get(id).cloned())
    }

    pub fn load_all(&self) -> Vec<RunSnapshot> {
        self.with_index(|runs| runs.values().cloned().collect())
    }

    fn read_folder(&self) -> Vec<RunSnapshot> {
        let Ok(rd) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        rd.filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .filter_map(|e| std::fs::read(e.path()).ok())
            .filter_map(|b| serde_json::from_slice(&b).ok())
            .collect()
    }

    /// Appends the finished run's figures to `loadtest.log` in the log dir,
    /// and to the log.
    pub fn log_summary(&self, run: &RunSnapshot) {
        let total = run.ok + run.failed;
        let success_rate = if total > 0 {
            run.ok as f64 / total as f64
        } else {
            0.0
        };
        let line = json!({
            "run_id": run.id, "status": run.status, "finished_at": run.finished_at,
            "requests": total, "success_rate": success_rate, "rps": run.rps,
            "latency_ms": run.latency_ms, "errors": run.errors, "rows": run.rows_written, "fallback": run.fallback_records,
            "ttft_ms": run.ttft_ms, "tpot_ms": run.bench.tpot_ms, "itl_ms": run.bench.itl_ms,
            "output_tokens": run.bench.output_tokens, "tokens_per_sec": run.bench.tokens_per_sec,
            "error_rate": run.bench.error_rate, "exact": run.bench.exact,
        });
        tracing::info!(target: "loadtest", summary = %line, "load test finished");
        crate::monitor::metrics::loadtest_finished(&format!("{:?}", run.status).to_lowercase());
        if let Some(log_dir) = &self.log_dir {
            use std::io::Write;
            let written = open_private_append(&log_dir.join("loadtest.log"))
                .and_then(|mut f| writeln!(f, "{line}"));
            if let Err(e) = written {
                tracing::error!(error = %e, "cannot write loadtest.log");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(status: &str) -> RunSnapshot {
        serde_json::from_value(
            json!({"id": "run-1", "config": {"total": 1, "concurrency": 1},
            "status": status, "stop_reason": null, "started_at": "2026-12-06T10:00:00Z",
            "finished_at": null, "done": 1, "ok": 1, "failed": 0, "cancelled": 0, "in_flight": 0,
            "queued": 0, "rps": 1.0, "elapsed_secs": 1.0,
            "latency_ms": {"p50": 1.0, "p90": 1.0, "p95": 1.0, "p99": 1.0, "mean": 1.0, "max": 1.0},
            "ttft_ms": null,
            "queue_ms": {"p50": 0.0, "p90": 0.0, "p95": 0.0, "p99": 0.0, "mean": 0.0, "max": 0.0},
            "errors": [], "histogram": [], "rows_written": 1, "fallback_records": 0}),
        )
        .expect("a summary")
    }

    #[test]
    fn a_late_checkpoint_never_overwrites_the_final_summary() {
        let dir = tempfile::tempdir().expect("dir");
        let store = RunStore::open(dir.path().to_path_buf(), None);
        store.save_checkpoint(&snapshot("running"));
        assert_eq!(
            store.load("run-1").map(|r| r.status),
            Some(RunStatus::Running)
        );
        store.save(&snapshot("completed"));
        store.save_checkpoint(&snapshot("running"));
        assert_eq!(
            store.load("run-1").map(|r| r.status),
            Some(RunStatus::Completed)
        );
        let reopened = RunStore::open(dir.path().to_path_buf(), None);
        assert_eq!(
            reopened.load("run-1").map(|r| r.status),
            Some(RunStatus::Completed),
            "on disk too"
        );
    }
}
