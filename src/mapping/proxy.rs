//! One chat sent to one endpoint: the call with the endpoint's key and
//! timeout, what its outcome says about the endpoint (told to the traffic
//! counters and the endpoint monitor), and the answer to pass on once the
//! upstream's headers say success. Which endpoint, and another after a
//! failure, is decided by the caller of [`Relay::send`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use futures::StreamExt;
use serde_json::{Map, Value};

use super::chat_msg::ChatMsg;
use crate::catalog::health::EndpointMonitor;
use crate::catalog::repo::EndpointRow;
use crate::error::Msg;
use crate::monitor::health::TrafficOutcome;
use crate::monitor::traffic::Traffic;
use crate::upstream::describe;

/// What sending a chat upstream needs: the shared HTTP client, the traffic
/// counters and the monitor every outcome is reported to, and how far a
/// chat may fail over.
#[derive(Clone)]
pub struct Relay {
    pub http: reqwest::Client,
    pub traffic: Traffic,
    pub monitor: EndpointMonitor,
    pub budget: FailoverBudget,
}

/// How far one chat may fail over: at most `attempts` endpoints, and a next
/// one only while less than `within` has passed since the chat arrived
/// (an attempt under way always gets its endpoint's whole timeout).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FailoverBudget {
    pub attempts: u32,
    pub within: Duration,
}

/// An upstream answer whose headers said success: from here on bytes go to
/// the caller, so no other endpoint is tried.
pub struct Answer {
    pub status: StatusCode,
    pub content_type: HeaderValue,
    pub body: Body,
}

/// Why an attempt failed before any byte reached the caller.
#[derive(Debug)]
pub struct Failure {
    /// What the caller gets when no other endpoint answers: 502 or 504.
    pub status: StatusCode,
    pub code: &'static str,
    pub message: Msg,
    pub upstream_status: Option<u16>,
    /// Another endpoint may be tried: no answer, a timeout, a 5xx or a 429.
    pub retryable: bool,
    /// In a word: `unreachable`, `timeout`, `bad_body` or the HTTP status.
    pub tag: String,
}

fn ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

impl Relay {
    /// Tells the counters and the monitor what one attempt did.
    fn report(
        &self,
        e: &EndpointRow,
        status: Option<u16>,
        started: Instant,
        outcome: TrafficOutcome,
    ) {
        let ok = outcome == TrafficOutcome::Ok;
        self.traffic.record(e.id, status, ok, ms(started));
        let seen = e.status.as_deref().unwrap_or("unknown");
        self.monitor.report(e.id, seen, outcome);
    }

    /// Sends `request` to endpoint `e` with its key and timeout.
    pub async fn send(
        &self,
        e: &EndpointRow,
        request: &Map<String, Value>,
        streaming: bool,
    ) -> Result<Answer, Failure> {
        let timeout = e.timeout_secs();
        let mut upstream = self
            .http
            .post(e.resolved().chat_completions)
            .timeout(Duration::from_secs(timeout))
            .json(request);
        if let Some(key) = e.api_key.as_deref().filter(|k| !k.is_empty()) {
            upstream = upstream.bearer_auth(key);
        }
        let started = Instant::now();
        let res = match upstream.send().await {
            Ok(r) => r,
            Err(err) => {
                let detail = describe(&err);
                self.report(
                    e,
                    None,
                    started,
                    TrafficOutcome::Failed {
                        reason: detail.clone(),
                    },
                );
                let (status, code) = if err.is_timeout() {
                    (StatusCode::GATEWAY_TIMEOUT, "upstream_timeout")
                } else {
                    (StatusCode::BAD_GATEWAY, "upstream_unreachable")
                };
                return Err(Failure {
                    status,
                    code,
                    message: ChatMsg::Unreachable {
                        endpoint: e.name.clone(),
                        detail,
                        timeout_secs: timeout,
                    }
                    .into(),
                    upstream_status: None,
                    retryable: true,
                    tag: if err.is_timeout() {
                        "timeout"
                    } else {
                        "unreachable"
                    }
                    .into(),
                });
            }
        };
        let status = res.status();
        if !status.is_success() {
            let text = res.text().await.unwrap_or_default();
            let detail = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
                .unwrap_or_else(|| text.chars().take(200).collect());
            let code = status.as_u16();
            let outcome = if status.is_server_error() {
                TrafficOutcome::Failed {
                    reason: format!("HTTP {code}: {detail}"),
                }
            } else {
                TrafficOutcome::Neutral
            };
            self.report(e, Some(code), started, outcome);
            return Err(Failure {
                status: if status == StatusCode::GATEWAY_TIMEOUT {
                    StatusCode::GATEWAY_TIMEOUT
                } else {
                    StatusCode::BAD_GATEWAY
                },
                code: "upstream_error",
                message: ChatMsg::Answered {
                    endpoint: e.name.clone(),
                    status: code,
                    detail,
                }
                .into(),
                upstream_status: Some(code),
                retryable: status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS,
                tag: code.to_string(),
            });
        }
        let content_type = res
            .headers()
            .get(header::CONTENT_TYPE)
            .cloned()
            .unwrap_or_else(|| {
                HeaderValue::from_static(if streaming {
                    "text/event-stream"
                } else {
                    "application/json"
                })
            });
        let body = if streaming {
            self.stream(e, res, started)
        } else {
            match res.bytes().await {
                Ok(bytes) => {
                    self.report(e, Some(status.as_u16()), started, TrafficOutcome::Ok);
                    Body::from(bytes)
                }
                Err(err) => {
                    let detail = describe(&err);
                    let outcome = TrafficOutcome::Failed {
                        reason: detail.clone(),
                    };
                    self.report(e, Some(status.as_u16()), started, outcome);
                    return Err(Failure {
                        status: StatusCode::BAD_GATEWAY,
                        code: "upstream_error",
                        message: ChatMsg::BadBody {
                            endpoint: e.name.clone(),
                            detail,
                        }
                        .into(),
                        upstream_status: Some(status.as_u16()),
                        retryable: true,
                        tag: "bad_body".into(),
                    });
                }
            }
        };
        Ok(Answer {
            status,
            content_type,
            body,
        })
    }

    /// The upstream's events as they arrive; the outcome is reported when
    /// the stream ends, so latency covers the whole reply.
    fn stream(&self, e: &EndpointRow, res: reqwest::Response, started: Instant) -> Body {
        let status = res.status().as_u16();
        let broken = Arc::new(std::sync::Mutex::new(None::<String>));
        let seen = broken.clone();
        let stream = res.bytes_stream().map(move |chunk| {
            if let (Err(err), Ok(mut b)) = (&chunk, seen.lock()) {
                b.get_or_insert_with(|| describe(err));
            }
            chunk.map_err(std::io::Error::other)
        });
        let (relay, row) = (self.clone(), e.clone());
        let reported = AtomicBool::new(false);
        let stream = stream.chain(futures::stream::poll_fn(move |_| {
            if !reported.swap(true, Ordering::Relaxed) {
                let outcome = match broken.lock().ok().and_then(|b| b.clone()) {
                    Some(reason) => TrafficOutcome::Failed { reason },
                    None => TrafficOutcome::Ok,
                };
                relay.report(&row, Some(status), started, outcome);
            }
            std::task::Poll::Ready(None)
        }));
        Body::from_stream(stream)
    }
}
