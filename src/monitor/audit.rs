//! The audit trail: who did what, as JSON lines in `audit.log` in the log
//! dir, and as `audit`-target tracing events. Never carries secrets: callers
//! pass names and ids, not keys, passwords or tokens.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use crate::config::files::open_private_append;

#[derive(Clone)]
pub struct AuditLog {
    path: PathBuf,
    file: Arc<Mutex<File>>,
}

impl AuditLog {
    pub fn open(log_dir: &Path) -> std::io::Result<AuditLog> {
        let path = log_dir.join("audit.log");
        let file = open_private_append(&path)?;
        Ok(AuditLog {
            path,
            file: Arc::new(Mutex::new(file)),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one entry. A failing audit write is logged, not fatal: the
    /// admin's action already happened.
    pub fn record(&self, actor: &str, action: &str, detail: Value) {
        let actor = super::logging::loggable(actor, 128);
        let actor = actor.as_str();
        tracing::info!(target: "audit", actor, action, detail = %detail);
        let line = json!({
            "ts": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "actor": actor,
            "action": action,
            "detail": detail,
        });
        let written = self
            .file
            .lock()
            .map_err(|_| std::io::Error::other("audit file lock poisoned"))
            .and_then(|mut f| writeln!(f, "{line}"));
        if let Err(e) = written {
            tracing::error!(error = %e, path = %self.path.display(), "cannot write the audit log");
        }
    }
}
