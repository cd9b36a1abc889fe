//! Writes the authority refused because it could not be reached, kept as
//! JSON files (`pending-write-*.json` under `storage/ai_runtime`) until the
//! admin re-applies or discards each one: nothing is applied behind the
//! admin's back. What a write means is the caller's: a kind, the id it is
//! about, and its body.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::files::write_private_atomic;

pub const PENDING_PREFIX: &str = "pending-write-";

/// One refused write, as kept on disk.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PendingWrite {
    pub id: String,
    /// What the write was, e.g. `endpoint.update`.
    pub kind: String,
    /// The local id it was about (none for a create).
    pub target: Option<i64>,
    /// The write's input as the admin sent it.
    pub body: Value,
    pub refused_at: String,
    /// Why the authority refused it.
    pub reason: String,
    pub actor: String,
}

#[derive(Clone, Debug)]
pub struct PendingWrites {
    dir: PathBuf,
}

impl PendingWrites {
    pub fn new(dir: PathBuf) -> PendingWrites {
        PendingWrites { dir }
    }

    fn path(&self, id: &str) -> Option<PathBuf> {
        let safe = !id.is_empty()
            && id.len() <= 64
            && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        safe.then(|| self.dir.join(format!("{PENDING_PREFIX}{id}.json")))
    }

    /// Keeps a refused write; the file is the admin's only.
    pub fn keep(
        &self,
        kind: &str,
        target: Option<i64>,
        body: Value,
        reason: &str,
        actor: &str,
    ) -> std::io::Result<PendingWrite> {
        let now = chrono::Utc::now();
        let id = format!(
            "{}-{}",
            now.format("%Y%m%dT%H%M%S%3f"),
            uuid::Uuid::new_v4().simple()
        );
        let write = PendingWrite {
            id: id.clone(),
            kind: kind.to_owned(),
            target,
            body,
            refused_at: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            reason: reason.to_owned(),
            actor: actor.to_owned(),
        };
        let bytes = serde_json::to_vec_pretty(&write).map_err(std::io::Error::other)?;
        let path = self
            .path(&id)
            .ok_or_else(|| std::io::Error::other("bad id"))?;
        write_private_atomic(&path, &bytes)?;
        Ok(write)
    }

    /// Every kept write, oldest first. A file that does not parse is
    /// named in the log and left alone.
    pub fn list(&self) -> std::io::Result<Vec<PendingWrite>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut all = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if !(name.starts_with(PENDING_PREFIX) && name.ends_with(".json")) {
                continue;
            }
            let parsed = std::fs::read(entry.path())
                .map_err(|e| e.to_string())
                .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()));
            match parsed {
                Ok(w) => all.push(w),
                Err(e) => {
                    tracing::warn!(file = %name, error = %e, "unreadable pending write left alone")
                }
            }
        }
        all.sort_by(|a: &PendingWrite, b| a.id.cmp(&b.id));
        Ok(all)
    }

    pub fn get(&self, id: &str) -> std::io::Result<Option<PendingWrite>> {
        let Some(path) = self.path(id) else {
            return Ok(None);
        };
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(std::io::Error::other),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Removes a kept write; `false` when there was none.
    pub fn remove(&self, id: &str) -> std::io::Result<bool> {
        let Some(path) = self.path(id) else {
            return Ok(false);
        };
        match std::fs::remove_file(path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
}
