//! The one batched writer of results: records arrive on a channel and are
//! written hundreds per transaction; a batch SQLite refuses goes whole to a
//! fallback file. Per-run counts say where every record went.
//!
//! Nothing waits in memory for a busy SQLite: a batch is written at most
//! `LINGER` after its first record, SQLite gets a short busy timeout (the
//! writer pool's), and after a refusal the next batches go straight to the
//! fallback for `BYPASS` before SQLite is tried again. A crash loses at most
//! the records of the last `LINGER` + busy timeout (well under a second).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};

use super::fallback::{replay, write_fallback};
use super::records::{insert_batch, Record};

pub const BATCH_MAX: usize = 500;
const LINGER: Duration = Duration::from_millis(100);
/// After SQLite refused a batch, how long batches skip it.
const BYPASS: Duration = Duration::from_secs(1);

/// What reaches the writer task: a record to store (with, for a caller
/// that waits, where to say which row it became), or a request to flush.
enum WriterInput {
    Record(Box<Record>, Option<Receipt>),
    Flush(oneshot::Sender<()>),
}

/// Answers with the row id, or `None` when the record went to the fallback.
type Receipt = oneshot::Sender<Option<i64>>;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Written {
    pub rows: u64,
    pub fallback: u64,
}

#[derive(Clone)]
pub struct ResultsWriter {
    tx: mpsc::Sender<WriterInput>,
    counts: Arc<Mutex<HashMap<String, Written>>>,
    pub fallback_dir: PathBuf,
}

impl ResultsWriter {
    /// Starts the writer task on `pool` (its own connection, short busy timeout).
    pub fn spawn(pool: SqlitePool, fallback_dir: PathBuf) -> ResultsWriter {
        let (tx, rx) = mpsc::channel(10_000);
        let counts = Arc::new(Mutex::new(HashMap::new()));
        tokio::spawn(run(pool, fallback_dir.clone(), rx, counts.clone()));
        ResultsWriter {
            tx,
            counts,
            fallback_dir,
        }
    }

    pub async fn send(&self, record: Record) {
        if let Err(mpsc::error::SendError(WriterInput::Record(r, _))) = self
            .tx
            .send(WriterInput::Record(Box::new(record), None))
            .await
        {
            // The writer is gone (shutting down): keep the record anyway.
            if let Err(e) = write_fallback(&self.fallback_dir, &[*r]) {
                tracing::error!(error = %e, "results writer stopped and the fallback write failed");
            }
        }
    }

    /// Stores one record through the same batches and fallback as every
    /// other, and waits for it: the row id, or `None` when it went to the
    /// fallback (the replay writes it back later).
    pub async fn store(&self, record: Record) -> Result<Option<i64>, std::io::Error> {
        let (receipt, answer) = oneshot::channel();
        match self
            .tx
            .send(WriterInput::Record(Box::new(record), Some(receipt)))
            .await
        {
            Ok(()) => Ok(answer.await.unwrap_or(None)),
            Err(mpsc::error::SendError(WriterInput::Record(r, _))) => {
                write_fallback(&self.fallback_dir, &[*r]).map(|_| None)
            }
            Err(_) => Ok(None),
        }
    }

    /// Waits until everything sent so far is written (to SQLite or fallback).
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(WriterInput::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }

    /// Drops a finished run's counts (its summary keeps them).
    pub fn forget(&self, run_id: &str) {
        if let Ok(mut c) = self.counts.lock() {
            c.remove(run_id);
        }
    }

    pub fn written(&self, run_id: &str) -> Written {
        self.counts
            .lock()
            .ok()
            .and_then(|c| c.get(run_id).copied())
            .unwrap_or_default()
    }

    /// Replays fallback files now and then every `every`.
    pub fn spawn_replay(pool: SqlitePool, dir: PathBuf, every: Duration) {
        crate::monitor::spawn_every(every, move || {
            let (pool, dir) = (pool.clone(), dir.clone());
            async move {
                match replay(&pool, &dir).await {
                    Ok(r) if r.files > 0 => {
                        tracing::info!(?r, "fallback records written back to SQLite")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "fallback replay failed"),
                }
            }
        });
    }
}

async fn run(
    pool: SqlitePool,
    dir: PathBuf,
    mut rx: mpsc::Receiver<WriterInput>,
    counts: Arc<Mutex<HashMap<String, Written>>>,
) {
    let mut batch: Vec<Record> = Vec::with_capacity(BATCH_MAX);
    let mut receipts: Vec<Option<Receipt>> = Vec::with_capacity(BATCH_MAX);
    let mut sink = Sink {
        pool,
        dir,
        bypass_until: None,
    };
    // A batch is written at most LINGER after its first record arrived.
    let mut deadline = tokio::time::Instant::now();
    loop {
        let msg = if batch.is_empty() {
            let m = rx.recv().await;
            deadline = tokio::time::Instant::now() + LINGER;
            m
        } else {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(m) => m,
                Err(_) => {
                    sink.write(&mut batch, &mut receipts, &counts).await;
                    continue;
                }
            }
        };
        match msg {
            Some(WriterInput::Record(r, receipt)) => {
                batch.push(*r);
                receipts.push(receipt);
                if batch.len() >= BATCH_MAX {
                    sink.write(&mut batch, &mut receipts, &counts).await;
                }
            }
            Some(WriterInput::Flush(done)) => {
                sink.write(&mut batch, &mut receipts, &counts).await;
                let _ = done.send(());
            }
            None => {
                sink.write(&mut batch, &mut receipts, &counts).await;
                return;
            }
        }
    }
}

/// Where batches go: SQLite, or the fallback while SQLite refuses.
struct Sink {
    pool: SqlitePool,
    dir: PathBuf,
    bypass_until: Option<tokio::time::Instant>,
}

impl Sink {
    async fn write(
        &mut self,
        batch: &mut Vec<Record>,
        receipts: &mut Vec<Option<Receipt>>,
        counts: &Mutex<HashMap<String, Written>>,
    ) {
        if batch.is_empty() {
            return;
        }
        let mut ids: Vec<i64> = Vec::new();
        let now = tokio::time::Instant::now();
        let try_sqlite = self.bypass_until.is_none_or(|until| now >= until);
        let to_sqlite = try_sqlite
            && match insert_batch(&self.pool, batch).await {
                Ok(stored) => {
                    self.bypass_until = None;
                    ids = stored;
                    true
                }
                Err(e) => {
                    tracing::warn!(error = %e, rows = batch.len(), "SQLite refused a results batch; writing to the JSON fallback");
                    self.bypass_until = Some(tokio::time::Instant::now() + BYPASS);
                    false
                }
            };
        if !to_sqlite {
            match write_fallback(&self.dir, batch) {
                Ok(path) => {
                    tracing::info!(file = %path.display(), rows = batch.len(), "results kept in a fallback file")
                }
                Err(e) => {
                    tracing::error!(error = %e, "the fallback write failed too; these results are lost")
                }
            }
        }
        if let Ok(mut c) = counts.lock() {
            for r in batch.iter() {
                let entry = c.entry(r.run_id.clone().unwrap_or_default()).or_default();
                if to_sqlite {
                    entry.rows += 1;
                } else {
                    entry.fallback += 1;
                }
            }
        }
        for (i, receipt) in receipts.drain(..).enumerate() {
            if let Some(r) = receipt {
                let _ = r.send(ids.get(i).copied());
            }
        }
        batch.clear();
    }
}
