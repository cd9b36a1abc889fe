//! Prometheus metrics (`/metrics`, admin-gated like every JSON route):
//! chat API and load-test counters and latency histograms, through the
//! `metrics` facade.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the recorder once per process (tests start many apps).
pub fn install() {
    HANDLE.get_or_init(|| match PrometheusBuilder::new().install_recorder() {
        Ok(h) => Some(h),
        Err(e) => {
            tracing::warn!(error = %e, "metrics recorder not installed");
            None
        }
    });
}

pub fn render() -> String {
    HANDLE
        .get()
        .and_then(|h| h.as_ref())
        .map(PrometheusHandle::render)
        .unwrap_or_default()
}

pub fn chat_request(endpoint: i64, ok: bool, seconds: f64) {
    let outcome = if ok { "ok" } else { "error" };
    metrics::counter!("model_suite_chat_requests_total", "endpoint" => endpoint.to_string(), "outcome" => outcome).increment(1);
    metrics::histogram!("model_suite_chat_request_duration_seconds").record(seconds);
}

/// A chat that another endpoint answered after `failed` attempts failed.
pub fn chat_failover(failed: usize) {
    metrics::counter!("model_suite_chat_failovers_total").increment(1);
    metrics::counter!("model_suite_chat_failed_attempts_total").increment(failed as u64);
}

pub fn loadtest_request(ok: bool, cancelled: bool, latency_ms: f64) {
    let outcome = if cancelled {
        "cancelled"
    } else if ok {
        "ok"
    } else {
        "error"
    };
    metrics::counter!("model_suite_loadtest_requests_total", "outcome" => outcome).increment(1);
    if ok {
        metrics::histogram!("model_suite_loadtest_request_duration_seconds")
            .record(latency_ms / 1000.0);
    }
}

pub fn loadtest_finished(status: &str) {
    metrics::counter!("model_suite_loadtest_runs_total", "status" => status.to_owned())
        .increment(1);
}

/// The counters and latency histograms, in Prometheus' text format.
#[utoipa::path(get, path = "/metrics", tag = "monitor",
    responses((status = 200, description = "Prometheus text exposition (version 0.0.4)",
        content_type = "text/plain; version=0.0.4", body = String)))]
pub async fn metrics_route() -> ([(axum::http::HeaderName, &'static str); 1], String) {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        render(),
    )
}
