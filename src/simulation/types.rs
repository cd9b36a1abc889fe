//! Minted tokens, dialogs, runs and result rows, shared by server and
//! browser. Limits live here so the form can show them.

use serde::{Deserialize, Serialize};

use super::msg::StopReason;

/// What this server lets a load test and a minted token ask for, shown on
/// the page beside the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Most requests one run may ask for.
    pub max_requests: u32,
    /// Highest concurrency one run may ask for.
    pub max_concurrency: u32,
    /// Requests in flight across all runs.
    pub max_inflight: u32,
    /// Longest lifetime of a minted test-user token.
    pub mint_max_minutes: u32,
}

pub const TOTAL_MAX: u32 = 100_000;
pub const CONCURRENCY_MAX: u32 = 1000;
pub const RAMP_MAX_SECS: u32 = 3600;
pub const USERS_MAX: u32 = 10_000;
pub use super::message_set::MESSAGE_MAX;
/// Most inter-token gaps one stored result keeps (`response_message.itl_ms`):
/// a reply of more than this many + 1 content deltas keeps its first ones
/// (`content_deltas` still says how many there were).
pub const ITL_STORED_MAX: usize = 2048;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ssr",
    derive(utoipa::ToSchema),
    schema(example = json!({"sub": "user-1", "role": "user", "tenant": "acme", "expires_in_minutes": 60}))
)]
pub struct MintRequest {
    pub sub: String,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub tenant: Option<String>,
    #[serde(default)]
    pub module: Option<String>,
    /// Lifetime in minutes (capped by `MINT_MAX_MINUTES`).
    pub expires_in_minutes: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MintedToken {
    pub token: String,
    pub claims: serde_json::Value,
    pub expires_at: String,
}

/// The scope a simulated chat carries (sent as `X-Scope-*` headers).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChatScope {
    #[serde(default)]
    pub prompt_id: Option<i64>,
    #[serde(default)]
    pub tenant: Option<String>,
    #[serde(default)]
    pub module: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ssr",
    derive(utoipa::ToSchema),
    schema(example = json!({"token": "<a JWT from POST /api/v1/llm/tests/mint>", "scope": {"tenant": "acme"}, "message": "Hello! Please reply briefly.", "stream": false}))
)]
pub struct DialogRequest {
    pub token: String,
    #[serde(default, deserialize_with = "object")]
    pub scope: ChatScope,
    #[serde(default)]
    pub model: Option<String>,
    pub message: String,
    #[serde(default)]
    pub stream: bool,
    /// The admin's language, for the chat API's refusals.
    #[serde(default)]
    pub lang: Option<crate::i18n::Lang>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DialogResult {
    pub request: serde_json::Value,
    pub status: Option<u16>,
    pub content: String,
    pub model: Option<String>,
    pub endpoint_id: Option<i64>,
    pub latency_ms: f64,
    pub ttfb_ms: Option<f64>,
    pub ttft_ms: Option<f64>,
    #[serde(default)]
    pub error_kind: Option<String>,
    pub error: Option<String>,
    pub row_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StopPolicy {
    Never,
    FirstError,
    /// Stop when, over the last `window` requests, errors reach
    /// `percent` %, once at least `min_done` are done.
    ErrorRate {
        window: u32,
        percent: f64,
        min_done: u32,
    },
    /// Stop once `count` requests have failed.
    AfterErrors {
        count: u32,
    },
    /// Stop when errors reach `percent` % of every request done so far, once
    /// at least `min_done` are done.
    OverallErrorRate {
        percent: f64,
        min_done: u32,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ssr",
    derive(utoipa::ToSchema),
    schema(example = json!({"total": 10, "concurrency": 2, "users": 2, "stream": false, "stop": {"kind": "never"}, "message": "Hello! Please reply briefly."}))
)]
pub struct RunConfig {
    pub total: u32,
    /// Closed-loop workers; in a rate run, the cap on requests in flight
    /// (the engine's most when not given).
    #[serde(default)]
    pub concurrency: u32,
    /// Workers (the default) or a request rate.
    #[serde(default)]
    pub load: super::load::Load,
    #[serde(default)]
    pub ramp_up_secs: u32,
    #[serde(default = "one")]
    pub users: u32,
    #[serde(default)]
    pub stream: bool,
    #[serde(default = "never", deserialize_with = "object")]
    pub stop: StopPolicy,
    #[serde(default, deserialize_with = "object")]
    pub scope: ChatScope,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default = "default_message")]
    pub message: String,
    /// Several messages or a JSONL of chat requests instead of `message`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_set: Option<super::message_set::MessageSet>,
    /// Sent with every request (a JSONL line's own `max_tokens` wins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// A minted user token: its `tenant` / `module` claims become the run's
    /// scope (a scope field that says otherwise is refused). Read at the
    /// start and never stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

fn one() -> u32 {
    1
}

fn never() -> StopPolicy {
    StopPolicy::Never
}

fn default_message() -> String {
    "Hello! Please reply briefly.".into()
}

impl RunConfig {
    /// Takes the concurrency `{"kind": "concurrency", "concurrency": N}`
    /// names; a rate run without one may use up to `max_concurrency`.
    pub fn normalized(mut self, max_concurrency: u32) -> RunConfig {
        use super::load::Load;
        match self.load {
            Load::Concurrency {
                concurrency: Some(n),
            } => self.concurrency = n,
            Load::Constant { .. } | Load::Poisson { .. } if self.concurrency == 0 => {
                self.concurrency = max_concurrency.min(CONCURRENCY_MAX)
            }
            _ => {}
        }
        self
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    Completed,
    Cancelled,
    /// Ended by its stop policy.
    Stopped,
    /// The server stopped while it ran.
    Interrupted,
    /// Ran to the end (no stop policy fired), and not one request succeeded.
    Failed,
}

/// Up to this many runs side by side in the comparison.
pub const COMPARE_MAX: usize = 4;

impl RunStatus {
    pub const ALL: [RunStatus; 6] = [
        RunStatus::Running,
        RunStatus::Completed,
        RunStatus::Cancelled,
        RunStatus::Stopped,
        RunStatus::Interrupted,
        RunStatus::Failed,
    ];

    /// The status as the API spells it (`running`, `completed`…).
    pub fn key(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Completed => "completed",
            RunStatus::Cancelled => "cancelled",
            RunStatus::Stopped => "stopped",
            RunStatus::Interrupted => "interrupted",
            RunStatus::Failed => "failed",
        }
    }

    /// The status spelt `key`.
    pub fn from_key(key: &str) -> Option<RunStatus> {
        RunStatus::ALL.into_iter().find(|s| s.key() == key)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Percentiles {
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub mean: f64,
    pub max: f64,
}

/// A run as the live panel and the run list see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RunSnapshot {
    pub id: String,
    pub config: RunConfig,
    pub status: RunStatus,
    /// Unreadable reasons in older summaries are dropped, not fatal.
    #[serde(default, deserialize_with = "lenient")]
    pub stop_reason: Option<StopReason>,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub done: u64,
    pub ok: u64,
    pub failed: u64,
    pub cancelled: u64,
    /// Requests never sent because the run stopped or was cancelled first.
    #[serde(default)]
    pub not_sent: u64,
    pub in_flight: u64,
    pub queued: u64,
    pub rps: f64,
    pub elapsed_secs: f64,
    pub latency_ms: Percentiles,
    pub ttft_ms: Option<Percentiles>,
    pub queue_ms: Percentiles,
    pub errors: Vec<(String, u64)>,
    /// Output tokens, their rate, TPOT, ITL and the error rate.
    #[serde(flatten)]
    pub bench: BenchFigures,
    /// Latency histogram for the chart: (upper bound ms, count).
    pub histogram: Vec<(f64, u64)>,
    pub rows_written: u64,
    pub fallback_records: u64,
    /// Requests that never reached an endpoint (a refused token, no route,
    /// a rate limit, a local error): counted here, never under an endpoint.
    #[serde(default)]
    pub not_routed: u64,
    /// Per endpoint that answered or failed them: its successes and failures.
    #[serde(default)]
    pub by_endpoint: Vec<EndpointShare>,
    /// A rate run's rate asked and kept (`null` for a closed-loop run).
    #[serde(default)]
    pub rate: Option<super::load::RateReport>,
}

/// A run's figures as an LLM benchmark reports them (METRICS.md). Token
/// figures count successes only.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct BenchFigures {
    /// Output tokens of the successes: `usage.completion_tokens`, else the
    /// content deltas counted.
    pub output_tokens: u64,
    /// Successes whose output tokens were counted, not reported (no `usage`).
    pub output_tokens_estimated: u64,
    /// Output tokens per second, over the same span as req/s.
    pub tokens_per_sec: f64,
    /// Time per output token after the first, per streamed success with
    /// more than one output token.
    pub tpot_ms: Option<Percentiles>,
    /// Every gap between consecutive content deltas, pooled.
    pub itl_ms: Option<Percentiles>,
    /// Failed / started (0.0–1.0); cancelled requests are neither.
    pub error_rate: f64,
    /// True once the percentiles come from the stored rows (a finished
    /// run); false while they come from the live histograms.
    pub exact: bool,
}

/// What one endpoint did in a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EndpointShare {
    pub endpoint_id: i64,
    pub ok: u64,
    pub failed: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ResultQuery {
    #[serde(default)]
    pub run_id: Option<String>,
    #[serde(default)]
    pub success: Option<bool>,
    #[serde(default)]
    pub text: Option<String>,
    /// `timeout`, `connect`, `http_status` or `decode`.
    #[serde(default)]
    pub error_kind: Option<String>,
    #[serde(default)]
    pub endpoint_id: Option<i64>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub user: Option<String>,
    /// `id` (the default), `latency_ms`, `ttft_ms`, `ttfb_ms`, `queue_ms`
    /// or `tpot_ms`; slowest first unless `ascending`.
    #[serde(default)]
    pub sort: Option<String>,
    #[serde(default)]
    pub ascending: bool,
    #[serde(default)]
    pub page: Option<u32>,
    #[serde(default)]
    pub per_page: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ResultRow {
    pub id: i64,
    pub run_id: Option<String>,
    pub seq: Option<u64>,
    pub user: Option<String>,
    pub model: Option<String>,
    /// The endpoint that answered or failed the request; none when it never
    /// reached one ("not routed": a refused token, no route, a local error).
    pub endpoint_id: Option<i64>,
    pub success: bool,
    pub status: Option<u16>,
    pub latency_ms: Option<f64>,
    pub ttft_ms: Option<f64>,
    pub queue_ms: Option<f64>,
    pub error_kind: Option<String>,
    pub error: Option<String>,
    pub created_at: Option<String>,
    /// Endpoints the chat API tried (more than one after a failover).
    #[serde(default)]
    pub attempts: Option<u32>,
    /// The failed attempts, as `<endpoint id>=<what happened>,…`.
    #[serde(default)]
    pub failed_attempts: Option<String>,
    #[serde(default)]
    pub ttfb_ms: Option<f64>,
    /// Reported by the upstream, else counted (then `output_tokens_estimated`).
    #[serde(default)]
    pub output_tokens: Option<u64>,
    #[serde(default)]
    pub output_tokens_estimated: Option<bool>,
    #[serde(default)]
    pub tpot_ms: Option<f64>,
    /// Gaps between content deltas: in exports, not in the page's rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub itl_ms: Option<Vec<f64>>,
}

/// One result as its detail shows it: the row, and what was asked and
/// answered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ResultDetail {
    pub row: ResultRow,
    /// The request's messages, params and scope.
    pub messages: serde_json::Value,
    pub params: serde_json::Value,
    pub scope: serde_json::Value,
    /// The reply text (the first 2000 characters kept).
    pub reply: String,
    pub usage: serde_json::Value,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ResultPage {
    pub items: Vec<ResultRow>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// Reads a nested struct only from a JSON object, as the API documents it
/// (serde alone would also take an array of its fields in order).
fn object<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    use serde::de::Error;
    match serde_json::Value::deserialize(d)? {
        v @ serde_json::Value::Object(_) => T::deserialize(v).map_err(D::Error::custom),
        other => Err(D::Error::custom(format!(
            "expected a JSON object, got {other}"
        ))),
    }
}

fn lenient<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<StopReason>, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    Ok(serde_json::from_value(value).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_saved_before_token_figures_reads_with_none() {
        let old = r#"{"id":"run-1","config":{"total":1,"concurrency":1,"stream":true},
            "status":"completed","stop_reason":null,"started_at":"2026-11-28T09:16:41Z",
            "finished_at":null,"done":1,"ok":1,"failed":0,"cancelled":0,"in_flight":0,
            "queued":0,"rps":1.0,"elapsed_secs":1.0,
            "latency_ms":{"p50":1.0,"p90":1.0,"p95":1.0,"p99":1.0,"mean":1.0,"max":1.0},
            "ttft_ms":null,
            "queue_ms":{"p50":0.0,"p90":0.0,"p95":0.0,"p99":0.0,"mean":0.0,"max":0.0},
            "errors":[],"histogram":[],"rows_written":1,"fallback_records":0}"#;
        let run: RunSnapshot = serde_json::from_str(old).expect("an older summary reads");
        assert_eq!(run.bench, BenchFigures::default());
        let again = serde_json::to_value(&run).expect("json");
        assert_eq!(again["output_tokens"], 0, "flattened: {again}");
        assert!(
            again["tpot_ms"].is_null() && again["exact"] == false,
            "{again}"
        );
    }

    #[test]
    fn a_run_status_key_is_its_api_spelling() {
        for status in RunStatus::ALL {
            let json = serde_json::to_value(status).expect("json");
            assert_eq!(json, status.key());
            assert_eq!(RunStatus::from_key(status.key()), Some(status));
        }
        assert_eq!(RunStatus::from_key(""), None);
    }
}
