//! The JWT secret and the admin password hash, from the configuration or —
//! in dev mode only — generated at first start and kept under `storage/`.

use std::io::Write;
use std::path::{Path, PathBuf};

use rand::distributions::{Alphanumeric, DistString};
use rand::RngCore;

use super::files::{create_private_dir_all, private_options};
use super::{Config, Mode};
use crate::auth::password::hash_password;

const JWT_SECRET_FILE: &str = "jwt_secret";
const ADMIN_HASH_FILE: &str = "admin_password.hash";

pub struct Secrets {
    pub jwt_secret: Vec<u8>,
    pub admin_password_hash: String,
    /// Set only when this start generated the admin password: shown once on
    /// the terminal, never written to a log.
    pub generated_admin_password: Option<String>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets { .. }")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("cannot {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(String),
}

pub fn prepare_secrets(config: &Config) -> Result<Secrets, SecretsError> {
    let jwt_secret = match (&config.jwt_secret, config.mode) {
        (Some(s), _) => s.as_bytes().to_vec(),
        (None, Mode::Production) => {
            return Err(SecretsError::Invalid(
                "JWT_SECRET is required in production".into(),
            ))
        }
        (None, Mode::Dev) => dev_jwt_secret(&config.storage_dir)?,
    };

    let mut generated_admin_password = None;
    let admin_password_hash = if let Some(h) = &config.admin_password_hash {
        h.clone()
    } else if let Some(p) = &config.admin_password {
        hash_password(p).map_err(SecretsError::Invalid)?
    } else if config.mode == Mode::Production {
        return Err(SecretsError::Invalid(
            "ADMIN_PASSWORD_HASH is required in production".into(),
        ));
    } else {
        let path = config.storage_dir.join(ADMIN_HASH_FILE);
        match read_trimmed(&path)? {
            Some(hash) => hash,
            None => {
                let password = Alphanumeric.sample_string(&mut rand::thread_rng(), 20);
                let hash = hash_password(&password).map_err(SecretsError::Invalid)?;
                write_private(&path, &hash)?;
                generated_admin_password = Some(password);
                hash
            }
        }
    };

    Ok(Secrets {
        jwt_secret,
        admin_password_hash,
        generated_admin_password,
    })
}

fn dev_jwt_secret(storage_dir: &Path) -> Result<Vec<u8>, SecretsError> {
    let path = storage_dir.join(JWT_SECRET_FILE);
    if let Some(existing) = read_trimmed(&path)? {
        return Ok(existing.into_bytes());
    }
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    write_private(&path, &secret)?;
    Ok(secret.into_bytes())
}

fn read_trimmed(path: &Path) -> Result<Option<String>, SecretsError> {
    match std::fs::read_to_string(path) {
        Ok(s) if !s.trim().is_empty() => Ok(Some(s.trim().to_owned())),
        Ok(_) => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(SecretsError::Io {
            action: "read",
            path: path.into(),
            source,
        }),
    }
}

/// Writes a file only its owner can read (mode 0600 on Unix).
fn write_private(path: &Path, contents: &str) -> Result<(), SecretsError> {
    let io = |source| SecretsError::Io {
        action: "write",
        path: path.into(),
        source,
    };
    if let Some(dir) = path.parent() {
        create_private_dir_all(dir).map_err(io)?;
    }
    let mut file = private_options()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(io)?;
    file.write_all(contents.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::password::verify_password;

    fn dev_config(dir: &Path) -> Config {
        let dir = dir.to_string_lossy().to_string();
        Config::from_lookup(|k| (k == "STORAGE_DIR").then(|| dir.clone())).expect("config")
    }

    #[test]
    fn dev_mode_generates_secrets_once_and_keeps_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dev_config(dir.path());
        let first = prepare_secrets(&config).expect("first start");
        let password = first
            .generated_admin_password
            .clone()
            .expect("password generated");
        assert!(first.jwt_secret.len() >= 32);
        assert!(verify_password(&password, &first.admin_password_hash));

        let second = prepare_secrets(&config).expect("second start");
        assert_eq!(second.jwt_secret, first.jwt_secret, "secret is kept");
        assert_eq!(second.admin_password_hash, first.admin_password_hash);
        assert!(
            second.generated_admin_password.is_none(),
            "password is printed only once"
        );

        let stored = std::fs::read_to_string(dir.path().join(ADMIN_HASH_FILE)).expect("hash file");
        assert!(stored.starts_with("$argon2"), "only the hash is stored");
        assert!(!stored.contains(&password));
    }

    #[test]
    fn two_dev_installs_get_different_secrets() {
        let a = tempfile::tempdir().expect("tempdir");
        let b = tempfile::tempdir().expect("tempdir");
        let sa = prepare_secrets(&dev_config(a.path())).expect("a");
        let sb = prepare_secrets(&dev_config(b.path())).expect("b");
        assert_ne!(sa.jwt_secret, sb.jwt_secret, "no built-in constant");
    }
}
