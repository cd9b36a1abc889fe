//! Logs to stdout and to a daily-rolling file in the log dir. The filter is
//! `LOG_LEVEL` (any `tracing` filter string, e.g. `info,sqlx=warn`).

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::{fmt, layer::SubscriberExt, util::SubscriberInitExt, EnvFilter};

use crate::config::Config;

/// Installs the global subscriber; keep the guard alive until exit so the
/// file writer flushes.
pub fn init(config: &Config) -> Result<WorkerGuard, String> {
    crate::config::files::create_private_dir_all(&config.log_dir)
        .map_err(|e| format!("LOG_DIR: cannot create {}: {e}", config.log_dir.display()))?;
    let filter = EnvFilter::try_new(&config.log_level).map_err(|e| {
        format!(
            "LOG_LEVEL: `{}` is not a valid filter: {e}",
            config.log_level
        )
    })?;
    let appender = tracing_appender::rolling::daily(&config.log_dir, "model-suite.log");
    let (file_writer, guard) = tracing_appender::non_blocking(appender);
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_target(true))
        .with(fmt::layer().with_ansi(false).with_writer(file_writer))
        .try_init()
        .map_err(|e| format!("cannot install the log subscriber: {e}"))?;
    Ok(guard)
}
