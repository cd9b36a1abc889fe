//! Request bodies: at most so many bytes (the chat API has a limit of its
//! own), and a client that stops sending one is given up on. Whatever reads
//! the body — a JSON route, a server function, a form — an oversized body is
//! answered 413 and a stalled one 408, in the one error shape. Nothing is
//! read here: a handler that refuses first (no token) never reads it at all.

use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::Frame;
use tower_http::timeout::{TimeoutBody, TimeoutError};

use crate::error::ApiError;

/// The limits, and the one path that has its own.
#[derive(Clone, Copy, Debug)]
pub struct BodyLimits {
    pub max_bytes: usize,
    pub chat_max_bytes: usize,
    pub idle: Duration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
    TooLarge,
    Stalled,
}

/// Watches every request body; replaces the response when the body broke a
/// rule, whatever the handler made of the failed read.
pub async fn guard_body(State(limits): State<BodyLimits>, req: Request, next: Next) -> Response {
    let limit = if req.uri().path() == crate::mapping::chat::CHAT_COMPLETIONS_PATH {
        limits.chat_max_bytes
    } else {
        limits.max_bytes
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let refusal = Arc::new(OnceLock::new());
    let (parts, body) = req.into_parts();
    let body = Body::new(WatchedBody {
        inner: Box::pin(TimeoutBody::new(limits.idle, body)),
        // A declared length over the limit fails the first read, before a
        // byte is taken from the client.
        remaining: match declared {
            Some(n) if n > limit as u64 => None,
            _ => Some(limit),
        },
        refusal: refusal.clone(),
    });
    let response = next.run(Request::from_parts(parts, body)).await;
    match refusal.get() {
        None => response,
        Some(Refusal::TooLarge) => closing(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the request body is too large: send at most {limit} bytes"),
        )),
        Some(Refusal::Stalled) => closing(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            format!(
                "the request body stopped arriving for {} s",
                limits.idle.as_secs()
            ),
        )),
    }
}

/// The connection is not reused: the rest of the body was never read.
fn closing(error: ApiError) -> Response {
    let mut response = error.into_response();
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

#[derive(Debug, thiserror::Error)]
#[error("the request body is larger than the limit")]
struct TooLarge;

/// Counts the bytes of a body and notes why a read failed.
struct WatchedBody {
    inner: Pin<Box<TimeoutBody<Body>>>,
    /// Bytes still allowed; `None` once over the limit.
    remaining: Option<usize>,
    refusal: Arc<OnceLock<Refusal>>,
}

impl http_body::Body for WatchedBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let Some(remaining) = self.remaining else {
            let _ = self.refusal.set(Refusal::TooLarge);
            return Poll::Ready(Some(Err(Box::new(TooLarge))));
        };
        let polled = self.inner.as_mut().poll_frame(cx);
        match polled {
            Poll::Ready(Some(Ok(frame))) => {
                let len = frame.data_ref().map_or(0, Bytes::len);
                if len > remaining {
                    self.remaining = None;
                    let _ = self.refusal.set(Refusal::TooLarge);
                    return Poll::Ready(Some(Err(Box::new(TooLarge))));
                }
                self.remaining = Some(remaining - len);
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => {
                if e.is::<TimeoutError>() {
                    let _ = self.refusal.set(Refusal::Stalled);
                }
                Poll::Ready(Some(Err(e)))
            }
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.remaining.is_some() && self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match self.remaining {
            Some(_) => self.inner.size_hint(),
            None => http_body::SizeHint::default(),
        }
    }
}
