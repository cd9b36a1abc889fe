//! The product's chat API, `POST /api/v1/chat/completions`: OpenAI-compatible
//! in and out, authenticated by a user JWT, routed by the resolver, proxied
//! to the chosen endpoint (SSE passed through as it arrives).

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures::StreamExt;
use serde_json::{json, Map, Value};

use super::chat_guard::{bind_scope, ChatLimits};
use super::service::MappingService;
use super::types::ResolveRequest;
use crate::auth::jwt::JwtKeys;
use crate::auth::session::session_token;
use crate::error::ApiErrorResponse;
use crate::monitor::traffic::Traffic;
use crate::upstream::describe;

/// Where the chat API is served; its body limit is its own (`CHAT_MAX_BODY_BYTES`).
pub const CHAT_COMPLETIONS_PATH: &str = "/api/v1/chat/completions";
pub const HEADER_MODEL: &str = "x-model-suite-model";
pub const HEADER_ENDPOINT: &str = "x-model-suite-endpoint-id";
pub const HEADER_SCOPE: &str = "x-model-suite-scope";

fn error(
    status: StatusCode,
    code: &str,
    message: impl Into<String>,
    extra: Option<(&str, Value)>,
) -> Response {
    let mut body = json!({ "error": { "code": code, "message": message.into() } });
    if let (Some((k, v)), Some(obj)) = (extra, body["error"].as_object_mut()) {
        obj.insert(k.to_owned(), v);
    }
    (status, Json(body)).into_response()
}

/// A refusal worded in the caller's `Accept-Language` (English without one).
fn worded(e: crate::error::AppError, headers: &HeaderMap) -> Response {
    let lang = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(
            crate::i18n::Lang::En,
            crate::i18n::Lang::from_accept_language,
        );
    let mut api = crate::error::ApiError::from(e.clone());
    api.body.message = e.text(lang);
    api.into_response()
}

/// Scope from `X-Scope-*` headers, else from the body's `metadata` object.
fn scope_of(
    headers: &HeaderMap,
    metadata: Option<&Map<String, Value>>,
) -> Result<ResolveRequest, Box<Response>> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let meta = |name: &str| {
        metadata.and_then(|m| m.get(name)).and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    };
    let prompt = header("x-scope-prompt")
        .or_else(|| meta("prompt_id"))
        .or_else(|| meta("prompt"));
    let prompt_id = match prompt {
        None => None,
        Some(p) => match p.parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                return Err(Box::new(error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation",
                    "X-Scope-Prompt must be a positive prompt id",
                    None,
                )))
            }
        },
    };
    Ok(ResolveRequest {
        prompt_id,
        tenant: header("x-scope-tenant").or_else(|| meta("tenant")),
        module: header("x-scope-module").or_else(|| meta("module")),
        model: None,
    })
}

/// What the chat API needs: the keys of user tokens, the routes (and through
/// them the HTTP client), and the per-endpoint traffic counters.
#[derive(Clone)]
pub struct ChatGateway {
    pub jwt: JwtKeys,
    pub limits: ChatLimits,
    pub mappings: MappingService,
    pub traffic: Traffic,
}

/// OpenAI-compatible chat completions for end users: routed by the
/// mappings, proxied to the chosen endpoint (server-sent events with
/// `stream: true`). The scope comes from the `X-Scope-*` headers or the
/// body's `metadata` object (`prompt_id`, `tenant`, `module`).
#[utoipa::path(post, path = "/api/v1/chat/completions", tag = "chat",
    request_body(content = serde_json::Value, description = "An OpenAI chat completion request (`messages` required)"),
    params(
        ("X-Scope-Prompt" = Option<i64>, Header, description = "Prompt id of the scope"),
        ("X-Scope-Tenant" = Option<String>, Header, description = "Tenant key of the scope"),
        ("X-Scope-Module" = Option<String>, Header, description = "Module key of the scope"),
    ),
    responses(
        (status = 200, description = "The upstream's answer, as it sent it",
            content((serde_json::Value = "application/json"), (String = "text/event-stream")),
            headers(
                ("x-model-suite-model" = String, description = "The model the request was routed to"),
                ("x-model-suite-endpoint-id" = i64, description = "The endpoint it was sent to"),
            )),
        (status = 401, description = "No user JWT, or one that is not valid", body = ApiErrorResponse),
        (status = 422, description = "Not a chat request, a bad scope, or no route for it", body = ApiErrorResponse),
        (status = 502, description = "The endpoint failed or could not be reached", body = ApiErrorResponse),
        (status = 504, description = "The endpoint did not answer in time", body = ApiErrorResponse),
    ),
    security(("user_jwt" = [])))]
// The token (and the user's rate) is checked before a byte of the body is
// read, so a caller without one cannot make the server take in a large body.
pub async fn chat_completions(
    State(state): State<ChatGateway>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let claims = match session_token(&headers).map(|t| state.jwt.verify_user(&t)) {
        Some(Ok(c)) => c,
        Some(Err(e)) => {
            return error(
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                format!("the bearer token is not accepted: {e}"),
                None,
            )
        }
        None => {
            return error(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "send a user JWT as `Authorization: Bearer <token>`",
                None,
            )
        }
    };
    if let Err(wait) = state.limits.admit(&claims) {
        let secs = wait.as_secs() + 1;
        let mut res = error(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many chat requests from this user; try again in {secs} s"),
            None,
        );
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return res;
    }
    // The size and stall limits are the server's (`body_guard`); a read they
    // cut short is answered 413 or 408 there.
    let Ok(body) = axum::body::to_bytes(body, usize::MAX).await else {
        return error(
            StatusCode::BAD_REQUEST,
            "unreadable_body",
            "the request body could not be read",
            None,
        );
    };
    let Ok(Value::Object(mut request)) = serde_json::from_slice::<Value>(&body) else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "the body must be a JSON chat completion request",
            None,
        );
    };
    if !request.get("messages").is_some_and(Value::is_array) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "`messages` must be an array",
            Some(("field", json!("messages"))),
        );
    }
    if let Some((field, cap)) = state.limits.over_cap(&request) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            format!("`{field}` may be at most {cap}"),
            Some(("field", json!(field))),
        );
    }
    let metadata = match request.remove("metadata") {
        Some(Value::Object(m)) => Some(m),
        _ => None,
    };
    let mut scope = match scope_of(&headers, metadata.as_ref()) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    scope = match bind_scope(&claims, scope) {
        Ok(s) => s,
        Err(why) => return error(StatusCode::FORBIDDEN, "scope_forbidden", why, None),
    };
    scope.model = request
        .get("model")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let (route, endpoint) = match state.mappings.route(&scope).await {
        Ok(r) => r,
        Err(e) => return worded(e, &headers),
    };
    request.insert("model".into(), Value::String(route.model.clone()));
    let streaming = request
        .get("stream")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    tracing::info!(user = %crate::monitor::logging::loggable(&claims.sub, 128), model = %route.model, endpoint = endpoint.id, streaming, "chat request routed");

    let timeout = endpoint.timeout_secs();
    let mut upstream = state
        .mappings
        .catalog()
        .http
        .post(endpoint.resolved().chat_completions)
        .timeout(Duration::from_secs(timeout))
        .json(&request);
    if let Some(key) = endpoint.api_key.as_deref().filter(|k| !k.is_empty()) {
        upstream = upstream.bearer_auth(key);
    }
    let started = Instant::now();
    let traffic = state.traffic.clone();
    let eid = endpoint.id;
    let res = match upstream.send().await {
        Ok(r) => r,
        Err(e) => {
            traffic.record(eid, None, false, started.elapsed().as_secs_f64() * 1000.0);
            let (status, code) = if e.is_timeout() {
                (StatusCode::GATEWAY_TIMEOUT, "upstream_timeout")
            } else {
                (StatusCode::BAD_GATEWAY, "upstream_unreachable")
            };
            let msg = format!(
                "endpoint `{}` {} (timeout {timeout} s)",
                endpoint.name,
                describe(&e)
            );
            return error(status, code, msg, None);
        }
    };
    let status = res.status();
    if !status.is_success() {
        let text = res.text().await.unwrap_or_default();
        traffic.record(
            eid,
            Some(status.as_u16()),
            false,
            started.elapsed().as_secs_f64() * 1000.0,
        );
        let reason = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
            .unwrap_or_else(|| text.chars().take(200).collect());
        let msg = format!("endpoint `{}` answered {status}: {reason}", endpoint.name);
        let code = if status == StatusCode::GATEWAY_TIMEOUT {
            StatusCode::GATEWAY_TIMEOUT
        } else {
            StatusCode::BAD_GATEWAY
        };
        return error(
            code,
            "upstream_error",
            msg,
            Some(("upstream_status", json!(status.as_u16()))),
        );
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
        // Recorded when the stream ends, so latency covers the whole reply.
        let failed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let seen = failed.clone();
        let mut recorded = false;
        let stream = res.bytes_stream().map(move |chunk| {
            if chunk.is_err() {
                seen.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            chunk.map_err(std::io::Error::other)
        });
        let stream = stream.chain(futures::stream::poll_fn(move |_| {
            if !recorded {
                recorded = true;
                let ok = !failed.load(std::sync::atomic::Ordering::Relaxed);
                traffic.record(
                    eid,
                    Some(status.as_u16()),
                    ok,
                    started.elapsed().as_secs_f64() * 1000.0,
                );
            }
            std::task::Poll::Ready(None)
        }));
        Body::from_stream(stream)
    } else {
        match res.bytes().await {
            Ok(bytes) => {
                traffic.record(
                    eid,
                    Some(status.as_u16()),
                    true,
                    started.elapsed().as_secs_f64() * 1000.0,
                );
                Body::from(bytes)
            }
            Err(e) => {
                traffic.record(
                    eid,
                    Some(status.as_u16()),
                    false,
                    started.elapsed().as_secs_f64() * 1000.0,
                );
                return error(
                    StatusCode::BAD_GATEWAY,
                    "upstream_error",
                    format!("endpoint `{}`: {}", endpoint.name, describe(&e)),
                    None,
                );
            }
        }
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, content_type);
    if streaming {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    if let Ok(v) = HeaderValue::from_str(&route.model) {
        h.insert(HEADER_MODEL, v);
    }
    h.insert(HEADER_ENDPOINT, HeaderValue::from(route.endpoint_id));
    if let Some(v) = route
        .scope
        .as_deref()
        .and_then(|s| HeaderValue::from_str(s).ok())
    {
        h.insert(HEADER_SCOPE, v);
    }
    response
}
