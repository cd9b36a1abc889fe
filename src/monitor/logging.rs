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

/// Text from outside (a name, a token's subject, a request id) made safe
/// for a log line: control characters (newlines that would forge a line)
/// become `?`, and it is cut to `max` characters.
pub fn loggable(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// The longest request id kept; longer (or odd) ones are replaced.
const REQUEST_ID_MAX: usize = 64;

/// Keeps a client's `x-request-id` only when it is short and plain
/// (letters, digits, `-`, `_`, `.`, `:`); otherwise drops it so a fresh one
/// is generated. Runs before the request id is set and logged.
pub async fn plain_request_id(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let plain = |v: &axum::http::HeaderValue| {
        let b = v.as_bytes();
        !b.is_empty()
            && b.len() <= REQUEST_ID_MAX
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || b"-_.:".contains(c))
    };
    if req.headers().get("x-request-id").is_some_and(|v| !plain(v)) {
        req.headers_mut().remove("x-request-id");
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::loggable;

    #[test]
    fn newlines_cannot_forge_a_line_and_long_text_is_cut() {
        assert_eq!(
            loggable("eve\n{\"actor\":\"admin\"}", 64),
            "eve?{\"actor\":\"admin\"}"
        );
        assert_eq!(loggable(&"x".repeat(300), 8), "xxxxxxxx…");
        assert_eq!(loggable("张三", 8), "张三");
    }
}
