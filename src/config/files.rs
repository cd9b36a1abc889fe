//! What Model Suite keeps under `storage/` — the SQLite store, generated
//! secrets, logs, run summaries, fallback and cursor files — is readable by
//! its owner only: files 0600, folders 0700. The process umask covers what
//! other code creates (SQLite's `-wal`/`-shm`, the rolling log); these
//! helpers set the modes explicitly where we create files ourselves.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Makes every file and folder this process creates private to its owner
/// (umask 077). Every command calls it first.
pub fn restrict_new_files() {
    // SAFETY: umask(2) only swaps the process's file-mode mask and cannot fail.
    #[cfg(unix)]
    unsafe {
        libc::umask(0o077);
    }
}

/// `create_dir_all`, giving each folder it creates mode 0700.
pub fn create_private_dir_all(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Open options whose `create` makes a 0600 file.
pub fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// Opens `path` for appending, creating it (0600) and its folder (0700).
pub fn open_private_append(path: &Path) -> io::Result<File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir_all(dir)?;
    }
    private_options().create(true).append(true).open(path)
}

/// Writes `bytes` as the whole of `path`: into a 0600 temporary file beside
/// it, then renamed over it, so a reader never sees half a file.
pub fn write_private_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir_all(dir)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    let mut file = private_options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).expect("stat").permissions().mode() & 0o777
    }

    #[test]
    fn helpers_create_owner_only_files_and_folders() {
        let dir = tempfile::tempdir().expect("tempdir");
        let nested = dir.path().join("a/b");
        write_private_atomic(&nested.join("run.json"), b"{}").expect("write");
        open_private_append(&dir.path().join("logs/audit.log")).expect("append");
        assert_eq!(mode(&dir.path().join("a")), 0o700);
        assert_eq!(mode(&nested), 0o700);
        assert_eq!(mode(&nested.join("run.json")), 0o600);
        assert_eq!(mode(&dir.path().join("logs")), 0o700);
        assert_eq!(mode(&dir.path().join("logs/audit.log")), 0o600);
        assert!(!nested.join("run.json.tmp").exists());
    }
}
