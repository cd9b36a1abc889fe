//! Ending admin sessions: every admin token carries the session version it
//! was issued under, and only the current version is accepted. Signing out
//! and a changed admin password move the version on, so every token issued
//! before stops working at once. The version lives in
//! `storage/admin_sessions.json` (0600) and survives restarts.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::password::verify_password;

const FILE: &str = "admin_sessions.json";

#[derive(Default, Serialize, Deserialize)]
struct Stored {
    version: u64,
    /// The password hash the version was issued under: another password
    /// (not just a fresh salt of the same one) ends every session.
    password_hash: String,
}

#[derive(Clone)]
pub struct SessionVersion {
    path: PathBuf,
    current: Arc<AtomicU64>,
    password_hash: Arc<str>,
    write: Arc<Mutex<()>>,
}

impl std::fmt::Debug for SessionVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SessionVersion({})", self.current())
    }
}

impl SessionVersion {
    /// Reads the stored version; moves it on when the admin password is not
    /// the one it was issued under. `plain` is the configured password when
    /// there is one (its hash is salted afresh at every start).
    pub fn open(
        storage_dir: &Path,
        password_hash: &str,
        plain: Option<&str>,
    ) -> std::io::Result<SessionVersion> {
        let path = storage_dir.join(FILE);
        let stored: Stored = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_default(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Stored::default(),
            Err(e) => return Err(e),
        };
        let same_password = stored.password_hash == password_hash
            || plain.is_some_and(|p| verify_password(p, &stored.password_hash));
        let version = if same_password || stored.password_hash.is_empty() {
            stored.version
        } else {
            tracing::info!("the admin password changed: earlier admin sessions are ended");
            stored.version + 1
        };
        let sessions = SessionVersion {
            path,
            current: Arc::new(AtomicU64::new(version)),
            password_hash: Arc::from(password_hash),
            write: Arc::default(),
        };
        sessions.save(version)?;
        Ok(sessions)
    }

    pub fn current(&self) -> u64 {
        self.current.load(Ordering::SeqCst)
    }

    /// Ends every session issued so far; returns the new version.
    pub fn end_all(&self) -> std::io::Result<u64> {
        let _guard = self
            .write
            .lock()
            .map_err(|_| std::io::Error::other("lock poisoned"))?;
        let next = self.current() + 1;
        self.save(next)?;
        self.current.store(next, Ordering::SeqCst);
        Ok(next)
    }

    /// Written whole to a temporary file, then renamed, mode 0600.
    fn save(&self, version: u64) -> std::io::Result<()> {
        let stored = Stored {
            version,
            password_hash: self.password_hash.to_string(),
        };
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = self.path.with_extension("json.tmp");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp)?;
        std::io::Write::write_all(&mut file, &serde_json::to_vec(&stored)?)?;
        file.sync_all()?;
        std::fs::rename(&tmp, &self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::password::hash_password;

    #[test]
    fn sign_out_and_a_new_password_end_sessions_a_restart_does_not() {
        let dir = tempfile::tempdir().expect("dir");
        let hash = hash_password("first-password").expect("hash");
        let v = SessionVersion::open(dir.path(), &hash, None).expect("open");
        let start = v.current();
        assert_eq!(v.end_all().expect("end"), start + 1);

        // Same password, salted afresh at the next start: sessions stay.
        let resalted = hash_password("first-password").expect("hash");
        let again =
            SessionVersion::open(dir.path(), &resalted, Some("first-password")).expect("open");
        assert_eq!(again.current(), start + 1);

        let other = hash_password("second-password").expect("hash");
        let changed =
            SessionVersion::open(dir.path(), &other, Some("second-password")).expect("open");
        assert_eq!(changed.current(), start + 2, "a new password ends sessions");
    }
}
