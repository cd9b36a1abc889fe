//! Settings from the environment (and an optional `.env`), with safe local
//! defaults. Parsing is pure — it takes a lookup function — so every rule is
//! tested without touching the process environment.

pub mod files;
mod http;
mod secrets;

use std::net::SocketAddr;
use std::path::PathBuf;

pub use http::{HttpLimits, DEFAULT_MAX_CONNECTIONS};
pub use secrets::{prepare_secrets, Secrets};

/// Shortest JWT secret accepted in production: 32 bytes, HS256's key size.
pub const MIN_JWT_SECRET_LEN: usize = 32;

/// What an endpoint probe does (`MONITOR_PROBE`). `Models`: GET the model
/// list (cheap). `Chat`: one tiny chat to the endpoint's own default model
/// (proves it answers; costs a completion).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeKind {
    Models,
    Chat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Local use: missing secrets are generated and kept under `storage/`.
    Dev,
    /// Refuses to start without explicitly configured secrets.
    Production,
}

/// Everything the server reads from its environment. Secrets are kept out of
/// `Debug` output.
#[derive(Clone)]
pub struct Config {
    pub mode: Mode,
    pub listen_addr: SocketAddr,
    pub storage_dir: PathBuf,
    pub sqlite_path: PathBuf,
    pub supabase_db_url: Option<String>,
    pub jwt_secret: Option<String>,
    pub admin_username: String,
    pub admin_password: Option<String>,
    pub admin_password_hash: Option<String>,
    pub admin_session_minutes: u32,
    /// Sign-in attempts allowed per minute per client address and username.
    pub login_attempts_per_minute: u32,
    /// Behind a reverse proxy: take the client address from the last
    /// `X-Forwarded-For` entry (only set this when a proxy always adds it).
    pub trust_proxy_headers: bool,
    pub cookie_secure: bool,
    pub log_level: String,
    pub log_dir: PathBuf,
    pub site_root: PathBuf,
    pub loadtest_max_inflight: u32,
    pub loadtest_max_concurrency: u32,
    pub loadtest_max_requests: u32,
    /// Seconds between endpoint probe rounds; 0 turns the interval off.
    pub monitor_interval_secs: u32,
    /// Probes in flight at once.
    pub monitor_concurrency: u32,
    /// An online endpoint is marked down only after this many failed probes
    /// among its last `monitor_window`.
    pub monitor_failures: u32,
    pub monitor_window: u32,
    /// What a probe does: list the models, or chat with the default model.
    pub monitor_probe: ProbeKind,
    /// Chats in a row that failed (connect error, timeout, 5xx) after
    /// which traffic marks an endpoint degraded, and offline.
    pub passive_degraded_after: u32,
    pub passive_offline_after: u32,
    /// Most endpoints one chat is sent to (1 = no failover).
    pub failover_attempts: u32,
    /// Another endpoint is tried only while less than this has passed
    /// since the chat arrived.
    pub failover_budget_secs: u32,
    /// Minutes between Supabase syncs; 0 turns the interval off.
    pub sync_interval_minutes: u32,
    /// When set, `serve` also runs the upstream simulator on this port and
    /// seeds a demo endpoint pointing at it if the catalog is empty.
    pub demo_upstream_port: Option<u16>,
    /// Longest lifetime of a minted test-user JWT, in minutes.
    pub mint_max_minutes: u32,
    /// Seconds in-flight load-test requests get to finish on shutdown.
    pub shutdown_grace_secs: u32,
    /// Chat API requests one user may make per minute (0 = no limit).
    pub chat_requests_per_minute: u32,
    /// Largest `max_tokens` a chat request may ask for (none = no cap).
    pub chat_max_tokens: Option<u32>,
    /// Timeouts, the connection cap and body size limits of the server.
    pub http: HttpLimits,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |o: &Option<String>| if o.is_some() { "<set>" } else { "<unset>" };
        f.debug_struct("Config")
            .field("mode", &self.mode)
            .field("listen_addr", &self.listen_addr)
            .field("sqlite_path", &self.sqlite_path)
            .field("supabase_db_url", &set(&self.supabase_db_url))
            .field("jwt_secret", &set(&self.jwt_secret))
            .field("admin_username", &self.admin_username)
            .field("admin_password", &set(&self.admin_password))
            .field("log_dir", &self.log_dir)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{var}: {reason}")]
pub struct ConfigError {
    /// The environment variable to fix.
    pub var: &'static str,
    pub reason: String,
}

fn invalid(var: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        var,
        reason: reason.into(),
    }
}

impl Config {
    /// Reads the process environment, after loading `.env` if there is one.
    pub fn from_env() -> Result<Config, ConfigError> {
        let _ = dotenvy::dotenv();
        Config::from_lookup(|k| std::env::var(k).ok())
    }

    /// Builds the configuration from any key → value lookup.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |k: &str| {
            get(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };

        let mode = match get("APP_ENV").as_deref() {
            None | Some("dev") | Some("development") => Mode::Dev,
            Some("prod") | Some("production") => Mode::Production,
            Some(other) => {
                return Err(invalid(
                    "APP_ENV",
                    format!("must be `dev` or `production`, got `{other}`"),
                ))
            }
        };
        // `LEPTOS_*` are what `cargo leptos watch` sets for the dev loop.
        let listen_addr = get("LISTEN_ADDR")
            .or_else(|| get("LEPTOS_SITE_ADDR"))
            .unwrap_or_else(|| "127.0.0.1:3000".into())
            .parse()
            .map_err(|_| invalid("LISTEN_ADDR", "must be host:port, e.g. 127.0.0.1:3000"))?;
        let storage_dir = PathBuf::from(get("STORAGE_DIR").unwrap_or_else(|| "storage".into()));
        let sqlite_path = get("SQLITE_PATH")
            .map(PathBuf::from)
            .unwrap_or_else(|| storage_dir.join("model_suite.db"));
        let log_dir = get("LOG_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| storage_dir.join("logs"));

        let supabase_db_url = get("SUPABASE_DB_URL");
        if let Some(url) = &supabase_db_url {
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                return Err(invalid(
                    "SUPABASE_DB_URL",
                    "must be a postgres:// or postgresql:// connection string",
                ));
            }
        }

        let jwt_secret = get("JWT_SECRET");
        if mode == Mode::Production {
            match &jwt_secret {
                None => {
                    return Err(invalid(
                        "JWT_SECRET",
                        format!("is required in production; set it to at least {MIN_JWT_SECRET_LEN} random bytes (e.g. `openssl rand -hex 32`)"),
                    ))
                }
                Some(s) if s.len() < MIN_JWT_SECRET_LEN => {
                    return Err(invalid(
                        "JWT_SECRET",
                        format!("is {} bytes; production needs at least {MIN_JWT_SECRET_LEN}", s.len()),
                    ))
                }
                Some(_) => {}
            }
        }

        let admin_username = get("ADMIN_USERNAME").unwrap_or_else(|| "admin".into());
        if admin_username.len() > 64 || admin_username.contains(char::is_whitespace) {
            return Err(invalid(
                "ADMIN_USERNAME",
                "must be 1–64 characters without spaces",
            ));
        }
        let admin_password = get("ADMIN_PASSWORD");
        let admin_password_hash = get("ADMIN_PASSWORD_HASH");
        if let Some(p) = &admin_password {
            if p.chars().count() < 8 {
                return Err(invalid("ADMIN_PASSWORD", "must be at least 8 characters"));
            }
        }
        if let Some(h) = &admin_password_hash {
            if !h.starts_with("$argon2") {
                return Err(invalid(
                    "ADMIN_PASSWORD_HASH",
                    "must be an argon2 PHC string ($argon2id$…)",
                ));
            }
        }
        if mode == Mode::Production && admin_password.is_none() && admin_password_hash.is_none() {
            return Err(invalid(
                "ADMIN_PASSWORD_HASH",
                "is required in production (or ADMIN_PASSWORD); generate one with `model-suite hash-password`",
            ));
        }

        let monitor_window = number(&get, "MONITOR_WINDOW", 5, 1, 100)?;
        let monitor_failures = number(&get, "MONITOR_FAILURES", 3, 1, 100)?;
        let monitor_probe = match get("MONITOR_PROBE").as_deref() {
            None | Some("models") => ProbeKind::Models,
            Some("chat") => ProbeKind::Chat,
            Some(other) => {
                return Err(invalid(
                    "MONITOR_PROBE",
                    format!("must be `models` or `chat`, got `{other}`"),
                ))
            }
        };
        if monitor_failures > monitor_window {
            return Err(invalid(
                "MONITOR_FAILURES",
                format!(
                    "must not exceed MONITOR_WINDOW ({monitor_window}), got {monitor_failures}"
                ),
            ));
        }
        let passive_degraded_after = number(&get, "PASSIVE_DEGRADED_AFTER", 3, 1, 1000)?;
        let passive_offline_after = number(&get, "PASSIVE_OFFLINE_AFTER", 5, 1, 1000)?;
        if passive_offline_after < passive_degraded_after {
            return Err(invalid(
                "PASSIVE_OFFLINE_AFTER",
                format!(
                    "must be at least PASSIVE_DEGRADED_AFTER ({passive_degraded_after}), got {passive_offline_after}"
                ),
            ));
        }
        Ok(Config {
            mode,
            listen_addr,
            storage_dir,
            sqlite_path,
            supabase_db_url,
            jwt_secret,
            admin_username,
            admin_password,
            admin_password_hash,
            admin_session_minutes: number(&get, "ADMIN_SESSION_MINUTES", 720, 5, 10_080)?,
            login_attempts_per_minute: number(&get, "LOGIN_ATTEMPTS_PER_MINUTE", 10, 1, 1000)?,
            trust_proxy_headers: flag(&get, "TRUST_PROXY_HEADERS", false)?,
            cookie_secure: flag(&get, "COOKIE_SECURE", mode == Mode::Production)?,
            log_level: get("LOG_LEVEL").unwrap_or_else(|| "info".into()),
            log_dir,
            site_root: PathBuf::from(
                get("SITE_ROOT")
                    .or_else(|| get("LEPTOS_SITE_ROOT"))
                    .unwrap_or_else(|| "target/site".into()),
            ),
            loadtest_max_inflight: number(&get, "LOADTEST_MAX_INFLIGHT", 200, 1, 10_000)?,
            loadtest_max_concurrency: number(&get, "LOADTEST_MAX_CONCURRENCY", 1000, 1, 1000)?,
            loadtest_max_requests: number(&get, "LOADTEST_MAX_REQUESTS", 100_000, 1, 100_000)?,
            monitor_interval_secs: number(&get, "MONITOR_INTERVAL_SECS", 60, 0, 86_400)?,
            monitor_concurrency: number(&get, "MONITOR_CONCURRENCY", 16, 1, 256)?,
            monitor_failures,
            monitor_window,
            monitor_probe,
            passive_degraded_after,
            passive_offline_after,
            failover_attempts: number(&get, "FAILOVER_ATTEMPTS", 3, 1, 10)?,
            failover_budget_secs: number(&get, "FAILOVER_BUDGET_SECS", 30, 1, 600)?,
            sync_interval_minutes: number(&get, "SYNC_INTERVAL_MINUTES", 10, 0, 10_080)?,
            mint_max_minutes: number(&get, "MINT_MAX_MINUTES", 1440, 1, 43_200)?,
            shutdown_grace_secs: number(&get, "SHUTDOWN_GRACE_SECS", 10, 0, 300)?,
            chat_requests_per_minute: number(&get, "CHAT_REQUESTS_PER_MINUTE", 600, 0, 1_000_000)?,
            chat_max_tokens: match get("CHAT_MAX_TOKENS") {
                None => None,
                Some(_) => Some(number(&get, "CHAT_MAX_TOKENS", 0, 1, 10_000_000)?),
            },
            demo_upstream_port: match get("DEMO_UPSTREAM_PORT") {
                None => None,
                Some(_) => Some(number(&get, "DEMO_UPSTREAM_PORT", 0, 1, 65_535)? as u16),
            },
            http: HttpLimits::from_lookup(&get)?,
        })
    }
}

fn number(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: u32,
    min: u32,
    max: u32,
) -> Result<u32, ConfigError> {
    let Some(raw) = get(var) else {
        return Ok(default);
    };
    match raw.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(invalid(
            var,
            format!("must be a whole number from {min} to {max}, got `{raw}`"),
        )),
    }
}

fn flag(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match get(var).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(invalid(
            var,
            format!("must be true or false, got `{other}`"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_local_and_safe() {
        let c = parse(&[]).expect("defaults parse");
        assert_eq!(c.mode, Mode::Dev);
        assert_eq!(c.listen_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.sqlite_path, PathBuf::from("storage/model_suite.db"));
        assert_eq!(c.loadtest_max_inflight, 200);
        assert!(!c.cookie_secure);
        assert!(c.jwt_secret.is_none());
    }

    #[test]
    fn production_refuses_missing_or_short_jwt_secret() {
        let err = parse(&[
            ("APP_ENV", "production"),
            ("ADMIN_PASSWORD", "long enough pw"),
        ])
        .unwrap_err();
        assert_eq!(err.var, "JWT_SECRET");
        let err = parse(&[
            ("APP_ENV", "production"),
            ("JWT_SECRET", "short"),
            ("ADMIN_PASSWORD", "long enough pw"),
        ])
        .unwrap_err();
        assert_eq!(err.var, "JWT_SECRET");
        assert!(err.reason.contains("at least 32"), "{err}");
        let ok = parse(&[
            ("APP_ENV", "production"),
            ("JWT_SECRET", &"x".repeat(32)),
            ("ADMIN_PASSWORD", "long enough pw"),
        ])
        .expect("valid production config");
        assert!(ok.cookie_secure);
    }

    #[test]
    fn production_needs_an_admin_password() {
        let err = parse(&[("APP_ENV", "production"), ("JWT_SECRET", &"x".repeat(40))]).unwrap_err();
        assert_eq!(err.var, "ADMIN_PASSWORD_HASH");
    }

    #[test]
    fn bad_values_name_the_variable_and_the_limit() {
        let err = parse(&[("LOADTEST_MAX_INFLIGHT", "0")]).unwrap_err();
        assert_eq!(err.var, "LOADTEST_MAX_INFLIGHT");
        assert!(err.reason.contains("1 to 10000"), "{err}");
        assert_eq!(
            parse(&[("LISTEN_ADDR", "nowhere")]).unwrap_err().var,
            "LISTEN_ADDR"
        );
        assert_eq!(parse(&[("APP_ENV", "staging")]).unwrap_err().var, "APP_ENV");
        let err = parse(&[("MONITOR_FAILURES", "4"), ("MONITOR_WINDOW", "3")]).unwrap_err();
        assert_eq!(err.var, "MONITOR_FAILURES");
        assert!(err.reason.contains("MONITOR_WINDOW (3)"), "{err}");
        let err = parse(&[("FAILOVER_ATTEMPTS", "11")]).unwrap_err();
        assert_eq!(err.var, "FAILOVER_ATTEMPTS");
        assert!(err.reason.contains("1 to 10"), "{err}");
        let err = parse(&[("FAILOVER_BUDGET_SECS", "0")]).unwrap_err();
        assert_eq!(err.var, "FAILOVER_BUDGET_SECS");
        assert!(err.reason.contains("1 to 600"), "{err}");
        let err = parse(&[("PASSIVE_DEGRADED_AFTER", "0")]).unwrap_err();
        assert_eq!(err.var, "PASSIVE_DEGRADED_AFTER");
        assert!(err.reason.contains("1 to 1000"), "{err}");
        let err = parse(&[
            ("PASSIVE_DEGRADED_AFTER", "4"),
            ("PASSIVE_OFFLINE_AFTER", "2"),
        ])
        .unwrap_err();
        assert_eq!(err.var, "PASSIVE_OFFLINE_AFTER");
        assert!(err.reason.contains("PASSIVE_DEGRADED_AFTER (4)"), "{err}");
        assert_eq!(
            parse(&[("SUPABASE_DB_URL", "mysql://x")]).unwrap_err().var,
            "SUPABASE_DB_URL"
        );
        assert_eq!(
            parse(&[("ADMIN_PASSWORD", "short")]).unwrap_err().var,
            "ADMIN_PASSWORD"
        );
    }

    #[test]
    fn debug_output_hides_secrets() {
        let c = parse(&[
            ("JWT_SECRET", "super-secret-value-1234567890abcdef"),
            ("ADMIN_PASSWORD", "hunter2hunter2"),
        ])
        .expect("parses");
        let shown = format!("{c:?}");
        assert!(!shown.contains("super-secret"));
        assert!(!shown.contains("hunter2"));
    }
}
