//! A small OpenAI-compatible upstream for demos and tests, run with
//! `model-suite upstream-sim`: `/v1/models` and `/v1/chat/completions`
//! (plain JSON or SSE streaming, one word per chunk), with configurable
//! latency, pause between chunks, injected errors and an optional required
//! API key. `usage` comes as OpenAI sends it: in a plain reply, and in a
//! last streamed chunk only when `stream_options.include_usage` asks.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::StreamExt;
use rand::Rng;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Clone, Debug)]
pub struct SimOptions {
    /// Delay before the first byte of every reply.
    pub latency_ms: u64,
    /// Pause between streamed chunks: the time per output token after the
    /// first (each word of the reply is one chunk and one token).
    pub chunk_delay_ms: u64,
    /// Share of chat requests answered with HTTP 500 (0.0–1.0).
    pub error_rate: f64,
    pub models: Vec<String>,
    /// When set, requests without `Authorization: Bearer <key>` get 401.
    pub api_key: Option<String>,
    /// Report `usage` (token counts); off, the upstream never does, as
    /// some OpenAI-compatible servers don't.
    pub usage: bool,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            latency_ms: 20,
            chunk_delay_ms: 5,
            error_rate: 0.0,
            models: vec!["sim-small".into(), "sim-large".into()],
            api_key: None,
            usage: true,
        }
    }
}

pub fn router(options: SimOptions) -> Router {
    Router::new()
        .route("/v1/models", get(models))
        .route("/v1/chat/completions", post(chat))
        .with_state(Arc::new(options))
}

/// Serves until the process ends.
pub async fn serve(addr: SocketAddr, options: SimOptions) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, models = ?options.models, "upstream simulator listening");
    axum::serve(super::without_nagle(listener), router(options)).await
}

/// Starts the simulator on `addr` in the background; returns the bound address.
pub async fn spawn(addr: SocketAddr, options: SimOptions) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(e) = axum::serve(super::without_nagle(listener), router(options)).await {
            tracing::error!(error = %e, "upstream simulator stopped");
        }
    });
    Ok(bound)
}

fn openai_error(status: StatusCode, kind: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "error": { "message": message, "type": kind } })),
    )
        .into_response()
}

fn authorised(opts: &SimOptions, headers: &HeaderMap) -> bool {
    let Some(key) = &opts.api_key else {
        return true;
    };
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        == Some(key.as_str())
}

async fn models(State(opts): State<Arc<SimOptions>>, headers: HeaderMap) -> Response {
    if !authorised(&opts, &headers) {
        return openai_error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            "invalid API key",
        );
    }
    tokio::time::sleep(Duration::from_millis(opts.latency_ms)).await;
    let data: Vec<Value> = opts
        .models
        .iter()
        .map(|m| json!({ "id": m, "object": "model", "created": 0, "owned_by": "model-suite-sim" }))
        .collect();
    Json(json!({ "object": "list", "data": data })).into_response()
}

#[derive(Deserialize)]
struct ChatBody {
    model: String,
    #[serde(default)]
    messages: Vec<Value>,
    #[serde(default)]
    stream: bool,
    #[serde(default)]
    stream_options: Option<StreamOptions>,
}

#[derive(Deserialize)]
struct StreamOptions {
    #[serde(default)]
    include_usage: bool,
}

/// The reply, word by word: the streamed chunks and the plain content agree.
fn reply_words(messages: &[Value]) -> Vec<String> {
    let last = messages
        .iter()
        .rev()
        .find_map(|m| text_of(m.get("content")?))
        .unwrap_or_default();
    let echo: String = last.chars().take(60).collect();
    format!("Simulated reply to: {echo}")
        .split_inclusive(' ')
        .map(str::to_owned)
        .collect()
}

/// A message's text: a plain string, or OpenAI's list of content parts
/// (`[{"type": "text", "text": "…"}, …]`) with its text parts joined.
fn text_of(content: &Value) -> Option<String> {
    match content {
        Value::String(s) => Some(s.clone()),
        Value::Array(parts) => Some(
            parts
                .iter()
                .filter(|p| p["type"] == "text")
                .filter_map(|p| p["text"].as_str())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        _ => None,
    }
}

async fn chat(
    State(opts): State<Arc<SimOptions>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if !authorised(&opts, &headers) {
        return openai_error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            "invalid API key",
        );
    }
    let Ok(req) = serde_json::from_slice::<ChatBody>(&body) else {
        return openai_error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "body is not a chat request",
        );
    };
    if !opts.models.contains(&req.model) {
        return openai_error(
            StatusCode::NOT_FOUND,
            "model_not_found",
            &format!("model `{}` does not exist", req.model),
        );
    }
    tokio::time::sleep(Duration::from_millis(opts.latency_ms)).await;
    if opts.error_rate > 0.0 && rand::thread_rng().gen::<f64>() < opts.error_rate {
        return openai_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "injected error",
        );
    }
    let id = format!("chatcmpl-sim-{}", uuid::Uuid::new_v4().simple());
    let words = reply_words(&req.messages);
    let prompt_tokens = req.messages.len() as u64 * 8;
    let usage = json!({
        "prompt_tokens": prompt_tokens,
        "completion_tokens": words.len(),
        "total_tokens": prompt_tokens + words.len() as u64,
    });
    let usage = opts.usage.then_some(usage);
    if !req.stream {
        let mut reply = json!({
            "id": id, "object": "chat.completion", "created": 0, "model": req.model,
            "choices": [{ "index": 0, "message": { "role": "assistant", "content": words.concat() }, "finish_reason": "stop" }],
        });
        if let Some(usage) = usage {
            reply["usage"] = usage;
        }
        return Json(reply).into_response();
    }
    let chunk = {
        let (id, model) = (id.clone(), req.model.clone());
        move |delta: Value, finish: Option<&str>| {
            json!({ "id": id, "object": "chat.completion.chunk", "created": 0, "model": model,
                    "choices": [{ "index": 0, "delta": delta, "finish_reason": finish }] })
        }
    };
    let mut events = vec![chunk(json!({ "role": "assistant", "content": "" }), None)];
    events.extend(words.iter().map(|w| chunk(json!({ "content": w }), None)));
    events.push(chunk(json!({}), Some("stop")));
    let asked = req.stream_options.is_some_and(|o| o.include_usage);
    if let Some(usage) = usage.filter(|_| asked) {
        events.push(
            json!({ "id": id, "object": "chat.completion.chunk", "created": 0, "model": req.model,
                    "choices": [], "usage": usage }),
        );
    }
    // Each token is due `delay` after the one before it, on a fixed clock:
    // timer rounding and scheduling do not add up over a long reply. What
    // follows the last token (finish, usage, `[DONE]`) comes with it, as a
    // serving engine sends it.
    let delay = Duration::from_millis(opts.chunk_delay_ms);
    let last_token = words.len();
    let begun = tokio::time::Instant::now();
    let stream = futures::stream::iter(
        events
            .into_iter()
            .map(|e| e.to_string())
            .chain(["[DONE]".to_owned()]),
    )
    .enumerate()
    .then(move |(i, data)| async move {
        if i > 0 {
            tokio::time::sleep_until(begun + delay * i.min(last_token) as u32).await;
        }
        Ok::<_, Infallible>(Event::default().data(data))
    });
    Sse::new(stream).into_response()
}

#[cfg(test)]
mod tests {
    use super::reply_words;
    use serde_json::json;

    #[test]
    fn content_parts_are_read_like_a_plain_string() {
        let plain = reply_words(&[json!({"role": "user", "content": "hello there"})]);
        let parts = reply_words(&[json!({"role": "user", "content": [
            {"type": "text", "text": "hello"}, {"type": "image_url", "image_url": {"url": "x"}},
            {"type": "text", "text": "there"}
        ]})]);
        assert_eq!(plain, parts);
        assert_eq!(plain.concat(), "Simulated reply to: hello there");
    }
}
