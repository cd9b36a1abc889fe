//! The JSON fallback files under `storage/ai_runtime/` that keep records
//! SQLite could not take, and the replay that writes them back (one
//! transaction per file, never twice).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;

use super::records::{insert, row_targets, Record};
use crate::config::files::write_private_atomic;

pub const FALLBACK_PREFIX: &str = "ai_prompt_tests-";

/// Writes records to a new fallback file (written whole, then renamed, so a
/// reader never sees half a file).
pub fn write_fallback(dir: &Path, batch: &[Record]) -> std::io::Result<PathBuf> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    let name = format!(
        "{FALLBACK_PREFIX}{stamp}-{}.json",
        uuid::Uuid::new_v4().simple()
    );
    let path = dir.join(name);
    write_private_atomic(
        &path,
        &serde_json::to_vec(batch).map_err(std::io::Error::other)?,
    )?;
    Ok(path)
}

pub fn fallback_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(FALLBACK_PREFIX) && n.ends_with(".json"))
            })
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    files.sort();
    Ok(files)
}

/// Records waiting in fallback files (for counting in tests and the page).
pub fn fallback_records(dir: &Path) -> std::io::Result<Vec<Record>> {
    let mut all = Vec::new();
    for f in fallback_files(dir)? {
        let records: Vec<Record> =
            serde_json::from_slice(&std::fs::read(&f)?).map_err(std::io::Error::other)?;
        all.extend(records);
    }
    Ok(all)
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplayReport {
    pub files: u32,
    pub inserted: u64,
    pub already_present: u64,
    /// Records whose endpoint or prompt was deleted meanwhile, filed under
    /// the default endpoint / the built-in prompt instead (`response_message`
    /// still names the endpoint that served them).
    #[serde(default)]
    pub refiled: u64,
    pub failed_files: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("cannot read the fallback folder {0}: {1}")]
    Dir(String, std::io::Error),
}

/// Writes every fallback file back into SQLite, one transaction per file,
/// skipping records already stored; deletes a file only after its rows are
/// committed. A file that fails stays for the next attempt.
pub async fn replay(pool: &SqlitePool, dir: &Path) -> Result<ReplayReport, ReplayError> {
    // One replay at a time in this process (the background one and one
    // asked for), so a caller that gets its report sees the rows stored.
    // Across processes SQLite's write lock keeps a record from being
    // written twice.
    static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _turn = ONE_AT_A_TIME.lock().await;
    let files = fallback_files(dir).map_err(|e| ReplayError::Dir(dir.display().to_string(), e))?;
    let mut report = ReplayReport::default();
    for file in files {
        match replay_file(pool, &file).await {
            Ok((inserted, present, refiled)) => {
                report.files += 1;
                report.inserted += inserted;
                report.already_present += present;
                report.refiled += refiled;
                if let Err(e) = std::fs::remove_file(&file) {
                    tracing::error!(error = %e, file = %file.display(), "replayed but could not delete the fallback file");
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, file = %file.display(), "fallback replay failed; the file is kept");
                report.failed_files.push(file.display().to_string());
            }
        }
    }
    Ok(report)
}

/// Points records at rows that still exist; returns how many it moved.
async fn refile(pool: &SqlitePool, records: &mut [Record]) -> Result<u64, String> {
    let endpoints: HashSet<i64> = sqlx::query_scalar("SELECT id FROM ai_endpoints")
        .fetch_all(pool)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .collect();
    let mut prompts: std::collections::HashMap<i64, Option<i64>> = Default::default();
    for id in records.iter().map(|r| r.prompt_id).collect::<HashSet<_>>() {
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM ai_prompts WHERE id = ?1")
            .bind(id)
            .fetch_optional(pool)
            .await
            .map_err(|e| e.to_string())?;
        prompts.insert(id, exists);
    }
    let mut moved = 0;
    for r in records.iter_mut() {
        let exists = prompts.get(&r.prompt_id).copied().flatten();
        if exists.is_some() && endpoints.contains(&r.endpoint_id) {
            continue;
        }
        let targets = row_targets(pool, None, exists)
            .await
            .map_err(|e| e.to_string())?;
        r.prompt_id = targets.prompt_id;
        if !endpoints.contains(&r.endpoint_id) {
            r.endpoint_id = targets.endpoint_id;
        }
        moved += 1;
    }
    Ok(moved)
}

async fn replay_file(pool: &SqlitePool, file: &Path) -> Result<(u64, u64, u64), String> {
    let bytes = std::fs::read(file).map_err(|e| e.to_string())?;
    let mut records: Vec<Record> =
        serde_json::from_slice(&bytes).map_err(|e| format!("not a fallback file: {e}"))?;
    let refiled = refile(pool, &mut records).await?;
    let mut tx = pool.begin().await.map_err(|e| e.to_string())?;
    let runs: HashSet<Option<String>> = records.iter().map(|r| r.run_id.clone()).collect();
    let mut present: HashSet<String> = HashSet::new();
    for run in runs {
        let ids: Vec<Option<String>> = sqlx::query_scalar(
            "SELECT json_extract(request_message, '$.record_id') FROM ai_prompt_tests
             WHERE json_extract(request_message, '$.run_id') IS ?1",
        )
        .bind(run)
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| e.to_string())?;
        present.extend(ids.into_iter().flatten());
    }
    let (mut inserted, mut skipped) = (0, 0);
    for r in &records {
        if present.contains(&r.record_id) {
            skipped += 1;
            continue;
        }
        insert(&mut tx, r).await.map_err(|e| e.to_string())?;
        inserted += 1;
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    Ok((inserted, skipped, refiled))
}
