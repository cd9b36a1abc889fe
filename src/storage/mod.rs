//! The local SQLite store: opened with WAL and foreign keys on, its three
//! tables ensured at every start without touching what is already there.
//! `supabase` connects to the remote authority and checks its columns.

pub mod mirror;
pub mod pending;
pub mod schema;
pub mod supabase;
pub mod watch;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use crate::config::files::{create_private_dir_all, private_options};

/// A `LIKE … ESCAPE '\\'` pattern that finds `text` anywhere, taken
/// literally (`%`, `_` and `\\` escaped); `None` for blank text.
pub fn contains_pattern(text: Option<&str>) -> Option<String> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Some(format!("%{escaped}%"))
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("SQLITE_PATH: cannot create the folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("SQLITE_PATH: cannot create {path}: {source}")]
    Create {
        path: String,
        source: std::io::Error,
    },
    #[error("SQLITE_PATH: cannot open {path}: {source}")]
    Open { path: String, source: sqlx::Error },
    #[error("SQLITE_PATH: {0}")]
    Schema(#[from] schema::SchemaError),
}

/// Opens (creating if needed) the SQLite file and ensures the schema.
pub async fn open_sqlite(path: &Path) -> Result<SqlitePool, StorageError> {
    let shown = path.display().to_string();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir_all(dir).map_err(|source| StorageError::Folder {
            path: shown.clone(),
            source,
        })?;
    }
    create_private_file(path).map_err(|source| StorageError::Create {
        path: shown.clone(),
        source,
    })?;
    let options = SqliteConnectOptions::from_str("sqlite:")
        .map_err(|source| StorageError::Open {
            path: shown.clone(),
            source,
        })?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .map_err(|source| StorageError::Open {
            path: shown,
            source,
        })?;
    schema::ensure_schema(&pool).await?;
    Ok(pool)
}

/// Creates a new store file as 0600 before SQLite opens it (its `-wal` and
/// `-shm` files take the same mode); an existing file is left as it is.
fn create_private_file(path: &Path) -> std::io::Result<()> {
    match private_options().write(true).create_new(true).open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// A second, single-connection pool on the same file for the results
/// writer: a short busy timeout, so a locked store sends results to the JSON
/// fallback quickly instead of stalling a run.
pub async fn open_writer_pool(path: &Path, busy: Duration) -> Result<SqlitePool, StorageError> {
    let shown = path.display().to_string();
    let options = SqliteConnectOptions::from_str("sqlite:")
        .map_err(|source| StorageError::Open {
            path: shown.clone(),
            source,
        })?
        .filename(path)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(busy);
    SqlitePoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
        .map_err(|source| StorageError::Open {
            path: shown,
            source,
        })
}
