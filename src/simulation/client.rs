//! One chat through the product's own chat API over HTTP, timed as
//! METRICS.md defines: TTFB, TTFT (first non-empty content delta), latency
//! (plain: until done; streaming: until the last content delta). SSE bytes
//! are buffered and split on event boundaries, never mid-character.

use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use super::types::ChatScope;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Timeout,
    Connect,
    HttpStatus,
    Decode,
    Cancelled,
}

impl ErrorKind {
    /// The kind a stored row names (`as_str` read back).
    pub fn parse(kind: &str) -> Option<ErrorKind> {
        [
            ErrorKind::Timeout,
            ErrorKind::Connect,
            ErrorKind::HttpStatus,
            ErrorKind::Decode,
            ErrorKind::Cancelled,
        ]
        .into_iter()
        .find(|k| k.as_str() == kind)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Timeout => "timeout",
            ErrorKind::Connect => "connect",
            ErrorKind::HttpStatus => "http_status",
            ErrorKind::Decode => "decode",
            ErrorKind::Cancelled => "cancelled",
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Attempt {
    pub status: Option<u16>,
    pub model: Option<String>,
    pub endpoint_id: Option<i64>,
    pub content: String,
    pub latency_ms: f64,
    pub ttfb_ms: Option<f64>,
    pub ttft_ms: Option<f64>,
    pub error_kind: Option<ErrorKind>,
    pub error: Option<String>,
    pub usage: Option<Value>,
    pub deltas: u32,
    /// The reply came as SSE.
    pub streamed: bool,
    /// Gaps between consecutive content deltas (ms), the first `ITL_STORED_MAX`.
    pub itl_ms: Vec<f64>,
    /// Endpoints the chat API sent it to (more than one after a failover).
    pub attempts: Option<u32>,
    /// The failed ones, as `<endpoint id>=<what happened>,…`.
    pub failed_attempts: Option<String>,
}

impl Attempt {
    pub fn ok(&self) -> bool {
        self.error_kind.is_none()
    }

    fn fail(mut self, kind: ErrorKind, message: String, started: Instant) -> Attempt {
        self.error_kind = Some(kind);
        self.error = Some(message);
        self.latency_ms = ms(started.elapsed());
        self
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn kind_of(e: &reqwest::Error) -> ErrorKind {
    if e.is_timeout() {
        ErrorKind::Timeout
    } else if e.is_connect() {
        ErrorKind::Connect
    } else {
        ErrorKind::Decode
    }
}

/// One run's chat call, built once: the URL and the scope headers; each
/// request adds its user's token and one of the run's prepared bodies.
pub struct PreparedChat {
    url: reqwest::Url,
    headers: reqwest::header::HeaderMap,
    timeout: Duration,
}

impl PreparedChat {
    pub fn new(base: &str, scope: &ChatScope, timeout: Duration) -> Result<PreparedChat, String> {
        let url = reqwest::Url::parse(&format!("{base}/api/v1/chat/completions"))
            .map_err(|e| format!("the chat API's address: {e}"))?;
        let mut headers = scope_headers(scope);
        headers.insert(
            reqwest::header::CONTENT_TYPE,
            reqwest::header::HeaderValue::from_static("application/json"),
        );
        Ok(PreparedChat {
            url,
            headers,
            timeout,
        })
    }

    /// Sends `body` (JSON bytes) with `auth` (`Bearer <token>`, made once
    /// per user).
    pub async fn send(
        &self,
        http: &reqwest::Client,
        auth: &reqwest::header::HeaderValue,
        body: bytes::Bytes,
    ) -> Attempt {
        let req = http
            .post(self.url.clone())
            .headers(self.headers.clone())
            .header(reqwest::header::AUTHORIZATION, auth.clone())
            .timeout(self.timeout)
            .body(body);
        read_reply(req, None).await
    }
}

/// The scope as the chat API's `X-Scope-*` headers (values that cannot be
/// a header are left out; validation refuses them before).
fn scope_headers(scope: &ChatScope) -> reqwest::header::HeaderMap {
    let mut h = reqwest::header::HeaderMap::new();
    let mut put = |name: &'static str, v: &str| {
        if let Ok(v) = reqwest::header::HeaderValue::from_str(v) {
            h.insert(name, v);
        }
    };
    if let Some(p) = scope.prompt_id {
        put("x-scope-prompt", &p.to_string());
    }
    if let Some(t) = scope.tenant.as_deref().filter(|t| !t.is_empty()) {
        put("x-scope-tenant", t);
    }
    if let Some(m) = scope.module.as_deref().filter(|m| !m.is_empty()) {
        put("x-scope-module", m);
    }
    h
}

/// How to call the chat API: the timeout, and the language its refusals
/// should be worded in (English when not said).
#[derive(Clone, Copy, Debug)]
pub struct CallOpts {
    pub timeout: Duration,
    pub lang: Option<crate::i18n::Lang>,
}

/// Sends `body` to `{base}/api/v1/chat/completions` as `token`, handing
/// each streamed content delta to `live` as it arrives.
pub async fn send_chat_live(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    scope: &ChatScope,
    body: &Value,
    opts: CallOpts,
    live: Option<&tokio::sync::mpsc::UnboundedSender<String>>,
) -> Attempt {
    let mut req = http
        .post(format!("{base}/api/v1/chat/completions"))
        .bearer_auth(token)
        .headers(scope_headers(scope))
        .timeout(opts.timeout)
        .json(body);
    if let Some(lang) = opts.lang {
        req = req.header(reqwest::header::ACCEPT_LANGUAGE, lang.tag());
    }
    read_reply(req, live).await
}

/// Sends `req` and reads the reply, timed.
async fn read_reply(
    req: reqwest::RequestBuilder,
    live: Option<&tokio::sync::mpsc::UnboundedSender<String>>,
) -> Attempt {
    let mut a = Attempt::default();
    let started = Instant::now();
    let mut res = match req.send().await {
        Ok(r) => r,
        Err(e) => return a.fail(kind_of(&e), crate::upstream::describe(&e), started),
    };
    a.status = Some(res.status().as_u16());
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    a.model = header("x-model-suite-model");
    a.endpoint_id = header("x-model-suite-endpoint-id").and_then(|v| v.parse().ok());
    a.attempts = header("x-model-suite-attempts").and_then(|v| v.parse().ok());
    a.failed_attempts = header("x-model-suite-failed-attempts");
    let streaming = header("content-type").is_some_and(|ct| ct.starts_with("text/event-stream"));
    let success = res.status().is_success();
    a.streamed = streaming;

    let mut buffer: Vec<u8> = Vec::new();
    let mut body = Vec::new();
    let mut last_delta = None;
    loop {
        match res.chunk().await {
            Ok(Some(chunk)) => {
                a.ttfb_ms.get_or_insert_with(|| ms(started.elapsed()));
                if streaming && success {
                    buffer.extend_from_slice(&chunk);
                    while let Some(end) = find_event_end(&buffer) {
                        let event: Vec<u8> = buffer.drain(..end).collect();
                        let before = a.content.len();
                        if let Err(e) = take_event(&event, &mut a, started, &mut last_delta) {
                            return a.fail(ErrorKind::Decode, e, started);
                        }
                        if let (Some(tx), true) = (live, a.content.len() > before) {
                            let _ = tx.send(a.content[before..].to_owned());
                        }
                    }
                } else {
                    body.extend_from_slice(&chunk);
                }
            }
            Ok(None) => break,
            Err(e) => return a.fail(kind_of(&e), crate::upstream::describe(&e), started),
        }
    }
    let done = ms(started.elapsed());
    if !success {
        let reason = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
            .unwrap_or_else(|| String::from_utf8_lossy(&body).chars().take(200).collect());
        let status = a.status.unwrap_or_default();
        return a.fail(
            ErrorKind::HttpStatus,
            format!("HTTP {status}: {reason}"),
            started,
        );
    }
    if streaming {
        a.latency_ms = last_delta.unwrap_or(done);
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(v) => {
                a.content = v["choices"][0]["message"]["content"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                a.usage = v.get("usage").cloned().filter(|u| !u.is_null());
                a.latency_ms = done;
            }
            Err(e) => {
                return a.fail(
                    ErrorKind::Decode,
                    format!("response is not JSON: {e}"),
                    started,
                )
            }
        }
    }
    a
}

/// Index just past the first complete SSE event (`\n\n` or `\r\n\r\n`).
fn find_event_end(buf: &[u8]) -> Option<usize> {
    let lf = buf.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    let crlf = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4);
    match (lf, crlf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn take_event(
    event: &[u8],
    a: &mut Attempt,
    started: Instant,
    last: &mut Option<f64>,
) -> Result<(), String> {
    let text = std::str::from_utf8(event).map_err(|e| format!("SSE event is not UTF-8: {e}"))?;
    for line in text.lines() {
        let Some(data) = line.strip_prefix("data:").map(str::trim_start) else {
            continue;
        };
        if data == "[DONE]" {
            continue;
        }
        let v: Value =
            serde_json::from_str(data).map_err(|e| format!("SSE data is not JSON: {e}"))?;
        if let Some(delta) = v["choices"][0]["delta"]["content"]
            .as_str()
            .filter(|d| !d.is_empty())
        {
            let now = ms(started.elapsed());
            a.ttft_ms.get_or_insert(now);
            if let Some(prev) = last.filter(|_| a.itl_ms.len() < super::types::ITL_STORED_MAX) {
                a.itl_ms.push(now - prev);
            }
            *last = Some(now);
            a.deltas += 1;
            a.content.push_str(delta);
        }
        if let Some(u) = v.get("usage").filter(|u| !u.is_null()) {
            a.usage = Some(u.clone());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_on_boundaries_only() {
        let buf = b"data: {\"a\":1}\n\ndata: {\"b\"";
        assert_eq!(find_event_end(buf), Some(15));
        assert_eq!(find_event_end(b"data: partial"), None);
    }

    #[test]
    fn role_only_and_empty_deltas_do_not_count_as_first_token() {
        let mut a = Attempt::default();
        let mut last = None;
        let t0 = Instant::now();
        take_event(
            b"data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n",
            &mut a,
            t0,
            &mut last,
        )
        .expect("ok");
        assert!(a.ttft_ms.is_none());
        take_event(
            "data: {\"choices\":[{\"delta\":{\"content\":\"你好\"}}]}\n\n".as_bytes(),
            &mut a,
            t0,
            &mut last,
        )
        .expect("ok");
        assert!(a.ttft_ms.is_some());
        assert_eq!(a.content, "你好");
        assert!(take_event(b"data: {nope\n\n", &mut a, t0, &mut last).is_err());
    }
}
