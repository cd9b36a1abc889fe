//! Talking to OpenAI-compatible upstreams: one shared HTTP client for the
//! whole process (connection pool, timeouts), used by probes, model fetches
//! and the chat path; and the built-in upstream simulator.

pub mod sim;

use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::error::{AppError, Common};

/// Sets `TCP_NODELAY` on every connection a listener accepts. Without it a
/// small write that follows another (a streamed chunk after the headers)
/// waits for the peer's delayed ACK, up to 40 ms: Nagle's algorithm. It
/// would add that to every time-to-first-token this product measures.
pub fn without_nagle(
    listener: tokio::net::TcpListener,
) -> axum::serve::TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)> {
    fn no_delay(stream: &mut tokio::net::TcpStream) {
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
    }
    axum::serve::ListenerExt::tap_io(listener, no_delay as fn(&mut tokio::net::TcpStream))
}

/// The process-wide client. Per-request timeouts come from each endpoint's
/// `timeout`; this only bounds connecting.
pub fn shared_client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .pool_idle_timeout(Duration::from_secs(90))
        .pool_max_idle_per_host(1024)
        .tcp_nodelay(true)
        .user_agent(concat!("model-suite/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// What talking to one upstream needs: where its model list and chat live,
/// its key and its timeout. The catalog makes one from an endpoint's row.
#[derive(Clone)]
pub struct Target {
    /// The endpoint's name, for messages.
    pub name: String,
    pub models_url: String,
    pub chat_url: String,
    pub api_key: Option<String>,
    pub timeout: Duration,
}

impl Target {
    fn authorize(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self.api_key.as_deref().filter(|k| !k.is_empty()) {
            Some(key) => req.bearer_auth(key),
            None => req,
        }
    }
}

/// The key stays out of debug output and logs.
impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("name", &self.name)
            .field("models_url", &self.models_url)
            .field("chat_url", &self.chat_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "…"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

#[derive(Deserialize)]
struct ModelsResponse {
    data: Vec<ModelEntry>,
}

#[derive(Deserialize)]
struct ModelEntry {
    id: String,
}

/// What a probe of an endpoint found.
#[derive(Clone, Debug, PartialEq)]
pub enum ProbeOutcome {
    /// Answered 2xx with a model list.
    Online {
        latency_ms: f64,
        models: Vec<String>,
    },
    /// Answered, but not with a usable model list (auth, rate limit, 5xx…).
    Degraded { latency_ms: f64, reason: String },
    /// No answer: refused, unreachable or timed out.
    Offline { reason: String },
}

/// GETs the endpoint's models URL with its key and timeout.
pub async fn probe(http: &reqwest::Client, target: &Target) -> ProbeOutcome {
    let url = &target.models_url;
    let req = target.authorize(http.get(url).timeout(target.timeout));
    let started = Instant::now();
    let res = match req.send().await {
        Ok(r) => r,
        Err(e) => {
            return ProbeOutcome::Offline {
                reason: describe(&e),
            }
        }
    };
    let status = res.status();
    let body = res.bytes().await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    if !status.is_success() {
        return ProbeOutcome::Degraded {
            latency_ms,
            reason: format!("HTTP {status} from {url}"),
        };
    }
    match body.map_err(|e| describe(&e)).and_then(|b| {
        serde_json::from_slice::<ModelsResponse>(&b)
            .map_err(|e| format!("not an OpenAI model list: {e}"))
    }) {
        Ok(list) => ProbeOutcome::Online {
            latency_ms,
            models: list.data.into_iter().map(|m| m.id).collect(),
        },
        Err(reason) => ProbeOutcome::Degraded { latency_ms, reason },
    }
}

/// The models the upstream serves, or why it could not say.
pub async fn list_models(http: &reqwest::Client, target: &Target) -> Result<Vec<String>, AppError> {
    match probe(http, target).await {
        ProbeOutcome::Online { models, .. } => Ok(models),
        ProbeOutcome::Degraded { reason, .. } | ProbeOutcome::Offline { reason } => {
            Err(AppError::Upstream(
                Common::Upstream {
                    endpoint: target.name.clone(),
                    detail: reason,
                }
                .into(),
            ))
        }
    }
}

/// A short reason without the URL's secrets (keys travel in headers, never
/// in URLs, so the URL itself is safe to show).
pub fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection refused or unreachable".into()
    } else if e.is_decode() || e.is_body() {
        format!("bad response body: {e}")
    } else {
        e.to_string()
    }
}

/// One tiny chat to one model of an endpoint, straight to the upstream.
#[derive(Clone, Debug)]
pub struct ChatProbe {
    pub status: Option<u16>,
    pub latency_ms: f64,
    /// The start of the reply, when there was one.
    pub reply: Option<String>,
    pub error: Option<String>,
}

/// The message a model check sends.
pub const CHECK_MESSAGE: &str = "Reply with the single word OK.";

/// POSTs a one-line chat for `model` with the endpoint's key and timeout.
/// Newer models refuse `max_tokens`; the check then asks once more with
/// `max_completion_tokens`.
pub async fn chat_probe(http: &reqwest::Client, target: &Target, model: &str) -> ChatProbe {
    let first = chat_once(http, target, model, "max_tokens").await;
    let refused_param = first.status == Some(400)
        && first
            .error
            .as_deref()
            .is_some_and(|e| e.contains("max_tokens"));
    if refused_param {
        chat_once(http, target, model, "max_completion_tokens").await
    } else {
        first
    }
}

async fn chat_once(
    http: &reqwest::Client,
    target: &Target,
    model: &str,
    limit_param: &str,
) -> ChatProbe {
    let mut body = serde_json::json!({
        "model": model,
        "messages": [{ "role": "user", "content": CHECK_MESSAGE }],
        "stream": false,
    });
    body[limit_param] = 16.into();
    let req = target.authorize(
        http.post(&target.chat_url)
            .timeout(target.timeout)
            .json(&body),
    );
    let started = Instant::now();
    let (status, body) = match req.send().await {
        Ok(res) => (res.status(), res.bytes().await.map_err(|e| describe(&e))),
        Err(e) => {
            return ChatProbe {
                status: None,
                latency_ms: started.elapsed().as_secs_f64() * 1000.0,
                reply: None,
                error: Some(describe(&e)),
            }
        }
    };
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let json = body.and_then(|b| {
        serde_json::from_slice::<serde_json::Value>(&b).map_err(|e| format!("not JSON: {e}"))
    });
    // A reply counts when it has a choice; a reasoning model may spend the
    // small budget before writing any content.
    let (reply, error) = match (status.is_success(), json) {
        (true, Ok(v)) => match v["choices"].get(0) {
            Some(choice) => (
                Some(
                    choice["message"]["content"]
                        .as_str()
                        .unwrap_or_default()
                        .chars()
                        .take(200)
                        .collect(),
                ),
                None,
            ),
            None => (None, Some("no choices[0] in the reply".into())),
        },
        (true, Err(e)) => (None, Some(e)),
        (false, Ok(v)) => {
            let message = v["error"]["message"].as_str().unwrap_or("no error message");
            (None, Some(format!("HTTP {}: {message}", status.as_u16())))
        }
        (false, Err(_)) => (None, Some(format!("HTTP {}", status.as_u16()))),
    };
    ChatProbe {
        status: Some(status.as_u16()),
        latency_ms,
        reply,
        error,
    }
}
