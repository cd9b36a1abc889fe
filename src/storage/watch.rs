//! Follows changes to Supabase tables within a second or two, without a full
//! sync: LISTEN on the channel the documented trigger notifies (see
//! `supabase_schema.sql`), and a cheap probe per table — fast when no
//! trigger is installed or the listener is down, slow as a safety net when
//! it is. What a change means is the caller's: each watched table brings
//! its probe query and the reconcile to run.
//!
//! Not a sync of its own: it only decides *when* a caller's reconcile runs.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::sync::Notify;

/// The channel the trigger function `model_suite_notify()` sends
/// `schema.table` on.
pub const CHANNEL: &str = "model_suite_change";

/// The trigger function's name, looked up to know whether a table has it.
pub const TRIGGER_FUNCTION: &str = "model_suite_notify";

/// Brings a table's rows into the local store; `Err` says why it could not.
pub type Reconcile = Arc<dyn Fn() -> BoxFuture<'static, Result<(), String>> + Send + Sync>;

/// One table to follow.
#[derive(Clone)]
pub struct Watched {
    /// The table name as the trigger reports it.
    pub table: &'static str,
    /// One row, one TEXT column that changes whenever the rows the caller
    /// mirrors change (row count, newest `updated_at`, row versions…).
    pub probe: &'static str,
    pub reconcile: Reconcile,
}

/// How often each table is probed.
#[derive(Clone, Copy, Debug)]
pub struct ProbeEvery {
    /// Without a trigger (or while the listener is down).
    pub alone: Duration,
    /// With the trigger and a working listener: only a safety net.
    pub with_trigger: Duration,
}

impl Default for ProbeEvery {
    fn default() -> ProbeEvery {
        ProbeEvery {
            alone: Duration::from_millis(500),
            with_trigger: Duration::from_secs(15),
        }
    }
}

/// Since when Supabase has been unreachable for the watcher, if it is;
/// `changed` is bumped whenever that flips, so pages polling a change
/// counter see it.
#[derive(Clone, Default)]
pub struct AuthorityStatus {
    since: Arc<Mutex<Option<String>>>,
    changed: Arc<AtomicU64>,
}

impl AuthorityStatus {
    pub fn new(changed: Arc<AtomicU64>) -> AuthorityStatus {
        AuthorityStatus {
            since: Arc::default(),
            changed,
        }
    }

    pub fn away_since(&self) -> Option<String> {
        self.since.lock().ok().and_then(|g| g.clone())
    }

    fn reached(&self) {
        if let Ok(mut g) = self.since.lock() {
            if g.take().is_some() {
                self.changed.fetch_add(1, Ordering::SeqCst);
                tracing::info!("Supabase is reachable again");
            }
        }
    }

    fn missed(&self, error: &sqlx::Error) {
        if let Ok(mut g) = self.since.lock() {
            if g.is_none() {
                self.changed.fetch_add(1, Ordering::SeqCst);
                tracing::warn!(%error, "Supabase is unreachable; serving from SQLite");
                *g = Some(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            }
        }
    }
}

/// Starts following `tables`, keeping `status` (whether Supabase answers);
/// runs until the process ends.
pub fn spawn(pg: PgPool, tables: Vec<Watched>, every: ProbeEvery, status: AuthorityStatus) {
    let listening = Arc::new(AtomicBool::new(false));
    let wakers: Vec<(&'static str, Arc<Notify>)> = tables
        .iter()
        .map(|t| (t.table, Arc::new(Notify::new())))
        .collect();
    for (t, (_, wake)) in tables.iter().zip(&wakers) {
        tokio::spawn(reconcile_when_woken(t.clone(), wake.clone()));
        tokio::spawn(probe(
            pg.clone(),
            t.clone(),
            wake.clone(),
            listening.clone(),
            every,
            status.clone(),
        ));
    }
    tokio::spawn(listen(pg, wakers, listening));
}

/// Runs the reconcile once per wake-up; wake-ups during a run coalesce into
/// one more run, so a burst of changes costs at most two.
async fn reconcile_when_woken(table: Watched, wake: Arc<Notify>) {
    loop {
        wake.notified().await;
        if let Err(e) = (table.reconcile)().await {
            tracing::warn!(table = table.table, error = %e, "live reconcile failed; the next change or probe retries");
        }
    }
}

/// How often a table is asked again whether it has the trigger.
const TRIGGER_RECHECK: Duration = Duration::from_secs(30);

async fn probe(
    pg: PgPool,
    table: Watched,
    wake: Arc<Notify>,
    listening: Arc<AtomicBool>,
    every: ProbeEvery,
    status: AuthorityStatus,
) {
    let mut last: Option<String> = None;
    let mut has_trigger = false;
    let mut checked: Option<std::time::Instant> = None;
    loop {
        if checked.is_none_or(|at| at.elapsed() >= TRIGGER_RECHECK) {
            has_trigger = trigger_installed(&pg, table.table).await.unwrap_or(false);
            checked = Some(std::time::Instant::now());
        }
        match sqlx::query_scalar::<_, Option<String>>(sqlx::AssertSqlSafe(table.probe))
            .fetch_one(&pg)
            .await
        {
            Ok(stamp) => {
                status.reached();
                let stamp = stamp.unwrap_or_default();
                if last.as_ref() != Some(&stamp) {
                    last = Some(stamp);
                    wake.notify_one();
                }
            }
            Err(e) => status.missed(&e),
        }
        let pause = if has_trigger && listening.load(Ordering::SeqCst) {
            every.with_trigger.min(TRIGGER_RECHECK)
        } else {
            every.alone
        };
        tokio::time::sleep(pause).await;
    }
}

/// Whether `table` (as the connection's search path finds it) fires the
/// documented trigger.
pub async fn trigger_installed(pg: &PgPool, table: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE t.tgrelid = to_regclass($1) AND p.proname = $2 AND t.tgenabled <> 'D')",
    )
    .bind(table)
    .bind(TRIGGER_FUNCTION)
    .fetch_one(pg)
    .await
}

/// Sends a notification of its own and waits (2 s at most) for it to come
/// back on `listener`.
async fn self_check(pg: &PgPool, listener: &mut PgListener, schema: &str) -> bool {
    let token = format!(
        "{schema}.model_suite_self_check_{}",
        uuid::Uuid::new_v4().simple()
    );
    let sent = sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(&token)
        .execute(pg)
        .await;
    if sent.is_err() {
        return false;
    }
    let wait = async {
        loop {
            match listener.try_recv().await {
                Ok(Some(n)) if n.payload() == token => return true,
                Ok(Some(_)) => continue,
                _ => return false,
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(2), wait)
        .await
        .unwrap_or(false)
}

async fn listen(pg: PgPool, wakers: Vec<(&'static str, Arc<Notify>)>, listening: Arc<AtomicBool>) {
    let wake_all = || wakers.iter().for_each(|(_, w)| w.notify_one());
    loop {
        let schema: Result<String, _> = sqlx::query_scalar("SELECT current_schema()::text")
            .fetch_one(&pg)
            .await;
        let connected = match schema {
            Ok(schema) => match PgListener::connect_with(&pg).await {
                Ok(mut l) => match l.listen(CHANNEL).await {
                    Ok(()) => Some((l, schema)),
                    Err(e) => {
                        tracing::debug!(error = %e, "LISTEN failed");
                        None
                    }
                },
                Err(e) => {
                    tracing::debug!(error = %e, "no listener connection");
                    None
                }
            },
            Err(_) => None,
        };
        let Some((mut listener, schema)) = connected else {
            tokio::time::sleep(Duration::from_secs(2)).await;
            continue;
        };
        // A pooler in transaction mode accepts LISTEN but never delivers:
        // only a listener that received its own notification is trusted
        // (else the probes stay fast).
        let delivered = self_check(&pg, &mut listener, &schema).await;
        if !delivered {
            tracing::warn!("LISTEN does not deliver notifications on this connection (a transaction pooler?); following Supabase by probing");
        }
        listening.store(delivered, Ordering::SeqCst);
        // Whatever happened while not listening is looked at once.
        wake_all();
        loop {
            match listener.try_recv().await {
                Ok(Some(n)) => {
                    let payload = n.payload();
                    let (in_schema, table) = payload.split_once('.').unwrap_or((&schema, payload));
                    if in_schema != schema {
                        continue;
                    }
                    if let Some((_, w)) = wakers.iter().find(|(t, _)| *t == table) {
                        w.notify_one();
                    }
                }
                // The connection was lost: notifications may be missed
                // until the next call reconnects.
                Ok(None) => wake_all(),
                Err(e) => {
                    tracing::debug!(error = %e, "listener failed; reconnecting");
                    listening.store(false, Ordering::SeqCst);
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
