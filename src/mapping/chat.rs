//! The product's chat API, `POST /api/v1/chat/completions`: OpenAI-compatible
//! in and out, authenticated by a user JWT, routed by the resolver, proxied
//! to the chosen endpoint (SSE passed through as it arrives).

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value};

use super::chat_error::{ChatError, OpenAiError};
use super::chat_guard::{bind_scope, user_claims, ChatLimits};
use super::chat_msg::ChatMsg;
use super::failover::forward;
use super::proxy::Relay;
use super::service::MappingService;
use super::types::ResolveRequest;
use crate::auth::jwt::JwtKeys;

/// Where the chat API is served; its body limit is its own (`CHAT_MAX_BODY_BYTES`).
pub const CHAT_COMPLETIONS_PATH: &str = "/api/v1/chat/completions";

/// Scope from `X-Scope-*` headers, else from the body's `metadata` object.
pub(super) fn scope_of(
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
                return Err(Box::new(
                    ChatError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "validation",
                        ChatMsg::PromptScope,
                    )
                    .param("X-Scope-Prompt")
                    .answer(headers),
                ))
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

/// What the chat API needs: the keys of user tokens, the routes, and the
/// relay that sends chats upstream and reports each outcome.
#[derive(Clone)]
pub struct ChatGateway {
    pub jwt: JwtKeys,
    pub limits: ChatLimits,
    pub mappings: MappingService,
    pub relay: Relay,
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
                ("x-model-suite-endpoint-id" = i64, description = "The endpoint that answered"),
                ("x-model-suite-attempts" = u32, description = "How many endpoints the chat was sent to (more than one after a failover)"),
                ("x-model-suite-failed-attempts" = String, description = "Each failed attempt before the answer, as `<endpoint id>=<unreachable|timeout|bad_body|HTTP status>`, comma-separated"),
            )),
        (status = 401, description = "No user JWT, or one that is not valid (OpenAI's error shape, in the caller's language)", body = OpenAiError),
        (status = 403, description = "The token is bound to another tenant or module than the request asks for", body = OpenAiError),
        (status = 422, description = "Not a chat request, a bad scope, or no route for it (`param` names the field)", body = OpenAiError),
        (status = 429, description = "Too many chat requests from this user (`Retry-After` says when to try again)", body = OpenAiError),
        (status = 502, description = "Every endpoint tried failed or could not be reached; the headers name the last one and the attempts", body = OpenAiError),
        (status = 504, description = "The last endpoint tried did not answer in time", body = OpenAiError),
    ),
    security(("user_jwt" = [])))]
// The token (and the user's rate) is checked before a byte of the body is
// read, so a caller without one cannot make the server take in a large body.
pub async fn chat_completions(
    State(state): State<ChatGateway>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let claims = match user_claims(&state.jwt, &headers) {
        Ok(c) => c,
        Err(refused) => return *refused,
    };
    if let Err(wait) = state.limits.admit(&claims) {
        let secs = wait.as_secs() + 1;
        let mut res = ChatError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            ChatMsg::RateLimited { secs },
        )
        .answer(&headers);
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return res;
    }
    // The size and stall limits are the server's (`body_guard`); a read they
    // cut short is answered 413 or 408 there.
    let Ok(body) = axum::body::to_bytes(body, usize::MAX).await else {
        return ChatError::new(
            StatusCode::BAD_REQUEST,
            "unreadable_body",
            ChatMsg::UnreadableBody,
        )
        .answer(&headers);
    };
    let Ok(Value::Object(mut request)) = serde_json::from_slice::<Value>(&body) else {
        return ChatError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            ChatMsg::NotJson,
        )
        .answer(&headers);
    };
    if !request.get("messages").is_some_and(Value::is_array) {
        return ChatError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            ChatMsg::MessagesNotArray,
        )
        .param("messages")
        .answer(&headers);
    }
    if let Some((field, cap)) = state.limits.over_cap(&request) {
        let over = ChatMsg::OverCap {
            field: field.to_owned(),
            cap,
        };
        return ChatError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", over)
            .param(field)
            .answer(&headers);
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
        Err(why) => {
            return ChatError::new(StatusCode::FORBIDDEN, "scope_forbidden", why).answer(&headers)
        }
    };
    scope.model = request
        .get("model")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let user = claims.sub.as_str();
    forward(
        &state.relay,
        &state.mappings,
        &headers,
        &scope,
        request,
        user,
    )
    .await
}
