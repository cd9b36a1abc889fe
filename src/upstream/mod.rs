//! Talking to OpenAI-compatible upstreams: one shared HTTP client for the
//! whole process (connection pool, timeouts), reused by probes, model
//! fetches and the chat path.

use std::time::Duration;

/// The process-wide client. Per-request timeouts come from each endpoint's
/// `timeout`; this only bounds connecting.
pub fn shared_client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .pool_idle_timeout(Duration::from_secs(90))
        .user_agent(concat!("model-suite/", env!("CARGO_PKG_VERSION")))
        .build()
}
